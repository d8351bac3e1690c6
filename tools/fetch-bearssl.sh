#!/bin/sh
# Fetch BearSSL 0.6 from Debian's source package (bearssl, orig tarball), verify it, unpack it into
# build/: the native primitives of the core's crypto group (core/crypto/, docs/architecture.md).
# Nothing of it is committed or patched. To move to a newer release: change VERSION, FILE and SHA256.
set -eu
VERSION=0.6
FILE=bearssl_0.6+dfsg.1.orig.tar.xz
SHA256=102a625bd8f6155260867a50c508df8d8c3f796985dd744df1a68e5cd1a79004
DEST=build/bearssl-${VERSION}
[ -f "$DEST/inc/bearssl.h" ] && exit 0
. "$(dirname "$0")/debian-pool.sh"
pool_fetch b/bearssl "$FILE" "$SHA256"
pool_unpack "$FILE" bearssl-${VERSION} "$DEST"
test -f "$DEST/inc/bearssl.h"

#!/bin/sh
# Fetch LZ4 1.9.4 from Debian's source package (lz4, orig tarball), verify it, unpack it into build/:
# the core is stored LZ4-compressed in the image and unpacks itself at boot (core/platform/pvh/unpack/,
# tools/pack-core.c, docs/architecture.md). Nothing of it is committed or patched. To move to a newer
# release: change VERSION, FILE and SHA256.
set -eu
VERSION=1.9.4
FILE=lz4_${VERSION}.orig.tar.gz
SHA256=0b0e3aa07c8c063ddf40b082bdf7e37a1562bda40a0ff5272957f3e987e0e54b
DEST=build/lz4-${VERSION}
[ -f "$DEST/lib/lz4.c" ] && exit 0
. "$(dirname "$0")/debian-pool.sh"
pool_fetch l/lz4 "$FILE" "$SHA256"
pool_unpack "$FILE" lz4-${VERSION} "$DEST"
test -f "$DEST/lib/lz4.c"

#!/bin/sh
# Fetch quickjs-ng from Debian's source package, verify it, unpack it into build/ (DESIGN decision 2).
# The mirror is read from this machine's apt configuration. To move to a newer release: change
# VERSION, TOP (the folder the tarball unpacks to) and SHA256, then `make` (docs/engine.md).
set -eu
VERSION=0.16.2
FILE=quickjs-ng_${VERSION}.orig.tar.gz
SHA256=6ee0c983477c9b145909d873ed1a57422001927f7706b63859abf8e816d2d88c
TOP=quickjs-ng-quickjs-1ab8676
DEST=build/quickjs-ng-${VERSION}
[ -f "$DEST/quickjs.c" ] && exit 0
. "$(dirname "$0")/debian-pool.sh"
pool_fetch q/quickjs-ng "$FILE" "$SHA256"
rm -rf "$DEST" "build/$TOP"
tar -C build -xzf "build/downloads/$FILE"
mv "build/$TOP" "$DEST"
test -f "$DEST/quickjs.c"

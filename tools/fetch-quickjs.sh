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
mkdir -p build/downloads
if [ ! -f "build/downloads/$FILE" ] || ! echo "$SHA256  build/downloads/$FILE" | sha256sum -c - >/dev/null 2>&1; then
  # Debian mirrors named in apt sources (deb822 "URIs:" lines and one-line "deb URL suite" lines).
  MIRRORS=$( (cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ {for (i = 2; i <= NF; i++) print $i}';
              cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '$1 == "deb" || $1 == "deb-src" {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; break}}') \
             | grep -E '/debian/?$' | sed 's:/*$::' | awk '!seen[$0]++')
  [ -n "$MIRRORS" ] || { echo "fetch-quickjs: no Debian mirror found in the apt configuration" >&2; exit 1; }
  ok=
  for m in $MIRRORS; do
    if curl -fsSL --retry 3 -o "build/downloads/$FILE.tmp" "$m/pool/main/q/quickjs-ng/$FILE"; then ok=1; break; fi
  done
  [ -n "$ok" ] || { echo "fetch-quickjs: could not download $FILE from: $MIRRORS" >&2; exit 1; }
  mv "build/downloads/$FILE.tmp" "build/downloads/$FILE"
fi
echo "$SHA256  build/downloads/$FILE" | sha256sum -c - >/dev/null || { echo "fetch-quickjs: sha256 mismatch for $FILE" >&2; rm -f "build/downloads/$FILE"; exit 1; }
rm -rf "$DEST" "build/$TOP"
tar -C build -xzf "build/downloads/$FILE"
mv "build/$TOP" "$DEST"
test -f "$DEST/quickjs.c"

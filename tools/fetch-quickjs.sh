#!/bin/sh
# Fetch QuickJS 2025-04-26 from Debian's source package, verify it, unpack it into build/.
# The mirror is read from this machine's apt configuration (DESIGN decision 2).
set -eu
VERSION=2025.04.26
FILE=quickjs_${VERSION}.orig.tar.xz
SHA256=ec81da5b3249ed648dbc7df4a1654988910e66a118d9b71cb63534216efcfbbe
DEST=build/quickjs-2025.04.26
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
    if curl -fsSL --retry 3 -o "build/downloads/$FILE.tmp" "$m/pool/main/q/quickjs/$FILE"; then ok=1; break; fi
  done
  [ -n "$ok" ] || { echo "fetch-quickjs: could not download $FILE from: $MIRRORS" >&2; exit 1; }
  mv "build/downloads/$FILE.tmp" "build/downloads/$FILE"
fi
echo "$SHA256  build/downloads/$FILE" | sha256sum -c - >/dev/null || { echo "fetch-quickjs: sha256 mismatch for $FILE" >&2; rm -f "build/downloads/$FILE"; exit 1; }
tar -C build -xf "build/downloads/$FILE"
test -f "$DEST/quickjs.c"

# Sourced by tools/fetch-*.sh: pool_fetch POOLDIR FILE SHA256 downloads FILE from Debian's pool
# (pool/main/POOLDIR/FILE) into build/downloads/ and checks its sha256. The mirror is read from
# this machine's apt configuration (deb822 "URIs:" lines and one-line "deb URL suite" lines).
pool_fetch() {
  pool_dir=$1; pool_file=$2; pool_sha=$3
  mkdir -p build/downloads
  if [ ! -f "build/downloads/$pool_file" ] || ! echo "$pool_sha  build/downloads/$pool_file" | sha256sum -c - >/dev/null 2>&1; then
    mirrors=$( (cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ {for (i = 2; i <= NF; i++) print $i}';
                cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '$1 == "deb" || $1 == "deb-src" {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; break}}') \
               | grep -E '/debian/?$' | sed 's:/*$::' | awk '!seen[$0]++')
    [ -n "$mirrors" ] || { echo "$0: no Debian mirror found in the apt configuration" >&2; exit 1; }
    ok=
    for m in $mirrors; do
      if curl -fsSL --retry 3 -o "build/downloads/$pool_file.tmp" "$m/pool/main/$pool_dir/$pool_file"; then ok=1; break; fi
    done
    [ -n "$ok" ] || { echo "$0: could not download $pool_file from: $mirrors" >&2; exit 1; }
    mv "build/downloads/$pool_file.tmp" "build/downloads/$pool_file"
  fi
  echo "$pool_sha  build/downloads/$pool_file" | sha256sum -c - >/dev/null || { echo "$0: sha256 mismatch for $pool_file" >&2; rm -f "build/downloads/$pool_file"; exit 1; }
}

# pool_unpack FILE TOP DEST: unpacks build/downloads/FILE (tar, any compression tar detects), whose
# one top folder is TOP, into DEST, replacing what was there.
pool_unpack() {
  unpack_file=$1; unpack_top=$2; unpack_dest=$3
  rm -rf "$unpack_dest" "$unpack_dest.unpack"
  mkdir -p "$unpack_dest.unpack"
  tar -C "$unpack_dest.unpack" -xf "build/downloads/$unpack_file"
  mv "$unpack_dest.unpack/$unpack_top" "$unpack_dest"
  rmdir "$unpack_dest.unpack"
}

#!/usr/bin/env bash
# Builds the Linux + Node baseline VM for the benchmarks (see README.md beside this file):
#   build/bench-baseline/vmlinuz          Debian's cloud kernel, as packaged
#   build/bench-baseline/initramfs.cpio.gz  busybox + /init + this machine's node + its libraries
#   build/bench-baseline/cmdline          the kernel command line run.ts passes
# Everything comes from Debian packages fetched with `apt-get download` (nothing is installed)
# and from the machine's own `node`. Idempotent: does nothing when all outputs exist and are
# newer than this script and the two servers (hello-server.mjs, bulk-server.mjs).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$ROOT/build/bench-baseline"
DEBS="$OUT/debs"
STAGE="$OUT/rootfs"
VMLINUZ="$OUT/vmlinuz"
INITRAMFS="$OUT/initramfs.cpio.gz"
CMDLINE="$OUT/cmdline"
SERVER="$HERE/hello-server.mjs"
BULK_SERVER="$HERE/bulk-server.mjs"
TLS_SERVER="$HERE/tls-server.mjs"
CRYPTO_SPEED="$HERE/crypto-speed.mjs"

up_to_date() {
  local f
  for f in "$VMLINUZ" "$INITRAMFS" "$CMDLINE"; do
    [[ -f "$f" && "$f" -nt "${BASH_SOURCE[0]}" && "$f" -nt "$SERVER" && "$f" -nt "$BULK_SERVER" && "$f" -nt "$TLS_SERVER" && "$f" -nt "$CRYPTO_SPEED" ]] || return 1
  done
}
if up_to_date; then
  echo "bench-baseline: up to date ($OUT)"
  exit 0
fi

for tool in apt-get apt-cache dpkg-deb gzip ldd node; do
  command -v "$tool" >/dev/null || { echo "bench-baseline: needs $tool" >&2; exit 1; }
done

mkdir -p "$DEBS"

# --- 1. Resolve and fetch the packages -------------------------------------------------------
# linux-image-cloud-amd64 is a metapackage; the kernel itself is the versioned package it
# depends on (e.g. linux-image-6.1.0-56-cloud-amd64).
resolve_kernel() {
  apt-cache depends linux-image-cloud-amd64 2>/dev/null \
    | awk '$1 == "Depends:" && $2 ~ /^linux-image-.*-cloud-amd64$/ { print $2; exit }'
}
KPKG="$(resolve_kernel || true)"
if [[ -z "$KPKG" ]]; then
  echo "bench-baseline: package lists missing or stale; running apt-get update" >&2
  apt-get update -qq
  KPKG="$(resolve_kernel)"
fi
[[ -n "$KPKG" ]] || { echo "bench-baseline: cannot resolve linux-image-cloud-amd64" >&2; exit 1; }
echo "bench-baseline: kernel package $KPKG"

fetch() { # fetch PKG: download PKG's .deb into $DEBS unless a .deb of it is already there
  local pkg="$1"
  if ! compgen -G "$DEBS/${pkg}_*.deb" >/dev/null; then
    # apt's sandbox user may not write here; the warning it prints then is harmless.
    (cd "$DEBS" && apt-get download -q "$pkg" 2>&1 | grep -v 'unsandboxed' || true)
  fi
  compgen -G "$DEBS/${pkg}_*.deb" >/dev/null || { echo "bench-baseline: download of $pkg failed" >&2; exit 1; }
}
fetch "$KPKG"
fetch busybox-static

# --- 2. Extract ----------------------------------------------------------------------------
KX="$DEBS/x-kernel"
BX="$DEBS/x-busybox"
rm -rf "$KX" "$BX"
dpkg-deb -x "$(ls "$DEBS/${KPKG}"_*.deb | head -n1)" "$KX"
dpkg-deb -x "$(ls "$DEBS"/busybox-static_*.deb | head -n1)" "$BX"
KVER="${KPKG#linux-image-}"
cp "$KX/boot/vmlinuz-$KVER" "$VMLINUZ.tmp"
BUSYBOX="$BX/bin/busybox"
KCONFIG="$KX/boot/config-$KVER"

# --- 3. Stage the root file system ---------------------------------------------------------
rm -rf "$STAGE"
mkdir -p "$STAGE"/{bin,sbin,dev,proc,sys,tmp,etc,app,usr/bin,lib/modules,lib64}
chmod 1777 "$STAGE/tmp"
cp "$BUSYBOX" "$STAGE/bin/busybox"
for applet in $("$BUSYBOX" --list); do
  [[ "$applet" == busybox ]] || ln -s busybox "$STAGE/bin/$applet"
done

# virtio-net: the cloud kernel builds these as modules (checked against its config below);
# listed in dependency order (from each module's depends= in .modinfo).
MODULES=()
if grep -q '^CONFIG_VIRTIO_NET=m' "$KCONFIG"; then
  MODULES=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net)
fi
for m in "${MODULES[@]}"; do
  ko="$(find "$KX/lib/modules/$KVER" -name "$m.ko" | head -n1)"
  [[ -n "$ko" ]] || { echo "bench-baseline: module $m.ko not found in $KPKG" >&2; exit 1; }
  cp "$ko" "$STAGE/lib/modules/"
done

# The machine's node, stripped of symbols and debug info (they are not needed to run it and
# would only grow the initramfs and the memory it needs), plus every library ldd lists.
NODE="$(readlink -f "$(command -v node)")"
if command -v strip >/dev/null; then
  strip -o "$STAGE/usr/bin/node" "$NODE"
else
  cp "$NODE" "$STAGE/usr/bin/node"
fi
ldd "$NODE" | awk '/=> \// { print $3 } /^[ \t]*\/[^ ]*ld-linux/ { print $1 }' | while read -r lib; do
  mkdir -p "$STAGE$(dirname "$lib")"
  cp -L "$lib" "$STAGE$lib"
done
cp "$SERVER" "$STAGE/app/hello-server.mjs"
cp "$BULK_SERVER" "$STAGE/app/bulk-server.mjs"
cp "$TLS_SERVER" "$STAGE/app/tls-server.mjs"
cp "$CRYPTO_SPEED" "$STAGE/app/crypto-speed.mjs"
echo 'root:x:0:0:root:/:/bin/sh' > "$STAGE/etc/passwd"
echo 'root:x:0:' > "$STAGE/etc/group"
echo '127.0.0.1 localhost' > "$STAGE/etc/hosts"

# /init: the kernel runs it as PID 1; it ends by exec'ing node, so node is PID 1.
{
  cat <<'EOF'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
EOF
  for m in "${MODULES[@]}"; do echo "insmod /lib/modules/$m.ko"; done
  cat <<'EOF'
# virtio_net probes as it loads, but wait (bounded: 5 s) in case eth0 appears late.
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 100 ]; do usleep 50000; i=$((i+1)); done
ip link set lo up
# QEMU user networking: guest 10.0.2.15/24, gateway 10.0.2.2.
ip addr add 10.0.2.15/24 dev eth0
ip link set eth0 up
ip route add default via 10.0.2.2
cd /app
# app=NAME on the kernel command line picks /app/NAME.mjs (bench/bulk.ts: bulk-server; bench/tls.ts: tls-server, crypto-speed).
APP=hello-server
for w in $(cat /proc/cmdline); do
  case "$w" in app=hello-server|app=bulk-server|app=tls-server|app=crypto-speed) APP="${w#app=}" ;; esac
done
exec /usr/bin/node "/app/$APP.mjs"
EOF
} > "$STAGE/init"
chmod 755 "$STAGE/init"

# /dev/console lets the kernel give /init its stdio before devtmpfs is mounted; mknod needs
# root, and /init redirects to the devtmpfs console anyway, so a failure here is harmless.
mknod -m 600 "$STAGE/dev/console" c 5 1 2>/dev/null || true

# --- 4. Pack the initramfs (cpio newc, gzip) with busybox's own cpio --------------------------
(cd "$STAGE" && find . -mindepth 1 | LC_ALL=C sort | "$BUSYBOX" cpio -o -H newc -R 0:0 2>/dev/null) \
  | gzip -6 > "$INITRAMFS.tmp"

# --- 5. Kernel command line -----------------------------------------------------------------
# rootfstype=ramfs: without it the initramfs is unpacked into a tmpfs capped at half the RAM,
# which node (~86 MB) overflows at 256 MiB ("Initramfs unpacking failed: write error").
# Under TCG the guest may hang calibrating its clock: tell it the TSC frequency, which TCG
# takes from the host's TSC.
MHZ="$(awk -F: '/^cpu MHz/ { gsub(/ /, "", $2); print $2; exit }' /proc/cpuinfo)"
KHZ="$(awk -v m="$MHZ" 'BEGIN { printf "%d", m * 1000 }')"
echo "console=ttyS0 quiet tsc_early_khz=$KHZ panic=-1 reboot=t no_timer_check i8042.noaux i8042.nokbd i8042.nopnp random.trust_cpu=on rootfstype=ramfs edd=off" > "$CMDLINE.tmp"

mv "$VMLINUZ.tmp" "$VMLINUZ"
mv "$INITRAMFS.tmp" "$INITRAMFS"
mv "$CMDLINE.tmp" "$CMDLINE"
echo "bench-baseline: $(stat -c %s "$VMLINUZ") bytes vmlinuz, $(stat -c %s "$INITRAMFS") bytes initramfs"
echo "bench-baseline: cmdline: $(cat "$CMDLINE")"

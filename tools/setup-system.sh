#!/bin/sh
# Install the Debian packages Nimbus needs to build images and run its tests. Idempotent:
# does nothing when everything is already installed.
set -eu
PACKAGES="qemu-system-x86 musl-dev gcc make curl openssl xz-utils iproute2 dnsmasq-base apache2-utils tshark python3 python3-scapy iputils-ping util-linux postgresql redis-server"
missing=
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "setup: installing Debian packages:$missing"
if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections 2>/dev/null || true
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null

/**
 * Boot-time device set-up, run inside the image after the runtime prelude and before the
 * program: finds the virtio devices, services them from the event loop, feeds virtio-rng
 * into the CSPRNG and attaches the network stack to the first virtio-net device, or to the
 * platform's net group (os/drivers/tap, the process target) when there is no virtio-net
 * (both are NetworkDevices, os/drivers/net-device.ts).
 * Problems with a device are printed on stderr and do not stop the program.
 */
import { hasGroup, type Hw } from '../hw/hw.ts';
import { discoverDevices, type Driver } from '../drivers/index.ts';
import { HwNetLink } from '../drivers/tap/net.ts';
import { addSource } from '../runtime/loop.ts';
import { reseed } from '../runtime/random.ts';
import { attachNetwork } from '../netservice/index.ts';
import { useNativeChecksum } from '../net/wire/checksum.ts';
import { useNativePrf } from '../net/tcp/prf.ts';
import { HW_HASH } from '../hw/hw-crypto.ts';

export function startDevices(hw: Hw): void {
  // `nimbus.offloads=off` (cli/run.ts RunOptions.offloads): virtio-net declines CSUM, TSO and merged
  // receive, and does neither in software: the stack computes every checksum and segment itself.
  const offloads = !/(^| )nimbus\.offloads=off( |$)/.test(hw.cmdline);
  const found = discoverDevices(hw, { net: { txOffloads: offloads, rxOffloads: offloads, softwareOffloads: offloads } });
  for (const e of found.errors) hw.write(2, `nimbus: device ignored: ${e}\n`);

  // virtio-rng: one request at boot mixes host entropy into the ChaCha20 CSPRNG (which was
  // already seeded from RDSEED/RDRAND by the runtime).
  for (const rng of found.rng) {
    rng.onEntropy((bytes: Uint8Array) => reseed(bytes.slice()));
    rng.request();
  }

  // The first virtio-net device, else (process target) the platform's own link.
  const net = found.net[0] ?? (hasGroup(hw, 'net') ? new HwNetLink(hw.net) : undefined);
  const others: Driver[] = found.drivers.filter((d) => d !== net);
  if (others.length > 0) {
    let mask = 0;
    for (const d of others) mask |= d.irqMask;
    addSource({
      irqMask: mask,
      nextDeadline: (now) => (others.some((d) => d.hasPendingWork) ? now : Infinity),
      run(now, ready) {
        for (const d of others) if (ready & d.irqMask || d.hasPendingWork) d.service(now, ready);
      },
      isRef: () => false,
    });
  }

  if (net) {
    // Every packet is summed (RFC 1071): in C, not in the interpreter (core/js/checksum.c).
    useNativeChecksum((bytes, partial) => hw.checksum(bytes, partial));
    // Every new connection's ISN and every SYN cookie is a keyed hash: the core's HMAC.
    if (hasGroup(hw, 'crypto')) useNativePrf((key, data) => hw.crypto.hmac(HW_HASH.sha256, key, data));
    attachNetwork(net);
  }
}

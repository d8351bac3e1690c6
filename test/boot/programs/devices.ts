// Discovers the virtio devices, prints what it found, and reads a few bytes from virtio-rng.
import { discoverDevices } from '../../../os/drivers/index.ts';

const hw = (globalThis as any).__nimbus_hw;
const found = discoverDevices(hw);
console.log(`machine=${hw.machine}`);
for (const n of found.net) console.log(`net mac=${Array.from(n.mac as Uint8Array, (b) => b.toString(16).padStart(2, '0')).join(':')} mtu=${n.mtu} link=${n.linkUp}`);
console.log(`rng=${found.rng.length} errors=${JSON.stringify(found.errors)} skipped=${JSON.stringify(found.skipped)}`);
const rng = found.rng[0];
if (rng) {
  let got = 0;
  rng.onEntropy((bytes: Uint8Array) => { got += bytes.length; });
  rng.request();
  const deadline = hw.now() + 2000;
  while (got === 0 && hw.now() < deadline) {
    const ready = hw.yield(deadline);
    for (const d of found.drivers) if (ready & d.irqMask || d.hasPendingWork) d.service(hw.now(), ready);
  }
  console.log(`entropy bytes=${got > 0 ? 'yes' : 'no'}`);
}

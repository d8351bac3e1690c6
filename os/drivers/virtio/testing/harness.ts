/** Builders for driver tests: a FakeHw with simulated devices, and an event-loop pump. */

import type { Driver } from '../device.ts';
import { FakeHw } from './fake-hw.ts';
import type { VirtioDeviceModel } from './device-model.ts';
import { MmioModel } from './mmio-model.ts';
import { NetDeviceModel, RngDeviceModel } from './net-model.ts';
import { PciModel, addHostBridge, type PciModelOptions } from './pci-model.ts';

export const MMIO_BASE = 0xfeb0_0e00;

/** A microvm: PCI reads all-ones; `device` announced on the cmdline at MMIO_BASE, irq 12. */
export function microvmWith(make: (hw: FakeHw) => VirtioDeviceModel): { hw: FakeHw; mmio: MmioModel } {
  const hw = new FakeHw({ machine: 'microvm', cmdline: `console=ttyS0 virtio_mmio.device=512@0x${MMIO_BASE.toString(16)}:12 quiet` });
  const mmio = new MmioModel(hw, make(hw), MMIO_BASE, 12);
  return { hw, mmio };
}

/** A q35: host bridge at 00:00.0 and `device` at 00:03.0 (BAR4 above 4 GiB by default). */
export function q35With(
  make: (hw: FakeHw) => VirtioDeviceModel, opts: Partial<PciModelOptions> = {},
): { hw: FakeHw; pci: PciModel } {
  const hw = new FakeHw({ machine: 'q35' });
  addHostBridge(hw);
  const pci = new PciModel(hw, make(hw), { bdf: 3 << 3, bar4: 0x8_0000_0000, ...opts });
  return { hw, pci };
}

export const netModel = (opts?: ConstructorParameters<typeof NetDeviceModel>[1]) =>
  (hw: FakeHw) => new NetDeviceModel(hw, opts);
export const rngModel = (opts?: ConstructorParameters<typeof RngDeviceModel>[1]) =>
  (hw: FakeHw) => new RngDeviceModel(hw, opts);

/**
 * Run the event loop until no line is ready and no driver has pending work (bounded).
 * Returns the number of service() calls made.
 */
export function pump(hw: FakeHw, drivers: readonly Driver[], maxRounds = 10_000): number {
  let calls = 0;
  for (let round = 0; round < maxRounds; round++) {
    const ready = hw.takeReady();
    let busy = false;
    for (const d of drivers) {
      if ((ready & d.irqMask) !== 0 || d.hasPendingWork) {
        d.service(hw.now(), ready);
        calls++;
        busy = true;
      }
    }
    if (!busy && hw.pending === 0) return calls;
  }
  throw new Error('pump: still busy after maxRounds');
}

/** A recognisable test frame of `length` bytes numbered `n`. */
export function frame(n: number, length = 60): Uint8Array {
  const f = new Uint8Array(length);
  for (let i = 0; i < length; i++) f[i] = (n * 7 + i) & 0xff;
  new DataView(f.buffer).setUint32(0, n, true);
  return f;
}

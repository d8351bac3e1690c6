/**
 * Device drivers: the layer between the hw contract (os/hw/hw.ts) and the network stack /
 * runtime. It owns device discovery, virtio transports (PCI, MMIO), split virtqueues and
 * the device drivers (virtio-net, virtio-rng). It knows nothing of IP, sockets or clocks:
 * `now` is passed in, and work happens only inside `service()` calls made by the event loop.
 *
 * Event loop contract: `const ready = hw.yield(deadline)`; for each driver `d` with
 * `ready & d.irqMask`, call `d.service(now, ready)`; also call it when `d.hasPendingWork`.
 * A driver acknowledges its device and then its hw lines (hw.irqAck) itself.
 *
 * Guarantees: a device is treated as untrusted (bad used ids, lengths or indices are
 * counted and dropped; a clearly broken device is marked FAILED and left alone, never a
 * crash); a device that cannot be initialised is reported in `errors`, not thrown, so one
 * bad device does not stop the boot.
 *
 * Drivers name the optional hw groups they need (os/hw/hw.ts requireGroups): virtio devices
 * need 'dma' and 'irq', plus 'pci' and 'mmio' (virtio-pci, whose BARs are MMIO) or 'mmio'.
 */

import { hasGroup, type Hw, type HwWith } from '../hw/hw.ts';
import { DEVICE_NET, DEVICE_RNG, deviceTypeName } from './virtio/constants.ts';
import type { Driver } from './virtio/device.ts';
import { parseMmioCmdline, VirtioMmioTransport } from './virtio/mmio.ts';
import { VirtioNet, type NetOptions } from './virtio/net.ts';
import { scanPci, virtioPciDeviceType, VirtioPciTransport } from './virtio/pci.ts';
import { VirtioRng, type RngOptions } from './virtio/rng.ts';
import type { VirtioTransport } from './virtio/transport.ts';

export type { Driver } from './virtio/device.ts';
export type { NetworkDevice } from './net-device.ts';
export { VirtioNet, type NetOptions, type NetStats } from './virtio/net.ts';
export { VirtioRng, type RngOptions, type RngStats } from './virtio/rng.ts';
export { VirtioError } from './virtio/transport.ts';

export interface DiscoveredDevices {
  readonly net: VirtioNet[];
  readonly rng: VirtioRng[];
  /** Every started driver, for the event loop. */
  readonly drivers: Driver[];
  /** Devices found but not driven (unknown type), e.g. "pci 00:05.0 (virtio block)". */
  readonly skipped: string[];
  /** One message per device or cmdline token that could not be used. */
  readonly errors: string[];
}

export interface DiscoverOptions {
  net?: NetOptions;
  rng?: RngOptions;
}

/**
 * True when PCI configuration space answers (q35); microvm reads all-ones everywhere, and a
 * platform without the 'pci' hw group (the process target) has none.
 */
export function hasPci(hw: Hw): hw is HwWith<'pci'> {
  if (!hasGroup(hw, 'pci')) return false;
  try {
    // Host bridge at 00:00.0 on every PCI machine; nothing answers without PCI.
    for (let dev = 0; dev < 32; dev++) {
      const vendor = hw.pciRead(dev << 3, 0, 2);
      if (vendor !== 0xffff && vendor !== 0) return true;
    }
  } catch {
    // A core that refuses PCI access has no PCI.
  }
  return false;
}

/**
 * Find virtio devices on PCI and on the command line's virtio-mmio list, and start them. A
 * platform without the 'pci' group is not scanned; a device whose transport or driver needs a
 * group the platform lacks is reported in `errors` (ERR_NIMBUS_UNSUPPORTED, naming the group).
 */
export function discoverDevices(hw: Hw, opts: DiscoverOptions = {}): DiscoveredDevices {
  const found: DiscoveredDevices = { net: [], rng: [], drivers: [], skipped: [], errors: [] };
  const transports: VirtioTransport[] = [];

  if (hasPci(hw)) {
    for (const fn of scanPci(hw)) {
      const type = virtioPciDeviceType(hw, fn);
      if (type === 0) continue;
      try {
        transports.push(VirtioPciTransport.open(hw, fn.bdf, type));
      } catch (e) {
        found.errors.push((e as Error).message);
      }
    }
  }

  const mmio = parseMmioCmdline(hw.cmdline);
  found.errors.push(...mmio.errors);
  for (const spec of mmio.devices) {
    try {
      const t = VirtioMmioTransport.probe(hw, spec);
      if (t) transports.push(t);
    } catch (e) {
      found.errors.push((e as Error).message);
    }
  }

  for (const t of transports) {
    try {
      if (t.deviceType === DEVICE_NET) {
        const net = VirtioNet.start(hw, t, opts.net);
        found.net.push(net);
        found.drivers.push(net);
      } else if (t.deviceType === DEVICE_RNG) {
        const rng = VirtioRng.start(hw, t, opts.rng);
        found.rng.push(rng);
        found.drivers.push(rng);
      } else {
        found.skipped.push(`${t.description}: no driver for virtio ${deviceTypeName(t.deviceType)}`);
      }
    } catch (e) {
      found.errors.push((e as Error).message);
    }
  }
  return found;
}

/**
 * virtio over MMIO (virtio 1.x §4.2), version 2 (modern) register layout only.
 *
 * On `-M microvm` and Firecracker, devices are announced on the kernel command line as
 * `virtio_mmio.device=<size>@<base>:<irq>[:<id>]` (Linux's syntax: size with an optional
 * K/M/G suffix, base in hex with 0x or decimal, irq decimal). The interrupt is a GSI; the
 * driver acknowledges by writing InterruptStatus back to InterruptACK.
 */

import { requireGroups, type Hw, type HwWith } from '../../hw/hw.ts';

/** What the virtio-mmio transport needs of the machine. */
type MmioTransportHw = HwWith<'mmio' | 'irq'>;
import { ISR_CONFIG, ISR_QUEUE, deviceTypeName } from './constants.ts';
import { RESET_POLL_LIMIT, VirtioError, checkLine, type QueueAddresses, type VirtioTransport } from './transport.ts';

export const MMIO_MAGIC = 0x74726976; // "virt", little-endian

// §4.2.2 register offsets
const REG_MAGIC = 0x000;
const REG_VERSION = 0x004;
const REG_DEVICE_ID = 0x008;
const REG_DEVICE_FEATURES = 0x010;
const REG_DEVICE_FEATURES_SEL = 0x014;
const REG_DRIVER_FEATURES = 0x020;
const REG_DRIVER_FEATURES_SEL = 0x024;
const REG_QUEUE_SEL = 0x030;
const REG_QUEUE_NUM_MAX = 0x034;
const REG_QUEUE_NUM = 0x038;
const REG_QUEUE_READY = 0x044;
const REG_QUEUE_NOTIFY = 0x050;
const REG_INTERRUPT_STATUS = 0x060;
const REG_INTERRUPT_ACK = 0x064;
const REG_STATUS = 0x070;
const REG_QUEUE_DESC_LOW = 0x080;
const REG_QUEUE_DRIVER_LOW = 0x090;
const REG_QUEUE_DEVICE_LOW = 0x0a0;
const REG_CONFIG_GENERATION = 0x0fc;
const REG_CONFIG = 0x100;

export interface MmioDeviceSpec {
  readonly base: number;
  readonly size: number;
  readonly irq: number;
}

const SIZE_SUFFIX: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/**
 * Every well-formed `virtio_mmio.device=` token of `cmdline`. Malformed tokens are returned
 * in `errors` (with the reason) rather than thrown: one bad token must not hide the others.
 */
export function parseMmioCmdline(cmdline: string): { devices: MmioDeviceSpec[]; errors: string[] } {
  const devices: MmioDeviceSpec[] = [];
  const errors: string[] = [];
  for (const token of cmdline.split(/\s+/)) {
    const prefix = 'virtio_mmio.device=';
    if (!token.startsWith(prefix)) continue;
    const m = /^((?:0x[0-9a-f]+)|[0-9]+)([kmg]?)@((?:0x[0-9a-f]+)|[0-9]+):([0-9]+)(?::[0-9]+)?$/i
      .exec(token.slice(prefix.length));
    if (!m) {
      errors.push(`Cannot parse "${token}": expected virtio_mmio.device=<size>@<base>:<irq>`);
      continue;
    }
    const size = Number(m[1]) * SIZE_SUFFIX[m[2]!.toLowerCase()]!;
    const base = Number(m[3]);
    const irq = Number(m[4]);
    if (size < REG_CONFIG || !Number.isSafeInteger(base) || base === 0 || irq > 255) {
      errors.push(`Cannot use "${token}": size below 0x100, zero base or irq above 255`);
      continue;
    }
    devices.push({ base, size, irq });
  }
  return { devices, errors };
}

export class VirtioMmioTransport implements VirtioTransport {
  readonly description: string;
  readonly deviceType: number;
  readonly spec: MmioDeviceSpec;

  readonly #hw: MmioTransportHw;
  readonly #base: number;
  #line = -1;

  private constructor(hw: MmioTransportHw, spec: MmioDeviceSpec, deviceType: number) {
    this.#hw = hw;
    this.spec = spec;
    this.#base = spec.base;
    this.deviceType = deviceType;
    this.description = `mmio@0x${spec.base.toString(16)} (virtio ${deviceTypeName(deviceType)})`;
  }

  /**
   * Map and identify the device at `spec`. Returns undefined for an empty slot (device id 0,
   * §4.2.3.1.1); throws VirtioError for a bad magic value or a legacy (version 1) device.
   */
  static probe(anyHw: Hw, spec: MmioDeviceSpec): VirtioMmioTransport | undefined {
    const where = `mmio@0x${spec.base.toString(16)}`;
    const hw = requireGroups(anyHw, ['mmio', 'irq'], `virtio-mmio device ${where}`);
    hw.mmioMap(spec.base, spec.size);
    const magic = hw.mmioRead(spec.base + REG_MAGIC, 4) >>> 0;
    if (magic !== MMIO_MAGIC) {
      throw new VirtioError('ERR_VIRTIO_MMIO', `${where}: bad magic value 0x${magic.toString(16)} (no virtio-mmio device there)`);
    }
    const version = hw.mmioRead(spec.base + REG_VERSION, 4);
    if (version === 1) {
      throw new VirtioError('ERR_VIRTIO_LEGACY',
        `${where}: legacy virtio-mmio device (version 1); Nimbus needs version 2 (QEMU: -global virtio-mmio.force-legacy=false)`);
    }
    if (version !== 2) {
      throw new VirtioError('ERR_VIRTIO_MMIO', `${where}: unknown virtio-mmio version ${version}`);
    }
    const deviceType = hw.mmioRead(spec.base + REG_DEVICE_ID, 4);
    if (deviceType === 0) return undefined;
    return new VirtioMmioTransport(hw, spec, deviceType);
  }

  get irqMask(): number { return this.#line < 0 ? 0 : 2 ** this.#line; }

  #r(off: number): number { return this.#hw.mmioRead(this.#base + off, 4) >>> 0; }
  #w(off: number, v: number): void { this.#hw.mmioWrite(this.#base + off, 4, v); }
  #w64(off: number, v: number): void {
    this.#w(off, v % 0x1_0000_0000);
    this.#w(off + 4, Math.floor(v / 0x1_0000_0000));
  }

  reset(): void {
    this.#w(REG_STATUS, 0);
    for (let i = 0; i < RESET_POLL_LIMIT; i++) if (this.#r(REG_STATUS) === 0) return;
    throw new VirtioError('ERR_VIRTIO_RESET', `${this.description}: device did not complete reset`);
  }

  getStatus(): number { return this.#r(REG_STATUS) & 0xff; }
  setStatus(status: number): void { this.#w(REG_STATUS, status); }

  deviceFeatures(): bigint {
    this.#w(REG_DEVICE_FEATURES_SEL, 0);
    const low = this.#r(REG_DEVICE_FEATURES);
    this.#w(REG_DEVICE_FEATURES_SEL, 1);
    const high = this.#r(REG_DEVICE_FEATURES);
    return (BigInt(high) << 32n) | BigInt(low);
  }

  driverFeatures(features: bigint): void {
    this.#w(REG_DRIVER_FEATURES_SEL, 0);
    this.#w(REG_DRIVER_FEATURES, Number(features & 0xffffffffn));
    this.#w(REG_DRIVER_FEATURES_SEL, 1);
    this.#w(REG_DRIVER_FEATURES, Number((features >> 32n) & 0xffffffffn));
  }

  setupInterrupts(): void {
    if (this.#line < 0) this.#line = checkLine(this.#hw.irqAttachGsi(this.spec.irq), this.description);
  }

  queueMaxSize(index: number): number {
    this.#w(REG_QUEUE_SEL, index);
    return this.#r(REG_QUEUE_NUM_MAX);
  }

  enableQueue(index: number, size: number, addrs: QueueAddresses): void {
    this.#w(REG_QUEUE_SEL, index);
    if (this.#r(REG_QUEUE_READY) !== 0) {
      throw new VirtioError('ERR_VIRTIO_QUEUE', `${this.description}: queue ${index} already ready after reset`);
    }
    this.#w(REG_QUEUE_NUM, size);
    this.#w64(REG_QUEUE_DESC_LOW, addrs.desc);
    this.#w64(REG_QUEUE_DRIVER_LOW, addrs.driver);
    this.#w64(REG_QUEUE_DEVICE_LOW, addrs.device);
    this.#w(REG_QUEUE_READY, 1);
  }

  notify(index: number): void { this.#w(REG_QUEUE_NOTIFY, index); }

  ackInterrupt(_ready: number): number {
    const why = this.#r(REG_INTERRUPT_STATUS) & (ISR_QUEUE | ISR_CONFIG);
    if (why !== 0) this.#w(REG_INTERRUPT_ACK, why);
    return why;
  }

  configGeneration(): number { return this.#r(REG_CONFIG_GENERATION); }

  configRead(offset: number, width: 1 | 2 | 4): number {
    if (offset < 0 || REG_CONFIG + offset + width > this.spec.size) {
      throw new RangeError(`${this.description}: config read at ${offset}+${width} outside the device window`);
    }
    return this.#hw.mmioRead(this.#base + REG_CONFIG + offset, width);
  }
}

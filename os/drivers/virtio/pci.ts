/**
 * virtio over PCI (virtio 1.x §4.1), modern interface only.
 *
 * `scanPci` enumerates configuration space (bus 0, following PCI-to-PCI bridges to their
 * secondary buses); `VirtioPciTransport.open` walks a function's capability list for the
 * four virtio structures (common, notify, ISR, device config), maps the memory BAR windows
 * they live in (BARs assigned by firmware: SeaBIOS on q35), enables memory decoding and bus
 * mastering, and implements VirtioTransport on top. Interrupts: MSI-X (one vector for all
 * queues, one for configuration changes when the table has two entries), else INTx via
 * the Interrupt Line register routed as a GSI, acknowledged by reading the ISR.
 */

import { requireGroups, type Hw, type HwWith } from '../../hw/hw.ts';

/** What the virtio-pci transport needs of the machine: BARs are MMIO windows. */
type PciTransportHw = HwWith<'pci' | 'mmio' | 'irq'>;
import { ISR_CONFIG, ISR_QUEUE, deviceTypeName } from './constants.ts';
import { RESET_POLL_LIMIT, VirtioError, checkLine, type QueueAddresses, type VirtioTransport } from './transport.ts';

export const PCI_VENDOR_VIRTIO = 0x1af4;

// Configuration space header (type 0 / type 1).
const CFG_VENDOR = 0x00;
const CFG_DEVICE = 0x02;
const CFG_COMMAND = 0x04;
const CFG_STATUS = 0x06;
const CFG_CLASS = 0x08;
const CFG_HEADER_TYPE = 0x0e;
const CFG_BAR0 = 0x10;
const CFG_SECONDARY_BUS = 0x19;
const CFG_CAP_PTR = 0x34;
const CFG_INTERRUPT_LINE = 0x3c;

const CMD_MEMORY = 1 << 1;
const CMD_BUS_MASTER = 1 << 2;
const CMD_INTX_DISABLE = 1 << 10;
const STATUS_CAP_LIST = 1 << 4;

const CAP_ID_MSIX = 0x11;
const CAP_ID_VENDOR = 0x09;

// §4.1.4 virtio_pci_cap.cfg_type
const VIRTIO_PCI_CAP_COMMON_CFG = 1;
const VIRTIO_PCI_CAP_NOTIFY_CFG = 2;
const VIRTIO_PCI_CAP_ISR_CFG = 3;
const VIRTIO_PCI_CAP_DEVICE_CFG = 4;

// §4.1.4.3 struct virtio_pci_common_cfg
const COMMON_DFSELECT = 0x00;
const COMMON_DF = 0x04;
const COMMON_GFSELECT = 0x08;
const COMMON_GF = 0x0c;
const COMMON_MSIX_CONFIG = 0x10;
const COMMON_NUM_QUEUES = 0x12;
const COMMON_STATUS = 0x14;
const COMMON_CFG_GENERATION = 0x15;
const COMMON_Q_SELECT = 0x16;
const COMMON_Q_SIZE = 0x18;
const COMMON_Q_MSIX = 0x1a;
const COMMON_Q_ENABLE = 0x1c;
const COMMON_Q_NOFF = 0x1e;
const COMMON_Q_DESC = 0x20;
const COMMON_Q_DRIVER = 0x28;
const COMMON_Q_DEVICE = 0x30;
const COMMON_CFG_LEN = 0x38;

export const MSIX_NO_VECTOR = 0xffff;

export interface PciFunction {
  readonly bdf: number;
  readonly vendor: number;
  readonly device: number;
  /** class << 16 | subclass << 8 | prog-if */
  readonly classCode: number;
}

export function formatBdf(bdf: number): string {
  const hex = (v: number, n: number) => v.toString(16).padStart(n, '0');
  return `${hex(bdf >> 8, 2)}:${hex((bdf >> 3) & 31, 2)}.${bdf & 7}`;
}

/**
 * All functions present on bus 0 and the buses behind its bridges (each bus visited once,
 * at most 256 buses). A machine without PCI (microvm) reads all-ones: returns [].
 */
export function scanPci(hw: HwWith<'pci'>): PciFunction[] {
  const found: PciFunction[] = [];
  const visited = new Set<number>();
  const pending = [0];
  while (pending.length > 0 && visited.size < 256) {
    const bus = pending.shift()!;
    if (visited.has(bus)) continue;
    visited.add(bus);
    for (let dev = 0; dev < 32; dev++) {
      for (let fn = 0; fn < 8; fn++) {
        const bdf = (bus << 8) | (dev << 3) | fn;
        const vendor = hw.pciRead(bdf, CFG_VENDOR, 2);
        if (vendor === 0xffff || vendor === 0) {
          if (fn === 0) break;
          continue;
        }
        const headerType = hw.pciRead(bdf, CFG_HEADER_TYPE, 1);
        found.push({
          bdf, vendor,
          device: hw.pciRead(bdf, CFG_DEVICE, 2),
          classCode: hw.pciRead(bdf, CFG_CLASS, 4) >>> 8,
        });
        if ((headerType & 0x7f) === 1) {
          const secondary = hw.pciRead(bdf, CFG_SECONDARY_BUS, 1);
          if (secondary !== 0 && secondary !== 0xff) pending.push(secondary);
        }
        // Single-function devices answer for every function number: stop after fn 0.
        if (fn === 0 && (headerType & 0x80) === 0) break;
      }
    }
  }
  return found;
}

/**
 * Virtio device type of a PCI function, or 0 if it is not a virtio device we can drive:
 * modern ids 0x1040 + type, transitional 0x1000-0x103f (type from subsystem id, §4.1.2.1).
 */
export function virtioPciDeviceType(hw: HwWith<'pci'>, fn: PciFunction): number {
  if (fn.vendor !== PCI_VENDOR_VIRTIO) return 0;
  if (fn.device >= 0x1040 && fn.device <= 0x107f) return fn.device - 0x1040;
  if (fn.device >= 0x1000 && fn.device <= 0x103f) return hw.pciRead(fn.bdf, 0x2e, 2); // subsystem id
  return 0;
}

interface CapWindow {
  readonly bar: number;
  readonly offset: number;
  readonly length: number;
  /** Physical address of the structure, filled once BARs are read. */
  addr: number;
}

export class VirtioPciTransport implements VirtioTransport {
  readonly description: string;
  readonly deviceType: number;
  readonly bdf: number;
  /** 'msix' | 'intx' once setupInterrupts() ran. */
  interruptMode: 'none' | 'msix' | 'intx' = 'none';

  readonly #hw: PciTransportHw;
  readonly #common: number;
  readonly #isr: number;
  readonly #device: CapWindow | undefined;
  readonly #notifyBase: number;
  readonly #notifyLength: number;
  readonly #notifyMultiplier: number;
  readonly #notifyAddr: number[] = [];
  readonly #msixCap: number;
  readonly #bars: number[];
  #queueLine = -1;
  #configLine = -1;
  #queueVector = MSIX_NO_VECTOR;
  #irqMask = 0;

  private constructor(hw: PciTransportHw, bdf: number, deviceType: number) {
    this.#hw = hw;
    this.bdf = bdf;
    this.deviceType = deviceType;
    this.description = `pci ${formatBdf(bdf)} (virtio ${deviceTypeName(deviceType)})`;

    let common: CapWindow | undefined;
    let notify: CapWindow | undefined;
    let isr: CapWindow | undefined;
    let device: CapWindow | undefined;
    let multiplier = 0;
    let msixCap = 0;
    if ((hw.pciRead(bdf, CFG_STATUS, 2) & STATUS_CAP_LIST) !== 0) {
      let ptr = hw.pciRead(bdf, CFG_CAP_PTR, 1) & 0xfc;
      // 48 capabilities fill the 192 bytes after the header: a longer list is a loop.
      for (let n = 0; ptr >= 0x40 && n < 48; n++) {
        const id = hw.pciRead(bdf, ptr, 1);
        if (id === CAP_ID_MSIX) msixCap = ptr;
        if (id === CAP_ID_VENDOR) {
          // §4.1.4 struct virtio_pci_cap: cfg_type@3 bar@4 offset@8 length@12
          const type = hw.pciRead(bdf, ptr + 3, 1);
          const win: CapWindow = {
            bar: hw.pciRead(bdf, ptr + 4, 1),
            offset: hw.pciRead(bdf, ptr + 8, 4) >>> 0,
            length: hw.pciRead(bdf, ptr + 12, 4) >>> 0,
            addr: 0,
          };
          // §4.1.4.1: the driver uses the first capability of each type it can use.
          if (win.bar <= 5) {
            if (type === VIRTIO_PCI_CAP_COMMON_CFG && !common) common = win;
            else if (type === VIRTIO_PCI_CAP_NOTIFY_CFG && !notify) {
              notify = win;
              multiplier = hw.pciRead(bdf, ptr + 16, 4) >>> 0;
            } else if (type === VIRTIO_PCI_CAP_ISR_CFG && !isr) isr = win;
            else if (type === VIRTIO_PCI_CAP_DEVICE_CFG && !device) device = win;
          }
        }
        ptr = hw.pciRead(bdf, ptr + 1, 1) & 0xfc;
      }
    }
    if (!common || !notify || !isr) {
      throw new VirtioError('ERR_VIRTIO_PCI',
        `${this.description}: missing virtio capabilities (common=${!!common} notify=${!!notify} isr=${!!isr}); legacy-only devices are not supported`);
    }
    if (common.length < COMMON_CFG_LEN || isr.length < 1 || notify.length < 2) {
      throw new VirtioError('ERR_VIRTIO_PCI', `${this.description}: virtio capability windows too small`);
    }

    this.#bars = [];
    for (let i = 0; i < 6; i++) this.#bars.push(-1);
    const windows = device ? [common, notify, isr, device] : [common, notify, isr];
    for (const win of windows) win.addr = this.#barBase(win.bar) + win.offset;
    this.#msixCap = msixCap;

    // Decode memory and master the bus before touching the windows (MSI-X table included).
    const cmd = hw.pciRead(bdf, CFG_COMMAND, 2);
    hw.pciWrite(bdf, CFG_COMMAND, 2, cmd | CMD_MEMORY | CMD_BUS_MASTER);
    // Map each BAR once, covering every structure the device placed in it.
    this.#mapWindows(windows);

    this.#common = common.addr;
    this.#isr = isr.addr;
    this.#device = device;
    this.#notifyBase = notify.addr;
    this.#notifyLength = notify.length;
    this.#notifyMultiplier = multiplier;
  }

  /** Open the virtio function at `bdf` (device type from virtioPciDeviceType). */
  static open(hw: Hw, bdf: number, deviceType: number): VirtioPciTransport {
    return new VirtioPciTransport(requireGroups(hw, ['pci', 'mmio', 'irq'], `virtio-pci ${formatBdf(bdf)}`), bdf, deviceType);
  }

  get irqMask(): number { return this.#irqMask; }

  /** Physical base of memory BAR `bar` (32- or 64-bit); firmware must have assigned it. */
  #barBase(bar: number): number {
    const cached = this.#bars[bar]!;
    if (cached >= 0) return cached;
    const hw = this.#hw;
    const low = hw.pciRead(this.bdf, CFG_BAR0 + 4 * bar, 4) >>> 0;
    if ((low & 1) !== 0) {
      throw new VirtioError('ERR_VIRTIO_PCI', `${this.description}: BAR${bar} is an I/O BAR; virtio structures must be in memory BARs`);
    }
    let base = low & 0xfffffff0;
    base >>>= 0;
    if (((low >>> 1) & 3) === 2) {
      if (bar === 5) throw new VirtioError('ERR_VIRTIO_PCI', `${this.description}: 64-bit BAR5 has no upper half`);
      base += (hw.pciRead(this.bdf, CFG_BAR0 + 4 * (bar + 1), 4) >>> 0) * 0x1_0000_0000;
    }
    if (base === 0) {
      throw new VirtioError('ERR_VIRTIO_PCI', `${this.description}: BAR${bar} is unassigned (firmware did not place it)`);
    }
    this.#bars[bar] = base;
    return base;
  }

  #mapWindows(windows: readonly { bar: number; addr: number; length: number }[]): void {
    const lo = new Map<number, number>();
    const hi = new Map<number, number>();
    for (const w of windows) {
      lo.set(w.bar, Math.min(lo.get(w.bar) ?? Infinity, w.addr));
      hi.set(w.bar, Math.max(hi.get(w.bar) ?? 0, w.addr + w.length));
    }
    for (const [bar, start] of lo) this.#hw.mmioMap(start, hi.get(bar)! - start);
  }

  #r(off: number, width: 1 | 2 | 4): number { return this.#hw.mmioRead(this.#common + off, width); }
  #w(off: number, width: 1 | 2 | 4, v: number): void { this.#hw.mmioWrite(this.#common + off, width, v); }
  #w64(off: number, v: number): void {
    // §4.1.3.1: 64-bit fields are written as two 32-bit halves, low first.
    this.#w(off, 4, v % 0x1_0000_0000);
    this.#w(off + 4, 4, Math.floor(v / 0x1_0000_0000));
  }

  reset(): void {
    this.#w(COMMON_STATUS, 1, 0);
    // §4.1.4.3.2: the driver waits for device_status to read 0 before reinitialising.
    for (let i = 0; i < RESET_POLL_LIMIT; i++) if (this.#r(COMMON_STATUS, 1) === 0) return;
    throw new VirtioError('ERR_VIRTIO_RESET', `${this.description}: device did not complete reset`);
  }

  getStatus(): number { return this.#r(COMMON_STATUS, 1); }
  setStatus(status: number): void { this.#w(COMMON_STATUS, 1, status); }

  deviceFeatures(): bigint {
    this.#w(COMMON_DFSELECT, 4, 0);
    const low = this.#r(COMMON_DF, 4) >>> 0;
    this.#w(COMMON_DFSELECT, 4, 1);
    const high = this.#r(COMMON_DF, 4) >>> 0;
    return (BigInt(high) << 32n) | BigInt(low);
  }

  driverFeatures(features: bigint): void {
    this.#w(COMMON_GFSELECT, 4, 0);
    this.#w(COMMON_GF, 4, Number(features & 0xffffffffn));
    this.#w(COMMON_GFSELECT, 4, 1);
    this.#w(COMMON_GF, 4, Number((features >> 32n) & 0xffffffffn));
  }

  setupInterrupts(): void {
    if (this.interruptMode !== 'none') return;
    const hw = this.#hw;
    if (this.#msixCap !== 0) {
      try {
        if (this.#setupMsix()) return;
      } catch {
        // No MSI lines from the core: MSI-X was not enabled yet, INTx still works.
      }
    }
    const line = hw.pciRead(this.bdf, CFG_INTERRUPT_LINE, 1);
    if (line === 0 || line === 0xff) {
      throw new VirtioError('ERR_VIRTIO_IRQ', `${this.description}: no MSI-X and no INTx line assigned`);
    }
    const cmd = hw.pciRead(this.bdf, CFG_COMMAND, 2);
    hw.pciWrite(this.bdf, CFG_COMMAND, 2, cmd & ~CMD_INTX_DISABLE);
    this.#queueLine = checkLine(hw.irqAttachGsi(line), this.description);
    this.#irqMask = 2 ** this.#queueLine;
    this.interruptMode = 'intx';
  }

  /** PCI 3.0 §6.8.2 MSI-X: program table entries 0 (queues) and 1 (config), then enable. */
  #setupMsix(): boolean {
    const hw = this.#hw;
    const cap = this.#msixCap;
    const control = hw.pciRead(this.bdf, cap + 2, 2);
    const tableSize = (control & 0x7ff) + 1;
    const tableReg = hw.pciRead(this.bdf, cap + 4, 4) >>> 0;
    const table = this.#barBase(tableReg & 7) + ((tableReg & ~7) >>> 0);
    const entries = Math.min(tableSize, 2);
    hw.mmioMap(table, 16 * entries);
    const lines: number[] = [];
    for (let i = 0; i < entries; i++) {
      let msg;
      try {
        msg = hw.irqAttachMsi();
        checkLine(msg.line, this.description);
      } catch (e) {
        if (i === 0) throw e;
        break; // one vector is enough: config changes then go unsignalled (NO_VECTOR)
      }
      const entry = table + 16 * i;
      hw.mmioWrite(entry, 4, msg.address % 0x1_0000_0000);
      hw.mmioWrite(entry + 4, 4, Math.floor(msg.address / 0x1_0000_0000));
      hw.mmioWrite(entry + 8, 4, msg.data);
      hw.mmioWrite(entry + 12, 4, 0); // unmasked
      lines.push(msg.line);
    }
    // Enable MSI-X, clear the function mask; INTx is off while MSI-X is on.
    hw.pciWrite(this.bdf, cap + 2, 2, (control | 0x8000) & ~0x4000);
    const cmd = hw.pciRead(this.bdf, CFG_COMMAND, 2);
    hw.pciWrite(this.bdf, CFG_COMMAND, 2, cmd | CMD_INTX_DISABLE);
    this.#queueLine = lines[0]!;
    this.#queueVector = 0;
    this.#irqMask = 2 ** lines[0]!;
    if (lines.length > 1) {
      // §4.1.5.1.2: the device answers NO_VECTOR when it could not map the vector.
      this.#w(COMMON_MSIX_CONFIG, 2, 1);
      if (this.#r(COMMON_MSIX_CONFIG, 2) === 1) {
        this.#configLine = lines[1]!;
        this.#irqMask += 2 ** lines[1]!;
      }
    }
    this.interruptMode = 'msix';
    return true;
  }

  numQueues(): number { return this.#r(COMMON_NUM_QUEUES, 2); }

  queueMaxSize(index: number): number {
    if (index >= this.numQueues()) return 0;
    this.#w(COMMON_Q_SELECT, 2, index);
    return this.#r(COMMON_Q_SIZE, 2);
  }

  enableQueue(index: number, size: number, addrs: QueueAddresses): void {
    this.#w(COMMON_Q_SELECT, 2, index);
    if (this.#r(COMMON_Q_ENABLE, 2) !== 0) {
      throw new VirtioError('ERR_VIRTIO_QUEUE', `${this.description}: queue ${index} already enabled after reset`);
    }
    this.#w(COMMON_Q_SIZE, 2, size);
    this.#w64(COMMON_Q_DESC, addrs.desc);
    this.#w64(COMMON_Q_DRIVER, addrs.driver);
    this.#w64(COMMON_Q_DEVICE, addrs.device);
    if (this.interruptMode === 'msix') {
      this.#w(COMMON_Q_MSIX, 2, this.#queueVector);
      if (this.#r(COMMON_Q_MSIX, 2) !== this.#queueVector) {
        throw new VirtioError('ERR_VIRTIO_IRQ', `${this.description}: device refused MSI-X vector for queue ${index}`);
      }
    }
    // §4.1.4.4: notify address = cap.offset + queue_notify_off * notify_off_multiplier.
    const offset = this.#r(COMMON_Q_NOFF, 2) * this.#notifyMultiplier;
    if (offset + 2 > this.#notifyLength) {
      throw new VirtioError('ERR_VIRTIO_QUEUE', `${this.description}: queue ${index} notify offset ${offset} outside the notify window`);
    }
    this.#notifyAddr[index] = this.#notifyBase + offset;
    this.#w(COMMON_Q_ENABLE, 2, 1);
  }

  notify(index: number): void {
    this.#hw.mmioWrite(this.#notifyAddr[index]!, 2, index);
  }

  ackInterrupt(ready: number): number {
    if (this.interruptMode === 'msix') {
      // MSI-X: the vector says what happened; there is nothing to acknowledge on the device.
      let why = 0;
      if (this.#queueLine >= 0 && (ready & 2 ** this.#queueLine) !== 0) why |= ISR_QUEUE;
      if (this.#configLine >= 0 && (ready & 2 ** this.#configLine) !== 0) why |= ISR_CONFIG;
      return why;
    }
    // §4.1.4.5: reading the ISR returns and clears it, de-asserting INTx.
    return this.#hw.mmioRead(this.#isr, 1) & (ISR_QUEUE | ISR_CONFIG);
  }

  configGeneration(): number { return this.#r(COMMON_CFG_GENERATION, 1); }

  configRead(offset: number, width: 1 | 2 | 4): number {
    const dev = this.#device;
    if (!dev || offset < 0 || offset + width > dev.length) {
      throw new RangeError(`${this.description}: config read at ${offset}+${width} outside the device config window`);
    }
    return this.#hw.mmioRead(dev.addr + offset, width);
  }
}

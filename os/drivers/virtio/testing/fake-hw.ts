/**
 * A minimal machine for driver tests: DMA memory is real ArrayBuffers at fake physical
 * addresses, MMIO and PCI configuration space are dispatched to device models, and IRQ
 * lines are bits in a pending mask the test drains like the event loop would.
 *
 * Strict on purpose: touching unmapped MMIO, DMA outside an allocation, or acking a line
 * that never fired throws, so driver bugs show up as test failures.
 */

import { referenceChecksum } from '../../../hw/checksum-reference.ts';
import { referenceSegmentTcp } from '../../../hw/segment-reference.ts';
import { referenceEncodeText } from '../../../hw/text-reference.ts';
import type { AccessWidth, DmaRegion, Hw, HwGroup, MsiMessage } from '../../../hw/hw.ts';

export interface MmioHandler {
  read(offset: number, width: AccessWidth): number;
  write(offset: number, width: AccessWidth, value: number): void;
}

export interface PciHandler {
  configRead(offset: number, width: AccessWidth): number;
  configWrite(offset: number, width: AccessWidth, value: number): void;
}

interface MmioRange { base: number; size: number; handler: MmioHandler }

const DMA_BASE = 0x4000_0000;
export const MSI_ADDRESS = 0xfee0_0000;

export class FakeHw implements Hw {
  cmdline: string;
  readonly memSize = 256 * 1024 * 1024;
  readonly machine: string;
  readonly groups: readonly HwGroup[] = ['clock', 'console', 'yield', 'exit', 'entropy', 'boot', 'engine', 'pci', 'mmio', 'ports', 'irq', 'dma'];
  readonly irqLines = 24;

  /** IRQ lines raised and not yet taken by takeReady(). */
  pending = 0;
  /** Lines taken but not yet irqAck'ed (the core keeps them masked meanwhile). */
  inService = 0;
  readonly acks: number[] = [];
  readonly gsiOfLine: number[] = [];
  readonly msiLines: number[] = [];
  /** When false, irqAttachMsi throws (machine without MSI support). */
  msiSupported = true;
  entropyAvailable = true;
  time = 0;

  readonly #dma: { phys: number; buffer: ArrayBuffer }[] = [];
  #dmaNext = DMA_BASE;
  readonly #mmio: MmioRange[] = [];
  readonly #mapped: { base: number; size: number }[] = [];
  readonly #pci = new Map<number, PciHandler>();
  #lines = 0;

  constructor(opts: { cmdline?: string; machine?: string } = {}) {
    this.cmdline = opts.cmdline ?? '';
    this.machine = opts.machine ?? 'q35';
  }

  // ---- test side ----

  addMmio(base: number, size: number, handler: MmioHandler): void { this.#mmio.push({ base, size, handler }); }
  addPci(bdf: number, handler: PciHandler): void { this.#pci.set(bdf, handler); }

  /** Byte view of guest-physical [phys, phys+length): must lie inside one DMA allocation. */
  dmaBytes(phys: number, length: number): Uint8Array {
    for (const r of this.#dma) {
      if (phys >= r.phys && phys + length <= r.phys + r.buffer.byteLength) {
        return new Uint8Array(r.buffer, phys - r.phys, length);
      }
    }
    throw new RangeError(`DMA access outside allocated memory: 0x${phys.toString(16)}+${length}`);
  }

  dmaView(phys: number, length: number): DataView {
    const b = this.dmaBytes(phys, length);
    return new DataView(b.buffer, b.byteOffset, length);
  }

  isMapped(addr: number, width: number): boolean {
    return this.#mapped.some((m) => addr >= m.base && addr + width <= m.base + m.size);
  }

  raiseGsi(gsi: number): void {
    const line = this.gsiOfLine.indexOf(gsi);
    if (line >= 0) this.pending |= 1 << line;
  }

  /** A device's MSI write: data's low byte names the line (as the fake programs it). */
  msiWrite(address: number, data: number): void {
    if (address !== MSI_ADDRESS) throw new RangeError(`MSI write to bad address 0x${address.toString(16)}`);
    const line = data & 0xff;
    if (!this.msiLines.includes(line)) throw new RangeError(`MSI for unknown line ${line}`);
    this.pending |= 1 << line;
  }

  /** What yield() would return: pending lines, which become in-service until acked. */
  takeReady(): number {
    const ready = this.pending & ~this.inService;
    this.pending &= ~ready;
    this.inService |= ready;
    return ready;
  }

  // ---- Hw ----

  now(): number { return this.time; }
  nowNs(): bigint { return BigInt(Math.round(this.time * 1e6)); }
  wallClock(): number { return 1_700_000_000_000 + this.time; }
  yield(deadline: number): number {
    const ready = this.takeReady();
    if (ready === 0 && Number.isFinite(deadline)) this.time = Math.max(this.time, deadline);
    return ready;
  }
  write(_fd: 1 | 2, _data: string | Uint8Array): void {}

  pciRead(bdf: number, offset: number, width: AccessWidth): number {
    checkAligned(offset, width);
    const dev = this.#pci.get(bdf);
    if (!dev) return width === 4 ? 0xffffffff : width === 2 ? 0xffff : 0xff;
    return dev.configRead(offset, width);
  }
  pciWrite(bdf: number, offset: number, width: AccessWidth, value: number): void {
    checkAligned(offset, width);
    this.#pci.get(bdf)?.configWrite(offset, width, value);
  }

  mmioMap(phys: number, size: number): void {
    if (!(size > 0) || phys < this.memSize) throw new RangeError(`mmioMap(0x${phys.toString(16)}, ${size}) refused`);
    this.#mapped.push({ base: phys, size });
  }
  mmioRead(addr: number, width: AccessWidth): number {
    const r = this.#range(addr, width);
    return r.handler.read(addr - r.base, width);
  }
  mmioWrite(addr: number, width: AccessWidth, value: number): void {
    const r = this.#range(addr, width);
    r.handler.write(addr - r.base, width, value);
  }
  #range(addr: number, width: AccessWidth): MmioRange {
    checkAligned(addr, width);
    if (!this.isMapped(addr, width)) throw new RangeError(`MMIO access to unmapped 0x${addr.toString(16)}`);
    const r = this.#mmio.find((m) => addr >= m.base && addr + width <= m.base + m.size);
    if (!r) throw new RangeError(`MMIO access to 0x${addr.toString(16)}: no device`);
    return r;
  }

  portRead(_port: number, _width: AccessWidth): number { return 0xffffffff; }
  portWrite(_port: number, _width: AccessWidth, _value: number): void {}

  dmaAlloc(size: number): DmaRegion {
    if (!(size > 0)) throw new RangeError(`dmaAlloc(${size})`);
    const rounded = Math.ceil(size / 4096) * 4096;
    const region = { phys: this.#dmaNext, buffer: new ArrayBuffer(rounded) };
    this.#dmaNext += rounded + 4096; // a guard gap: off-by-one DMA falls outside every region
    this.#dma.push(region);
    return region;
  }
  /** dmaFence() calls (every kick and interrupt re-arm of a virtqueue). */
  fences = 0;
  dmaFence(): void { this.fences++; }

  irqAttachGsi(gsi: number): number {
    const line = this.#lines++;
    this.gsiOfLine[line] = gsi;
    return line;
  }
  irqAttachMsi(): MsiMessage {
    if (!this.msiSupported) throw new RangeError('MSI not supported');
    const line = this.#lines++;
    this.msiLines.push(line);
    return { line, address: MSI_ADDRESS, data: 0x4000 | line };
  }
  irqAck(line: number): void {
    const bit = 1 << line;
    if ((this.inService & bit) === 0) throw new RangeError(`irqAck(${line}) for a line not in service`);
    this.inService &= ~bit;
    this.acks.push(line);
  }

  entropy(dest: Uint8Array): number {
    if (!this.entropyAvailable) return 0;
    for (let i = 0; i < dest.length; i++) dest[i] = (i * 37 + 11) & 0xff;
    return dest.length;
  }
  exit(code: number): never { throw new Error(`exit(${code})`); }
  setRejectionTracker(): void {}
  setPromiseHook(): void {}
  sourceMap(): string | undefined { return undefined; }
  runMicrotasks(): void {}
  memoryUsage(): { heapTotal: number; heapUsed: number; jsUsed: number; jsLimit: number } {
    return { heapTotal: this.memSize, heapUsed: 0, jsUsed: 0, jsLimit: this.memSize / 2 };
  }
  checksum(bytes: Uint8Array, partial?: number): number { return referenceChecksum(bytes, partial); }
  segmentTcp(frame: Uint8Array, index: number, segmentSize: number, out: Uint8Array): number { return referenceSegmentTcp(frame, index, segmentSize, out); }
  encodeText(s: string, encoding: 'utf8' | 'latin1'): Uint8Array { return referenceEncodeText(s, encoding); }
}

function checkAligned(addr: number, width: number): void {
  if (addr % width !== 0) throw new RangeError(`Unaligned ${width}-byte access at 0x${addr.toString(16)}`);
}

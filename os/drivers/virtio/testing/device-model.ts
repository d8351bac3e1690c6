/**
 * A simulated virtio 1.x device, transport-independent: status/feature handshake, queue
 * registers, and the device half of split virtqueues (reads the available ring and
 * descriptor chains, writes the used ring) with VIRTIO_F_EVENT_IDX on both sides, the way
 * QEMU does it. Written from the spec independently of the driver code it tests.
 *
 * Transports (mmio-model.ts, pci-model.ts) expose it through registers and deliver its
 * interrupts. Subclasses (net, rng) implement `process(queue)`.
 */

import type { FakeHw } from './fake-hw.ts';

export const F_EVENT_IDX = 29n;
export const F_VERSION_1 = 32n;
const STATUS_FEATURES_OK = 8;
const STATUS_DEVICE_NEEDS_RESET = 64;

export interface ModelQueue {
  maxSize: number;
  size: number;
  desc: number;
  driver: number;
  device: number;
  ready: boolean;
  msixVector: number;
  /** Next available-ring index the device will read. */
  lastAvail: number;
  /** Used index including elements not yet published by flushUsed(). */
  usedShadow: number;
  /** Used index last published to the driver. */
  usedPublished: number;
}

export interface Segment { addr: number; len: number; write: boolean }
export interface Chain { head: number; segments: Segment[] }

export type InterruptKind = 'queue' | 'config';

export class VirtioDeviceModel {
  readonly hw: FakeHw;
  readonly deviceType: number;
  offered: bigint;
  driverFeatures = 0n;
  /** Extra feature check at FEATURES_OK (returns false to refuse). */
  acceptFeatures: (features: bigint) => boolean = () => true;
  status = 0;
  config: Uint8Array;
  configGeneration = 0;
  readonly queues: ModelQueue[] = [];
  /** Process a queue as soon as it is notified (QEMU) or only when the test calls process(). */
  autoProcess = true;
  /** Reset never completes (status keeps reading non-zero). */
  stuckInReset = false;
  /** Set by the transport model: deliver an interrupt. */
  interrupt: (kind: InterruptKind, queue: number) => void = () => {};

  readonly notifications: number[] = [];
  readonly interrupts: number[] = [];
  configInterrupts = 0;
  resets = 0;

  constructor(hw: FakeHw, deviceType: number, offered: bigint, queueSizes: number[], configSize: number) {
    this.hw = hw;
    this.deviceType = deviceType;
    this.offered = offered;
    this.config = new Uint8Array(configSize);
    for (const maxSize of queueSizes) {
      this.queues.push({
        maxSize, size: maxSize, desc: 0, driver: 0, device: 0, ready: false, msixVector: 0xffff,
        lastAvail: 0, usedShadow: 0, usedPublished: 0,
      });
      this.notifications.push(0);
      this.interrupts.push(0);
    }
  }

  has(bit: bigint): boolean { return ((this.driverFeatures >> bit) & 1n) === 1n; }
  get eventIdx(): boolean { return this.has(F_EVENT_IDX); }
  get driverOk(): boolean { return (this.status & 4) !== 0; }

  readStatus(): number { return this.stuckInReset ? 0x01 : this.status; }

  writeStatus(value: number): void {
    if (value === 0) {
      this.reset();
      return;
    }
    if ((value & STATUS_FEATURES_OK) !== 0 && (this.status & STATUS_FEATURES_OK) === 0) {
      // §2.2.1: refuse a subset that is not offered, lacks VERSION_1, or fails the device check.
      const ok = (this.driverFeatures & ~this.offered) === 0n && this.has(F_VERSION_1)
        && this.acceptFeatures(this.driverFeatures);
      if (!ok) value &= ~STATUS_FEATURES_OK;
    }
    this.status = value;
  }

  reset(): void {
    this.resets++;
    this.status = 0;
    this.driverFeatures = 0n;
    for (const q of this.queues) {
      Object.assign(q, { size: q.maxSize, desc: 0, driver: 0, device: 0, ready: false, msixVector: 0xffff,
        lastAvail: 0, usedShadow: 0, usedPublished: 0 });
    }
  }

  setDriverFeatureWord(select: number, value: number): void {
    if (select > 1) return;
    const shift = BigInt(32 * select);
    this.driverFeatures = (this.driverFeatures & ~(0xffffffffn << shift)) | (BigInt(value >>> 0) << shift);
  }

  offeredWord(select: number): number {
    return select > 1 ? 0 : Number((this.offered >> BigInt(32 * select)) & 0xffffffffn);
  }

  notify(queue: number): void {
    if (queue >= this.queues.length) throw new RangeError(`notify for missing queue ${queue}`);
    this.notifications[queue]!++;
    if (!this.driverOk) throw new Error(`driver notified queue ${queue} before DRIVER_OK`);
    if (this.autoProcess) this.process(queue);
  }

  /** Device work for one queue; subclasses override. */
  process(_queue: number): void {}

  /** Change config space, bump the generation and raise a configuration interrupt. */
  changeConfig(edit: (config: Uint8Array) => void): void {
    edit(this.config);
    this.configGeneration = (this.configGeneration + 1) & 0xff;
    this.configInterrupts++;
    this.interrupt('config', 0);
  }

  needsReset(): void {
    this.status |= STATUS_DEVICE_NEEDS_RESET;
    this.configInterrupts++;
    this.interrupt('config', 0);
  }

  // ---- split virtqueue, device side (§2.7) ----

  #q(index: number): ModelQueue {
    const q = this.queues[index];
    if (!q || !q.ready) throw new Error(`queue ${index} not ready`);
    return q;
  }

  availIdx(index: number): number {
    const q = this.#q(index);
    return this.hw.dmaView(q.driver + 2, 2).getUint16(0, true);
  }

  /** Available buffers the device has not taken yet. */
  availPending(index: number): number {
    return (this.availIdx(index) - this.#q(index).lastAvail) & 0xffff;
  }

  /** Take the next available chain, or undefined. Throws on a malformed chain (driver bug). */
  popAvail(index: number): Chain | undefined {
    const q = this.#q(index);
    const hw = this.hw;
    if (this.availPending(index) === 0) return undefined;
    if (this.availPending(index) > q.size) throw new Error(`avail idx ran ${this.availPending(index)} ahead`);
    const head = hw.dmaView(q.driver + 4 + 2 * (q.lastAvail % q.size), 2).getUint16(0, true);
    q.lastAvail = (q.lastAvail + 1) & 0xffff;
    const segments: Segment[] = [];
    let id = head;
    let sawWritable = false;
    for (let n = 0; ; n++) {
      if (id >= q.size || n >= q.size) throw new Error(`bad descriptor chain from head ${head}`);
      const d = hw.dmaView(q.desc + 16 * id, 16);
      const addr = d.getUint32(0, true) + d.getUint32(4, true) * 0x1_0000_0000;
      const len = d.getUint32(8, true);
      const flags = d.getUint16(12, true);
      const write = (flags & 2) !== 0;
      if (sawWritable && !write) throw new Error('readable descriptor after a writable one');
      sawWritable ||= write;
      hw.dmaBytes(addr, len); // must be inside driver-allocated DMA memory
      segments.push({ addr, len, write });
      if ((flags & 1) === 0) break;
      id = d.getUint16(14, true);
    }
    if (this.eventIdx) this.#writeAvailEvent(q);
    return { head, segments };
  }

  /** §2.7.10: ask for a notification when the driver publishes the entry after lastAvail. */
  #writeAvailEvent(q: ModelQueue): void {
    this.hw.dmaView(q.device + 4 + 8 * q.size, 2).setUint16(0, q.lastAvail, true);
  }

  /** Write one used element (not yet visible: flushUsed publishes the index). */
  pushUsed(index: number, id: number, length: number): void {
    const q = this.#q(index);
    const elem = this.hw.dmaView(q.device + 4 + 8 * (q.usedShadow % q.size), 8);
    elem.setUint32(0, id >>> 0, true);
    elem.setUint32(4, length >>> 0, true);
    q.usedShadow = (q.usedShadow + 1) & 0xffff;
  }

  /** Publish used elements and interrupt if the driver asked for it (§2.7.7 / §2.7.10). */
  flushUsed(index: number): boolean {
    const q = this.#q(index);
    const oldIdx = q.usedPublished;
    const newIdx = q.usedShadow;
    if (oldIdx === newIdx) return false;
    this.hw.dmaView(q.device + 2, 2).setUint16(0, newIdx, true);
    q.usedPublished = newIdx;
    let wanted: boolean;
    if (this.eventIdx) {
      const usedEvent = this.hw.dmaView(q.driver + 4 + 2 * q.size, 2).getUint16(0, true);
      // The driver wants an interrupt when index usedEvent gets used: is it in [old, new)?
      wanted = ((usedEvent - oldIdx) & 0xffff) < ((newIdx - oldIdx) & 0xffff);
    } else {
      wanted = (this.hw.dmaView(q.driver, 2).getUint16(0, true) & 1) === 0;
    }
    if (wanted) {
      this.interrupts[index]!++;
      this.interrupt('queue', index);
    }
    return wanted;
  }

  /** Hostile: publish a used index of our choosing, with an interrupt. */
  forceUsedIdx(index: number, value: number): void {
    const q = this.#q(index);
    q.usedShadow = value & 0xffff;
    q.usedPublished = (value - 1) & 0xffff;
    this.hw.dmaView(q.device + 2, 2).setUint16(0, value & 0xffff, true);
    this.interrupts[index]!++;
    this.interrupt('queue', index);
  }

  /** Raise a queue interrupt with nothing new (a spurious or repeated interrupt). */
  raiseAgain(queue = 0): void {
    this.interrupts[queue]!++;
    this.interrupt('queue', queue);
  }

  /** Copy `data` into the chain's writable segments; returns bytes written. */
  writeChain(chain: Chain, data: Uint8Array): number {
    let done = 0;
    for (const s of chain.segments) {
      if (!s.write || done >= data.length) continue;
      const n = Math.min(s.len, data.length - done);
      this.hw.dmaBytes(s.addr, n).set(data.subarray(done, done + n));
      done += n;
    }
    return done;
  }

  /** Concatenate the chain's readable segments. */
  readChain(chain: Chain): Uint8Array {
    const total = chain.segments.reduce((n, s) => n + (s.write ? 0 : s.len), 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const s of chain.segments) {
      if (s.write) continue;
      out.set(this.hw.dmaBytes(s.addr, s.len), at);
      at += s.len;
    }
    return out;
  }

  writableBytes(chain: Chain): number {
    return chain.segments.reduce((n, s) => n + (s.write ? s.len : 0), 0);
  }
}

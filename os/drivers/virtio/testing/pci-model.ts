/**
 * A virtio PCI function (§4.1): type-0 configuration header, an MSI-X capability with its
 * table in a 32-bit memory BAR1, and the four virtio capabilities in a 64-bit BAR4:
 * common config at +0x0000, ISR at +0x1000, device config at +0x2000, notify at +0x3000
 * (queue_notify_off = queue index, multiplier 4).
 */

import type { AccessWidth } from '../../../hw/hw.ts';
import type { VirtioDeviceModel } from './device-model.ts';
import type { FakeHw } from './fake-hw.ts';

const ISR_OFF = 0x1000;
const DEVICE_OFF = 0x2000;
const NOTIFY_OFF = 0x3000;
const NOTIFY_MULT = 4;
const BAR4_SIZE = 0x4000;
const MSIX_CAP = 0x40;
const NO_VECTOR = 0xffff;

export interface PciModelOptions {
  bdf: number;
  /** 64-bit BAR4 base (may be above 4 GiB). */
  bar4: number;
  /** 32-bit BAR1 base holding the MSI-X table. */
  bar1?: number;
  /** MSI-X table entries; 0 = no MSI-X capability (INTx only). */
  msixEntries?: number;
  interruptLine?: number;
  /** Omit the virtio vendor capabilities (a legacy-only device). */
  legacyOnly?: boolean;
  /** Use the transitional device id 0x1000 + subsystem id instead of 0x1040 + type. */
  transitional?: boolean;
  /** Report a BAR4 of 0 (firmware did not assign it). */
  unassigned?: boolean;
}

export class PciModel {
  readonly device: VirtioDeviceModel;
  readonly cfg = new Uint8Array(256);
  readonly bar4: number;
  readonly bar1: number;
  msixTable: Uint32Array;
  isr = 0;
  intxRaised = 0;
  msiSent = 0;
  readonly #hw: FakeHw;
  readonly #opts: PciModelOptions;
  #dfSelect = 0;
  #gfSelect = 0;
  #queueSel = 0;
  #configVector = NO_VECTOR;

  constructor(hw: FakeHw, device: VirtioDeviceModel, opts: PciModelOptions) {
    this.#hw = hw;
    this.device = device;
    this.#opts = opts;
    this.bar4 = opts.bar4;
    this.bar1 = opts.bar1 ?? 0xfebf_0000;
    const entries = opts.msixEntries ?? 4;
    this.msixTable = new Uint32Array(4 * Math.max(entries, 1)).fill(0);
    for (let i = 0; i < entries; i++) this.msixTable[4 * i + 3] = 1; // masked at reset

    const v = new DataView(this.cfg.buffer);
    v.setUint16(0x00, 0x1af4, true);
    v.setUint16(0x02, opts.transitional ? 0x1000 : 0x1040 + device.deviceType, true);
    v.setUint8(0x08, 1); // revision
    v.setUint8(0x0b, 0x02); // class: network (not relied upon)
    v.setUint16(0x2c, 0x1af4, true);
    v.setUint16(0x2e, device.deviceType, true); // subsystem id = virtio type
    v.setUint8(0x3c, opts.interruptLine ?? 11);
    v.setUint8(0x3d, 1); // INTA#
    // BAR1: 32-bit memory; BAR4/5: 64-bit memory.
    v.setUint32(0x14, this.bar1, true);
    const bar4 = opts.unassigned ? 0 : this.bar4;
    v.setUint32(0x20, (bar4 % 0x1_0000_0000) | 0x4, true);
    v.setUint32(0x24, Math.floor(bar4 / 0x1_0000_0000), true);

    const caps: number[] = [];
    if (entries > 0) caps.push(MSIX_CAP);
    if (!opts.legacyOnly) caps.push(0x50, 0x60, 0x74, 0x84);
    if (caps.length > 0) {
      v.setUint16(0x06, 0x10, true); // status: capability list
      v.setUint8(0x34, caps[0]!);
    }
    const link = (at: number) => caps[caps.indexOf(at) + 1] ?? 0;
    if (entries > 0) {
      v.setUint8(MSIX_CAP, 0x11);
      v.setUint8(MSIX_CAP + 1, link(MSIX_CAP));
      v.setUint16(MSIX_CAP + 2, entries - 1, true);
      v.setUint32(MSIX_CAP + 4, 0x0000 | 1, true); // table at BAR1 + 0
      v.setUint32(MSIX_CAP + 8, 0x0800 | 1, true); // PBA at BAR1 + 0x800
    }
    const vcap = (at: number, type: number, offset: number, length: number, len = 16) => {
      v.setUint8(at, 0x09);
      v.setUint8(at + 1, link(at));
      v.setUint8(at + 2, len);
      v.setUint8(at + 3, type);
      v.setUint8(at + 4, 4); // BAR4
      v.setUint32(at + 8, offset, true);
      v.setUint32(at + 12, length, true);
    };
    if (!opts.legacyOnly) {
      vcap(0x50, 1, 0, 0x38);
      vcap(0x60, 2, NOTIFY_OFF, NOTIFY_MULT * device.queues.length, 20);
      v.setUint32(0x60 + 16, NOTIFY_MULT, true);
      vcap(0x74, 3, ISR_OFF, 1);
      vcap(0x84, 4, DEVICE_OFF, Math.max(device.config.length, 1));
    }

    device.interrupt = (kind, queue) => this.#raise(kind, queue);
    hw.addPci(opts.bdf, {
      configRead: (off, w) => this.#cfgRead(off, w),
      configWrite: (off, w, val) => this.#cfgWrite(off, w, val),
    });
    hw.addMmio(this.bar4, BAR4_SIZE, { read: (o, w) => this.#barRead(o, w), write: (o, w, val) => this.#barWrite(o, w, val) });
    hw.addMmio(this.bar1, 0x1000, {
      read: (o, w) => this.#msixRead(o, w),
      write: (o, w, val) => this.#msixWrite(o, w, val),
    });
  }

  get command(): number { return this.cfg[4]! | (this.cfg[5]! << 8); }
  get msixEnabled(): boolean { return (this.#cfgRead(MSIX_CAP + 2, 2) & 0x8000) !== 0 && (this.#opts.msixEntries ?? 4) > 0; }

  #cfgRead(off: number, w: AccessWidth): number {
    let v = 0;
    for (let i = w - 1; i >= 0; i--) v = v * 256 + this.cfg[off + i]!;
    return v;
  }

  #cfgWrite(off: number, w: AccessWidth, value: number): void {
    // Writable: command register, MSI-X message control (enable/mask bits).
    if (off === 0x04 && w === 2) {
      this.cfg[4] = value & 0xff;
      this.cfg[5] = (value >> 8) & 0x07;
      return;
    }
    if (off === MSIX_CAP + 2 && w === 2) {
      const cur = this.#cfgRead(off, 2);
      const next = (cur & 0x7ff) | (value & 0xc000);
      this.cfg[off] = next & 0xff;
      this.cfg[off + 1] = next >> 8;
      return;
    }
    // BAR writes (sizing) and everything else are ignored: firmware already assigned.
  }

  #checkDecoding(): void {
    if ((this.command & 2) === 0) throw new Error('BAR access with memory decoding disabled');
  }

  #barRead(off: number, w: AccessWidth): number {
    this.#checkDecoding();
    const d = this.device;
    if (off === ISR_OFF) {
      const isr = this.isr;
      this.isr = 0; // read-to-clear, de-asserts INTx
      return isr;
    }
    if (off >= DEVICE_OFF && off < NOTIFY_OFF) {
      const at = off - DEVICE_OFF;
      let v = 0;
      for (let i = w - 1; i >= 0; i--) v = v * 256 + (d.config[at + i] ?? 0);
      return v;
    }
    const q = d.queues[this.#queueSel];
    const expect = (n: AccessWidth) => {
      if (w !== n) throw new RangeError(`common cfg 0x${off.toString(16)} accessed with width ${w}`);
    };
    switch (off) {
      case 0x04: expect(4); return d.offeredWord(this.#dfSelect);
      case 0x10: expect(2); return this.#configVector;
      case 0x12: expect(2); return d.queues.length;
      case 0x14: expect(1); return d.readStatus();
      case 0x15: expect(1); return d.configGeneration;
      case 0x18: expect(2); return q ? q.size : 0;
      case 0x1a: expect(2); return q ? q.msixVector : NO_VECTOR;
      case 0x1c: expect(2); return q?.ready ? 1 : 0;
      case 0x1e: expect(2); return this.#queueSel;
      default: throw new RangeError(`unexpected common cfg read at 0x${off.toString(16)}`);
    }
  }

  #barWrite(off: number, w: AccessWidth, value: number): void {
    this.#checkDecoding();
    const d = this.device;
    if (off >= NOTIFY_OFF) {
      const queue = (off - NOTIFY_OFF) / NOTIFY_MULT;
      if (w !== 2 || value !== queue) throw new Error(`bad notify write ${value} at queue ${queue}'s address`);
      d.notify(queue);
      return;
    }
    const q = d.queues[this.#queueSel];
    const needQueue = () => {
      if (!q) throw new RangeError(`queue register write for missing queue ${this.#queueSel}`);
      if (q.ready) throw new Error('queue register written while the queue is enabled');
      return q;
    };
    const setLow = (v: number, cur: number) => Math.floor(cur / 0x1_0000_0000) * 0x1_0000_0000 + (v >>> 0);
    const setHigh = (v: number, cur: number) => (v >>> 0) * 0x1_0000_0000 + (cur % 0x1_0000_0000);
    switch (off) {
      case 0x00: this.#dfSelect = value; return;
      case 0x08: this.#gfSelect = value; return;
      case 0x0c: d.setDriverFeatureWord(this.#gfSelect, value); return;
      case 0x10: this.#configVector = this.#vectorOk(value) ? value : NO_VECTOR; return;
      case 0x14: d.writeStatus(value); if (value === 0) this.#configVector = NO_VECTOR; return;
      case 0x16: this.#queueSel = value; return;
      case 0x18: {
        const qq = needQueue();
        if (value === 0 || value > qq.maxSize) throw new RangeError(`queue_size ${value} above max ${qq.maxSize}`);
        qq.size = value;
        return;
      }
      case 0x1a: { const qq = needQueue(); qq.msixVector = this.#vectorOk(value) ? value : NO_VECTOR; return; }
      case 0x1c: if (value === 1) needQueue().ready = true; return;
      case 0x20: { const qq = needQueue(); qq.desc = setLow(value, qq.desc); return; }
      case 0x24: { const qq = needQueue(); qq.desc = setHigh(value, qq.desc); return; }
      case 0x28: { const qq = needQueue(); qq.driver = setLow(value, qq.driver); return; }
      case 0x2c: { const qq = needQueue(); qq.driver = setHigh(value, qq.driver); return; }
      case 0x30: { const qq = needQueue(); qq.device = setLow(value, qq.device); return; }
      case 0x34: { const qq = needQueue(); qq.device = setHigh(value, qq.device); return; }
      default: throw new RangeError(`unexpected common cfg write at 0x${off.toString(16)}`);
    }
  }

  #vectorOk(v: number): boolean { return v < (this.#opts.msixEntries ?? 4); }

  #msixRead(off: number, w: AccessWidth): number {
    if (w !== 4 || off >= this.msixTable.length * 4) return 0;
    return this.msixTable[off / 4]!;
  }

  #msixWrite(off: number, w: AccessWidth, value: number): void {
    if (w !== 4) throw new RangeError('MSI-X table written with width ' + w);
    if (off < this.msixTable.length * 4) this.msixTable[off / 4] = value >>> 0;
  }

  #raise(kind: 'queue' | 'config', queue: number): void {
    if (this.msixEnabled) {
      const vector = kind === 'queue' ? this.device.queues[queue]!.msixVector : this.#configVector;
      if (vector === NO_VECTOR) return;
      const e = 4 * vector;
      if ((this.msixTable[e + 3]! & 1) !== 0) return; // masked: would be pending
      this.msiSent++;
      this.#hw.msiWrite(this.msixTable[e]! + this.msixTable[e + 1]! * 0x1_0000_0000, this.msixTable[e + 2]!);
      return;
    }
    this.isr |= kind === 'queue' ? 1 : 2;
    if ((this.command & 0x400) === 0) {
      this.intxRaised++;
      this.#hw.raiseGsi(this.cfg[0x3c]!);
    }
  }
}

/** A non-virtio function (e.g. the q35 host bridge) so scans see something else too. */
export function addHostBridge(hw: FakeHw, bdf = 0): void {
  const cfg = new Uint8Array(256);
  const v = new DataView(cfg.buffer);
  v.setUint16(0, 0x8086, true);
  v.setUint16(2, 0x29c0, true);
  v.setUint32(8, 0x06000000, true);
  hw.addPci(bdf, {
    configRead: (off, w) => { let x = 0; for (let i = w - 1; i >= 0; i--) x = x * 256 + cfg[off + i]!; return x; },
    configWrite: () => {},
  });
}

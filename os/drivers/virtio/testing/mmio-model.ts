/** The virtio-mmio register file (§4.2.2, version 2; version 1 only to test rejection). */

import type { AccessWidth } from '../../../hw/hw.ts';
import type { VirtioDeviceModel } from './device-model.ts';
import type { FakeHw, MmioHandler } from './fake-hw.ts';

export class MmioModel implements MmioHandler {
  version = 2;
  magic = 0x74726976;
  interruptStatus = 0;
  readonly device: VirtioDeviceModel;
  readonly #hw: FakeHw;
  readonly #irq: number;
  #featuresSel = 0;
  #driverFeaturesSel = 0;
  #queueSel = 0;

  constructor(hw: FakeHw, device: VirtioDeviceModel, base: number, irq: number, size = 0x200) {
    this.#hw = hw;
    this.device = device;
    this.#irq = irq;
    device.interrupt = (kind) => {
      this.interruptStatus |= kind === 'queue' ? 1 : 2;
      hw.raiseGsi(irq);
    };
    hw.addMmio(base, size, this);
  }

  get irq(): number { return this.#irq; }

  read(offset: number, width: AccessWidth): number {
    const d = this.device;
    if (offset >= 0x100) {
      const at = offset - 0x100;
      let v = 0;
      for (let i = width - 1; i >= 0; i--) v = v * 256 + (d.config[at + i] ?? 0);
      return v;
    }
    if (width !== 4) throw new RangeError(`virtio-mmio register 0x${offset.toString(16)} read with width ${width}`);
    const q = d.queues[this.#queueSel];
    switch (offset) {
      case 0x000: return this.magic;
      case 0x004: return this.version;
      case 0x008: return d.deviceType;
      case 0x00c: return 0x554d4551;
      case 0x010: return d.offeredWord(this.#featuresSel);
      case 0x034: return q ? q.maxSize : 0;
      case 0x044: return q?.ready ? 1 : 0;
      case 0x060: return this.interruptStatus;
      case 0x070: return d.readStatus();
      case 0x0fc: return d.configGeneration;
      default: throw new RangeError(`read of write-only or unknown virtio-mmio register 0x${offset.toString(16)}`);
    }
  }

  write(offset: number, width: AccessWidth, value: number): void {
    if (width !== 4) throw new RangeError(`virtio-mmio register 0x${offset.toString(16)} written with width ${width}`);
    const d = this.device;
    const q = d.queues[this.#queueSel];
    const needQueue = () => {
      if (!q) throw new RangeError(`queue register write for missing queue ${this.#queueSel}`);
      if (q.ready) throw new Error('queue register written while the queue is ready');
      return q;
    };
    const setLow = (v: number, cur: number) => Math.floor(cur / 0x1_0000_0000) * 0x1_0000_0000 + (v >>> 0);
    const setHigh = (v: number, cur: number) => (v >>> 0) * 0x1_0000_0000 + (cur % 0x1_0000_0000);
    switch (offset) {
      case 0x014: this.#featuresSel = value; return;
      case 0x020: d.setDriverFeatureWord(this.#driverFeaturesSel, value); return;
      case 0x024: this.#driverFeaturesSel = value; return;
      case 0x030: this.#queueSel = value; return;
      case 0x038: {
        const qq = needQueue();
        if (value > qq.maxSize || value === 0) throw new RangeError(`QueueNum ${value} above max ${qq.maxSize}`);
        qq.size = value;
        return;
      }
      case 0x044: needQueue().ready = value === 1; return;
      case 0x050: d.notify(value); return;
      case 0x064: this.interruptStatus &= ~value; return;
      case 0x070: d.writeStatus(value); return;
      case 0x080: { const qq = needQueue(); qq.desc = setLow(value, qq.desc); return; }
      case 0x084: { const qq = needQueue(); qq.desc = setHigh(value, qq.desc); return; }
      case 0x090: { const qq = needQueue(); qq.driver = setLow(value, qq.driver); return; }
      case 0x094: { const qq = needQueue(); qq.driver = setHigh(value, qq.driver); return; }
      case 0x0a0: { const qq = needQueue(); qq.device = setLow(value, qq.device); return; }
      case 0x0a4: { const qq = needQueue(); qq.device = setHigh(value, qq.device); return; }
      default: throw new RangeError(`write of read-only or unknown virtio-mmio register 0x${offset.toString(16)}`);
    }
  }
}

/** Unused but announced slot: reads magic/version and device id 0. */
export function addEmptyMmioSlot(hw: FakeHw, base: number): void {
  hw.addMmio(base, 0x200, {
    read: (off) => (off === 0 ? 0x74726976 : off === 4 ? 2 : 0),
    write: () => {},
  });
}

/**
 * virtio-rng driver (virtio 1.x §5.4): one request queue of device-writable buffers the
 * device fills with entropy.
 *
 * `request()` posts every idle buffer; service() hands each filled one to the `onEntropy`
 * callback as a view into DMA memory, valid only during the call (the runtime mixes it into
 * its CSPRNG). Buffers are not re-posted automatically: a host entropy source is often
 * unlimited, and an always-full queue would interrupt forever. Call request() when more is
 * wanted.
 */

import { requireGroups, type Hw } from '../../hw/hw.ts';
import { DEVICE_RNG, F_EVENT_IDX, bit, hasFeature } from './constants.ts';
import { ackLines, openQueue, type Driver, type VirtioHw } from './device.ts';
import { beginInit, failDevice, finishInit, VirtioError, type VirtioTransport } from './transport.ts';
import type { Virtqueue, VirtqueueStats } from './virtqueue.ts';

export interface RngOptions {
  /** Buffers posted by request(). Default 4. */
  buffers?: number;
  /** Bytes per buffer. Default 64. */
  bufferSize?: number;
}

export interface RngStats {
  requests: number;
  bytes: number;
  /** Completions that carried no bytes (or an invalid length). */
  empty: number;
}

export class VirtioRng implements Driver {
  readonly name: string;
  readonly transport: VirtioTransport;
  readonly stats: RngStats = { requests: 0, bytes: 0, empty: 0 };
  failed: string | undefined;

  readonly #hw: VirtioHw;
  readonly #vq: Virtqueue;
  readonly #phys: number;
  readonly #size: number;
  readonly #views: Uint8Array[] = [];
  readonly #idle: number[] = [];
  #onEntropy: ((bytes: Uint8Array) => void) | undefined;

  private constructor(hw: VirtioHw, t: VirtioTransport, opts: RngOptions) {
    if (t.deviceType !== DEVICE_RNG) throw new TypeError(`${t.description} is not an entropy device`);
    this.#hw = hw;
    this.transport = t;
    this.name = t.description;
    const features = beginInit(t, bit(F_EVENT_IDX));
    try {
      t.setupInterrupts();
      const count = opts.buffers ?? 4;
      let queueSize = 1;
      while (queueSize < count) queueSize *= 2;
      this.#vq = openQueue(hw, t, 0, queueSize, hasFeature(features, F_EVENT_IDX), (why) => this.#fail(why));
      this.#size = opts.bufferSize ?? 64;
      const n = Math.min(count, this.#vq.size);
      const mem = hw.dmaAlloc(this.#size * n);
      this.#phys = mem.phys;
      for (let i = 0; i < n; i++) {
        this.#views.push(new Uint8Array(mem.buffer, i * this.#size, this.#size));
        this.#idle.push(i);
      }
      this.#vq.enableInterrupts();
      finishInit(t);
    } catch (e) {
      // Whatever went wrong, the device is told the driver gave up (FAILED).
      const failed = failDevice(t, 'ERR_VIRTIO_INIT', `entropy device setup failed: ${(e as Error).message}`);
      throw e instanceof VirtioError ? e : failed;
    }
  }

  static start(hw: Hw, transport: VirtioTransport, opts: RngOptions = {}): VirtioRng {
    return new VirtioRng(requireGroups(hw, ['dma', 'irq'], 'virtio-rng'), transport, opts);
  }

  get irqMask(): number { return this.transport.irqMask; }
  get hasPendingWork(): boolean { return false; }
  get queueStats(): Readonly<VirtqueueStats> { return this.#vq.stats; }
  /** Buffers currently with the device. */
  get outstanding(): number { return this.#views.length - this.#idle.length; }

  onEntropy(handler: ((bytes: Uint8Array) => void) | undefined): void { this.#onEntropy = handler; }

  /** Post every idle buffer to the device. Returns how many were posted. */
  request(): number {
    if (this.failed !== undefined) return 0;
    let posted = 0;
    while (this.#idle.length > 0) {
      const slot = this.#idle.pop()!;
      if (!this.#vq.addBuffer(this.#phys + slot * this.#size, this.#size, true, slot)) {
        this.#idle.push(slot);
        break;
      }
      posted++;
    }
    this.stats.requests += posted;
    this.#vq.kick();
    return posted;
  }

  service(_now: number, ready: number = this.irqMask): void {
    const mine = ready & this.irqMask;
    let error: unknown;
    try {
      if (mine !== 0) this.transport.ackInterrupt(mine);
      if (this.failed === undefined) {
        do {
          let slot: number;
          while ((slot = this.#vq.popUsed()) >= 0) {
            const length = this.#vq.usedLength;
            this.#idle.push(slot);
            if (length <= 0) {
              this.stats.empty++;
              continue;
            }
            this.stats.bytes += length;
            try {
              this.#onEntropy?.(this.#views[slot]!.subarray(0, length));
            } catch (e) {
              error ??= e;
            }
          }
        } while (this.#vq.enableInterrupts());
      }
    } finally {
      ackLines(this.#hw, mine);
    }
    if (error !== undefined) throw error;
  }

  #fail(why: string): void {
    if (this.failed !== undefined) return;
    this.failed = failDevice(this.transport, 'ERR_VIRTIO_BROKEN', why).message;
  }
}

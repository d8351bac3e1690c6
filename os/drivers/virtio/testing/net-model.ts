/**
 * Simulated virtio-net and virtio-rng devices on top of VirtioDeviceModel.
 * Net: transmit queue frames are collected in `sent` (header checked and stripped); `inject`
 * delivers a frame into the next receive buffer. Rng: fills every posted buffer.
 */

import { F_EVENT_IDX, F_VERSION_1, VirtioDeviceModel, type Chain } from './device-model.ts';
import type { FakeHw } from './fake-hw.ts';

export const NET_F_CSUM = 0n;
export const NET_F_GUEST_CSUM = 1n;
export const NET_F_MTU = 3n;
export const NET_F_MAC = 5n;
export const NET_F_GUEST_TSO4 = 7n;
export const NET_F_HOST_TSO4 = 11n;
export const NET_F_MRG_RXBUF = 15n;
export const NET_F_STATUS = 16n;
const HDR = 12;

/** What QEMU's user network offers (no offloads); add NET_F_CSUM | NET_F_HOST_TSO4 for a tap. */
export const DEFAULT_NET_FEATURES = (1n << F_VERSION_1) | (1n << F_EVENT_IDX) | (1n << NET_F_MAC)
  | (1n << NET_F_STATUS);

/** A transmitted virtio_net_hdr (§5.1.6), as the device read it. */
export interface SentHeader { flags: number; gsoType: number; hdrLen: number; gsoSize: number; csumStart: number; csumOffset: number }

export class NetDeviceModel extends VirtioDeviceModel {
  readonly sent: Uint8Array[] = [];
  /** The header of each frame in `sent`. */
  readonly sentHeaders: SentHeader[] = [];
  /** Keep copies of sent frames (off for long runs: only counted then). */
  keepSent = true;
  sentCount = 0;
  rxNoBuffer = 0;
  /** Called for each transmitted frame (before it is recorded). */
  onSend: ((frame: Uint8Array) => void) | undefined;

  constructor(hw: FakeHw, opts: { features?: bigint; queueSize?: number; mac?: number[]; mtu?: number } = {}) {
    super(hw, 1, opts.features ?? DEFAULT_NET_FEATURES, [opts.queueSize ?? 256, opts.queueSize ?? 256], 12);
    this.config.set(opts.mac ?? [0x52, 0x54, 0x00, 0x12, 0x34, 0x56], 0);
    new DataView(this.config.buffer).setUint16(6, 1, true); // link up
    new DataView(this.config.buffer).setUint16(10, opts.mtu ?? 1500, true);
  }

  /** Transmits what the driver queued (queue 1), or only the first `max` frames of it. */
  override process(queue: number, max = Infinity): void {
    if (queue !== 1) return; // receive buffers are consumed by inject()
    let chain: Chain | undefined;
    for (let n = 0; n < max && (chain = this.popAvail(1)) !== undefined; n++) {
      const bytes = this.readChain(chain);
      if (bytes.length < HDR) throw new Error('TX buffer shorter than virtio_net_hdr');
      const frame = bytes.slice(HDR);
      const header = this.#checkHeader(bytes, frame.length);
      this.onSend?.(frame);
      this.sentCount++;
      if (this.keepSent) { this.sent.push(frame); this.sentHeaders.push(header); }
      this.pushUsed(1, chain.head, 0);
    }
    this.flushUsed(1);
  }

  /** §5.1.6.2's rules for a driver's header, as a device would enforce them; throws on a breach. */
  #checkHeader(bytes: Uint8Array, frameLength: number): SentHeader {
    const v = new DataView(bytes.buffer, bytes.byteOffset, HDR);
    const h: SentHeader = {
      flags: v.getUint8(0), gsoType: v.getUint8(1), hdrLen: v.getUint16(2, true), gsoSize: v.getUint16(4, true),
      csumStart: v.getUint16(6, true), csumOffset: v.getUint16(8, true),
    };
    const has = (f: bigint) => (this.driverFeatures & (1n << f)) !== 0n;
    if (h.flags & ~1) throw new Error(`TX header flags ${h.flags}: only NEEDS_CSUM may be set`);
    if (h.flags === 0 && (h.gsoType || h.gsoSize || h.csumStart || h.csumOffset || h.hdrLen)) throw new Error('TX header not all zero');
    if (h.flags && !has(NET_F_CSUM)) throw new Error('NEEDS_CSUM without CSUM');
    if (h.flags && h.csumStart + h.csumOffset + 2 > frameLength) throw new Error('checksum field past the frame');
    if (h.gsoType !== 0) {
      if (h.gsoType !== 1 || !has(NET_F_HOST_TSO4)) throw new Error(`GSO type ${h.gsoType} not negotiated`);
      if (!h.flags || h.gsoSize === 0) throw new Error('GSO without NEEDS_CSUM or gso_size');
    } else if (frameLength > 1514 + 4) throw new Error(`a ${frameLength}-byte frame without GSO`);
    return h;
  }

  /**
   * Deliver one frame into the next receive buffer; false if the driver posted none.
   * `hdrFlags` is virtio_net_hdr.flags (NEEDS_CSUM 1, DATA_VALID 2); a device may only set
   * them once GUEST_CSUM was negotiated (§5.1.6.4), which this model enforces.
   */
  inject(frame: Uint8Array, opts: { flush?: boolean; hdrFlags?: number; numBuffers?: number } = {}): boolean {
    const chain = this.popAvail(0);
    if (!chain) {
      this.rxNoBuffer++;
      return false;
    }
    const data = new Uint8Array(HDR + frame.length);
    if (opts.hdrFlags) {
      if ((this.driverFeatures & (1n << NET_F_GUEST_CSUM)) === 0n) throw new Error('checksum flags without GUEST_CSUM');
      data[0] = opts.hdrFlags;
    }
    data.set(frame, HDR);
    const merge = (this.driverFeatures & (1n << NET_F_MRG_RXBUF)) !== 0n;
    if (data.length > this.writableBytes(chain) && !merge) throw new Error('receive buffer too small for frame');
    if (frame.length > 1514 + 4 && (this.driverFeatures & (1n << NET_F_GUEST_TSO4)) === 0n) throw new Error('a big packet without GUEST_TSO4');
    // §5.1.6.4: with MRG_RXBUF the packet fills as many buffers as it needs; the first header says how many.
    const chains = [chain];
    let room = this.writableBytes(chain);
    while (room < data.length) {
      const next = this.popAvail(0);
      if (!next) throw new Error('not enough receive buffers for a merged packet');
      chains.push(next);
      room += this.writableBytes(next);
    }
    new DataView(data.buffer).setUint16(10, opts.numBuffers ?? chains.length, true);
    let at = 0;
    for (const c of chains) {
      const n = this.writeChain(c, data.subarray(at, at + this.writableBytes(c)));
      this.pushUsed(0, c.head, n);
      at += n;
    }
    if (opts.flush ?? true) this.flushUsed(0);
    return true;
  }

  setLink(up: boolean): void {
    this.changeConfig((c) => new DataView(c.buffer).setUint16(6, up ? 1 : 0, true));
  }
}

export class RngDeviceModel extends VirtioDeviceModel {
  delivered = 0;
  /** Bytes written per buffer: all of it by default. */
  fillLimit = Infinity;

  constructor(hw: FakeHw, opts: { features?: bigint; queueSize?: number } = {}) {
    super(hw, 4, opts.features ?? ((1n << F_VERSION_1) | (1n << F_EVENT_IDX)), [opts.queueSize ?? 64], 0);
  }

  override process(queue: number): void {
    let chain: Chain | undefined;
    while ((chain = this.popAvail(queue)) !== undefined) {
      const n = Math.min(this.writableBytes(chain), this.fillLimit);
      const bytes = new Uint8Array(n);
      for (let i = 0; i < n; i++) bytes[i] = (this.delivered + i) & 0xff;
      this.delivered += n;
      this.pushUsed(queue, chain.head, this.writeChain(chain, bytes));
    }
    this.flushUsed(queue);
  }
}

/**
 * The network device of the process target: one Ethernet link behind the optional `net` hw
 * group (core/platform/process/net.c: a tap descriptor, or a packet socket on a veth end in
 * user mode). It gives the stack what virtio-net gives it (the NetworkDevice shape of
 * os/drivers/net-device.ts): frames in from `service()`, frames out with back-pressure.
 *
 * The core does the I/O: `net.receive(buf)` copies one waiting frame (0 = none), and
 * `net.transmit(frame)` sends one or says false when the link's queue is full; `hw.yield`
 * reports bit `net.line` when a frame waits or, after a refusal, when there is room again.
 *
 * Offloads, when the link has them (a tap with a virtio-net header, `net.headerLength` 10):
 * received frames flagged DATA_VALID or NEEDS_CSUM count as checksum-verified (the kernel
 * checked them, or they never left the host), and GRO frames of up to 64 KiB pass as one;
 * on transmit the device offers `txChecksum` (NEEDS_CSUM) and, with tso4, `tso` (GSO_TCPV4:
 * the kernel segments, or hands the super-segment whole to a local socket). A packet socket
 * (user mode) has no header: every checksum is the stack's, as before.
 */
import { HW_NET_OFFLOAD, VNET_HDR, type HwNet } from '../../hw/hw.ts';
import { writeVnetHeader } from '../vnet-header.ts';
import type { NetworkDevice, TxOffload } from '../net-device.ts';

/** Frames drained per service() call before yielding to the rest of the loop. */
const RX_BUDGET = 64;

/** The largest Ethernet frame with GSO: 14 + IPv4's 65535. */
const MAX_GSO_FRAME = 14 + 65535;

export interface HwNetStats {
  rxFrames: number;
  txFrames: number;
  /** transmit() calls refused for back-pressure (the frame stayed with the stack). */
  txRefused: number;
  /** Frames the core dropped (longer than the link's MTU allows). */
  rxDropped: number;
  /** Received frames whose checksum the host vouched for (DATA_VALID or NEEDS_CSUM). */
  rxChecksumVerified: number;
  /** Received frames larger than one segment (the host's GRO/TSO, gso_type TCPV4). */
  rxGso: number;
  /** Transmitted super-segments the host segments (GSO_TCPV4). */
  txGso: number;
}

export class HwNetLink implements NetworkDevice {
  readonly name = 'process link (hw.net)';
  readonly mac: Uint8Array;
  readonly mtu: number;
  readonly irqMask: number;
  readonly txChecksum?: boolean;
  readonly tso?: { readonly maxBytes: number };
  hasPendingWork = false;
  readonly #net: HwNet;
  readonly #hdr: number;
  // One receive buffer, reused: a view of it is valid only during the onReceive call.
  readonly #rx: Uint8Array;
  // The transmit buffer when frames carry a header: the header, then a copy of the frame. It
  // grows to 64 KiB on the first super-segment, so an idle instance does not pay for it.
  #tx: Uint8Array;
  #txView: DataView;
  #blocked = false;
  #onReceive: ((frame: Uint8Array, checksumVerified: boolean) => void) | undefined;
  #onWritable: (() => void) | undefined;
  readonly #stats = { rxFrames: 0, txFrames: 0, txRefused: 0, rxChecksumVerified: 0, rxGso: 0, txGso: 0 };

  constructor(net: HwNet) {
    this.#net = net;
    this.mac = net.mac.slice();
    this.mtu = net.mtu;
    this.irqMask = 1 << net.line;
    this.#hdr = net.headerLength ?? 0;
    const offloads = this.#hdr > 0 ? net.offloads ?? 0 : 0;
    if (offloads & HW_NET_OFFLOAD.csum) this.txChecksum = true;
    // TCP payload in one super-segment: IPv4's 65535 less the largest IP and TCP headers.
    if (offloads & HW_NET_OFFLOAD.csum && offloads & HW_NET_OFFLOAD.tso4) this.tso = { maxBytes: 65535 - 20 - 60 };
    // One byte more than the largest frame: a read that fills the buffer was cut short.
    this.#rx = new Uint8Array(this.#hdr + Math.max(offloads & HW_NET_OFFLOAD.tso4 ? MAX_GSO_FRAME : 0, 65535) + 1);
    this.#tx = new Uint8Array(this.#hdr > 0 ? this.#hdr + this.mtu + 18 : 0);
    this.#txView = new DataView(this.#tx.buffer);
  }

  get stats(): HwNetStats {
    return { ...this.#stats, rxDropped: this.#net.droppedRx() };
  }

  onReceive(handler: ((frame: Uint8Array, checksumVerified: boolean) => void) | undefined): void {
    this.#onReceive = handler;
  }

  onWritable(handler: (() => void) | undefined): void {
    this.#onWritable = handler;
  }

  /** Sends at once (the link has no ring to batch into); false = refused, retry after onWritable. */
  transmit(frame: Uint8Array, _more?: boolean, offload?: TxOffload): boolean {
    const gso = offload !== undefined && offload.segmentSize > 0;
    if (gso && this.tso === undefined) throw new RangeError('a TCP super-segment on a link without TSO');
    if (offload !== undefined && this.txChecksum !== true) throw new RangeError('a partial checksum on a link without checksum offload');
    const max = gso ? MAX_GSO_FRAME : this.mtu + 18;
    if (frame.length === 0 || frame.length > max) throw new RangeError(`frame of ${frame.length} bytes (1 to ${max})`);
    if (this.#blocked) {
      this.#stats.txRefused++;
      return false;
    }
    let out = frame;
    const h = this.#hdr;
    if (h > 0) {
      // One copy (a memcpy in the engine) puts the frame behind its virtio_net_hdr.
      if (h + frame.length > this.#tx.length) {
        this.#tx = new Uint8Array(h + MAX_GSO_FRAME);
        this.#txView = new DataView(this.#tx.buffer);
      }
      const v = this.#txView;
      if (offload === undefined) {
        for (let i = 0; i < h; i++) this.#tx[i] = 0;
      } else {
        writeVnetHeader(v, 0, offload);
      }
      this.#tx.set(frame, h);
      out = this.#tx.subarray(0, h + frame.length);
    }
    // A short frame is padded by nobody on a tap: the Linux peer accepts it as it is.
    if (!this.#net.transmit(out)) {
      this.#blocked = true;
      this.#stats.txRefused++;
      return false;
    }
    this.#stats.txFrames++;
    if (gso) this.#stats.txGso++;
    return true;
  }

  flush(): void {
    // Nothing is held back: each transmit() already went to the link.
  }

  service(_now: number, ready: number): void {
    if (this.#blocked && ready & this.irqMask) {
      // The line fired: maybe for room to send. A retry that is refused again blocks again.
      this.#blocked = false;
      this.#onWritable?.();
    }
    const h = this.#hdr;
    const rx = this.#rx;
    let n = 0;
    for (; n < RX_BUDGET; n++) {
      const len = this.#net.receive(rx);
      if (len === 0) break;
      if (len < h + 14) continue; // the core never returns one: defensive against a fake
      this.#stats.rxFrames++;
      let verified = false;
      if (h > 0) {
        // NEEDS_CSUM: the checksum field holds the pseudo-header sum only; the bytes never
        // crossed a wire (the host's own stack made them). DATA_VALID: the host checked it.
        verified = (rx[VNET_HDR.FLAGS]! & (VNET_HDR.F_NEEDS_CSUM | VNET_HDR.F_DATA_VALID)) !== 0;
        if (verified) this.#stats.rxChecksumVerified++;
        if (rx[VNET_HDR.GSO_TYPE]! !== VNET_HDR.GSO_NONE) this.#stats.rxGso++;
      }
      this.#onReceive?.(rx.subarray(h, len), verified);
    }
    this.hasPendingWork = n === RX_BUDGET;
  }
}

/**
 * The network device of the process target: one Ethernet link behind the optional `net` hw
 * group (core/platform/process/net.c: a tap descriptor, or a packet socket on a veth end in
 * user mode). It gives the stack what virtio-net gives it (the NetworkDevice shape of
 * os/drivers/net-device.ts): frames in from `service()`, frames out with back-pressure.
 *
 * The core does the I/O: `net.receive(buf)` copies one waiting frame (0 = none), and
 * `net.transmit(frame)` sends one or says false when the link's queue is full; `hw.yield`
 * reports bit `net.line` when a frame waits or, after a refusal, when there is room again.
 * No checksum is vouched for (a tap carries no offload header), so the stack verifies all.
 */
import type { HwNet } from '../../hw/hw.ts';
import type { NetworkDevice } from '../net-device.ts';

/** Frames drained per service() call before yielding to the rest of the loop. */
const RX_BUDGET = 64;

export interface HwNetStats {
  rxFrames: number;
  txFrames: number;
  /** transmit() calls refused for back-pressure (the frame stayed with the stack). */
  txRefused: number;
  /** Frames the core dropped (longer than the link's MTU allows). */
  rxDropped: number;
}

export class HwNetLink implements NetworkDevice {
  readonly name = 'process link (hw.net)';
  readonly mac: Uint8Array;
  readonly mtu: number;
  readonly irqMask: number;
  hasPendingWork = false;
  readonly #net: HwNet;
  // One receive buffer, reused: a view of it is valid only during the onReceive call.
  readonly #rx = new Uint8Array(65536);
  #blocked = false;
  #onReceive: ((frame: Uint8Array, checksumVerified: boolean) => void) | undefined;
  #onWritable: (() => void) | undefined;
  readonly #stats = { rxFrames: 0, txFrames: 0, txRefused: 0 };

  constructor(net: HwNet) {
    this.#net = net;
    this.mac = net.mac.slice();
    this.mtu = net.mtu;
    this.irqMask = 1 << net.line;
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
  transmit(frame: Uint8Array, _more?: boolean): boolean {
    if (frame.length === 0 || frame.length > this.mtu + 18) throw new RangeError(`frame of ${frame.length} bytes (1 to ${this.mtu + 18})`);
    if (this.#blocked) {
      this.#stats.txRefused++;
      return false;
    }
    // A short frame is padded by nobody on a tap: the Linux peer accepts it as it is.
    if (!this.#net.transmit(frame)) {
      this.#blocked = true;
      this.#stats.txRefused++;
      return false;
    }
    this.#stats.txFrames++;
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
    let n = 0;
    for (; n < RX_BUDGET; n++) {
      const len = this.#net.receive(this.#rx);
      if (len === 0) break;
      this.#stats.rxFrames++;
      this.#onReceive?.(this.#rx.subarray(0, len), false);
    }
    this.hasPendingWork = n === RX_BUDGET;
  }
}

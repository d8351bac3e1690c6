/**
 * NetworkDevice: the seam between a network driver and the TCP/IP stack's glue
 * (os/netservice). Every Ethernet device implements it: virtio-net (os/drivers/virtio/net.ts)
 * on the VM targets, a tap descriptor behind the optional `net` hw group on the process target.
 * NetworkService consumes nothing else of a driver.
 *
 * Frames are Ethernet frames without FCS. The contract:
 * - `transmit(frame, more)` copies the frame; true = the device took it, false = back-pressure
 *   (no room now): the caller keeps the frame and retries after `onWritable` fires. It never
 *   drops silently. `more = true` says more frames follow at once; the device MAY delay its
 *   notification until `flush()`. A frame of 0 or more than `mtu + 18` bytes throws RangeError.
 * - `onReceive(handler)`: the handler gets each received frame from inside `service()`; the
 *   view is valid only during the call (copy what you keep). `checksumVerified` = the device
 *   vouched for the transport checksum.
 * - `onWritable(handler)`: called from `service()` once room frees up after a refused transmit.
 * - `service(now, ready)` does the device's work (RX, TX completions); the event loop calls it
 *   when a line of `irqMask` is in `ready` (from hw.yield) and while `hasPendingWork`.
 */
export interface NetworkDevice {
  /** For messages: e.g. "virtio-net pci 00:03.0". */
  readonly name: string;
  /** 6 bytes: the device's Ethernet address. */
  readonly mac: Uint8Array;
  /** Largest L3 packet the link carries (1500 unless the device says otherwise). */
  readonly mtu: number;
  /** IRQ lines (bit n = line n of hw.yield's result) that mean service() has work. */
  readonly irqMask: number;
  /** True when service() stopped with work left (a budget): call it again soon. */
  readonly hasPendingWork: boolean;
  transmit(frame: Uint8Array, more?: boolean): boolean;
  /** Notify the device of frames handed over with `more = true`. */
  flush(): void;
  onReceive(handler: ((frame: Uint8Array, checksumVerified: boolean) => void) | undefined): void;
  onWritable(handler: (() => void) | undefined): void;
  service(now: number, ready: number): void;
}


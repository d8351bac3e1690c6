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
 *   vouched for the transport checksum. `more` = false: the device has no further frame in
 *   this batch (true: it has; undefined: it cannot tell). The stack's receive coalescing uses it
 *   to skip holding a frame nothing can join.
 * - `onWritable(handler)`: called from `service()` once room frees up after a refused transmit.
 * - `service(now, ready)` does the device's work (RX, TX completions); the event loop calls it
 *   when a line of `irqMask` is in `ready` (from hw.yield) and while `hasPendingWork`.
 *
 * Transmit offloads are optional capabilities; a device without them leaves them undefined and
 * the stack computes every checksum and segment. virtio-net on a tap with a vnet header, and the
 * process target's tap, have both; on QEMU's user network, which offers none, virtio-net offers
 * both done in software by the core (hw.segmentTcp), unless NetOptions.softwareOffloads is false:
 * - `txChecksum: true`: `transmit` accepts `offload.checksumStart/checksumOffset`: the 16-bit
 *   field at checksumStart + checksumOffset holds the pseudo-header sum (RFC 1071, folded, not
 *   complemented, as Linux's CHECKSUM_PARTIAL) and the device MUST finish the ones' complement
 *   sum over checksumStart..end (virtio NEEDS_CSUM).
 * - `tso: { maxBytes }` (requires txChecksum): `transmit` accepts `offload.segmentSize > 0`: the
 *   frame is one IPv4 TCP super-segment (IP total length = all of it, a valid IP header
 *   checksum, at most maxBytes of TCP payload) that the device cuts into segments of
 *   segmentSize payload bytes, copying the headers, advancing the sequence number and IP
 *   identification, with PSH and FIN on the last only (virtio GSO_TCPV4, Linux's TSO). Such a
 *   frame may exceed `mtu + 18` (up to 14 + 65535 bytes).
 */

/** Per-frame transmit offload requests (only those the device's capabilities allow). */
export interface TxOffload {
  /** Offset in the frame where the checksummed bytes start (the TCP/UDP header). */
  checksumStart: number;
  /** Offset of the checksum field from checksumStart (16 for TCP, 6 for UDP). */
  checksumOffset: number;
  /** 0: one frame; > 0: a TCP super-segment cut into segments of this many payload bytes. */
  segmentSize: number;
}
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
  /** The device finishes TCP/UDP checksums the stack leaves partial (TxOffload). */
  readonly txChecksum?: boolean;
  /**
   * The device segments TCP super-segments of up to maxBytes of payload (TxOffload.segmentSize),
   * into at most maxSegments segments when that is set (Linux's gso_max_segs).
   */
  readonly tso?: { readonly maxBytes: number; readonly maxSegments?: number };
  transmit(frame: Uint8Array, more?: boolean, offload?: TxOffload): boolean;
  /** Notify the device of frames handed over with `more = true`. */
  flush(): void;
  onReceive(handler: ((frame: Uint8Array, checksumVerified: boolean, more?: boolean) => void) | undefined): void;
  onWritable(handler: (() => void) | undefined): void;
  service(now: number, ready: number): void;
}


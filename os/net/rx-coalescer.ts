/**
 * Receive coalescing, a narrow GRO (Linux's generic receive offload, done here because each
 * frame costs the interpreter the whole receive path: Ethernet, IPv4, TCP, the connection).
 * The frames of one device service() call arrive together; two kinds of runs in them are
 * handed on as one frame, with the number of segments it stands for:
 *
 * - Pure ACKs. QEMU's user network (slirp) ACKs every segment it receives at once, so a bulk
 *   sender gets one per 1448 bytes. Of a run on one connection, each ahead of the last, only the
 *   newest tells TCP anything (RFC 9293 §3.10.7.4: SND.UNA and the window move to its values);
 *   TCP's slow start counts the ACKs it stood for (RFC 5681 §3.1). Duplicate ACKs are never
 *   merged: fast retransmit counts them (RFC 5681 §3.2).
 * - In-order data segments of one connection (what a peer's bulk send looks like): their
 *   payloads are joined behind the first one's headers, as a GUEST_TSO4 device would hand them
 *   over, and TCP acknowledges the joined segment as the segments it stands for (RFC 5681 §4.2:
 *   every second one). Joined only: the next sequence number, the same ACK number, options and
 *   IPv4 TOS byte (ECN marks), no PSH on the run so far, at most 64 KiB; a part of over 32 KiB
 *   (a tap's GRO output) passes as it is. Each part's IPv4 and TCP checksums are checked
 *   here (a damaged part is never hidden in a joined frame: it passes alone and the stack
 *   counts and drops it); the joined frame gets a new IPv4 header checksum and is delivered as
 *   verified.
 *
 * Held only: Ethernet to our address, IPv4 without options and not a fragment, TCP with flags
 * ACK (data: ACK or ACK|PSH) and no options or exactly one timestamp option (NOP, NOP, TS; SACK
 * blocks carry information and always pass). Everything else passes through after the held
 * frame is delivered, so order is kept. The held frame is a copy (drivers lend their buffers
 * only during the call) and is delivered by the next frame that does not join it, or by
 * flush() (NetworkStack.poll calls it).
 *
 * A pure ACK's checksums are left to the stack: a damaged one that superseded others is
 * counted and dropped there, and costs only the ACKs it stood for, as if they had been lost
 * (ACKs are cumulative: the next one covers them).
 */
import { seqAdd, seqGt } from './tcp/seq.ts';
import { finish, sumBytes } from './wire/checksum.ts';

/** Delivers one frame; `segments` > 1: it stands for that many received segments. */
export type CoalescedDeliver = (frame: Uint8Array, checksumVerified: boolean, segments: number) => void;

const ETH = 14;
const IP_END = ETH + 20;
const MAX_FRAME = ETH + 65535;
/** A bigger data frame already is a host's GRO or TSO output: passed on as it is, not copied. */
const MAX_PART = 32 * 1024;
const ACK = 0x10;
const PSH = 0x08;

/** What is held: nothing, a pure ACK, data (one segment or joined ones). */
const Held = { NONE: 0, ACK: 1, DATA: 2 } as const;
type Held = (typeof Held)[keyof typeof Held];

export class RxCoalescer {
  readonly #mac: Uint8Array;
  readonly #deliver: CoalescedDeliver;
  /** Grows (by doubling, to 64 KiB at most) as joined frames need: an idle instance keeps 2 KiB. */
  #held = new Uint8Array(2048);
  #kind: Held = Held.NONE;
  #heldLength = 0;
  #heldSegments = 0;
  #heldVerified = false;
  /** Data: the sequence number the next part must start at. */
  #nextSeq = 0;
  /** Pure ACKs dropped because a newer one superseded them; data segments joined to an earlier one. */
  coalescedAcks = 0;
  joinedSegments = 0;

  constructor(mac: Uint8Array, deliver: CoalescedDeliver) {
    this.#mac = mac;
    this.#deliver = deliver;
  }

  get holding(): boolean { return this.#kind !== Held.NONE; }

  /**
   * Take one received frame (valid only during the call, as drivers hand it over). `more` =
   * false: the device has nothing after it in this batch, so with nothing held it cannot be
   * joined and goes straight on (a request/response exchange pays nothing here).
   */
  receive(frame: Uint8Array, checksumVerified: boolean, more = true): void {
    if (!more && this.#kind === Held.NONE) return this.#deliver(frame, checksumVerified, 1);
    const total = tcpCandidate(frame, this.#mac);
    if (total > 0) {
      const tcpLen = total - 20, payload = tcpLen - (frame[46]! >> 4) * 4;
      if (payload === 0) {
        if (frame[47] === ACK) return this.#ack(frame, total, checksumVerified);
      } else if (payload <= MAX_PART && checksumsOk(frame, total, checksumVerified)) {
        return this.#data(frame, total, payload);
      }
    }
    this.flush();
    this.#deliver(frame, checksumVerified, 1);
  }

  /** Deliver the held frame, if any. */
  flush(): void {
    const kind = this.#kind;
    if (kind === Held.NONE) return;
    const n = this.#heldLength, segments = this.#heldSegments, h = this.#held;
    this.#kind = Held.NONE;
    if (kind === Held.DATA && segments > 1) {
      const total = n - ETH;
      h[16] = total >>> 8; h[17] = total & 0xff;
      h[24] = 0; h[25] = 0;
      const sum = finish(sumBytes(h.subarray(ETH, IP_END)));
      h[24] = sum >>> 8; h[25] = sum & 0xff;
    }
    // Data parts were checked here; a pure ACK keeps the device's word.
    this.#deliver(h.subarray(0, n), kind === Held.DATA || this.#heldVerified, segments);
  }

  #ack(f: Uint8Array, total: number, verified: boolean): void {
    if (this.#kind === Held.ACK && this.#heldVerified === verified && this.#sameConnection(f) && seqGt(read32(f, 42), read32(this.#held, 42))) {
      this.coalescedAcks++;
      this.#hold(Held.ACK, f, ETH + total, verified, this.#heldSegments + 1);
      return;
    }
    this.flush();
    this.#hold(Held.ACK, f, ETH + total, verified, 1);
  }

  #data(f: Uint8Array, total: number, payload: number): void {
    const h = this.#held, end = ETH + total;
    if (this.#kind === Held.DATA && (h[47]! & PSH) === 0 && this.#heldLength + payload <= MAX_FRAME && this.#sameConnection(f) &&
        read32(f, 38) === this.#nextSeq && sameBytes(f, h, 42, 46) && f[46] === h[46] && sameBytes(f, h, 54, 34 + (f[46]! >> 4) * 4) &&
        f[15] === h[15]) { // the same TOS byte: a CE mark (RFC 3168 §5) is never hidden in a joined frame
      if (this.#heldLength + payload > h.length) this.#grow(this.#heldLength + payload);
      this.#held.set(f.subarray(end - payload, end), this.#heldLength);
      this.#heldLength += payload;
      this.#heldSegments++;
      this.#nextSeq = seqAdd(this.#nextSeq, payload);
      const held = this.#held;
      held[47] = f[47]!; // PSH of the newest part
      held[48] = f[48]!; held[49] = f[49]!; // and its window
      this.joinedSegments++;
      return;
    }
    this.flush();
    if (end > this.#held.length) this.#grow(end);
    this.#hold(Held.DATA, f, end, true, 1);
    this.#nextSeq = seqAdd(read32(f, 38), payload);
  }

  #grow(needed: number): void {
    const bigger = new Uint8Array(Math.min(MAX_FRAME, Math.max(needed, 2 * this.#held.length)));
    bigger.set(this.#held.subarray(0, this.#heldLength));
    this.#held = bigger;
  }

  #hold(kind: Held, f: Uint8Array, len: number, verified: boolean, segments: number): void {
    // The whole frame when it fits (Ethernet padding and all): no view to allocate per frame.
    this.#held.set(f.length <= this.#held.length ? f : f.subarray(0, len));
    this.#kind = kind;
    this.#heldLength = len;
    this.#heldVerified = verified;
    this.#heldSegments = segments;
  }

  /** The held frame's connection: ports first (they differ most often), then IPv4 addresses. */
  #sameConnection(f: Uint8Array): boolean {
    const h = this.#held;
    if (f[34] !== h[34] || f[35] !== h[35] || f[36] !== h[36] || f[37] !== h[37]) return false;
    if (f[26] !== h[26] || f[27] !== h[27] || f[28] !== h[28] || f[29] !== h[29]) return false;
    return f[30] === h[30] && f[31] === h[31] && f[32] === h[32] && f[33] === h[33];
  }
}

/** The big-endian 32-bit number at `at` (a sequence or ACK number). */
const read32 = (f: Uint8Array, at: number): number => ((f[at]! << 24) | (f[at + 1]! << 16) | (f[at + 2]! << 8) | f[at + 3]!) >>> 0;

function sameBytes(a: Uint8Array, b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The IPv4 total length when `f` is a TCP frame of the shape that may be held (see the file
 * comment; flags ACK or ACK|PSH), else 0. Ethernet padding after the packet is allowed.
 */
export function tcpCandidate(f: Uint8Array, mac: Uint8Array): number {
  const flags = f[47];
  if (f.length < IP_END + 20 || (flags !== ACK && flags !== (ACK | PSH)) || f[23] !== 6 || f[14] !== 0x45 || f[12] !== 0x08 || f[13] !== 0x00) return 0;
  if ((f[20]! & 0x3f) !== 0 || f[21] !== 0) return 0; // MF or a fragment offset
  if (f[5] !== mac[5] || f[4] !== mac[4] || f[3] !== mac[3] || f[2] !== mac[2] || f[1] !== mac[1] || f[0] !== mac[0]) return 0;
  const total = (f[16]! << 8) | f[17]!;
  const thl = (f[46]! >> 4) * 4;
  if (ETH + total > f.length || 20 + thl > total) return 0;
  if (thl === 32) {
    if (f[54] !== 1 || f[55] !== 1 || f[56] !== 8 || f[57] !== 10) return 0; // NOP NOP TS
  } else if (thl !== 20) {
    return 0;
  }
  return total;
}

/** Both checksums of a data frame (the TCP one unless the device vouched for it). */
function checksumsOk(f: Uint8Array, total: number, verified: boolean): boolean {
  if (finish(sumBytes(f.subarray(ETH, IP_END))) !== 0) return false;
  // The pseudo-header's addresses lie just before the TCP header: one sum covers both.
  return verified || finish(sumBytes(f.subarray(26, ETH + total), 6 + total - 20)) === 0;
}

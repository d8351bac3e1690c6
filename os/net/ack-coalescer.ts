/**
 * Receive-side ACK coalescing, a narrow GRO. QEMU's user network (slirp) ACKs every segment it
 * receives at once, so a bulk sender gets one pure ACK per 1448 bytes, and each one costs the
 * interpreter the whole receive path (Ethernet, IPv4, TCP, the connection). The frames of one
 * device service() call arrive together; of a run of pure ACKs on one connection, each
 * advancing the last, only the newest tells TCP anything new (RFC 9293 §3.10.7.4: SND.UNA and
 * the window move to the newest values). So the run is held here and only its newest frame is
 * delivered, with the number of ACKs it stands for (TCP's slow start counts ACKs, RFC 5681 §3.1).
 *
 * Held only (everything else passes through, after the held frame, so order is kept):
 * - Ethernet to our address, IPv4 without options, not a fragment;
 * - TCP with exactly the ACK flag, no payload, and no options or exactly one timestamp option
 *   (NOP, NOP, TS: SACK blocks carry information and always pass);
 * - an ACK number strictly ahead of the held one's on the same connection: duplicate ACKs are
 *   never merged (fast retransmit counts them, RFC 5681 §3.2).
 * The held frame (a copy: drivers lend their buffers only during the call) is delivered by the
 * next frame that does not supersede it, or by flush() (NetworkStack.poll calls it).
 *
 * Checksums are left to the stack, which checks the delivered frame as any other: a damaged
 * frame that superseded others is counted and dropped there, and costs only the ACKs it stood
 * for, as if they had been lost (TCP's ACKs are cumulative: the next one covers them).
 */
/** Delivers one frame; `acks` > 1: it stands for that many pure ACKs (the others dropped). */
export type CoalescedDeliver = (frame: Uint8Array, checksumVerified: boolean, acks: number) => void;

const ETH = 14;
/** Ethernet + IPv4 (20) + TCP with a timestamp option (32): the largest frame held. */
const MAX_HELD = ETH + 20 + 32;
const ACK_ONLY = 0x10;

export class AckCoalescer {
  readonly #mac: Uint8Array;
  readonly #deliver: CoalescedDeliver;
  readonly #held = new Uint8Array(MAX_HELD);
  #heldLength = 0;
  #heldAcks = 0;
  #heldVerified = false;
  /** ACKs dropped because a newer ACK of the same connection superseded them. */
  coalesced = 0;

  constructor(mac: Uint8Array, deliver: CoalescedDeliver) {
    this.#mac = mac;
    this.#deliver = deliver;
  }

  get holding(): boolean { return this.#heldLength > 0; }

  /** Take one received frame (valid only during the call, as drivers hand it over). */
  receive(frame: Uint8Array, checksumVerified: boolean): void {
    const len = pureAckLength(frame, this.#mac);
    if (len === 0) {
      this.flush();
      this.#deliver(frame, checksumVerified, 1);
      return;
    }
    if (this.#heldLength > 0 && this.#heldVerified === checksumVerified && this.#supersedes(frame)) {
      this.coalesced++;
      this.#hold(frame, len, checksumVerified, this.#heldAcks + 1);
      return;
    }
    this.flush();
    this.#hold(frame, len, checksumVerified, 1);
  }

  /** Deliver the held frame, if any. */
  flush(): void {
    if (this.#heldLength === 0) return;
    const n = this.#heldLength, acks = this.#heldAcks;
    this.#heldLength = 0;
    this.#heldAcks = 0;
    this.#deliver(this.#held.subarray(0, n), this.#heldVerified, acks);
  }

  #hold(frame: Uint8Array, len: number, verified: boolean, acks: number): void {
    this.#held.set(len === frame.length ? frame : frame.subarray(0, len));
    this.#heldLength = len;
    this.#heldVerified = verified;
    this.#heldAcks = acks;
  }

  /** The held frame's connection (ports first: they differ most often; then IPv4 addresses), and an ACK number ahead of it. */
  #supersedes(f: Uint8Array): boolean {
    const h = this.#held;
    if (f[34] !== h[34] || f[35] !== h[35] || f[36] !== h[36] || f[37] !== h[37]) return false;
    if (f[26] !== h[26] || f[27] !== h[27] || f[28] !== h[28] || f[29] !== h[29]) return false;
    if (f[30] !== h[30] || f[31] !== h[31] || f[32] !== h[32] || f[33] !== h[33]) return false;
    // RFC 9293 §3.4: sequence comparison modulo 2^32.
    return ((((f[42]! << 24) | (f[43]! << 16) | (f[44]! << 8) | f[45]!) - ((h[42]! << 24) | (h[43]! << 16) | (h[44]! << 8) | h[45]!)) | 0) > 0;
  }
}

/**
 * The frame's length without Ethernet padding when it is a pure ACK that may be held (see the
 * file comment), else 0.
 */
export function pureAckLength(f: Uint8Array, mac: Uint8Array): number {
  if (f.length < ETH + 40 || f[47] !== ACK_ONLY || f[23] !== 6 || f[14] !== 0x45 || f[12] !== 0x08 || f[13] !== 0x00) return 0;
  if ((f[20]! & 0x3f) !== 0 || f[21] !== 0) return 0; // MF or a fragment offset
  if (f[5] !== mac[5] || f[4] !== mac[4] || f[3] !== mac[3] || f[2] !== mac[2] || f[1] !== mac[1] || f[0] !== mac[0]) return 0;
  const total = (f[16]! << 8) | f[17]!;
  const tcpLen = total - 20;
  if (ETH + total > f.length || (f[46]! >> 4) * 4 !== tcpLen) return 0; // no payload
  if (tcpLen === 32) {
    if (f[54] !== 1 || f[55] !== 1 || f[56] !== 8 || f[57] !== 10) return 0; // NOP NOP TS
  } else if (tcpLen !== 20) {
    return 0;
  }
  return ETH + total;
}

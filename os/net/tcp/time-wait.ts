/**
 * TIME-WAIT as a compact record (RFC 9293 §3.6.1: the state only has to remember enough to
 * ACK a retransmitted FIN and to refuse old duplicates for 2*MSL). A connection that reaches
 * TIME-WAIT is replaced by 8 words in a slab plus its deadline (40 bytes) and one slot in an
 * open-addressing index (8 bytes at half load), instead of the whole connection with its buffers.
 *
 * Records expire in FIFO order (every deadline is now + 2*MSL when set, so insertion order is
 * deadline order); a refresh (retransmitted FIN) queues the record again and the old queue
 * entry is skipped. When the table is full the oldest record is evicted: ending TIME-WAIT
 * early is the trade-off RFC 9293 §3.6.1 discusses, and better than refusing new connections.
 */
import type { Ipv4Addr } from '../addr.ts';

/** What a TIME-WAIT record remembers. */
export interface TimeWaitState {
  localAddress: Ipv4Addr;
  localPort: number;
  remoteAddress: Ipv4Addr;
  remotePort: number;
  /** Sequence number of our ACKs (SND.NXT after our FIN). */
  sndNxt: number;
  /** RCV.NXT after the peer's FIN. */
  rcvNxt: number;
  /** Raw 16-bit window field we last announced. */
  window: number;
  /** RFC 7323 timestamps in use: TS.Recent and our offset. */
  tsOk: boolean;
  tsRecent: number;
  tsOffset: number;
}

const STRIDE = 8;
const L_ADDR = 0, R_ADDR = 1, PORTS = 2, SND = 3, RCV = 4, TS_RECENT = 5, TS_OFFSET = 6, FLAGS = 7;
const TS_BIT = 1 << 16;
const EMPTY = -1;

export class TimeWaitTable {
  readonly capacity: number;
  #words = new Uint32Array(0);
  #deadline = new Float64Array(0);
  #free: number[] = [];
  #used = 0;
  /** Open-addressing index (linear probing): slot+1, 0 = empty. Size a power of two >= 2*slots. */
  #index = new Int32Array(0);
  #mask = -1;
  #seed: number;
  /** FIFO of (slot, deadline when queued); entries whose deadline changed since are stale. */
  #qSlot: number[] = [];
  #qAt: number[] = [];
  #qHead = 0;
  /** Records evicted early because the table was full (diagnostics). */
  evicted = 0;

  constructor(capacity: number, seed: number) {
    this.capacity = Math.max(1, capacity);
    this.#seed = seed | 0;
  }

  get size(): number { return this.#used; }
  /** Bytes of storage the table holds (slab, deadlines, index; tests and diagnostics). */
  get allocatedBytes(): number { return this.#words.byteLength + this.#deadline.byteLength + this.#index.byteLength + 16 * (this.#qSlot.length - this.#qHead); }

  #hash(la: number, ra: number, ports: number): number {
    let h = Math.imul(la ^ this.#seed, 0x9e3779b1);
    h = Math.imul(h ^ ra ^ (h >>> 15), 0x85ebca77);
    h = Math.imul(h ^ ports ^ (h >>> 13), 0xc2b2ae3d);
    return (h ^ (h >>> 16)) & this.#mask;
  }

  #hashOf(slot: number): number {
    const w = this.#words, b = slot * STRIDE;
    return this.#hash(w[b + L_ADDR]!, w[b + R_ADDR]!, w[b + PORTS]!);
  }

  /** The slot of the record for this 4-tuple, or -1. */
  find(local: Ipv4Addr, localPort: number, remote: Ipv4Addr, remotePort: number): number {
    if (this.#used === 0) return EMPTY;
    const ports = ((localPort << 16) | remotePort) >>> 0;
    const w = this.#words;
    for (let i = this.#hash(local >>> 0, remote >>> 0, ports); ; i = (i + 1) & this.#mask) {
      const e = this.#index[i]!;
      if (e === 0) return EMPTY;
      const b = (e - 1) * STRIDE;
      if (w[b + PORTS] === ports && w[b + L_ADDR] === local >>> 0 && w[b + R_ADDR] === remote >>> 0) return e - 1;
    }
  }

  /** Adds a record due to expire at `deadline` (evicting the oldest when full). */
  add(s: TimeWaitState, deadline: number): void {
    const old = this.find(s.localAddress, s.localPort, s.remoteAddress, s.remotePort);
    if (old !== EMPTY) this.remove(old);
    if (this.#used >= this.capacity) { this.#evictOldest(); this.evicted++; }
    if (this.#free.length === 0) this.#grow();
    const slot = this.#free.pop()!;
    const w = this.#words, b = slot * STRIDE;
    w[b + L_ADDR] = s.localAddress; w[b + R_ADDR] = s.remoteAddress;
    w[b + PORTS] = (s.localPort << 16) | s.remotePort;
    w[b + SND] = s.sndNxt; w[b + RCV] = s.rcvNxt; w[b + TS_RECENT] = s.tsRecent; w[b + TS_OFFSET] = s.tsOffset;
    w[b + FLAGS] = (s.window & 0xffff) | (s.tsOk ? TS_BIT : 0);
    this.#deadline[slot] = deadline;
    this.#used++;
    let i = this.#hashOf(slot);
    while (this.#index[i] !== 0) i = (i + 1) & this.#mask;
    this.#index[i] = slot + 1;
    this.#enqueue(slot, deadline);
  }

  /** The record at `slot` as a value. */
  get(slot: number): TimeWaitState {
    const w = this.#words, b = slot * STRIDE, ports = w[b + PORTS]!, flags = w[b + FLAGS]!;
    return {
      localAddress: w[b + L_ADDR]!, remoteAddress: w[b + R_ADDR]!, localPort: ports >>> 16, remotePort: ports & 0xffff,
      sndNxt: w[b + SND]!, rcvNxt: w[b + RCV]!, window: flags & 0xffff, tsOk: (flags & TS_BIT) !== 0,
      tsRecent: w[b + TS_RECENT]!, tsOffset: w[b + TS_OFFSET]!,
    };
  }

  /** A retransmitted FIN restarts the 2*MSL wait (RFC 9293 §3.10.7.4, TIME-WAIT). */
  restart(slot: number, deadline: number): void {
    this.#deadline[slot] = deadline;
    this.#enqueue(slot, deadline);
  }

  setTsRecent(slot: number, ts: number): void { this.#words[slot * STRIDE + TS_RECENT] = ts; }

  remove(slot: number): void {
    // Linear-probing deletion by backward shift (Knuth 6.4 Algorithm R): no tombstones.
    const idx = this.#index, mask = this.#mask;
    let i = this.#hashOf(slot);
    while (idx[i] !== slot + 1) i = (i + 1) & mask;
    for (let j = (i + 1) & mask; idx[j] !== 0; j = (j + 1) & mask) {
      const k = this.#hashOf(idx[j]! - 1);
      // Move entry j into the hole at i if its home k is not cyclically within (i, j].
      if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) { idx[i] = idx[j]!; i = j; }
    }
    idx[i] = 0;
    this.#deadline[slot] = -1;
    this.#free.push(slot);
    this.#used--;
  }

  /** Earliest time `expire` has work (Infinity when empty). */
  nextDeadline(): number {
    return this.#qHead < this.#qAt.length ? this.#qAt[this.#qHead]! : Infinity;
  }

  /** Drops every record whose deadline is <= now; returns how many. */
  expire(now: number): number {
    let n = 0;
    while (this.#qHead < this.#qAt.length && this.#qAt[this.#qHead]! <= now) {
      const slot = this.#qSlot[this.#qHead]!, at = this.#qAt[this.#qHead]!;
      this.#qHead++;
      if (this.#deadline[slot] === at) { this.remove(slot); n++; }
    }
    this.#compactQueue();
    return n;
  }

  #evictOldest(): void {
    while (this.#qHead < this.#qAt.length) {
      const slot = this.#qSlot[this.#qHead]!, at = this.#qAt[this.#qHead]!;
      this.#qHead++;
      if (this.#deadline[slot] === at) { this.remove(slot); break; }
    }
    this.#compactQueue();
  }

  #enqueue(slot: number, at: number): void {
    this.#qSlot.push(slot);
    this.#qAt.push(at);
  }

  #compactQueue(): void {
    if (this.#qHead === this.#qAt.length) { this.#qSlot.length = 0; this.#qAt.length = 0; this.#qHead = 0; return; }
    if (this.#qHead > 1024 && this.#qHead * 2 > this.#qAt.length) {
      this.#qSlot = this.#qSlot.slice(this.#qHead);
      this.#qAt = this.#qAt.slice(this.#qHead);
      this.#qHead = 0;
    }
  }

  #grow(): void {
    const oldSlots = this.#deadline.length;
    const slots = Math.min(this.capacity, Math.max(16, oldSlots * 2));
    const words = new Uint32Array(slots * STRIDE);
    words.set(this.#words);
    const deadline = new Float64Array(slots).fill(-1);
    deadline.set(this.#deadline);
    this.#words = words;
    this.#deadline = deadline;
    for (let s = slots - 1; s >= oldSlots; s--) this.#free.push(s);
    let size = 16;
    while (size < slots * 2) size *= 2;
    this.#index = new Int32Array(size);
    this.#mask = size - 1;
    for (let s = 0; s < oldSlots; s++) {
      if (deadline[s]! < 0) continue;
      let i = this.#hashOf(s);
      while (this.#index[i] !== 0) i = (i + 1) & this.#mask;
      this.#index[i] = s + 1;
    }
  }
}

/**
 * A deterministic network simulator for tests and benchmarks: TCP stacks joined by an
 * in-memory link with seeded loss, reordering, duplication and bit corruption, and a simulated
 * clock that jumps to the next event (packet delivery or a stack's pollAt). The same seed
 * always gives the same run; `traceHash` summarises every segment put on the link.
 */
import type { Ipv4Addr } from '../../addr.ts';
import type { OutgoingDatagram } from '../../transport.ts';
import { completeTcpChecksum, segmentTcp } from '../../wire/tcp.ts';
import { Tcp } from '../tcp.ts';
import type { TcpOptions } from '../config.ts';

/** mulberry32: small, fast, seedable PRNG returning floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A `random(buf)` for the stack driven by a seeded PRNG (deterministic; tests only). */
export function seededRandom(seed: number): (buf: Uint8Array) => void {
  const r = prng(seed);
  return (buf) => { for (let i = 0; i < buf.length; i++) buf[i] = (r() * 256) | 0; };
}

export interface LinkOptions {
  seed: number;
  /** Probability that a segment is lost. */
  loss?: number;
  /** Probability that a segment gets extra delay (reordering). */
  reorder?: number;
  /** Probability that a segment is delivered twice. */
  duplicate?: number;
  /** Probability that one bit of a segment is flipped. */
  corrupt?: number;
  /** One-way delay in ms (default 10). */
  latency?: number;
  /** Extra delay range for reordered segments in ms (default 15). */
  jitter?: number;
  /** Serialisation time per byte in ms (default 0: infinite bandwidth). */
  perByte?: number;
}

interface InFlight { at: number; id: number; to: SimHost; src: Ipv4Addr; dst: Ipv4Addr; payload: Uint8Array }

export interface SimHost {
  readonly addr: Ipv4Addr;
  readonly tcp: Tcp;
}

/** Binary min-heap on (at, id). */
class Heap {
  readonly items: InFlight[] = [];
  get size(): number { return this.items.length; }
  peek(): InFlight | undefined { return this.items[0]; }
  #less(a: InFlight, b: InFlight): boolean { return a.at < b.at || (a.at === b.at && a.id < b.id); }
  push(x: InFlight): void {
    const h = this.items;
    h.push(x);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): InFlight | undefined {
    const h = this.items;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && this.#less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.#less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

export class SimNetwork {
  now = 0;
  readonly hosts: SimHost[] = [];
  /** Counters of what the link did. */
  readonly link = { sent: 0, lost: 0, duplicated: 0, corrupted: 0, reordered: 0, delivered: 0, bytes: 0, offloaded: 0 };
  #rand: () => number;
  #opts: Required<LinkOptions>;
  #heap = new Heap();
  #id = 0;
  #hash = 0x811c9dc5;
  #busyUntil = new Map<SimHost, number>();
  /** Optional observer of every segment put on the link (tests, debugging). */
  onSegment: ((time: number, src: Ipv4Addr, payload: Uint8Array) => void) | undefined;

  constructor(opts: LinkOptions) {
    this.#opts = {
      seed: opts.seed, loss: opts.loss ?? 0, reorder: opts.reorder ?? 0, duplicate: opts.duplicate ?? 0,
      corrupt: opts.corrupt ?? 0, latency: opts.latency ?? 10, jitter: opts.jitter ?? 15, perByte: opts.perByte ?? 0,
    };
    this.#rand = prng(opts.seed);
  }

  /** Adds a stack at `addr`; its random() is seeded from the link seed and the address. */
  addHost(addr: Ipv4Addr, options: Partial<TcpOptions> = {}): SimHost {
    const tcp = new Tcp({ random: seededRandom(this.#opts.seed * 31 + addr), localAddress: () => addr, ...options });
    const h = { addr, tcp };
    this.hosts.push(h);
    return h;
  }

  /** FNV-1a over (time, src, dst, length, TCP header bytes) of every segment put on the link. */
  get traceHash(): string { return (this.#hash >>> 0).toString(16).padStart(8, '0'); }

  #mix(v: number): void {
    let h = this.#hash;
    h ^= v & 0xff; h = Math.imul(h, 0x01000193);
    h ^= (v >>> 8) & 0xff; h = Math.imul(h, 0x01000193);
    h ^= (v >>> 16) & 0xff; h = Math.imul(h, 0x01000193);
    h ^= (v >>> 24) & 0xff; h = Math.imul(h, 0x01000193);
    this.#hash = h;
  }

  #send(from: SimHost, d: OutgoingDatagram): void {
    if (d.partialChecksumAt !== undefined) {
      // The sender's device offloads (a host given txChecksum/tsoMaxBytes): it finishes the
      // checksum and cuts a super-segment, as Linux does for a tap, before the wire.
      this.link.offloaded++;
      const pieces = (d.segmentSize ?? 0) > 0 ? segmentTcp(d.payload, d.src, d.dst, d.segmentSize!) : [d.payload.slice()];
      if (pieces.length === 1) completeTcpChecksum(pieces[0]!, d.src, d.dst);
      for (const payload of pieces) this.#send(from, { src: d.src, dst: d.dst, protocol: d.protocol, payload });
      return;
    }
    const to = this.hosts.find((h) => h.addr === d.dst);
    const p = d.payload;
    this.link.sent++;
    this.onSegment?.(this.now, d.src, p);
    this.link.bytes += p.length;
    this.#mix(Math.round(this.now * 1000));
    this.#mix(d.src); this.#mix(d.dst); this.#mix(p.length);
    const hl = Math.min(p.length, (p[12]! >> 4) * 4);
    for (let i = 0; i + 3 < hl; i += 4) this.#mix((p[i]! << 24) | (p[i + 1]! << 16) | (p[i + 2]! << 8) | p[i + 3]!);
    if (!to) return;
    const o = this.#opts;
    const r = this.#rand;
    if (r() < o.loss) { this.link.lost++; return; }
    // Serialisation on the sender's side of the link (a bottleneck queue when perByte > 0).
    let start = this.now;
    if (o.perByte > 0) {
      const busy = this.#busyUntil.get(from) ?? 0;
      if (busy > start) start = busy;
      start += p.length * o.perByte;
      this.#busyUntil.set(from, start);
    }
    const copies = r() < o.duplicate ? 2 : 1;
    if (copies === 2) this.link.duplicated++;
    for (let k = 0; k < copies; k++) {
      let payload = p;
      if (r() < o.corrupt) {
        payload = p.slice();
        const bit = Math.floor(r() * payload.length * 8);
        payload[bit >> 3]! ^= 1 << (bit & 7);
        this.link.corrupted++;
      }
      let at = start + o.latency;
      if (r() < o.reorder) { at += r() * o.jitter; this.link.reordered++; }
      this.#heap.push({ at, id: this.#id++, to, src: d.src, dst: d.dst, payload });
    }
  }

  /** Polls every stack that is due at the current time. */
  pollAll(): void {
    for (const h of this.hosts) {
      // A stack may become due again during its own poll (callbacks): bounded repeat.
      for (let k = 0; k < 4 && h.tcp.pollAt(this.now) <= this.now; k++) {
        h.tcp.poll(this.now, (d) => this.#send(h, d));
      }
    }
  }

  /**
   * Advances the simulation until `done()` is true, nothing is left to happen, or `limit`
   * (simulated ms) or `maxEvents` is reached. Returns true if `done()` became true.
   */
  run(done: () => boolean, limit = Infinity, maxEvents = 50_000_000): boolean {
    for (let ev = 0; ev < maxEvents; ev++) {
      this.pollAll();
      if (done()) return true;
      let t = Infinity;
      const top = this.#heap.peek();
      if (top) t = top.at;
      for (const h of this.hosts) { const p = h.tcp.pollAt(this.now); if (p < t) t = p; }
      if (t === Infinity || t > limit) return done();
      if (t > this.now) this.now = t;
      // One packet per step, then the stacks are polled (like a driver handling one frame).
      if (this.#heap.size && this.#heap.peek()!.at <= this.now) {
        const x = this.#heap.pop()!;
        this.link.delivered++;
        x.to.tcp.input(this.now, x.src, x.dst, x.payload);
      }
    }
    return done();
  }

  /** Advances to `time` (or until idle), processing everything due on the way. */
  runUntil(time: number): void {
    this.run(() => false, time);
    if (this.now < time) this.now = time;
    this.pollAll();
  }
}

/**
 * Test helpers for the pure stack: a seeded random source and an in-memory Ethernet link
 * between endpoints with seeded loss, duplication, reordering (random extra delay) and
 * corruption. The same seed always gives the same run; every loop is bounded.
 */

/** Anything that speaks frames with explicit time: Interface, NetworkStack. */
export interface LinkEndpoint {
  receive(now: number, frame: Uint8Array): void;
  poll(now: number, transmit: (frame: Uint8Array) => void): void;
  pollAt(now: number): number;
}

/** xorshift32 PRNG: deterministic, NOT for production (the stack takes a CSPRNG there). */
export function seededRandom(seed: number): (buf: Uint8Array) => void {
  let s = (seed >>> 0) || 0x9e3779b9;
  return (buf) => {
    for (let i = 0; i < buf.length; i++) {
      s ^= s << 13; s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5; s >>>= 0;
      buf[i] = s & 0xff;
    }
  };
}

export interface LinkOptions {
  seed?: number;
  latencyMs?: number;
  loss?: number; // probability 0..1
  duplicate?: number;
  reorderJitterMs?: number; // extra random delay up to this
  corrupt?: number; // probability of flipping one byte
}

interface InFlight { at: number; seq: number; to: 0 | 1; frame: Uint8Array }

export class Link {
  readonly endpoints: [LinkEndpoint, LinkEndpoint];
  /** Every frame put on the wire, with its sender index, for assertions. */
  readonly log: { at: number; from: 0 | 1; frame: Uint8Array }[] = [];
  readonly #rand: (buf: Uint8Array) => void;
  readonly #options: Required<LinkOptions>;
  #inFlight: InFlight[] = [];
  #seq = 0;
  now: number;

  constructor(a: LinkEndpoint, b: LinkEndpoint, options: LinkOptions = {}, start = 0) {
    this.endpoints = [a, b];
    this.#options = { seed: 1, latencyMs: 1, loss: 0, duplicate: 0, reorderJitterMs: 0, corrupt: 0, ...options };
    this.#rand = seededRandom(this.#options.seed);
    this.now = start;
  }

  #uniform(): number {
    const b = new Uint8Array(4);
    this.#rand(b);
    return (((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) / 0x100000000;
  }

  #put(from: 0 | 1, frame: Uint8Array): void {
    this.log.push({ at: this.now, from, frame: frame.slice() });
    const o = this.#options;
    if (this.#uniform() < o.loss) return;
    const copies = this.#uniform() < o.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const f = frame.slice();
      if (this.#uniform() < o.corrupt && f.length > 0) f[Math.floor(this.#uniform() * f.length)]! ^= 0xff;
      const at = this.now + o.latencyMs + this.#uniform() * o.reorderJitterMs;
      this.#inFlight.push({ at, seq: this.#seq++, to: from === 0 ? 1 : 0, frame: f });
    }
  }

  /** Time of the next event (delivery or an endpoint's poll), or Infinity. */
  nextEventAt(): number {
    let at = Infinity;
    for (const f of this.#inFlight) at = Math.min(at, f.at);
    for (const e of this.endpoints) at = Math.min(at, e.pollAt(this.now));
    return Math.max(at, this.now);
  }

  /** Advance to the next event and process it. Returns false when nothing is left to do. */
  step(limit = Infinity): boolean {
    const at = this.nextEventAt();
    if (at === Infinity || at > limit) return false;
    this.now = at;
    const due = this.#inFlight.filter((f) => f.at <= this.now).sort((x, y) => x.at - y.at || x.seq - y.seq);
    this.#inFlight = this.#inFlight.filter((f) => f.at > this.now);
    for (const f of due) this.endpoints[f.to].receive(this.now, f.frame);
    this.endpoints[0].poll(this.now, (frame) => this.#put(0, frame));
    this.endpoints[1].poll(this.now, (frame) => this.#put(1, frame));
    return true;
  }

  /** Run until `done()` or until simulated time passes `until`; at most `maxSteps` steps. */
  run(done: () => boolean, until = this.now + 600_000, maxSteps = 100_000): boolean {
    for (let i = 0; i < maxSteps; i++) {
      if (done()) return true;
      if (!this.step(until)) return done();
    }
    return done();
  }
}

/**
 * The event loop: timers, immediates, nextTick, microtasks and I/O sources, in Node's order.
 *
 * One iteration (Node's libuv phases, simplified):
 *   1. timers: every timer due at the phase's start time runs, in (due, creation) order;
 *   2. poll: `hw.yield(deadline)` (deadline = now when immediates are pending, else the
 *      earliest timer or source deadline), then each source whose IRQs fired or whose
 *      deadline passed runs;
 *   3. check: the immediates queued before this phase began run, in order.
 * After every callback the nextTick queue and the promise jobs are drained
 * (`drainJobs`: ticks, then `hw.runMicrotasks()`, repeated until both are empty, as
 * Node's processTicksAndRejections does).
 *
 * The loop is alive while a ref'd timer, an immediate or a ref'd source exists. When it
 * is not, `run()` returns and the caller (main.ts) emits 'beforeExit' and may call it
 * again. This module never exits the VM and never prints: errors thrown by callbacks go to
 * the handler installed with `setUncaughtHandler` (errors.ts).
 */
import type { Hw } from '../hw/hw.ts';

/** An I/O source (network interface, driver) serviced by the loop. */
export interface LoopSource {
  /** IRQ lines (bitmask, from hw.irqAttach*) it services. */
  irqMask: number;
  /** When it next needs run() without an IRQ; Infinity if none. */
  nextDeadline(now: number): number;
  run(now: number, readyIrqs: number): void;
  /** Does it keep the program alive (listening server, open socket)? */
  isRef(): boolean;
}

const EXIT_SIGNAL = Symbol.for('nimbus.exit');
/** True for the fake hw's exit exception, which must unwind through every catch. */
export function isExitSignal(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[EXIT_SIGNAL] === true;
}

/** Node: a delay outside [1, 2^31-1] (or not a number) becomes 1 ms. */
const TIMEOUT_MAX = 2 ** 31 - 1;
function normalizeDelay(ms: unknown): number {
  const n = Number(ms);
  return n >= 1 && n <= TIMEOUT_MAX ? n : 1;
}

type Callback = (...args: any[]) => unknown;

function checkCallback(cb: unknown): asserts cb is Callback {
  if (typeof cb !== 'function') {
    const e = new TypeError(`The "callback" argument must be of type function. Received ${cb === null ? 'null' : typeof cb}`);
    (e as { code?: string }).code = 'ERR_INVALID_ARG_TYPE';
    throw e;
  }
}

export class Timeout {
  /** Node exposes these (underscored) fields; some libraries read them. */
  _idleTimeout: number;
  _onTimeout: Callback | null;
  _repeat: number | null;
  readonly #loop: EventLoop;
  readonly #args: unknown[];
  readonly #id: number;
  #ref = true;
  /** Heap key: due time, then scheduling order (Node's order for equal due times). */
  due = 0;
  seq = 0;
  /** Position in the loop's timer heap, -1 when not scheduled (cleared or fired). */
  heapIndex = -1;
  active = false;
  destroyed = false;
  constructor(loop: EventLoop, id: number, cb: Callback, delay: number, args: unknown[], repeat: boolean) {
    this.#loop = loop;
    this.#id = id;
    this._onTimeout = cb;
    this._idleTimeout = delay;
    this._repeat = repeat ? delay : null;
    this.#args = args;
  }
  get args(): unknown[] { return this.#args; }
  get isRefed(): boolean { return this.#ref; }
  ref(): this {
    if (!this.#ref) { this.#ref = true; if (this.active) this.#loop.refTimers++; }
    return this;
  }
  unref(): this {
    if (this.#ref) { this.#ref = false; if (this.active) this.#loop.refTimers--; }
    return this;
  }
  hasRef(): boolean { return this.#ref; }
  /** Restart the timer's countdown from now, with the same delay and callback. */
  refresh(): this {
    if (!this.destroyed) this.#loop.schedule(this);
    return this;
  }
  close(): this {
    this.#loop.clearTimer(this);
    return this;
  }
  [Symbol.toPrimitive](): number {
    return this.#id;
  }
  get [Symbol.toStringTag](): string { return 'Timeout'; }
}

export class Immediate {
  _onImmediate: Callback | null;
  readonly #loop: EventLoop;
  readonly args: unknown[];
  #ref = true;
  cleared = false;
  constructor(loop: EventLoop, cb: Callback, args: unknown[]) {
    this.#loop = loop;
    this._onImmediate = cb;
    this.args = args;
  }
  ref(): this {
    if (!this.#ref) { this.#ref = true; if (!this.cleared) this.#loop.refImmediates++; }
    return this;
  }
  unref(): this {
    if (this.#ref) { this.#ref = false; if (!this.cleared) this.#loop.refImmediates--; }
    return this;
  }
  hasRef(): boolean { return this.#ref; }
  get [Symbol.toStringTag](): string { return 'Immediate'; }
}

export class EventLoop {
  readonly hw: Hw;
  refTimers = 0;
  refImmediates = 0;
  /** Indexed binary heap on (due, seq): each Timeout knows its slot, so clearing removes it. */
  #heap: Timeout[] = [];
  #seq = 0;
  #nextId = 1;
  #byId = new Map<number, Timeout>();
  #immediates: Immediate[] = [];
  #ticks: { cb: Callback; args: unknown[] }[] = [];
  #sources = new Set<LoopSource>();
  #onUncaught: (e: unknown) => void = (e) => { throw e; };
  #afterDrain: () => boolean = () => false;
  #draining = false;

  constructor(hw: Hw) {
    this.hw = hw;
  }

  /** Where exceptions thrown by callbacks go (errors.ts). */
  setUncaughtHandler(fn: (e: unknown) => void): void { this.#onUncaught = fn; }
  /** Called after each full drain (unhandled-rejection processing); returns true if it did work. */
  setAfterDrain(fn: () => boolean): void { this.#afterDrain = fn; }

  // ---- timers ----

  setTimeout(cb: unknown, ms?: unknown, ...args: unknown[]): Timeout {
    checkCallback(cb);
    const t = new Timeout(this, this.#nextId++, cb, normalizeDelay(ms), args, false);
    this.schedule(t);
    return t;
  }

  setInterval(cb: unknown, ms?: unknown, ...args: unknown[]): Timeout {
    checkCallback(cb);
    const t = new Timeout(this, this.#nextId++, cb, normalizeDelay(ms), args, true);
    this.schedule(t);
    return t;
  }

  /** (Re)start `t` so it is due `t._idleTimeout` ms from now. */
  schedule(t: Timeout): void {
    if (!t.active) {
      t.active = true;
      if (t.hasRef()) this.refTimers++;
      this.#byId.set(+t, t);
    }
    t.due = this.hw.now() + t._idleTimeout;
    t.seq = this.#seq++;
    if (t.heapIndex >= 0) this.#update(t.heapIndex);
    else this.#push(t);
  }

  /** clearTimeout/clearInterval: accepts a Timeout, its numeric id or the id as a string. */
  clearTimer(t: unknown): void {
    if (t === null || t === undefined) return;
    const timer = t instanceof Timeout ? t : (typeof t === 'number' || typeof t === 'string') ? this.#byId.get(Number(t)) : undefined;
    if (!timer || !timer.active) { if (timer) timer.destroyed = true; return; }
    timer.active = false;
    timer.destroyed = true;
    if (timer.heapIndex >= 0) this.#remove(timer.heapIndex);
    if (timer.hasRef()) this.refTimers--;
    this.#byId.delete(+timer);
  }

  setImmediate(cb: unknown, ...args: unknown[]): Immediate {
    checkCallback(cb);
    const im = new Immediate(this, cb, args);
    this.#immediates.push(im);
    this.refImmediates++;
    return im;
  }

  clearImmediate(im: unknown): void {
    if (!(im instanceof Immediate) || im.cleared) return;
    im.cleared = true;
    if (im.hasRef()) this.refImmediates--;
  }

  nextTick(cb: unknown, ...args: unknown[]): void {
    checkCallback(cb);
    this.#ticks.push({ cb, args });
  }

  // ---- sources ----

  addSource(s: LoopSource): () => void {
    this.#sources.add(s);
    return () => { this.#sources.delete(s); };
  }

  // ---- running ----

  /** Run `fn` as a macrotask: exceptions go to the uncaught handler, then jobs drain. */
  invoke(fn: Callback, thisArg: unknown, args: unknown[]): void {
    try {
      fn.apply(thisArg, args);
    } catch (e) {
      if (isExitSignal(e)) throw e;
      this.#onUncaught(e);
    }
    this.drainJobs();
  }

  /** Node's processTicksAndRejections: ticks, then promise jobs, until both are empty. */
  drainJobs(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      do {
        let tick;
        while ((tick = this.#ticks.shift()) !== undefined) {
          try {
            tick.cb(...tick.args);
          } catch (e) {
            if (isExitSignal(e)) throw e;
            this.#onUncaught(e);
          }
        }
        this.hw.runMicrotasks();
      } while (this.#ticks.length > 0 || this.#afterDrain());
    } finally {
      this.#draining = false;
    }
  }

  isAlive(): boolean {
    if (this.refTimers > 0 || this.refImmediates > 0) return true;
    for (const s of this.#sources) if (s.isRef()) return true;
    return false;
  }

  /** Earliest active timer due time (ref'd or not), Infinity if none. */
  #nextTimer(): number {
    return this.#heap.length > 0 ? this.#heap[0].due : Infinity;
  }

  /** Timers in the heap (every one is active: clearing removes its entry). */
  pendingTimers(): number { return this.#heap.length; }

  #runTimers(): void {
    const now = this.hw.now();
    while (this.#nextTimer() <= now) {
      const timer = this.#heap[0];
      this.#remove(0);
      const cb = timer._onTimeout!;
      if (timer._repeat !== null) {
        this.schedule(timer);
      } else {
        this.clearTimer(timer);
      }
      this.invoke(cb, timer, timer.args);
    }
  }

  #runSources(ready: number): void {
    const now = this.hw.now();
    for (const s of [...this.#sources]) {
      if (!this.#sources.has(s)) continue;
      const mine = ready & s.irqMask;
      if (mine !== 0 || s.nextDeadline(now) <= now) this.invoke(() => s.run(now, mine), undefined, []);
    }
  }

  #runImmediates(): void {
    const batch = this.#immediates;
    this.#immediates = [];
    for (let i = 0; i < batch.length; i++) {
      const im = batch[i];
      if (im.cleared) continue;
      im.cleared = true;
      if (im.hasRef()) this.refImmediates--;
      this.invoke(im._onImmediate!, im, im.args);
    }
  }

  /** Run iterations until nothing keeps the loop alive. */
  run(): void {
    this.drainJobs();
    while (this.isAlive()) {
      this.#runTimers();
      let deadline = this.#nextTimer();
      for (const s of this.#sources) deadline = Math.min(deadline, s.nextDeadline(this.hw.now()));
      if (this.#immediates.length > 0) deadline = this.hw.now();
      if (!this.isAlive()) break;
      const ready = this.hw.yield(deadline);
      this.#runSources(ready);
      this.#runImmediates();
    }
  }

  // ---- indexed binary heap on (due, seq) ----

  #less(a: Timeout, b: Timeout): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  #place(t: Timeout, i: number): void {
    this.#heap[i] = t;
    t.heapIndex = i;
  }

  #push(t: Timeout): void {
    this.#place(t, this.#heap.length);
    this.#siftUp(this.#heap.length - 1);
  }

  /** Take the entry at `i` out (O(log n)); the last entry fills its slot. */
  #remove(i: number): void {
    const h = this.#heap;
    const gone = h[i];
    gone.heapIndex = -1;
    const last = h.pop()!;
    if (i < h.length) {
      this.#place(last, i);
      this.#update(i);
    }
  }

  /** Restore heap order after the key of the entry at `i` changed either way. */
  #update(i: number): void {
    if (i > 0 && this.#less(this.#heap[i], this.#heap[(i - 1) >> 1])) this.#siftUp(i);
    else this.#siftDown(i);
  }

  #siftUp(i: number): void {
    const h = this.#heap;
    const t = h[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(t, h[p])) break;
      this.#place(h[p], i);
      i = p;
    }
    this.#place(t, i);
  }

  #siftDown(i: number): void {
    const h = this.#heap;
    const t = h[i];
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = -1;
      if (l < h.length && this.#less(h[l], t)) m = l;
      if (r < h.length && this.#less(h[r], m === -1 ? t : h[l])) m = r;
      if (m === -1) break;
      this.#place(h[m], i);
      i = m;
    }
    this.#place(t, i);
  }
}

let current: EventLoop | undefined;

/** The loop the globals use (created by the prelude with the real hw). */
export function currentLoop(): EventLoop {
  if (!current) throw new Error('Nimbus runtime not installed');
  return current;
}

export function setCurrentLoop(loop: EventLoop): void {
  current = loop;
}

/** Register an I/O source with the running program's loop; returns a remover. */
export function addSource(s: LoopSource): () => void {
  return currentLoop().addSource(s);
}

/**
 * The timeouts of one HTTP connection (headers, request, keep-alive idle, drain) behind a
 * single timer.
 *
 * A keep-alive connection starts and stops three timeouts per request. As loop timers that
 * was three heap insertions and three removals per request, a visible share of a request's
 * cost in the interpreter. Here a deadline is a number in a slot: setting or clearing it
 * touches the timer only when the new deadline is earlier than the one the timer is armed
 * for. A timer that fires finds the slots whose time has come, runs their handlers and is
 * armed again for the earliest deadline left. In steady keep-alive traffic the timer is armed
 * about once per keep-alive period, not six times per request.
 *
 * The timer is unref'd: these timeouts never keep a program alive (as Node's).
 */

export class Deadlines {
  /** Absolute time (ms, `now()`) per slot; Infinity when the slot is unset. */
  readonly #due: number[];
  readonly #onDue: readonly (() => void)[];
  readonly #now: () => number;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #armedFor = Infinity;

  /** `onDue[slot]` runs when that slot's deadline passes; slots are numbered from 0. */
  constructor(onDue: readonly (() => void)[], now: () => number = () => performance.now()) {
    this.#onDue = onDue;
    this.#due = onDue.map(() => Infinity);
    this.#now = now;
  }

  /** Due `ms` from now. A delay that is not a positive finite number sets nothing (clears). */
  set(slot: number, ms: number): void {
    if (!(ms > 0) || !Number.isFinite(ms)) {
      this.#due[slot] = Infinity;
      return;
    }
    const at = this.#now() + ms;
    this.#due[slot] = at;
    if (at < this.#armedFor) this.#arm(at);
  }

  clear(slot: number): void {
    this.#due[slot] = Infinity;
  }

  isSet(slot: number): boolean {
    return this.#due[slot] !== Infinity;
  }

  /** Clears every slot and the timer. */
  clearAll(): void {
    this.#due.fill(Infinity);
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#armedFor = Infinity;
  }

  #arm(at: number): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#armedFor = at;
    // Whole milliseconds, rounded up: a timer that fires a little early (Node's loop time is
    // cached) finds nothing due and is armed again for what remains.
    const t = setTimeout(() => this.#fire(), Math.max(1, Math.ceil(at - this.#now())));
    (t as { unref?: () => void }).unref?.();
    this.#timer = t;
  }

  #fire(): void {
    this.#timer = null;
    this.#armedFor = Infinity;
    const now = this.#now();
    for (let slot = 0; slot < this.#due.length; slot++) {
      // A handler may clear or set other slots (or all of them): each slot is read afresh.
      if (this.#due[slot]! <= now) {
        this.#due[slot] = Infinity;
        this.#onDue[slot]!();
      }
    }
    let next = Infinity;
    for (const at of this.#due) if (at < next) next = at;
    if (next < this.#armedFor) this.#arm(next);
  }
}

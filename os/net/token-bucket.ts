/** A token bucket with explicit time: `capacity` tokens, refilled at `perSecond`. */
export class TokenBucket {
  #tokens: number;
  #last: number | undefined;
  constructor(readonly capacity: number, readonly perSecond: number) {
    this.#tokens = capacity;
  }
  /** Take one token at `now` (ms); false if the bucket is empty. */
  take(now: number): boolean {
    if (this.#last !== undefined && now > this.#last) {
      this.#tokens = Math.min(this.capacity, this.#tokens + ((now - this.#last) * this.perSecond) / 1000);
    }
    this.#last = this.#last === undefined ? now : Math.max(this.#last, now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

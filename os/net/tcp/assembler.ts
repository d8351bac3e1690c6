/**
 * Bookkeeping of out-of-order byte ranges above the in-order point (the data itself lives in
 * the receive ring at its offset). Offsets are absolute stream offsets (bytes since the start
 * of the stream, exact in a JS number), so nothing needs shifting when the in-order point moves.
 * The number of disjoint ranges is capped: a segment that would create one more is refused.
 */
export class Assembler {
  readonly maxRanges: number;
  /** Sorted, disjoint, non-adjacent [start, end) pairs, flat. */
  readonly ranges: number[] = [];
  /** Index (pair number) of the range most recently added to, for SACK ordering (RFC 2018 §4). */
  #recent = -1;

  constructor(maxRanges: number) { this.maxRanges = maxRanges; }
  get count(): number { return this.ranges.length >> 1; }
  get isEmpty(): boolean { return this.ranges.length === 0; }
  /** Bytes held out of order. */
  get bytes(): number {
    let n = 0;
    for (let i = 0; i < this.ranges.length; i += 2) n += this.ranges[i + 1]! - this.ranges[i]!;
    return n;
  }

  /** Records [start, end); returns false (nothing recorded) if that needs more than maxRanges ranges. */
  add(start: number, end: number): boolean {
    if (end <= start) return true;
    const r = this.ranges;
    // find the first range whose end >= start (touching or overlapping)
    let i = 0;
    while (i < r.length && r[i + 1]! < start) i += 2;
    let j = i;
    while (j < r.length && r[j]! <= end) j += 2;
    // ranges i..j-2 touch [start, end) and are merged into one
    if (i === j) {
      if (r.length >> 1 >= this.maxRanges) return false;
      r.splice(i, 0, start, end);
    } else {
      const s = Math.min(start, r[i]!);
      const e = Math.max(end, r[j - 1]!);
      r.splice(i, j - i, s, e);
    }
    this.#recent = i >> 1;
    return true;
  }

  /** If the first range starts at or before `point`, removes it and returns its end; else returns `point`. */
  popFront(point: number): number {
    const r = this.ranges;
    if (r.length === 0 || r[0]! > point) return point;
    const end = Math.max(point, r[1]!);
    r.splice(0, 2);
    this.#recent = this.#recent > 0 ? this.#recent - 1 : -1;
    return end;
  }

  /** Drops everything below `point` (already delivered). */
  trimBelow(point: number): void {
    const r = this.ranges;
    while (r.length && r[1]! <= point) { r.splice(0, 2); this.#recent--; }
    if (r.length && r[0]! < point) r[0] = point;
  }

  /** Ranges ordered for SACK: the most recently changed first, then the others ascending (max `n`). */
  sackOrder(n: number): number[] {
    const out: number[] = [];
    const r = this.ranges;
    const rec = this.#recent >= 0 && this.#recent < (r.length >> 1) ? this.#recent : -1;
    if (rec >= 0) out.push(r[rec * 2]!, r[rec * 2 + 1]!);
    for (let k = 0; k < r.length && out.length < n * 2; k += 2) {
      if (k >> 1 !== rec) out.push(r[k]!, r[k + 1]!);
    }
    return out;
  }

  clear(): void { this.ranges.length = 0; this.#recent = -1; }
}

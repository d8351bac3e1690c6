/**
 * A byte ring buffer with a fixed capacity whose storage grows lazily (doubling from
 * `initial`) up to that capacity and is given back with `release()` once empty, so an idle
 * connection costs no buffer memory. Besides the readable region
 * [0, length) it supports writing at any offset inside the free region (out-of-order data
 * for the reassembler) and committing it later. No per-byte loops: all copies use set().
 */
const EMPTY = new Uint8Array(0);

/**
 * Storage of the usual first size (SPARE_SIZE) that release() gave back, for the next ring
 * that needs storage. A keep-alive connection fills and drains both its buffers on every
 * request, and allocating (and zeroing) 4 KiB twice per request was a visible share of a
 * request's cost in the interpreter. Bounded, and shared by every ring: at most SPARE_MAX
 * buffers wait here however many connections there are. Reused storage holds old bytes, but a
 * ring only ever reads what it wrote itself (length and commit() are its own).
 */
const SPARE_SIZE = 4096;
const SPARE_MAX = 8;
const spare: Uint8Array[] = [];

/** Tests only: how many storage buffers wait for reuse. */
export function spareBuffers(): number {
  return spare.length;
}

export class RingBuffer {
  readonly capacity: number;
  readonly #initial: number;
  #buf: Uint8Array = EMPTY;
  #start = 0;
  #len = 0;

  constructor(capacity: number, initial = 4096) {
    if (!(capacity > 0)) throw new RangeError(`Invalid ring buffer capacity ${capacity}`);
    this.capacity = capacity;
    this.#initial = Math.max(1, Math.min(capacity, initial));
  }
  get length(): number { return this.#len; }
  get free(): number { return this.capacity - this.#len; }
  /** Bytes of storage currently allocated (for memory accounting in tests). */
  get allocated(): number { return this.#buf.length; }

  #grow(needed: number): void {
    const old = this.#buf;
    if (needed <= old.length) return;
    let size = old.length > 0 ? old.length : this.#initial;
    while (size < needed) size *= 2;
    if (size > this.capacity) size = this.capacity;
    if (old.length === 0) {
      this.#buf = size === SPARE_SIZE && spare.length > 0 ? spare.pop()! : new Uint8Array(size);
      this.#start = 0;
      return;
    }
    const next = new Uint8Array(size);
    // Rotate so that logical offset 0 sits at index 0 (keeps OOO data at its logical offset).
    next.set(old.subarray(this.#start));
    next.set(old.subarray(0, this.#start), old.length - this.#start);
    this.#buf = next;
    this.#start = 0;
  }

  /** Copies `data` (clipped to the free space) to logical offset `length + offset`; returns bytes written. Does not change `length`. */
  writeAt(offset: number, data: Uint8Array): number {
    const room = this.capacity - this.#len - offset;
    if (room <= 0) return 0;
    const n = data.length < room ? data.length : room;
    if (n === 0) return 0;
    this.#grow(this.#len + offset + n);
    const size = this.#buf.length;
    let pos = this.#start + this.#len + offset;
    if (pos >= size) pos -= size;
    const first = size - pos;
    if (n <= first) {
      this.#buf.set(n === data.length ? data : data.subarray(0, n), pos);
    } else {
      this.#buf.set(data.subarray(0, first), pos);
      this.#buf.set(data.subarray(first, n), 0);
    }
    return n;
  }
  /** Makes `n` bytes written by writeAt(0, ...) readable. */
  commit(n: number): void {
    if (n < 0 || n > this.free) throw new RangeError('RingBuffer.commit out of range');
    this.#len += n;
  }
  /** Appends as much of `data` as fits; returns the count. */
  write(data: Uint8Array): number {
    const n = this.writeAt(0, data);
    this.#len += n;
    return n;
  }
  /** Copies `n` bytes from logical offset `offset` into `dst` at `dstOffset` without consuming. */
  copyOut(offset: number, dst: Uint8Array, dstOffset: number, n: number): void {
    if (offset < 0 || n < 0 || offset + n > this.#len) throw new RangeError('RingBuffer.copyOut out of range');
    const size = this.#buf.length;
    let pos = this.#start + offset;
    if (pos >= size) pos -= size;
    const first = size - pos;
    if (n <= first) {
      dst.set(this.#buf.subarray(pos, pos + n), dstOffset);
    } else {
      dst.set(this.#buf.subarray(pos, size), dstOffset);
      dst.set(this.#buf.subarray(0, n - first), dstOffset + first);
    }
  }
  /** Drops `n` bytes from the front. */
  consume(n: number): void {
    if (n < 0 || n > this.#len) throw new RangeError('RingBuffer.consume out of range');
    this.#len -= n;
    this.#start += n;
    if (this.#start >= this.#buf.length) this.#start -= this.#buf.length;
  }
  /**
   * Gives the storage back when nothing is buffered (the caller knows no out-of-order data
   * sits beyond `length`); the next write takes spare storage or allocates. Returns true if it
 * gave storage back.
   */
  release(): boolean {
    if (this.#len !== 0 || this.#buf.length === 0) return false;
    if (this.#buf.length === SPARE_SIZE && spare.length < SPARE_MAX) spare.push(this.#buf);
    this.#buf = EMPTY;
    this.#start = 0;
    return true;
  }
  /** Removes and returns up to `max` bytes as a new array. */
  read(max = Infinity): Uint8Array {
    const n = Math.min(max, this.#len);
    const out = new Uint8Array(n);
    if (n > 0) { this.copyOut(0, out, 0, n); this.consume(n); }
    return out;
  }
}

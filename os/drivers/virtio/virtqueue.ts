/**
 * Split virtqueue (virtio 1.x §2.7), driver side, with VIRTIO_F_EVENT_IDX suppression.
 *
 * Memory: one DMA region allocated once holds the descriptor table (16 * size bytes), the
 * available ring (6 + 2 * size) and, 4-byte aligned after it, the used ring (6 + 8 * size).
 *
 * The device is UNTRUSTED. Our own bookkeeping (free list, tokens, chain lengths, writable
 * byte counts, in-flight flags) lives in private typed arrays, never re-read from DMA memory.
 * Every used element is checked: id in range, id currently in flight (catches duplicates),
 * length ≤ the writable bytes we offered; the used index may not advance by more than the
 * queue size. Violations are counted in `stats` and the element is dropped. A used index jump,
 * or more violations than the queue has entries, marks the queue `broken` (the driver then
 * sets FAILED on the device) and it stops processing. Nothing here throws on device input.
 *
 * Ring memory is read and written through Uint16Array/Uint32Array views (typed-array indexing
 * is far cheaper than DataView calls in the engine), so the driver requires a little-endian
 * CPU, as virtio's rings are little-endian (§2.7) and our targets are x86.
 *
 * Ordering: descriptor, then ring entry, then idx (x86 TSO keeps stores in order). The
 * store(idx) → load(avail_event / used.flags) pair in kick() and the store(used_event /
 * avail.flags) → load(used idx) pair in enableInterrupts() need a full fence against a device
 * running concurrently on another host CPU (vhost, Firecracker): TSO lets a load pass an
 * earlier store, so without it both sides can miss each other's update (§2.7.10, Linux's
 * virtio_mb in virtqueue_kick_prepare and virtqueue_enable_cb). The `fence` option is
 * hw.dmaFence (mfence) on a real machine.
 */

import type { DmaRegion, HwWith } from '../../hw/hw.ts';

export const DESC_F_NEXT = 1;
export const DESC_F_WRITE = 2;
/** §2.7.7: driver → device "don't interrupt me" (used when EVENT_IDX is not negotiated). */
const AVAIL_F_NO_INTERRUPT = 1;
/** §2.7.10: device → driver "don't notify me" (used when EVENT_IDX is not negotiated). */
const USED_F_NO_NOTIFY = 1;

const DESC_SIZE = 16;
const MAX_QUEUE_SIZE = 32768;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * §2.7.10 (vring_need_event): must the other side be told, given it asked to hear about
 * index `event`, and the index moved from `oldIdx` to `newIdx`? All arithmetic mod 2^16.
 */
export function needEvent(event: number, newIdx: number, oldIdx: number): boolean {
  return ((newIdx - event - 1) & 0xffff) < ((newIdx - oldIdx) & 0xffff);
}

export interface VirtqueueStats {
  /** Available-buffer notifications sent / skipped because the device did not want them. */
  notifications: number;
  notificationsSuppressed: number;
  /** Used elements delivered back to the driver. */
  completed: number;
  /** Device misbehaviour, each counted and survived. */
  badId: number;
  notInFlight: number;
  badLength: number;
  idxJump: number;
}

/** Layout of the three areas inside one DMA region, for a queue of `size` entries. */
export function virtqueueLayout(size: number): { avail: number; used: number; total: number } {
  const avail = DESC_SIZE * size;
  const used = (avail + 6 + 2 * size + 3) & ~3;
  return { avail, used, total: used + 6 + 8 * size };
}

export class Virtqueue {
  readonly index: number;
  readonly size: number;
  readonly descPhys: number;
  readonly availPhys: number;
  readonly usedPhys: number;
  readonly stats: VirtqueueStats = {
    notifications: 0, notificationsSuppressed: 0, completed: 0,
    badId: 0, notInFlight: 0, badLength: 0, idxJump: 0,
  };
  /** Why the queue stopped, once the device has shown itself broken. */
  broken: string | undefined;
  /**
   * Out-parameter of popUsed(): bytes the device wrote into the returned buffer, or -1 when
   * the device claimed more than the buffer holds (the buffer is returned for reuse; its
   * contents must not be used).
   */
  usedLength = 0;

  /** The ring memory as 16- and 32-bit words; the offsets below are indexes into them. */
  readonly #u16: Uint16Array;
  readonly #u32: Uint32Array;
  /** u16 index of avail.flags (idx follows, then ring[], then used_event). */
  readonly #avail16: number;
  /** u16 index of used.flags (idx follows); u32 index of used.ring[0].id; u16 index of avail_event. */
  readonly #used16: number;
  readonly #usedRing32: number;
  readonly #availEvent16: number;
  readonly #usedEvent16: number;
  readonly #mask: number;
  readonly #eventIdx: boolean;
  readonly #fence: () => void;
  readonly #notify: () => void;
  readonly #onBroken: (why: string) => void;

  // Private bookkeeping, indexed by descriptor id.
  readonly #nextFree: Uint16Array;
  readonly #token: Int32Array;
  readonly #chainLen: Uint16Array;
  readonly #writable: Float64Array;
  readonly #inFlight: Uint8Array;
  #freeHead = 0;
  #numFree: number;

  #availIdx = 0;
  #kickedIdx = 0;
  #lastUsed = 0;
  #violations = 0;

  /**
   * `mem` must be at least virtqueueLayout(size).total bytes, zeroed (hw.dmaAlloc is).
   * `notify` writes the transport's notification register; `onBroken` is called once.
   */
  constructor(opts: {
    index: number; size: number; mem: DmaRegion; eventIdx: boolean;
    notify: () => void; onBroken?: (why: string) => void;
    /** A full memory barrier (hw.dmaFence); tests may observe or omit it. */
    fence?: () => void;
  }) {
    const { index, size, mem } = opts;
    if (!Number.isInteger(size) || size < 1 || size > MAX_QUEUE_SIZE || (size & (size - 1)) !== 0) {
      throw new RangeError(`Virtqueue size ${size} is not a power of two in 1..${MAX_QUEUE_SIZE}`);
    }
    const layout = virtqueueLayout(size);
    if (mem.buffer.byteLength < layout.total) {
      throw new RangeError(`Virtqueue of ${size} needs ${layout.total} bytes, region has ${mem.buffer.byteLength}`);
    }
    this.index = index;
    this.size = size;
    this.#mask = size - 1;
    if (!LITTLE_ENDIAN) throw new RangeError('Virtqueue needs a little-endian CPU');
    this.#u16 = new Uint16Array(mem.buffer, 0, layout.total >>> 1);
    this.#u32 = new Uint32Array(mem.buffer, 0, layout.total >>> 2);
    this.#avail16 = layout.avail >>> 1;
    this.#used16 = layout.used >>> 1;
    this.#usedRing32 = (layout.used + 4) >>> 2;
    this.#availEvent16 = (layout.used + 4 + 8 * size) >>> 1;
    this.#usedEvent16 = (layout.avail + 4 + 2 * size) >>> 1;
    this.descPhys = mem.phys;
    this.availPhys = mem.phys + layout.avail;
    this.usedPhys = mem.phys + layout.used;
    this.#eventIdx = opts.eventIdx;
    this.#notify = opts.notify;
    this.#fence = opts.fence ?? (() => {});
    this.#onBroken = opts.onBroken ?? (() => {});
    this.#nextFree = new Uint16Array(size);
    this.#token = new Int32Array(size);
    this.#chainLen = new Uint16Array(size);
    this.#writable = new Float64Array(size);
    this.#inFlight = new Uint8Array(size);
    for (let i = 0; i < size; i++) this.#nextFree[i] = (i + 1) & this.#mask;
    this.#numFree = size;
  }

  /** Allocate the queue's ring memory (once) for `size` entries. */
  static allocate(hw: HwWith<'dma'>, size: number): DmaRegion {
    return hw.dmaAlloc(virtqueueLayout(size).total);
  }

  get numFree(): number { return this.#numFree; }
  get inFlight(): number { return this.size - this.#numFree; }

  /**
   * Make one buffer available. `writable` = device-writable (receive) rather than readable.
   * `token` (≥ 0) is handed back by popUsed(). Returns false when no descriptor is free or
   * the queue is broken. Takes effect for the device at once; call kick() to notify.
   */
  addBuffer(phys: number, length: number, writable: boolean, token: number): boolean {
    // The steps of #writeDesc, #track and #publish, inlined: this runs once per frame each way,
    // and under emulation each call of the interpreter costs about as much as the work itself.
    const free = this.#numFree;
    if (this.broken !== undefined || free === 0) return false;
    const id = this.#freeHead;
    this.#freeHead = this.#nextFree[id]!;
    this.#numFree = free - 1;
    const u32 = this.#u32, w = id * (DESC_SIZE >>> 2);
    const lo = phys >>> 0;
    u32[w] = lo;
    u32[w + 1] = phys > 0xffffffff ? (phys - lo) / 0x1_0000_0000 : 0;
    u32[w + 2] = length;
    u32[w + 3] = writable ? DESC_F_WRITE : 0; // flags (low half, little-endian) and next = 0
    this.#token[id] = token;
    this.#chainLen[id] = 1;
    this.#writable[id] = writable ? length : 0;
    this.#inFlight[id] = 1;
    const u16 = this.#u16, avail = this.#avail16, idx = this.#availIdx;
    u16[avail + 2 + (idx & this.#mask)] = id;
    const next = (idx + 1) & 0xffff;
    this.#availIdx = next;
    u16[avail + 1] = next;
    return true;
  }

  /**
   * Make a chain available: segments [0, readable) are device-readable, the rest
   * device-writable (§2.7.4.2: readable before writable). Returns false if fewer than
   * `phys.length` descriptors are free.
   */
  addChain(phys: ArrayLike<number>, lengths: ArrayLike<number>, readable: number, token: number): boolean {
    const n = phys.length;
    if (n === 0 || n !== lengths.length || readable < 0 || readable > n) {
      throw new RangeError(`Invalid chain: ${n} segments, ${lengths.length} lengths, ${readable} readable`);
    }
    if (this.broken !== undefined || this.#numFree < n) return false;
    const head = this.#freeHead;
    let id = head;
    let writableBytes = 0;
    for (let i = 0; i < n; i++) {
      const next = this.#nextFree[id]!;
      const isWritable = i >= readable;
      if (isWritable) writableBytes += lengths[i]!;
      const flags = (isWritable ? DESC_F_WRITE : 0) | (i + 1 < n ? DESC_F_NEXT : 0);
      this.#writeDesc(id, phys[i]!, lengths[i]!, flags, i + 1 < n ? next : 0);
      if (i + 1 < n) id = next;
      else this.#freeHead = next;
    }
    this.#numFree -= n;
    this.#track(head, token, n, writableBytes);
    this.#publish(head);
    return true;
  }

  /**
   * Notify the device of buffers added since the last kick, unless it asked not to be
   * (§2.7.10 avail_event with EVENT_IDX, else the used ring's NO_NOTIFY flag).
   * Returns whether a notification was sent.
   */
  kick(): boolean {
    const oldIdx = this.#kickedIdx;
    const newIdx = this.#availIdx;
    if (oldIdx === newIdx || this.broken !== undefined) return false;
    this.#kickedIdx = newIdx;
    // The idx store must be visible to the device before we read what it asked for.
    this.#fence();
    const needed = this.#eventIdx
      ? needEvent(this.#u16[this.#availEvent16]!, newIdx, oldIdx)
      : (this.#u16[this.#used16]! & USED_F_NO_NOTIFY) === 0;
    if (needed) {
      this.stats.notifications++;
      this.#notify();
    } else {
      this.stats.notificationsSuppressed++;
    }
    return needed;
  }

  /** Whether the device has published used elements we have not consumed. */
  hasUsed(): boolean {
    return this.broken === undefined && this.#u16[this.#used16 + 1] !== this.#lastUsed;
  }

  /**
   * Take the next valid used element: returns its token (and sets `usedLength`), or -1 when
   * there is none. Invalid elements are counted and skipped (see the file comment).
   */
  popUsed(): number {
    const u32 = this.#u32, size = this.size;
    for (;;) {
      if (this.broken !== undefined) return -1;
      const usedIdx = this.#u16[this.#used16 + 1]!;
      const last = this.#lastUsed;
      if (usedIdx === last) return -1;
      const ahead = (usedIdx - last) & 0xffff;
      if (ahead > size) {
        this.stats.idxJump++;
        this.#markBroken(`used idx advanced by ${ahead}, more than the queue size ${size}`);
        return -1;
      }
      const elem = this.#usedRing32 + 2 * (last & this.#mask);
      const id = u32[elem]!;
      const length = u32[elem + 1]!;
      this.#lastUsed = (last + 1) & 0xffff;
      if (id >= size) {
        this.stats.badId++;
        this.#violation(`used id ${id} out of range`);
        continue;
      }
      if (this.#inFlight[id] === 0) {
        this.stats.notInFlight++;
        this.#violation(`used id ${id} not in flight`);
        continue;
      }
      const token = this.#token[id]!;
      const tooLong = length > this.#writable[id]!;
      if (this.#chainLen[id] === 1) {
        // #release for a single descriptor, inlined (the per-frame case).
        this.#inFlight[id] = 0;
        this.#nextFree[id] = this.#freeHead;
        this.#freeHead = id;
        this.#numFree++;
      } else {
        this.#release(id);
      }
      if (tooLong) {
        this.stats.badLength++;
        this.usedLength = -1;
        this.#violation(`used length ${length} exceeds the buffer`);
        // The buffer is still handed back so the driver can recycle it.
        if (this.broken !== undefined) return -1;
        return token;
      }
      this.stats.completed++;
      this.usedLength = length;
      return token;
    }
  }

  /**
   * Ask for an interrupt once the device has used `delay` + 1 more elements (§2.7.10
   * used_event; without EVENT_IDX any used element interrupts). Returns true if elements are
   * already waiting: the caller must poll again or it may never be interrupted for them.
   */
  enableInterrupts(delay = 0): boolean {
    if (this.#eventIdx) this.#u16[this.#usedEvent16] = (this.#lastUsed + delay) & 0xffff;
    else this.#u16[this.#avail16] = 0;
    // The device must see the request before we look for elements it used meanwhile.
    this.#fence();
    return this.hasUsed();
  }

  /** Ask the device not to interrupt for this queue (a hint: it may still do so). */
  disableInterrupts(): void {
    // An event index just behind the consumer is crossed again only after 2^16 elements.
    if (this.#eventIdx) this.#u16[this.#usedEvent16] = (this.#lastUsed - 1) & 0xffff;
    else this.#u16[this.#avail16] = AVAIL_F_NO_INTERRUPT;
  }

  /** One descriptor of a chain (addChain). addBuffer does the same steps inline: keep the two in step. */
  #writeDesc(id: number, phys: number, length: number, flags: number, next: number): void {
    const w = id * (DESC_SIZE >>> 2);
    const u32 = this.#u32;
    const lo = phys >>> 0; // ToUint32: phys mod 2^32 for any integer below 2^53
    u32[w] = lo;
    u32[w + 1] = phys > 0xffffffff ? (phys - lo) / 0x1_0000_0000 : 0;
    u32[w + 2] = length;
    const h = (w + 3) << 1;
    this.#u16[h] = flags;
    this.#u16[h + 1] = next;
  }

  #track(head: number, token: number, chainLen: number, writableBytes: number): void {
    this.#token[head] = token;
    this.#chainLen[head] = chainLen;
    this.#writable[head] = writableBytes;
    this.#inFlight[head] = 1;
  }

  /** Ring entry first, then the index the device polls (§2.7.13). addBuffer inlines this and #track. */
  #publish(head: number): void {
    this.#u16[this.#avail16 + 2 + (this.#availIdx & this.#mask)] = head;
    this.#availIdx = (this.#availIdx + 1) & 0xffff;
    this.#u16[this.#avail16 + 1] = this.#availIdx;
  }

  /** Return a chain to the free list, walking our private copy of its links (popUsed inlines n = 1). */
  #release(head: number): void {
    this.#inFlight[head] = 0;
    const n = this.#chainLen[head]!;
    // The chain occupies ids taken consecutively from the free list: head, next[head], ...
    // (addChain links them in that order), so its last id links back to the old free head.
    let last = head;
    for (let i = 1; i < n; i++) last = this.#nextFree[last]!;
    this.#nextFree[last] = this.#freeHead;
    this.#freeHead = head;
    this.#numFree += n;
  }

  #violation(why: string): void {
    this.#violations++;
    if (this.#violations >= this.size) this.#markBroken(`${this.#violations} invalid used elements (last: ${why})`);
  }

  #markBroken(why: string): void {
    if (this.broken !== undefined) return;
    this.broken = `queue ${this.index}: ${why}`;
    this.#onBroken(this.broken);
  }
}

/**
 * IPv4 fragment reassembly (RFC 791 §3.2, with RFC 815's hole list). Pure, with bounds:
 * - at most `maxDatagramBytes` of payload per datagram and `maxTotalBytes` buffered overall
 *   (the oldest datagrams are dropped to make room), at most `maxDatagrams` in progress;
 * - a datagram not complete `timeoutMs` after its first fragment is dropped (RFC 1122
 *   §3.3.2 recommends 60-120 s; we use 30 s to bound memory under attack);
 * - overlapping fragments: an exact re-send of already received bytes is ignored; a fragment
 *   that overlaps received data only in part drops the whole datagram (as Linux does since
 *   CVE-2018-5391, and as RFC 5722 requires for IPv6): overlaps are never stitched.
 */
import type { Ipv4Addr } from './addr.ts';
import { count, type Stats } from './wire/result.ts';

export interface ReassemblyLimits {
  maxDatagramBytes: number;
  maxTotalBytes: number;
  maxDatagrams: number;
  timeoutMs: number;
}

export const DEFAULT_REASSEMBLY_LIMITS: ReassemblyLimits = {
  maxDatagramBytes: 64 * 1024, maxTotalBytes: 256 * 1024, maxDatagrams: 64, timeoutMs: 30_000,
};

export interface FragmentInfo {
  src: Ipv4Addr;
  dst: Ipv4Addr;
  protocol: number;
  ident: number;
  offset: number; // bytes
  moreFragments: boolean;
}

interface Hole { first: number; last: number } // inclusive, RFC 815 §3

interface Partial {
  holes: Hole[];
  chunks: { offset: number; data: Uint8Array }[];
  bytes: number;
  totalLength: number | undefined;
  expires: number;
}

export class Reassembler {
  readonly stats: Stats = {};
  readonly #partials = new Map<string, Partial>();
  #bufferedBytes = 0;
  constructor(readonly limits: ReassemblyLimits = DEFAULT_REASSEMBLY_LIMITS) {}

  get bufferedBytes(): number { return this.#bufferedBytes; }
  get inProgress(): number { return this.#partials.size; }

  /** Add one fragment's payload. Returns the whole payload once every hole is filled. */
  add(now: number, f: FragmentInfo, payload: Uint8Array): Uint8Array | undefined {
    this.expire(now);
    const first = f.offset;
    const last = f.offset + payload.length - 1;
    // RFC 791: every fragment but the last carries a multiple of 8 bytes.
    if (f.moreFragments && (payload.length === 0 || payload.length % 8 !== 0)) return this.#drop('frag-bad-length');
    if (f.offset + payload.length > this.limits.maxDatagramBytes || f.offset + payload.length > 65535 - 20) return this.#drop('frag-too-big');
    const key = `${f.src}/${f.dst}/${f.protocol}/${f.ident}`;
    let p = this.#partials.get(key);
    if (!p) {
      if (this.#partials.size >= this.limits.maxDatagrams) this.#evictOldest();
      p = { holes: [{ first: 0, last: Infinity }], chunks: [], bytes: 0, totalLength: undefined, expires: now + this.limits.timeoutMs };
      this.#partials.set(key, p);
    }
    const end = f.offset + payload.length;
    if (!f.moreFragments) {
      if (p.totalLength !== undefined && p.totalLength !== end) return this.#discard(key, p, 'frag-inconsistent');
      p.totalLength = end;
    }
    if (p.totalLength !== undefined && end > p.totalLength) return this.#discard(key, p, 'frag-inconsistent');
    if (payload.length === 0) {
      // A zero-length last fragment only fixes the total length.
    } else {
      const touched = p.holes.filter((h) => h.first <= last && h.last >= first);
      if (touched.length === 0) {
        count(this.stats, 'frag-duplicate');
        return undefined;
      }
      if (touched.length > 1 || touched[0]!.first > first || touched[0]!.last < last) return this.#discard(key, p, 'frag-overlap');
      const hole = touched[0]!;
      // RFC 815 §3 steps 4-6: replace the hole by what remains on either side.
      p.holes.splice(p.holes.indexOf(hole), 1);
      if (hole.first < first) p.holes.push({ first: hole.first, last: first - 1 });
      if (hole.last > last && f.moreFragments) p.holes.push({ first: last + 1, last: hole.last });
      while (this.#bufferedBytes + payload.length > this.limits.maxTotalBytes && this.#evictOldest(key)) { /* make room */ }
      if (this.#bufferedBytes + payload.length > this.limits.maxTotalBytes) return this.#discard(key, p, 'frag-memory');
      p.chunks.push({ offset: f.offset, data: payload.slice() });
      p.bytes += payload.length;
      this.#bufferedBytes += payload.length;
    }
    if (p.totalLength !== undefined) p.holes = p.holes.filter((h) => h.first < p.totalLength!).map((h) => ({ first: h.first, last: Math.min(h.last, p.totalLength! - 1) }));
    if (p.totalLength === undefined || p.holes.length > 0) return undefined;
    this.#remove(key, p);
    const out = new Uint8Array(p.totalLength);
    for (const c of p.chunks) out.set(c.data, c.offset);
    count(this.stats, 'reassembled');
    return out;
  }

  #drop(reason: string): undefined {
    count(this.stats, reason);
    return undefined;
  }

  #discard(key: string, p: Partial, reason: string): undefined {
    this.#remove(key, p);
    return this.#drop(reason);
  }

  #remove(key: string, p: Partial): void {
    this.#partials.delete(key);
    this.#bufferedBytes -= p.bytes;
  }

  /** Drop the oldest datagram other than `keep`; false if there was none. */
  #evictOldest(keep?: string): boolean {
    for (const [key, p] of this.#partials) {
      if (key === keep) continue;
      this.#remove(key, p);
      count(this.stats, 'frag-evicted');
      return true;
    }
    return false;
  }

  expire(now: number): void {
    for (const [key, p] of this.#partials) {
      if (now >= p.expires) { this.#remove(key, p); count(this.stats, 'frag-timeout'); }
    }
  }

  pollAt(): number {
    let at = Infinity;
    for (const p of this.#partials.values()) at = Math.min(at, p.expires);
    return at;
  }
}

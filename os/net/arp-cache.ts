/**
 * The ARP cache and the queue of datagrams waiting for resolution (RFC 826, RFC 1122 §2.3.2).
 * Pure: every method takes `now`. Bounds: `maxEntries` cached addresses (the entry expiring
 * first is evicted), `maxPending` addresses being resolved, `maxQueuedPerAddress` datagrams
 * and `maxQueuedBytesPerAddress` bytes per address (the oldest are dropped; the byte bound
 * lets a fragmented 64 KB datagram wait whole). RFC 1122 §2.3.2.1: at most one request per second per
 * address; after `maxRequests` unanswered requests the queued datagrams are dropped.
 */
import type { Ipv4Addr, MacAddr } from './addr.ts';
import { count, type Stats } from './wire/result.ts';

export interface ArpCacheLimits {
  maxEntries: number;
  maxPending: number;
  maxQueuedPerAddress: number;
  maxQueuedBytesPerAddress: number;
  entryLifetimeMs: number;
  requestIntervalMs: number;
  maxRequests: number;
}

export const DEFAULT_ARP_LIMITS: ArpCacheLimits = {
  maxEntries: 256, maxPending: 64, maxQueuedPerAddress: 64, maxQueuedBytesPerAddress: 96 * 1024, entryLifetimeMs: 60_000, requestIntervalMs: 1000, maxRequests: 3,
};

interface Pending {
  queue: Uint8Array[]; // whole IPv4 datagrams
  bytes: number;
  lastRequest: number;
  requests: number;
}

export class ArpCache {
  readonly stats: Stats = {};
  readonly #entries = new Map<Ipv4Addr, { mac: MacAddr; expires: number }>();
  readonly #pending = new Map<Ipv4Addr, Pending>();
  /** Datagrams dropped because their address never resolved, until takeUnresolved(). */
  #unresolved: Uint8Array[] = [];
  constructor(readonly limits: ArpCacheLimits = DEFAULT_ARP_LIMITS) {}

  lookup(now: number, addr: Ipv4Addr): MacAddr | undefined {
    const e = this.#entries.get(addr);
    if (!e) return undefined;
    if (now >= e.expires) {
      this.#entries.delete(addr);
      return undefined;
    }
    return e.mac;
  }

  has(addr: Ipv4Addr): boolean {
    return this.#entries.has(addr);
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Record a mapping (RFC 826 "merge"). `create` false only refreshes an existing entry.
   * Returns datagrams that were waiting for this address.
   */
  update(now: number, addr: Ipv4Addr, mac: MacAddr, create: boolean): Uint8Array[] {
    const pending = this.#pending.get(addr);
    if (!create && !this.#entries.has(addr) && !pending) return [];
    this.#entries.delete(addr); // re-insert so Map order tracks recency
    if (this.#entries.size >= this.limits.maxEntries) this.#evictOne();
    this.#entries.set(addr, { mac: mac.slice(0, 6), expires: now + this.limits.entryLifetimeMs });
    if (!pending) return [];
    this.#pending.delete(addr);
    return pending.queue;
  }

  #evictOne(): void {
    let victim: Ipv4Addr | undefined;
    let earliest = Infinity;
    for (const [addr, e] of this.#entries) {
      if (e.expires < earliest) { earliest = e.expires; victim = addr; }
    }
    if (victim !== undefined) { this.#entries.delete(victim); count(this.stats, 'evicted'); }
  }

  remove(addr: Ipv4Addr): void {
    this.#entries.delete(addr);
  }

  clear(): void {
    this.#entries.clear();
    for (const p of this.#pending.values()) count(this.stats, 'pending-dropped', p.queue.length);
    this.#pending.clear();
  }

  /**
   * Queue `datagram` until `addr` resolves. Returns true when a request should be sent now
   * (first datagram for this address, or the rate limit allows a retry).
   */
  enqueue(now: number, addr: Ipv4Addr, datagram: Uint8Array): boolean {
    let p = this.#pending.get(addr);
    if (!p) {
      if (this.#pending.size >= this.limits.maxPending) {
        count(this.stats, 'pending-full');
        return false;
      }
      p = { queue: [], bytes: 0, lastRequest: -Infinity, requests: 0 };
      this.#pending.set(addr, p);
    }
    p.queue.push(datagram);
    p.bytes += datagram.length;
    while (p.queue.length > this.limits.maxQueuedPerAddress || p.bytes > this.limits.maxQueuedBytesPerAddress) {
      p.bytes -= p.queue.shift()!.length;
      count(this.stats, 'queue-overflow');
    }
    if (now - p.lastRequest >= this.limits.requestIntervalMs && p.requests < this.limits.maxRequests) {
      p.lastRequest = now;
      p.requests++;
      return true;
    }
    return false;
  }

  /**
   * Advance time: returns the addresses to send another request for; drops queues of
   * addresses that stayed unanswered after `maxRequests`.
   */
  poll(now: number): Ipv4Addr[] {
    const requests: Ipv4Addr[] = [];
    for (const [addr, p] of this.#pending) {
      if (now - p.lastRequest < this.limits.requestIntervalMs) continue;
      if (p.requests >= this.limits.maxRequests) {
        count(this.stats, 'unresolved', p.queue.length);
        for (const d of p.queue) this.#unresolved.push(d);
        this.#pending.delete(addr);
        continue;
      }
      p.lastRequest = now;
      p.requests++;
      requests.push(addr);
    }
    return requests;
  }

  /**
   * The datagrams dropped by poll() because their next hop never answered (RFC 1122 §2.3.2.2:
   * the sender learns of the failure), oldest first; empties the list.
   */
  takeUnresolved(): Uint8Array[] {
    const out = this.#unresolved;
    this.#unresolved = [];
    return out;
  }

  pollAt(): number {
    let at = Infinity;
    for (const p of this.#pending.values()) at = Math.min(at, p.lastRequest + this.limits.requestIntervalMs);
    return at;
  }
}

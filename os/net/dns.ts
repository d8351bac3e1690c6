/**
 * DNS stub resolver (RFC 1035 §7, RFC 1123 §6.1.3) for A records, pure with explicit time.
 *
 * - each query uses a random 16-bit id and its own random ephemeral source port (RFC 5452 §9);
 * - a response is accepted only from a server the query was sent to, from port 53, with our
 *   id, the response bit, and exactly our question (name compared case-insensitively);
 * - CNAME chains are followed inside the answer section, re-querying the last target when
 *   the server stopped early, up to `maxChain` links;
 * - each try waits `timeoutMs`; `attempts` tries rotate over the configured servers;
 *   SERVFAIL/REFUSED moves to the next try at once;
 * - answers are cached for their TTL (capped at `maxTtlS`); NXDOMAIN and NODATA are cached
 *   for the SOA minimum when the server sent one (RFC 2308 §5); at most `maxCacheEntries`;
 * - a truncated answer (TC bit) is never cached (RFC 2181 §9); its complete A records serve
 *   that one lookup, else the next server is tried. There is no retry over TCP (RFC 7766).
 * Results are delivered from poll(), never from inside lookup().
 */
import { parseIpv4, type Ipv4Addr } from './addr.ts';
import type { Udp, UdpMessage, UdpSocket } from './udp.ts';
import { DnsClass, dnsLength, DnsRcode, DnsType, DNS_PORT, dnsQuery, emitDns, isValidName, parseDns, type DnsMessage } from './wire/dns.ts';
import { count, type Stats } from './wire/result.ts';

export type DnsErrorCode = 'ENOTFOUND' | 'ENODATA' | 'ETIMEOUT' | 'ESERVFAIL' | 'EREFUSED' | 'EBADNAME' | 'ECONNREFUSED' | 'ECANCELLED';

export type DnsLookupResult =
  | { ok: true; name: string; addresses: Ipv4Addr[]; canonicalName: string; ttl: number }
  | { ok: false; name: string; code: DnsErrorCode };

export interface DnsResolverOptions {
  udp: Udp;
  random: (buf: Uint8Array) => void;
  /** The current DNS servers (read at each try, so DHCP changes apply). */
  servers: () => readonly Ipv4Addr[];
  timeoutMs?: number;
  attempts?: number;
  maxChain?: number;
  maxCacheEntries?: number;
  maxTtlS?: number;
  maxQueries?: number;
}

interface CacheEntry { expires: number; result: DnsLookupResult }

interface Query {
  name: string; // as asked (normalised)
  current: string; // the name on the wire now (a CNAME target after re-query)
  chain: number;
  id: number;
  socket: UdpSocket;
  attempt: number;
  deadline: number;
  askedServers: Set<Ipv4Addr>;
  callback: (r: DnsLookupResult) => void;
  done: boolean;
}

export interface DnsLookupHandle { cancel(): void }

export class DnsResolver {
  readonly stats: Stats = {};
  readonly #o: Required<DnsResolverOptions>;
  readonly #cache = new Map<string, CacheEntry>();
  readonly #queries = new Set<Query>();
  #ready: { callback: (r: DnsLookupResult) => void; result: DnsLookupResult }[] = [];

  constructor(options: DnsResolverOptions) {
    this.#o = { timeoutMs: 2000, attempts: 3, maxChain: 8, maxCacheEntries: 256, maxTtlS: 86_400, maxQueries: 64, ...options };
  }

  get cacheSize(): number { return this.#cache.size; }
  get activeQueries(): number { return this.#queries.size; }
  clearCache(): void { this.#cache.clear(); }

  /** Resolve `name` to IPv4 addresses; `callback` runs once, from a later poll(). */
  lookup(now: number, hostname: string, callback: (r: DnsLookupResult) => void): DnsLookupHandle {
    const name = hostname.toLowerCase().replace(/\.$/, '');
    const literal = parseIpv4(name);
    if (literal !== undefined) return this.#resolveLater(callback, { ok: true, name, addresses: [literal], canonicalName: name, ttl: 0 });
    if (name === '' || !isValidName(name)) return this.#resolveLater(callback, { ok: false, name: hostname, code: 'EBADNAME' });
    const cached = this.#cache.get(name);
    if (cached && now < cached.expires) {
      count(this.stats, 'cache-hit');
      const result = cached.result.ok ? { ...cached.result, ttl: Math.ceil((cached.expires - now) / 1000) } : cached.result;
      return this.#resolveLater(callback, result);
    }
    if (cached) this.#cache.delete(name);
    if (this.#o.servers().length === 0) return this.#resolveLater(callback, { ok: false, name, code: 'ECONNREFUSED' });
    if (this.#queries.size >= this.#o.maxQueries) { count(this.stats, 'too-many-queries'); return this.#resolveLater(callback, { ok: false, name, code: 'EREFUSED' }); }
    const q: Query = {
      name, current: name, chain: 0, id: 0, socket: undefined as unknown as UdpSocket, attempt: 0, deadline: 0,
      askedServers: new Set(), callback, done: false,
    };
    // A fresh random port per query (RFC 5452 §9.2).
    try {
      q.socket = this.#o.udp.bind({ onMessage: (t, m) => this.#input(t, q, m) });
    } catch {
      count(this.stats, 'no-socket');
      return this.#resolveLater(callback, { ok: false, name, code: 'EREFUSED' });
    }
    this.#queries.add(q);
    this.#send(now, q);
    return { cancel: () => this.#finish(q, { ok: false, name, code: 'ECANCELLED' }, false) };
  }

  #resolveLater(callback: (r: DnsLookupResult) => void, result: DnsLookupResult): DnsLookupHandle {
    const entry = { callback, result };
    this.#ready.push(entry);
    return { cancel: () => { this.#ready = this.#ready.filter((e) => e !== entry); } };
  }

  #random16(): number {
    const b = new Uint8Array(2);
    this.#o.random(b);
    return (b[0]! << 8) | b[1]!;
  }

  #send(now: number, q: Query): void {
    const servers = this.#o.servers();
    if (servers.length === 0) return this.#finish(q, { ok: false, name: q.name, code: 'ECONNREFUSED' });
    const server = servers[q.attempt % servers.length]!;
    q.id = q.attempt === 0 ? this.#random16() : q.id;
    q.askedServers.add(server);
    const msg = dnsQuery(q.id, q.current, DnsType.A);
    const buf = new Uint8Array(dnsLength(msg));
    emitDns(msg, buf);
    q.socket.send(server, DNS_PORT, buf);
    q.deadline = now + this.#o.timeoutMs;
    count(this.stats, 'sent');
  }

  #retry(now: number, q: Query, code: DnsErrorCode): void {
    q.attempt++;
    if (q.attempt >= this.#o.attempts) return this.#finish(q, { ok: false, name: q.name, code });
    this.#send(now, q);
  }

  #finish(q: Query, result: DnsLookupResult, deliver = true): void {
    if (q.done) return;
    q.done = true;
    q.socket.close();
    this.#queries.delete(q);
    if (deliver) this.#ready.push({ callback: q.callback, result });
  }

  #cachePut(now: number, name: string, result: DnsLookupResult, ttlS: number): void {
    const ttl = Math.min(ttlS, this.#o.maxTtlS);
    if (!(ttl > 0)) return;
    this.#cache.delete(name);
    if (this.#cache.size >= this.#o.maxCacheEntries) {
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    this.#cache.set(name, { expires: now + ttl * 1000, result });
  }

  #input(now: number, q: Query, m: UdpMessage): void {
    if (q.done) return;
    if (m.srcPort !== DNS_PORT || !q.askedServers.has(m.src)) return count(this.stats, 'wrong-source');
    const r = parseDns(m.payload);
    if (!r.ok) return count(this.stats, `malformed-${r.reason}`);
    const msg = r.value;
    const question = msg.questions[0];
    if (!msg.response || msg.id !== q.id || msg.opcode !== 0 || msg.questions.length !== 1 || !question ||
        question.name.toLowerCase() !== q.current || question.type !== DnsType.A || question.class !== DnsClass.IN) {
      return count(this.stats, 'mismatch');
    }
    if (msg.truncated) {
      // RFC 2181 §9: a truncated answer may hold a partial RRset and must not be cached; the
      // full answer needs TCP (RFC 7766), which this stub resolver does not speak. Complete A
      // records in it are used for this lookup only; without any, the next server is asked.
      count(this.stats, 'truncated');
      if (msg.rcode !== DnsRcode.NOERROR) return this.#retry(now, q, 'ESERVFAIL');
      return this.#answer(now, q, msg, false);
    }
    switch (msg.rcode) {
      case DnsRcode.NOERROR: return this.#answer(now, q, msg);
      case DnsRcode.NXDOMAIN: {
        count(this.stats, 'nxdomain');
        const result: DnsLookupResult = { ok: false, name: q.name, code: 'ENOTFOUND' };
        this.#cachePut(now, q.name, result, negativeTtl(msg));
        return this.#finish(q, result);
      }
      case DnsRcode.REFUSED: count(this.stats, 'refused'); return this.#retry(now, q, 'EREFUSED');
      default: count(this.stats, 'servfail'); return this.#retry(now, q, 'ESERVFAIL');
    }
  }

  #answer(now: number, q: Query, msg: DnsMessage, cache = true): void {
    let name = q.current;
    let ttl = Infinity;
    for (;;) {
      const a = msg.answers.filter((r) => r.type === DnsType.A && r.class === DnsClass.IN && r.name.toLowerCase() === name && r.data.kind === 'A');
      if (a.length > 0) {
        for (const r of a) ttl = Math.min(ttl, r.ttl);
        const addresses = a.map((r) => (r.data.kind === 'A' ? r.data.address : 0));
        const result: DnsLookupResult = { ok: true, name: q.name, addresses, canonicalName: name, ttl };
        if (cache) this.#cachePut(now, q.name, result, ttl);
        count(this.stats, 'resolved');
        return this.#finish(q, result);
      }
      const cname = msg.answers.find((r) => r.type === DnsType.CNAME && r.name.toLowerCase() === name && r.data.kind === 'CNAME');
      if (!cname || cname.data.kind !== 'CNAME') break;
      if (!cache) { count(this.stats, 'truncated-unusable'); return this.#retry(now, q, 'ESERVFAIL'); }
      if (++q.chain > this.#o.maxChain) { count(this.stats, 'chain-too-long'); return this.#finish(q, { ok: false, name: q.name, code: 'ESERVFAIL' }); }
      ttl = Math.min(ttl, cname.ttl);
      name = cname.data.name.toLowerCase();
    }
    if (name !== q.current) {
      // The chain ends in a CNAME without its A record: ask for the target (new id, same port).
      q.current = name;
      q.attempt = 0;
      q.askedServers.clear();
      return this.#send(now, q);
    }
    if (!cache) { count(this.stats, 'truncated-unusable'); return this.#retry(now, q, 'ESERVFAIL'); }
    count(this.stats, 'nodata');
    const result: DnsLookupResult = { ok: false, name: q.name, code: 'ENODATA' };
    this.#cachePut(now, q.name, result, negativeTtl(msg));
    this.#finish(q, result);
  }

  poll(now: number): void {
    for (const q of [...this.#queries]) if (now >= q.deadline) { count(this.stats, 'timeout'); this.#retry(now, q, 'ETIMEOUT'); }
    const ready = this.#ready;
    this.#ready = [];
    for (const { callback, result } of ready) callback(result);
  }

  pollAt(now: number): number {
    if (this.#ready.length > 0) return now;
    let at = Infinity;
    for (const q of this.#queries) at = Math.min(at, q.deadline);
    return Math.max(now, at);
  }
}

/** RFC 2308 §5: min(SOA TTL, SOA MINIMUM); the MINIMUM is the last 4 bytes of SOA RDATA. */
function negativeTtl(msg: DnsMessage): number {
  const soa = msg.authorities.find((r) => r.type === DnsType.SOA && r.data.kind === 'raw' && r.data.bytes.length >= 22);
  if (!soa || soa.data.kind !== 'raw') return 0;
  const b = soa.data.bytes;
  const n = b.length;
  const minimum = ((b[n - 4]! << 24) | (b[n - 3]! << 16) | (b[n - 2]! << 8) | b[n - 1]!) >>> 0;
  return Math.min(soa.ttl, minimum, 3600);
}

/**
 * node:dns on the stack's stub resolver (os/net/dns.ts: A records, cache, CNAME chains,
 * servers from DHCP or `nimbus.dns=`). IPv4 only.
 *
 * - lookup() answers IP literals and 'localhost' (→ 127.0.0.1) without the network, like
 *   getaddrinfo with /etc/hosts. There is no loopback interface: connecting or sending to
 *   127.0.0.1 reaches the interface's own address instead (see os/netservice). Other
 *   names are resolved over DNS; errors use getaddrinfo's codes as Node reports them:
 *   ENOTFOUND for NXDOMAIN / no address / bad names, EAI_AGAIN for timeouts, SERVFAIL,
 *   REFUSED and "no DNS server".
 * - resolve4()/resolve() use c-ares's codes as Node does (`queryA ETIMEOUT name`,
 *   ENOTFOUND, ESERVFAIL, EREFUSED, ENODATA, EBADNAME, ECONNREFUSED when no server).
 *   Only 'A' queries exist; other record types fail with ENOTIMP.
 * - setServers() replaces the interface's DNS servers until DHCP renews them.
 */
import { formatIpv4, parseIpv4 } from '../net/addr.ts';
import type { DnsLookupResult } from '../net/dns.ts';
import { getNetwork, type NetworkService } from '../netservice/index.ts';
import { dnsError, invalidArgType, nodeError } from '../netservice/errors.ts';
import { isIPv6, lookupCode } from './internal/net-address.ts';
import * as promises from './dns-promises.ts';

type Cb = (...args: any[]) => void;

export interface LookupOptions {
  family?: 0 | 4 | 6 | 'IPv4' | 'IPv6';
  hints?: number;
  all?: boolean;
  verbatim?: boolean;
  order?: 'ipv4first' | 'ipv6first' | 'verbatim';
}

export interface LookupAddress { address: string; family: 4 | 6 }

// c-ares / getaddrinfo error codes (Node's dns constants).
export const NODATA = 'ENODATA';
export const FORMERR = 'EFORMERR';
export const SERVFAIL = 'ESERVFAIL';
export const NOTFOUND = 'ENOTFOUND';
export const NOTIMP = 'ENOTIMP';
export const REFUSED = 'EREFUSED';
export const BADQUERY = 'EBADQUERY';
export const BADNAME = 'EBADNAME';
export const BADFAMILY = 'EBADFAMILY';
export const BADRESP = 'EBADRESP';
export const CONNREFUSED = 'ECONNREFUSED';
export const TIMEOUT = 'ETIMEOUT';
export const EOF = 'EOF';
export const FILE = 'EFILE';
export const NOMEM = 'ENOMEM';
export const DESTRUCTION = 'EDESTRUCTION';
export const BADSTR = 'EBADSTR';
export const BADFLAGS = 'EBADFLAGS';
export const NONAME = 'ENONAME';
export const BADHINTS = 'EBADHINTS';
export const NOTINITIALIZED = 'ENOTINITIALIZED';
export const LOADIPHLPAPI = 'ELOADIPHLPAPI';
export const ADDRGETNETWORKPARAMS = 'EADDRGETNETWORKPARAMS';
export const CANCELLED = 'ECANCELLED';
export const ADDRCONFIG = 1024;
export const V4MAPPED = 2048;
export const ALL = 256;

let resultOrder: 'ipv4first' | 'ipv6first' | 'verbatim' = 'verbatim';
export function setDefaultResultOrder(order: 'ipv4first' | 'ipv6first' | 'verbatim'): void {
  if (order !== 'ipv4first' && order !== 'ipv6first' && order !== 'verbatim') {
    throw nodeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The argument 'dnsOrder' must be one of: 'verbatim', 'ipv4first', 'ipv6first'. Received '${String(order)}'`);
  }
  resultOrder = order;
}
export function getDefaultResultOrder(): string { return resultOrder; }

function familyOf(f: unknown): 0 | 4 | 6 {
  if (f === undefined || f === null || f === 0) return 0;
  if (f === 4 || f === 'IPv4') return 4;
  if (f === 6 || f === 'IPv6') return 6;
  throw nodeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The property 'options.family' must be one of: 0, 4, 6. Received ${String(f)}`);
}

/** The resolver-side lookup used by both APIs (callback always deferred). */
function resolveA(net: NetworkService, hostname: string, cb: (r: DnsLookupResult) => void): { cancel(): void } {
  if (hostname.toLowerCase() === 'localhost') {
    net.loop.nextTick(() => cb({ ok: true, name: hostname, addresses: [0x7f000001], canonicalName: hostname, ttl: 0 }));
    return { cancel: () => {} };
  }
  return net.lookup(hostname, cb);
}

/** dns.lookup(hostname[, options | family], callback). */
export function lookup(hostname: string, options: LookupOptions | number | Cb, callback?: Cb): object {
  if (typeof options === 'function') { callback = options; options = {}; }
  if (typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
  if (hostname !== undefined && hostname !== null && typeof hostname !== 'string') throw invalidArgType('hostname', 'of type string', hostname);
  const opts: LookupOptions = typeof options === 'number' ? { family: options as 0 | 4 | 6 } : (options ?? {});
  const family = familyOf(opts.family);
  const all = opts.all === true;
  const cb = callback;
  const net = getNetwork();
  const answer = (addresses: LookupAddress[]): void => {
    if (all) cb(null, addresses);
    else cb(null, addresses[0]!.address, addresses[0]!.family);
  };
  if (!hostname) {
    net.loop.nextTick(() => (all ? cb(null, []) : cb(null, null, family === 6 ? 6 : 4)));
    return {};
  }
  if (parseIpv4(hostname) !== undefined) {
    net.loop.nextTick(() => answer([{ address: hostname, family: 4 }]));
    return {};
  }
  if (isIPv6(hostname)) {
    net.loop.nextTick(() => answer([{ address: hostname, family: 6 }]));
    return {};
  }
  if (family === 6) {
    // No AAAA records (and no IPv6) here: getaddrinfo(AF_INET6) finds nothing.
    net.loop.nextTick(() => cb(dnsError('ENOTFOUND', 'getaddrinfo', hostname)));
    return {};
  }
  resolveA(net, hostname, (r) => {
    if (r.ok && r.addresses.length > 0) answer(r.addresses.map((a) => ({ address: formatIpv4(a), family: 4 as const })));
    else cb(dnsError(r.ok ? 'ENOTFOUND' : lookupCode(r.code), 'getaddrinfo', hostname));
  });
  return {};
}

export function lookupService(address: string, port: number, callback: Cb): void {
  void address; void port;
  getNetwork().loop.nextTick(() => callback(nodeError(Error, 'ERR_NOT_SUPPORTED', 'dns.lookupService is not supported by Nimbus (no reverse lookups)')));
}

/** c-ares's code for a resolver failure (what dns.resolve* report). */
function resolveCode(r: DnsLookupResult): string {
  if (r.ok) return r.addresses.length === 0 ? 'ENODATA' : 'ENOTFOUND';
  return r.code === 'ECANCELLED' ? 'ECANCELLED' : r.code;
}

function resolve4On(net: NetworkService, hostname: string, options: { ttl?: boolean }, cb: Cb, track?: Set<{ cancel(): void }>): void {
  if (typeof hostname !== 'string') throw invalidArgType('name', 'of type string', hostname);
  if (parseIpv4(hostname) !== undefined) {
    // c-ares answers a literal with itself.
    net.loop.nextTick(() => cb(null, options.ttl ? [{ address: hostname, ttl: 0 }] : [hostname]));
    return;
  }
  const entry = {
    cancel: (): void => {
      h.cancel();
      net.loop.nextTick(() => cb(dnsError('ECANCELLED', 'queryA', hostname)));
    },
  };
  const h = resolveA(net, hostname, (r) => {
    track?.delete(entry);
    if (r.ok && r.addresses.length > 0) {
      cb(null, r.addresses.map((a) => (options.ttl ? { address: formatIpv4(a), ttl: r.ttl } : formatIpv4(a))));
    } else {
      cb(dnsError(resolveCode(r), 'queryA', hostname));
    }
  });
  track?.add(entry);
}

export function resolve4(hostname: string, options: { ttl?: boolean } | Cb, callback?: Cb): void {
  if (typeof options === 'function') { callback = options; options = {}; }
  if (typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
  resolve4On(getNetwork(), hostname, options ?? {}, callback);
}

function rrtypeError(net: NetworkService, hostname: string, rrtype: string, cb: Cb): void {
  const known = ['A', 'AAAA', 'ANY', 'CAA', 'CNAME', 'MX', 'NAPTR', 'NS', 'PTR', 'SOA', 'SRV', 'TXT'];
  if (!known.includes(rrtype)) throw nodeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The argument 'rrtype' is invalid. Received '${rrtype}'`);
  const syscall = `query${rrtype[0]}${rrtype.slice(1).toLowerCase()}`;
  net.loop.nextTick(() => cb(dnsError('ENOTIMP', syscall, hostname)));
}

export function resolve(hostname: string, rrtype: string | Cb, callback?: Cb): void {
  if (typeof rrtype === 'function') { callback = rrtype; rrtype = 'A'; }
  if (typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
  if (rrtype === 'A') resolve4(hostname, callback);
  else rrtypeError(getNetwork(), hostname, String(rrtype), callback);
}

export function resolve6(hostname: string, _options: object | Cb, callback?: Cb): void {
  const cb = (typeof _options === 'function' ? _options : callback) as Cb;
  rrtypeError(getNetwork(), hostname, 'AAAA', cb);
}

export function reverse(ip: string, callback: Cb): void {
  getNetwork().loop.nextTick(() => callback(dnsError('ENOTIMP', 'getHostByAddr', ip)));
}

export function getServers(): string[] {
  return getNetwork().dnsServers().map(formatIpv4);
}

export function setServers(servers: readonly string[]): void {
  if (!Array.isArray(servers)) throw invalidArgType('servers', 'an instance of Array', servers);
  const addrs = servers.map((s) => {
    const host = s.replace(/:53$/, '');
    const a = parseIpv4(host);
    if (a === undefined) throw nodeError(TypeError, 'ERR_INVALID_IP_ADDRESS', `Invalid IP address: ${s}`);
    return a;
  });
  if (!getNetwork().setDnsServers(addrs)) throw nodeError(Error, 'ERR_NOT_SUPPORTED', 'dns.setServers: the interface has no configuration yet');
}

/** An independent resolver object (shares the process's stack, servers and cache). */
export class Resolver {
  readonly #pending = new Set<{ cancel(): void }>();
  constructor(_options?: { timeout?: number; tries?: number }) {}
  resolve4(hostname: string, options: { ttl?: boolean } | Cb, callback?: Cb): void {
    if (typeof options === 'function') { callback = options; options = {}; }
    resolve4On(getNetwork(), hostname, options ?? {}, callback!, this.#pending);
  }
  resolve(hostname: string, rrtype: string | Cb, callback?: Cb): void {
    if (typeof rrtype === 'function') { callback = rrtype; rrtype = 'A'; }
    if (rrtype === 'A') this.resolve4(hostname, callback!);
    else rrtypeError(getNetwork(), hostname, String(rrtype), callback!);
  }
  resolve6(hostname: string, callback: Cb): void { rrtypeError(getNetwork(), hostname, 'AAAA', callback); }
  reverse(ip: string, callback: Cb): void { reverse(ip, callback); }
  getServers(): string[] { return getServers(); }
  setServers(servers: readonly string[]): void { setServers(servers); }
  setLocalAddress(): void {}
  /** Pending queries are cancelled (their callbacks never run). */
  cancel(): void {
    for (const h of this.#pending) h.cancel();
    this.#pending.clear();
  }
}

export { promises };

export default {
  lookup, lookupService, resolve, resolve4, resolve6, reverse, getServers, setServers, Resolver, promises,
  setDefaultResultOrder, getDefaultResultOrder,
  NODATA, FORMERR, SERVFAIL, NOTFOUND, NOTIMP, REFUSED, BADQUERY, BADNAME, BADFAMILY, BADRESP, CONNREFUSED,
  TIMEOUT, EOF, FILE, NOMEM, DESTRUCTION, BADSTR, BADFLAGS, NONAME, BADHINTS, NOTINITIALIZED, LOADIPHLPAPI,
  ADDRGETNETWORKPARAMS, CANCELLED, ADDRCONFIG, V4MAPPED, ALL,
};

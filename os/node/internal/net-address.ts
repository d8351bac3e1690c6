/**
 * node:net's address helpers (isIP, isIPv4, isIPv6) and the checks the socket and server
 * share: loopback names (there is no loopback interface, os/netservice), port validation,
 * and the mapping of the resolver's codes to getaddrinfo's (Node's dns.lookup).
 */
import { parseIpv4 } from '../../net/addr.ts';
import { badPort } from '../../netservice/errors.ts';

/** Node's isIPv4: four decimal octets without leading zeros. */
export function isIPv4(input: unknown): boolean {
  return typeof input === 'string' && parseIpv4(input) !== undefined;
}

/** Node's isIPv6 (RFC 4291 §2.2): hex groups, at most one '::', an optional trailing IPv4, an optional zone. */
export function isIPv6(input: unknown): boolean {
  if (typeof input !== 'string') return false;
  let s = input;
  const pct = s.indexOf('%');
  if (pct >= 0) {
    if (!/^[0-9a-zA-Z\-.:]+$/.test(s.slice(pct + 1))) return false;
    s = s.slice(0, pct);
  }
  let groupsNeeded = 8;
  const lastColon = s.lastIndexOf(':');
  if (lastColon >= 0 && s.indexOf('.', lastColon) >= 0) {
    if (!isIPv4(s.slice(lastColon + 1))) return false;
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const parse = (part: string): number => {
    if (part === '') return 0;
    const groups = part.split(':');
    for (const g of groups) if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return -1;
    return groups.length;
  };
  if (halves.length === 1) return parse(halves[0]!) === groupsNeeded;
  const a = parse(halves[0]!), b = parse(halves[1]!);
  if (a < 0 || b < 0) return false;
  groupsNeeded -= 1;
  return a + b <= groupsNeeded;
}

export function isIP(input: unknown): 0 | 4 | 6 {
  return isIPv4(input) ? 4 : isIPv6(input) ? 6 : 0;
}

/** 'localhost', '::1' and 127.0.0.0/8: served by the interface's own address. */
export function isLoopbackName(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.') && isIPv4(host);
}

/** A port as Node accepts it (number or numeric string); RangeError ERR_SOCKET_BAD_PORT otherwise. */
export function validatePort(port: unknown, name: string, allowZero: boolean): number {
  const n = typeof port === 'string' && port.trim() !== '' ? Number(port) : port;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < (allowZero ? 0 : 1) || n > 65535) throw badPort(name, port, allowZero);
  return n;
}

/** The resolver's codes as getaddrinfo reports them (Node's dns.lookup). */
export function lookupCode(code: string): string {
  switch (code) {
    case 'ETIMEOUT': return 'EAI_AGAIN';
    case 'ESERVFAIL': case 'EREFUSED': case 'ECONNREFUSED': return 'EAI_AGAIN';
    case 'ENODATA': return 'ENOTFOUND';
    case 'EBADNAME': return 'ENOTFOUND';
    default: return code;
  }
}

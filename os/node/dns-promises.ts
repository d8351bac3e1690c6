/**
 * node:dns/promises: the promise forms of os/node/dns.ts (same resolver, same codes).
 */
import * as dns from './dns.ts';
import type { LookupAddress, LookupOptions } from './dns.ts';

type Cb = (...args: any[]) => void;

export function lookup(hostname: string, options: LookupOptions | number = {}): Promise<LookupAddress | LookupAddress[]> {
  return new Promise((resolve, reject) => {
    dns.lookup(hostname, options, ((err: Error | null, address: string | LookupAddress[], family?: 4 | 6) => {
      if (err) reject(err);
      else resolve(Array.isArray(address) ? address : { address, family: family! });
    }) as Cb);
  });
}

export function resolve4(hostname: string, options: { ttl?: boolean } = {}): Promise<string[] | { address: string; ttl: number }[]> {
  return new Promise((resolve, reject) => {
    dns.resolve4(hostname, options, (err: Error | null, addresses: string[]) => (err ? reject(err) : resolve(addresses)));
  });
}

export function resolve(hostname: string, rrtype = 'A'): Promise<string[]> {
  return new Promise((resolve, reject) => {
    dns.resolve(hostname, rrtype, (err: Error | null, addresses: string[]) => (err ? reject(err) : resolve(addresses)));
  });
}

export function resolve6(hostname: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    dns.resolve6(hostname, {}, (err: Error | null, addresses: string[]) => (err ? reject(err) : resolve(addresses)));
  });
}

export function reverse(ip: string): Promise<string[]> {
  return new Promise((resolve, reject) => dns.reverse(ip, (err: Error | null, names: string[]) => (err ? reject(err) : resolve(names))));
}

export function lookupService(address: string, port: number): Promise<{ hostname: string; service: string }> {
  return new Promise((resolve, reject) => dns.lookupService(address, port, (err: Error | null, hostname: string, service: string) => (err ? reject(err) : resolve({ hostname, service }))));
}

export const getServers = (): string[] => dns.getServers();
export const setServers = (servers: readonly string[]): void => dns.setServers(servers);
export const setDefaultResultOrder = (order: 'ipv4first' | 'ipv6first' | 'verbatim'): void => dns.setDefaultResultOrder(order);
export const getDefaultResultOrder = (): string => dns.getDefaultResultOrder();

export class Resolver {
  readonly #r = new dns.Resolver();
  resolve4(hostname: string, options: { ttl?: boolean } = {}): Promise<string[] | { address: string; ttl: number }[]> {
    return new Promise((resolve, reject) => this.#r.resolve4(hostname, options, (err: Error | null, a: string[]) => (err ? reject(err) : resolve(a))));
  }
  resolve(hostname: string, rrtype = 'A'): Promise<string[]> {
    return new Promise((resolve, reject) => this.#r.resolve(hostname, rrtype, (err: Error | null, a: string[]) => (err ? reject(err) : resolve(a))));
  }
  getServers(): string[] { return this.#r.getServers(); }
  setServers(servers: readonly string[]): void { this.#r.setServers(servers); }
  cancel(): void { this.#r.cancel(); }
}

export default {
  lookup, lookupService, resolve, resolve4, resolve6, reverse, getServers, setServers, Resolver,
  setDefaultResultOrder, getDefaultResultOrder,
};

/** One IPv4 address for `hostname`: the lookup the HTTP layer (node:http, fetch) needs. */
export async function lookupIPv4(hostname: string): Promise<string> {
  return ((await lookup(hostname, { family: 4 })) as LookupAddress).address;
}

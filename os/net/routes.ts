/**
 * A small IPv4 routing table: longest prefix wins. A route with gateway 0 is on-link
 * (the next hop is the destination itself). Capped at `maxRoutes`.
 */
import { prefixMask, type Ipv4Addr } from './addr.ts';

export interface Route {
  destination: Ipv4Addr;
  prefixLength: number;
  gateway: Ipv4Addr; // 0 = on-link
}

export class RouteTable {
  #routes: Route[] = [];
  constructor(readonly maxRoutes = 32) {}

  get routes(): readonly Route[] { return this.#routes; }

  add(route: Route): void {
    const mask = prefixMask(route.prefixLength);
    const r = { destination: (route.destination & mask) >>> 0, prefixLength: route.prefixLength, gateway: route.gateway >>> 0 };
    this.remove(r.destination, r.prefixLength);
    if (this.#routes.length >= this.maxRoutes) throw new RangeError(`Cannot add route: table full (${this.maxRoutes} routes)`);
    this.#routes.push(r);
    this.#routes.sort((a, b) => b.prefixLength - a.prefixLength);
  }

  remove(destination: Ipv4Addr, prefixLength: number): void {
    const d = (destination & prefixMask(prefixLength)) >>> 0;
    this.#routes = this.#routes.filter((r) => !(r.destination === d && r.prefixLength === prefixLength));
  }

  clear(): void {
    this.#routes = [];
  }

  /** The next hop for `dst`, or undefined when no route matches. */
  nextHop(dst: Ipv4Addr): Ipv4Addr | undefined {
    for (const r of this.#routes) {
      if (((dst & prefixMask(r.prefixLength)) >>> 0) === r.destination) return r.gateway === 0 ? dst : r.gateway;
    }
    return undefined;
  }
}

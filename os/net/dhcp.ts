/**
 * DHCP client (RFC 2131 §4.4), a pure state machine over a UDP socket bound to port 68:
 *
 *   INIT → SELECTING (DISCOVER) → REQUESTING (REQUEST) → BOUND
 *   BOUND --T1--> RENEWING (unicast REQUEST to the server)
 *   RENEWING --T2--> REBINDING (broadcast REQUEST)
 *   any --NAK--> INIT;  lease expiry --> INIT, address removed.
 *
 * Retransmission (§4.1): 4, 8, 16, ... s, each ±1 s at random, capped at 64 s. In RENEWING
 * and REBINDING (§4.4.5) the client waits half the remaining time to T2 / expiry, at least
 * 60 s. Transaction ids come from the injected random source. No ARP probe of the offered
 * address is made (RFC 5227 would have it); DECLINE is never sent.
 */
import type { Ipv4Addr, MacAddr } from './addr.ts';
import type { Ipv4Config } from './iface.ts';
import type { Udp, UdpMessage, UdpSocket } from './udp.ts';
import { DHCP_CLIENT_PORT, DHCP_SERVER_PORT, DhcpMessageType, DhcpOption, dhcpLength, emitDhcp, parseDhcp, type DhcpRepr } from './wire/dhcp.ts';
import { count, type Stats } from './wire/result.ts';

export type DhcpState = 'stopped' | 'init' | 'selecting' | 'requesting' | 'bound' | 'renewing' | 'rebinding';

export interface DhcpLease {
  address: Ipv4Addr;
  prefixLength: number;
  gateway?: Ipv4Addr;
  dns: Ipv4Addr[];
  serverId: Ipv4Addr;
  /** Absolute times in ms (same clock as `now`). */
  acquiredAt: number;
  renewAt: number;
  rebindAt: number;
  expiresAt: number;
}

export interface DhcpClientOptions {
  udp: Udp;
  mac: MacAddr;
  random: (buf: Uint8Array) => void;
  /** Apply (or with undefined, remove) the interface configuration. */
  configure: (config: Ipv4Config | undefined) => void;
  hostname?: string;
  /** Called after every state change (for logs and tests). */
  onStateChange?: (state: DhcpState, lease: DhcpLease | undefined) => void;
}

const INFINITE = 0xffffffff;
const PARAMS = [DhcpOption.SUBNET_MASK, DhcpOption.ROUTER, DhcpOption.DNS_SERVERS, DhcpOption.LEASE_TIME, DhcpOption.RENEWAL_TIME, DhcpOption.REBINDING_TIME];
/** REQUESTING gives up and restarts after this many transmissions (RFC 2131 §3.1 step 5 leaves it open). */
const MAX_REQUESTS = 4;
const NAK_RESTART_DELAY_MS = 1000;

function prefixFromMask(mask: number): number | undefined {
  let n = 0;
  while (n < 32 && (mask & (0x80000000 >>> n)) !== 0) n++;
  return ((n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0) === mask >>> 0) ? n : undefined;
}

export class DhcpClient {
  readonly stats: Stats = {};
  #state: DhcpState = 'stopped';
  #lease: DhcpLease | undefined;
  #offer: DhcpRepr | undefined;
  #xid = 0;
  #socket: UdpSocket | undefined;
  #nextSend = Infinity;
  #attempt = 0;
  #startedAt = 0;
  readonly #o: DhcpClientOptions;

  constructor(options: DhcpClientOptions) {
    this.#o = options;
  }

  get state(): DhcpState { return this.#state; }
  get lease(): DhcpLease | undefined { return this.#lease; }

  /** Start acquiring a lease; the first DISCOVER goes out on the next poll. */
  start(now: number): void {
    if (this.#state !== 'stopped') return;
    this.#socket = this.#o.udp.bind({ port: DHCP_CLIENT_PORT, onMessage: (t, m) => this.#input(t, m) });
    this.#restart(now, now);
  }

  /** Stop, sending a RELEASE when a lease is held, and remove the address. */
  stop(now: number): void {
    if (this.#state === 'stopped') return;
    if (this.#lease) {
      this.#send({ type: DhcpMessageType.RELEASE, ciaddr: this.#lease.address, serverId: this.#lease.serverId }, this.#lease.serverId);
      this.#o.configure(undefined);
    }
    void now;
    this.#lease = undefined;
    this.#socket?.close();
    this.#socket = undefined;
    this.#setState('stopped');
    this.#nextSend = Infinity;
  }

  #setState(s: DhcpState): void {
    this.#state = s;
    this.#o.onStateChange?.(s, this.#lease);
  }

  #newXid(): void {
    const b = new Uint8Array(4);
    this.#o.random(b);
    this.#xid = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  }

  /** RFC 2131 §4.1: 4 s doubling to 64 s, randomised by ±1 s. */
  #backoff(attempt: number): number {
    const base = Math.min(4000 * 2 ** attempt, 64_000);
    const b = new Uint8Array(2);
    this.#o.random(b);
    return base - 1000 + Math.round((((b[0]! << 8) | b[1]!) / 0xffff) * 2000);
  }

  #restart(now: number, sendAt: number): void {
    if (this.#lease) {
      this.#lease = undefined;
      this.#o.configure(undefined);
    }
    this.#offer = undefined;
    this.#attempt = 0;
    this.#startedAt = now;
    this.#newXid();
    this.#setState('init');
    this.#nextSend = sendAt;
  }

  poll(now: number): void {
    const lease = this.#lease;
    if (lease && (this.#state === 'bound' || this.#state === 'renewing' || this.#state === 'rebinding')) {
      if (now >= lease.expiresAt) {
        count(this.stats, 'lease-expired');
        this.#restart(now, now);
      } else if (now >= lease.rebindAt && this.#state !== 'rebinding') {
        this.#setState('rebinding');
        this.#nextSend = now;
      } else if (now >= lease.renewAt && this.#state === 'bound') {
        this.#newXid();
        this.#startedAt = now;
        this.#setState('renewing');
        this.#nextSend = now;
      }
    }
    if (now < this.#nextSend) return;
    switch (this.#state) {
      case 'init':
        this.#setState('selecting');
        this.#attempt = 0;
        this.#sendDiscover(now);
        break;
      case 'selecting':
        this.#attempt++;
        this.#sendDiscover(now);
        break;
      case 'requesting':
        if (++this.#attempt >= MAX_REQUESTS) { count(this.stats, 'request-timeout'); this.#restart(now, now); this.poll(now); return; }
        this.#sendRequest(now);
        break;
      case 'renewing':
      case 'rebinding': {
        const l = this.#lease!;
        const rebinding = this.#state === 'rebinding';
        this.#send({ type: DhcpMessageType.REQUEST, ciaddr: l.address, secs: now - this.#startedAt }, rebinding ? 0xffffffff : l.serverId);
        // RFC 2131 §4.4.5: half the remaining time, but at least 60 s.
        const until = rebinding ? l.expiresAt : l.rebindAt;
        this.#nextSend = Math.min(until, now + Math.max(60_000, (until - now) / 2));
        break;
      }
      default:
        this.#nextSend = Infinity;
    }
  }

  pollAt(now: number): number {
    let at = this.#nextSend;
    const l = this.#lease;
    if (l) {
      if (this.#state === 'bound') at = Math.min(at, l.renewAt);
      if (this.#state === 'bound' || this.#state === 'renewing') at = Math.min(at, l.rebindAt);
      at = Math.min(at, l.expiresAt);
    }
    return Math.max(now, at);
  }

  #sendDiscover(now: number): void {
    this.#send({ type: DhcpMessageType.DISCOVER, secs: now - this.#startedAt }, 0xffffffff);
    this.#nextSend = now + this.#backoff(this.#attempt);
  }

  #sendRequest(now: number): void {
    const o = this.#offer!;
    this.#send({ type: DhcpMessageType.REQUEST, requestedIp: o.yiaddr, serverId: o.serverId, secs: now - this.#startedAt }, 0xffffffff);
    this.#nextSend = now + this.#backoff(this.#attempt);
  }

  #send(m: { type: number; ciaddr?: Ipv4Addr; requestedIp?: Ipv4Addr; serverId?: Ipv4Addr; secs?: number }, dst: Ipv4Addr): void {
    const repr: DhcpRepr = {
      op: 1, xid: this.#xid, secs: Math.min(0xffff, Math.floor((m.secs ?? 0) / 1000)),
      // Broadcast flag: we cannot receive unicast before the address is configured (§4.1).
      broadcast: m.ciaddr === undefined,
      ciaddr: m.ciaddr ?? 0, yiaddr: 0, siaddr: 0, giaddr: 0, chaddr: this.#o.mac, messageType: m.type,
    };
    if (m.requestedIp !== undefined) repr.requestedIp = m.requestedIp;
    if (m.serverId !== undefined) repr.serverId = m.serverId;
    if (m.type !== DhcpMessageType.RELEASE) {
      repr.parameterRequestList = PARAMS;
      repr.maxMessageSize = 1500;
      if (this.#o.hostname) repr.hostname = this.#o.hostname;
    }
    const buf = new Uint8Array(dhcpLength(repr));
    emitDhcp(repr, buf);
    const r = this.#socket?.send(dst, DHCP_SERVER_PORT, buf);
    count(this.stats, r?.ok ? 'sent' : 'send-failed');
  }

  #input(now: number, msg: UdpMessage): void {
    if (msg.srcPort !== DHCP_SERVER_PORT) return count(this.stats, 'wrong-port');
    const r = parseDhcp(msg.payload);
    if (!r.ok) return count(this.stats, r.reason);
    const m = r.value;
    // RFC 2131 §4.4.1: match on xid and our hardware address.
    if (m.op !== 2 || m.xid !== this.#xid || !m.chaddr.every((b, i) => b === this.#o.mac[i])) return count(this.stats, 'not-ours');
    switch (m.messageType) {
      case DhcpMessageType.OFFER:
        if (this.#state !== 'selecting') return count(this.stats, 'unexpected');
        if (m.serverId === undefined || m.yiaddr === 0) return count(this.stats, 'bad-offer');
        this.#offer = m;
        this.#attempt = 0;
        this.#setState('requesting');
        this.#sendRequest(now);
        return;
      case DhcpMessageType.ACK:
        return this.#ack(now, m);
      case DhcpMessageType.NAK:
        if (this.#state !== 'requesting' && this.#state !== 'renewing' && this.#state !== 'rebinding') return count(this.stats, 'unexpected');
        if (this.#state === 'requesting' && m.serverId !== this.#offer?.serverId) return count(this.stats, 'not-ours');
        count(this.stats, 'nak');
        return this.#restart(now, now + NAK_RESTART_DELAY_MS);
      default:
        return count(this.stats, 'unexpected');
    }
  }

  #ack(now: number, m: DhcpRepr): void {
    if (this.#state !== 'requesting' && this.#state !== 'renewing' && this.#state !== 'rebinding') return count(this.stats, 'unexpected');
    const serverId = m.serverId ?? this.#offer?.serverId ?? this.#lease?.serverId;
    if (m.yiaddr === 0 || serverId === undefined) return count(this.stats, 'bad-ack');
    const mask = m.subnetMask ?? this.#offer?.subnetMask;
    const prefixLength = mask === undefined ? 24 : prefixFromMask(mask);
    if (prefixLength === undefined || prefixLength === 0 || prefixLength > 30) return count(this.stats, 'bad-ack');
    // RFC 2131 §4.4.5: T1 defaults to 0.5 and T2 to 0.875 of the lease.
    const leaseS = m.leaseTime ?? this.#offer?.leaseTime ?? 3600;
    const lease = leaseS === INFINITE ? Infinity : leaseS * 1000;
    let t1 = m.renewalTime !== undefined && m.renewalTime !== INFINITE ? m.renewalTime * 1000 : lease * 0.5;
    let t2 = m.rebindingTime !== undefined && m.rebindingTime !== INFINITE ? m.rebindingTime * 1000 : lease * 0.875;
    if (!(t2 <= lease)) t2 = lease * 0.875;
    if (!(t1 <= t2)) t1 = t2 * (0.5 / 0.875);
    const dns = m.dnsServers ?? [];
    const gateway = m.routers?.[0];
    const previous = this.#lease;
    this.#lease = { address: m.yiaddr, prefixLength, gateway, dns, serverId, acquiredAt: now, renewAt: now + t1, rebindAt: now + t2, expiresAt: now + lease };
    this.#offer = undefined;
    this.#nextSend = Infinity;
    count(this.stats, 'ack');
    const cfg: Ipv4Config = { address: m.yiaddr, prefixLength, dns };
    if (gateway !== undefined) cfg.gateway = gateway;
    if (!previous || previous.address !== m.yiaddr || previous.prefixLength !== prefixLength || previous.gateway !== gateway || previous.dns.join() !== dns.join()) {
      this.#o.configure(cfg);
    }
    this.#setState('bound');
  }
}

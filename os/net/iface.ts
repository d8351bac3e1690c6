/**
 * One Ethernet interface with IPv4: ARP, IPv4 input/output, fragment reassembly and output
 * fragmentation, routing, and the ICMP a host must speak (echo reply; port and protocol
 * unreachable, rate limited). Transports (UDP, TCP) plug in through `TransportProtocol`.
 *
 * Pure (DESIGN decision 7): `now` (ms) comes in with every call; `pollAt(now)` says when
 * `poll` next has work. Frames received are handled at once; frames to send are queued
 * (bounded) and handed to the driver by `poll`. Malformed input is counted in `stats`
 * (keys are `layer-reason`, e.g. `ip-bad-checksum`) and dropped; nothing here throws on input.
 */
import type { TxOffload } from '../drivers/net-device.ts';
import { BROADCAST_MAC, macEquals, prefixMask, type Ipv4Addr, type MacAddr } from './addr.ts';
import { ArpCache, DEFAULT_ARP_LIMITS, type ArpCacheLimits } from './arp-cache.ts';
import { DEFAULT_REASSEMBLY_LIMITS, Reassembler, type ReassemblyLimits } from './reassembly.ts';
import { RouteTable, type Route } from './routes.ts';
import { TokenBucket } from './token-bucket.ts';
import { FRAME_HEADROOM, type OutgoingDatagram, type TransportProtocol } from './transport.ts';
import { ArpOp, ARP_LEN, emitArp, parseArp } from './wire/arp.ts';
import { emitEthernet, EthernetFrame, EtherType, ETHERNET_HEADER_LEN } from './wire/ethernet.ts';
import { emitIcmp, icmpLength, parseIcmp, UnreachableCode, type IcmpRepr } from './wire/icmp.ts';
import { emitIpv4, IpProtocol, Ipv4Packet, IPV4_HEADER_LEN } from './wire/ipv4.ts';
import { completeTcpChecksum, segmentTcp } from './wire/tcp.ts';
import { count, type Stats } from './wire/result.ts';

export interface Ipv4Config {
  address: Ipv4Addr;
  prefixLength: number;
  gateway?: Ipv4Addr;
  dns?: Ipv4Addr[];
}

/**
 * Hands one frame to the device; false = refused (device full). `offload`: what the device
 * must finish (a partial checksum, a TSO super-segment); only set for datagrams that asked
 * for it, which a transport does only on a device with those capabilities.
 */
export type FrameTransmit = (frame: Uint8Array, offload?: TxOffload) => boolean | void;

export interface InterfaceOptions {
  mac: MacAddr;
  /** Largest IPv4 datagram on the link (default 1500). */
  mtu?: number;
  /** Fills its argument with random bytes; seeds the IP identification counter. */
  random?: (buf: Uint8Array) => void;
  ttl?: number;
  arp?: Partial<ArpCacheLimits>;
  reassembly?: Partial<ReassemblyLimits>;
  /**
   * Frames queued for the driver (default 512). A transport's emit is refused (it keeps its
   * data) once the queue is full; other frames beyond it are dropped and counted.
   */
  maxTxQueue?: number;
  /** ICMP error token bucket (default 10 burst, 10 per second). */
  icmpErrorBurst?: number;
  icmpErrorsPerSecond?: number;
}

/** Options an upper layer may set for one datagram. */
export interface SendOptions {
  dontFragment?: boolean;
  ttl?: number;
}

const LIMITED_BROADCAST = 0xffffffff;
const isMulticast = (a: Ipv4Addr): boolean => (a >>> 28) === 0xe;

export class Interface {
  readonly mac: MacAddr;
  readonly mtu: number;
  readonly stats: Stats = {};
  readonly arp: ArpCache;
  readonly reassembler: Reassembler;
  readonly routes = new RouteTable();
  readonly #protocols = new Map<number, TransportProtocol>();
  readonly #tx: Uint8Array[] = [];
  /** The offload request of each frame in #tx (same index), for the device. */
  readonly #txOffload: (TxOffload | undefined)[] = [];
  readonly #loopback: Uint8Array[] = [];
  readonly #maxTx: number;
  readonly #ttl: number;
  readonly #icmpErrors: TokenBucket;
  /** The driver refused a frame: nothing more is handed to it until txResume(). */
  #txBlocked = false;
  #config: Ipv4Config | undefined;
  #configRoutes: Route[] = [];
  #ident: number;

  constructor(options: InterfaceOptions) {
    if (options.mac.length !== 6) throw new TypeError('Interface mac must be 6 bytes');
    this.mac = options.mac.slice();
    this.mtu = options.mtu ?? 1500;
    if (this.mtu < 576 || this.mtu > 65535) throw new RangeError(`Invalid MTU ${this.mtu}: must be 576..65535`);
    this.arp = new ArpCache({ ...DEFAULT_ARP_LIMITS, ...options.arp });
    this.reassembler = new Reassembler({ ...DEFAULT_REASSEMBLY_LIMITS, ...options.reassembly });
    this.#maxTx = options.maxTxQueue ?? 512;
    this.#ttl = options.ttl ?? 64;
    this.#icmpErrors = new TokenBucket(options.icmpErrorBurst ?? 10, options.icmpErrorsPerSecond ?? 10);
    const seed = new Uint8Array(2);
    options.random?.(seed);
    this.#ident = (seed[0]! << 8) | seed[1]!;
  }

  // ---- configuration ----

  get config(): Readonly<Ipv4Config> | undefined {
    return this.#config;
  }

  get address(): Ipv4Addr | undefined {
    return this.#config?.address;
  }

  /**
   * Set (or with undefined, remove) the IPv4 configuration. Installs the on-link route for
   * the prefix and a default route via the gateway; routes added with addRoute() stay.
   * A new address is announced with a gratuitous ARP (RFC 5227 §2.3).
   */
  configure(config: Ipv4Config | undefined): void {
    if (config) {
      prefixMask(config.prefixLength); // throws RangeError on a bad prefix
      if (config.address === 0 || config.address === LIMITED_BROADCAST || isMulticast(config.address)) {
        throw new RangeError('Cannot configure interface: address must be unicast');
      }
    }
    const old = this.#config;
    for (const r of this.#configRoutes) this.routes.remove(r.destination, r.prefixLength);
    this.#configRoutes = [];
    this.#config = config ? { ...config, dns: [...(config.dns ?? [])] } : undefined;
    if (config) {
      const onLink = { destination: config.address, prefixLength: config.prefixLength, gateway: 0 };
      this.routes.add(onLink);
      this.#configRoutes.push(onLink);
      if (config.gateway) {
        const def = { destination: 0, prefixLength: 0, gateway: config.gateway };
        this.routes.add(def);
        this.#configRoutes.push(def);
      }
    }
    if (old?.address !== config?.address) {
      this.arp.clear();
      if (config) this.#queueArp(ArpOp.REQUEST, config.address, new Uint8Array(6), config.address, BROADCAST_MAC);
    }
  }

  addRoute(route: Route): void {
    this.routes.add(route);
  }

  removeRoute(destination: Ipv4Addr, prefixLength: number): void {
    this.routes.remove(destination, prefixLength);
  }

  addProtocol(protocol: TransportProtocol): void {
    if (protocol.protocol === IpProtocol.ICMP) throw new RangeError('ICMP is handled by the interface');
    if (this.#protocols.has(protocol.protocol)) throw new RangeError(`Protocol ${protocol.protocol} is already registered`);
    this.#protocols.set(protocol.protocol, protocol);
  }

  /** The source address to use toward `dst` (0 while unconfigured). */
  sourceAddressFor(_dst: Ipv4Addr): Ipv4Addr {
    return this.#config?.address ?? 0;
  }

  #subnetBroadcast(): Ipv4Addr | undefined {
    const c = this.#config;
    if (!c || c.prefixLength >= 31) return undefined;
    return (c.address | ~prefixMask(c.prefixLength)) >>> 0;
  }

  #isBroadcast(addr: Ipv4Addr): boolean {
    return addr === LIMITED_BROADCAST || addr === this.#subnetBroadcast();
  }

  // ---- receive path ----

  /**
   * Handle one Ethernet frame from the driver. Never throws on its content.
   * `checksumVerified`: the device validated the TCP/UDP checksum (virtio-net GUEST_CSUM);
   * it is then not computed again (the IPv4 header checksum always is). `segments` > 1: a TCP
   * segment that stands for that many received ones (./rx-coalescer.ts), told to the transport.
   */
  receive(now: number, frame: Uint8Array, checksumVerified = false, segments = 1): void {
    const f = EthernetFrame.parse(frame);
    if (!f.ok) return count(this.stats, `eth-${f.reason}`);
    const eth = f.value;
    if (!macEquals(eth.dst, this.mac) && !macEquals(eth.dst, BROADCAST_MAC)) return count(this.stats, 'eth-not-for-us');
    switch (eth.ethertype) {
      case EtherType.ARP: return this.#inputArp(now, eth.payload);
      case EtherType.IPV4: return this.#inputIp(now, eth.payload, checksumVerified, segments);
      default: return count(this.stats, 'eth-unknown-ethertype');
    }
  }

  #inputArp(now: number, bytes: Uint8Array): void {
    const r = parseArp(bytes);
    if (!r.ok) return count(this.stats, `arp-${r.reason}`);
    const a = r.value;
    if ((a.senderMac[0]! & 1) !== 0) return count(this.stats, 'arp-bad-sender');
    const me = this.#config?.address;
    if (me !== undefined && a.senderIp === me) {
      if (!macEquals(a.senderMac, this.mac)) count(this.stats, 'arp-conflict');
      return;
    }
    const forUs = me !== undefined && a.targetIp === me;
    if (a.senderIp !== 0) {
      // RFC 826 "merge": refresh a known sender; add it when the packet is aimed at us.
      for (const datagram of this.arp.update(now, a.senderIp, a.senderMac, forUs)) this.#queueIpFrame(a.senderMac, datagram);
    }
    if (forUs && a.operation === ArpOp.REQUEST) {
      this.#queueArp(ArpOp.REPLY, me, a.senderMac, a.senderIp, a.senderMac);
      count(this.stats, 'arp-replied');
    }
  }

  #inputIp(now: number, bytes: Uint8Array, checksumVerified = false, segments = 1): void {
    const r = Ipv4Packet.parse(bytes);
    if (!r.ok) return count(this.stats, `ip-${r.reason}`);
    const p = r.value;
    if (!p.checksumValid()) return count(this.stats, 'ip-bad-checksum');
    const src = p.src, dst = p.dst;
    if (src === LIMITED_BROADCAST || isMulticast(src) || this.#isBroadcast(src)) return count(this.stats, 'ip-bad-src');
    if (isMulticast(dst)) return count(this.stats, 'ip-multicast');
    const me = this.#config?.address;
    // While unconfigured (DHCP in progress) accept what the link layer addressed to us.
    if (me !== undefined && dst !== me && !this.#isBroadcast(dst)) return count(this.stats, 'ip-not-for-us');
    let payload = p.payload;
    let verified = checksumVerified;
    if (p.isFragment) {
      verified = false; // a device validates whole packets, never a reassembled datagram
      const whole = this.reassembler.add(now, { src, dst, protocol: p.protocol, ident: p.ident, offset: p.fragmentOffset, moreFragments: p.moreFragments }, payload);
      if (!whole) return;
      payload = whole;
    }
    count(this.stats, 'ip-delivered');
    this.#dispatch(now, p, payload, verified, segments);
  }

  #dispatch(now: number, p: Ipv4Packet, payload: Uint8Array, checksumVerified: boolean, segments: number): void {
    const src = p.src, dst = p.dst;
    if (p.protocol === IpProtocol.ICMP) return this.#inputIcmp(now, src, dst, payload);
    const transport = this.#protocols.get(p.protocol);
    if (!transport) {
      count(this.stats, 'ip-unknown-protocol');
      return this.#sendUnreachable(now, p, payload, UnreachableCode.PROTOCOL);
    }
    const taken = transport.input(now, src, dst, payload, checksumVerified, segments);
    if (!taken && p.protocol === IpProtocol.UDP) this.#sendUnreachable(now, p, payload, UnreachableCode.PORT);
  }

  #inputIcmp(now: number, src: Ipv4Addr, dst: Ipv4Addr, bytes: Uint8Array): void {
    const r = parseIcmp(bytes);
    if (!r.ok) return count(this.stats, `icmp-${r.reason}`);
    const m = r.value;
    switch (m.kind) {
      case 'echo-request':
        // RFC 1122 §3.2.2.6: replying to broadcast echo is optional; we do not (smurf).
        if (this.#isBroadcast(dst) || this.#config === undefined) return count(this.stats, 'icmp-echo-ignored');
        count(this.stats, 'icmp-echo-replied');
        return this.#sendIcmp(now, src, { kind: 'echo-reply', ident: m.ident, seq: m.seq, data: m.data });
      case 'dest-unreachable':
        return count(this.stats, 'icmp-unreachable-received');
      case 'echo-reply':
        return count(this.stats, 'icmp-echo-reply-received');
      default:
        return count(this.stats, 'icmp-other');
    }
  }

  /**
   * RFC 1122 §3.2.2: never answer a broadcast/multicast datagram, one from a non-unicast
   * source, or while we have no address; errors are rate limited (§3.2.2, token bucket).
   */
  #sendUnreachable(now: number, p: Ipv4Packet, payload: Uint8Array, code: number): void {
    if (this.#config === undefined || this.#isBroadcast(p.dst) || p.dst !== this.#config.address || p.src === 0) return;
    if (!this.#icmpErrors.take(now)) return count(this.stats, 'icmp-rate-limited');
    const original = new Uint8Array(p.headerLength + Math.min(8, payload.length));
    original.set(p.header);
    original.set(payload.subarray(0, 8), p.headerLength);
    count(this.stats, code === UnreachableCode.PORT ? 'icmp-port-unreachable-sent' : 'icmp-protocol-unreachable-sent');
    this.#sendIcmp(now, p.src, { kind: 'dest-unreachable', code, nextHopMtu: 0, original });
  }

  #sendIcmp(now: number, dst: Ipv4Addr, repr: IcmpRepr): void {
    const buf = new Uint8Array(icmpLength(repr));
    emitIcmp(repr, buf);
    this.send(now, { src: this.#config?.address ?? 0, dst, protocol: IpProtocol.ICMP, payload: buf });
  }

  // ---- send path ----

  /**
   * Route and queue one datagram. TCP datagrams get DF (we do PMTU discovery's part of not
   * fragmenting them); others are fragmented to the MTU. Returns false when it was dropped
   * (no route, too big with DF, queue full) and counts why.
   */
  send(now: number, d: OutgoingDatagram, options: SendOptions = {}): boolean {
    const dontFragment = options.dontFragment ?? d.protocol === IpProtocol.TCP;
    const total = IPV4_HEADER_LEN + d.payload.length;
    const offload = d.partialChecksumAt !== undefined;
    const gso = offload && d.protocol === IpProtocol.TCP && (d.segmentSize ?? 0) > 0;
    if (total > 65535) { count(this.stats, 'tx-too-big'); return false; }
    if (total > this.mtu && dontFragment && !gso) { count(this.stats, 'tx-too-big-df'); return false; }
    const me = this.#config?.address;
    let nextHop: Ipv4Addr | undefined;
    let mac: MacAddr | undefined;
    if (me !== undefined && d.dst === me) {
      nextHop = d.dst; // to ourselves: looped back in poll()
    } else if (this.#isBroadcast(d.dst)) {
      mac = BROADCAST_MAC;
    } else if (isMulticast(d.dst)) {
      // RFC 1112 §6.4: 01:00:5e + low 23 bits of the group.
      mac = new Uint8Array([0x01, 0x00, 0x5e, (d.dst >>> 16) & 0x7f, (d.dst >>> 8) & 0xff, d.dst & 0xff]);
    } else {
      nextHop = this.routes.nextHop(d.dst);
      if (nextHop === undefined) { count(this.stats, 'tx-no-route'); return false; }
    }
    const ident = this.#ident;
    this.#ident = (this.#ident + 1) & 0xffff;
    const ttl = options.ttl ?? this.#ttl;
    const toSelf = me !== undefined && d.dst === me;
    const direct = d.headroom === true && d.payload.byteOffset >= FRAME_HEADROOM && !toSelf;
    if (offload) {
      // The device finishes the checksum (and cuts a super-segment) only of a frame it gets now;
      // looped back, parked for ARP or copied, the datagram is finished here instead.
      const dstMac = direct ? mac ?? this.arp.lookup(now, nextHop!) : undefined;
      if (dstMac === undefined) return this.#sendInSoftware(now, d, options);
      const p = d.payload;
      const frame = new Uint8Array(p.buffer, p.byteOffset - FRAME_HEADROOM, FRAME_HEADROOM + p.length);
      emitIpv4({ src: d.src, dst: d.dst, protocol: d.protocol, ttl, ident, tos: 0, dontFragment, moreFragments: false, fragmentOffset: 0, payloadLength: p.length }, frame.subarray(ETHERNET_HEADER_LEN));
      emitEthernet({ dst: dstMac, src: this.mac, ethertype: EtherType.IPV4 }, frame);
      this.#queueFrame(frame, { checksumStart: FRAME_HEADROOM, checksumOffset: d.partialChecksumAt!, segmentSize: gso ? d.segmentSize! : 0 });
      if (gso) count(this.stats, 'tx-tso');
      return true;
    }
    if (direct && total <= this.mtu) {
      // The transport left room for our headers: write them in front of its bytes, no copy.
      const p = d.payload;
      const frame = new Uint8Array(p.buffer, p.byteOffset - FRAME_HEADROOM, FRAME_HEADROOM + p.length);
      emitIpv4({ src: d.src, dst: d.dst, protocol: d.protocol, ttl, ident, tos: 0, dontFragment, moreFragments: false, fragmentOffset: 0, payloadLength: p.length }, frame.subarray(ETHERNET_HEADER_LEN));
      const dstMac = mac ?? this.arp.lookup(now, nextHop!);
      if (dstMac) {
        emitEthernet({ dst: dstMac, src: this.mac, ethertype: EtherType.IPV4 }, frame);
        this.#queueFrame(frame);
      } else if (this.arp.enqueue(now, nextHop!, frame.subarray(ETHERNET_HEADER_LEN))) {
        this.#queueArpRequest(nextHop!);
      }
      return true;
    }
    const datagrams: Uint8Array[] = [];
    const maxChunk = Math.floor((this.mtu - IPV4_HEADER_LEN) / 8) * 8;
    for (let off = 0; ; off += maxChunk) {
      const chunk = d.payload.subarray(off, Math.min(d.payload.length, off + maxChunk));
      const more = off + chunk.length < d.payload.length;
      const buf = new Uint8Array(IPV4_HEADER_LEN + chunk.length);
      emitIpv4({ src: d.src, dst: d.dst, protocol: d.protocol, ttl, ident, tos: 0, dontFragment, moreFragments: more, fragmentOffset: off, payloadLength: chunk.length }, buf);
      buf.set(chunk, IPV4_HEADER_LEN);
      datagrams.push(buf);
      if (!more) break;
    }
    if (datagrams.length > 1) count(this.stats, 'tx-fragmented');
    for (const datagram of datagrams) {
      if (me !== undefined && d.dst === me) {
        if (this.#loopback.length >= this.#maxTx) { count(this.stats, 'tx-queue-full'); return false; }
        this.#loopback.push(datagram);
        continue;
      }
      if (mac) { this.#queueIpFrame(mac, datagram); continue; }
      const known = this.arp.lookup(now, nextHop!);
      if (known) { this.#queueIpFrame(known, datagram); continue; }
      if (this.arp.enqueue(now, nextHop!, datagram)) this.#queueArpRequest(nextHop!);
    }
    return true;
  }

  /** A datagram with offloads the device cannot apply now: checksums (and segments) in software. */
  #sendInSoftware(now: number, d: OutgoingDatagram, options: SendOptions): boolean {
    count(this.stats, 'tx-offload-in-software');
    const plain = (payload: Uint8Array): OutgoingDatagram => ({ src: d.src, dst: d.dst, protocol: d.protocol, payload });
    if (d.protocol !== IpProtocol.TCP) {
      // Only TCP asks for offloads today; anything else is a programming error, not input.
      throw new TypeError(`checksum offload requested for IP protocol ${d.protocol}`);
    }
    if ((d.segmentSize ?? 0) > 0) {
      let ok = true;
      for (const seg of segmentTcp(d.payload, d.src, d.dst, d.segmentSize!)) ok = this.send(now, plain(seg), options) && ok;
      return ok;
    }
    completeTcpChecksum(d.payload, d.src, d.dst);
    return this.send(now, plain(d.payload), options);
  }

  #queueArpRequest(target: Ipv4Addr): void {
    this.#queueArp(ArpOp.REQUEST, this.#config?.address ?? 0, new Uint8Array(6), target, BROADCAST_MAC);
    count(this.stats, 'arp-requested');
  }

  #queueArp(operation: number, senderIp: Ipv4Addr, targetMac: MacAddr, targetIp: Ipv4Addr, ethDst: MacAddr): void {
    const frame = new Uint8Array(ETHERNET_HEADER_LEN + ARP_LEN);
    emitEthernet({ dst: ethDst, src: this.mac, ethertype: EtherType.ARP }, frame);
    emitArp({ operation, senderMac: this.mac, senderIp, targetMac, targetIp }, frame.subarray(ETHERNET_HEADER_LEN));
    this.#queueFrame(frame);
  }

  #queueIpFrame(dst: MacAddr, datagram: Uint8Array): void {
    const frame = new Uint8Array(ETHERNET_HEADER_LEN + datagram.length);
    emitEthernet({ dst, src: this.mac, ethertype: EtherType.IPV4 }, frame);
    frame.set(datagram, ETHERNET_HEADER_LEN);
    this.#queueFrame(frame);
  }

  #queueFrame(frame: Uint8Array, offload?: TxOffload): void {
    if (this.#tx.length >= this.#maxTx) return count(this.stats, 'tx-queue-full');
    this.#tx.push(frame);
    this.#txOffload.push(offload);
  }

  /**
   * Run timers, collect what transports want sent, and hand queued frames to `transmit`.
   * When `transmit` returns false (the device is full) the frame and those after it stay
   * queued, in order, and nothing more is handed over or collected until `txResume()`
   * (the driver's onWritable); nothing is dropped for it.
   */
  poll(now: number, transmit: FrameTransmit): void {
    this.reassembler.expire(now);
    // Bounded: datagrams looped back during this pass wait for the next one.
    for (const datagram of this.#loopback.splice(0)) this.#inputIp(now, datagram);
    if (!this.#flush(transmit)) return;
    const emit = (d: OutgoingDatagram): boolean => {
      // Refuse (the transport keeps its data) while the queue is full.
      if (this.#tx.length >= this.#maxTx) return false;
      this.send(now, d);
      return true;
    };
    for (const p of this.#protocols.values()) p.poll(now, emit);
    for (const addr of this.arp.poll(now)) this.#queueArpRequest(addr);
    for (const d of this.arp.takeUnresolved()) this.#reportUnreachable(now, d);
    this.#flush(transmit);
  }

  /** The driver has room again after refusing a frame: poll() may hand frames over. */
  txResume(): void {
    this.#txBlocked = false;
  }

  /** True while a refused frame waits for txResume(). */
  get txBlocked(): boolean { return this.#txBlocked; }

  /** Frames queued for the driver. */
  get txQueued(): number { return this.#tx.length; }

  #flush(transmit: FrameTransmit): boolean {
    if (this.#txBlocked) return false;
    const tx = this.#tx, offloads = this.#txOffload;
    let i = 0;
    for (; i < tx.length; i++) {
      if (transmit(tx[i]!, offloads[i]) === false) {
        this.#txBlocked = true;
        count(this.stats, 'tx-device-full');
        break;
      }
    }
    tx.splice(0, i);
    offloads.splice(0, i);
    return !this.#txBlocked;
  }

  /** Tells the transport that sent `datagram` (a first fragment) that it could not be delivered. */
  #reportUnreachable(now: number, datagram: Uint8Array): void {
    if (datagram.length < IPV4_HEADER_LEN) return;
    const ihl = (datagram[0]! & 0x0f) * 4;
    const fragOffset = ((datagram[6]! & 0x1f) << 8) | datagram[7]!;
    if (fragOffset !== 0 || datagram.length < ihl + 4) return;
    const v = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
    const p = this.#protocols.get(datagram[9]!);
    p?.unreachable?.(now, v.getUint32(12), v.getUint32(16), datagram.subarray(ihl));
  }

  pollAt(now: number): number {
    if (this.#loopback.length > 0) return now;
    // While the device is full, only txResume() (from the driver's onWritable) restarts output.
    if (this.#txBlocked) return Math.max(Math.min(this.arp.pollAt(), this.reassembler.pollAt()), now);
    if (this.#tx.length > 0) return now;
    let at = Math.min(this.arp.pollAt(), this.reassembler.pollAt());
    for (const p of this.#protocols.values()) at = Math.min(at, p.pollAt(now));
    return Math.max(at, now);
  }
}


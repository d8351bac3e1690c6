/**
 * NetworkStack: one Interface with UDP, the DHCP client and the DNS resolver wired in, plus
 * any TransportProtocol handed to it (TCP). Pure: the runtime calls receive() per frame
 * from the driver, poll() to collect frames to send, and pollAt() to know when to call again.
 */
import type { Ipv4Addr, MacAddr } from './addr.ts';
import { RxCoalescer } from './rx-coalescer.ts';
import { DhcpClient, type DhcpState } from './dhcp.ts';
import { DnsResolver } from './dns.ts';
import { Interface, type FrameTransmit, type InterfaceOptions, type Ipv4Config } from './iface.ts';
import type { TransportProtocol } from './transport.ts';
import { Udp } from './udp.ts';

export interface NetworkStackOptions {
  mac: MacAddr;
  /** A cryptographically secure random source (IP ids, ports, DHCP xids, DNS ids). */
  random: (buf: Uint8Array) => void;
  mtu?: number;
  /** A static configuration; when absent and `dhcp` is not false, DHCP runs from start(). */
  ipv4?: Ipv4Config;
  dhcp?: boolean;
  hostname?: string;
  /** Extra transports (TCP) registered on the interface. */
  transports?: TransportProtocol[];
  iface?: Omit<InterfaceOptions, 'mac' | 'mtu' | 'random'>;
  /**
   * Join runs of pure ACKs and of in-order data segments (./rx-coalescer.ts): receive() may then
   * keep one frame until the next poll() (default false; the image's NetworkService turns it on,
   * since it polls after every device service()).
   */
  coalesce?: boolean;
  onDhcpStateChange?: (state: DhcpState) => void;
}

export class NetworkStack {
  readonly iface: Interface;
  readonly udp: Udp;
  readonly dns: DnsResolver;
  readonly dhcp: DhcpClient | undefined;
  readonly #transports: TransportProtocol[] = [];
  readonly coalescer: RxCoalescer | undefined;
  /** The time of the receive() or poll() that delivers frames the coalescer held. */
  #now = 0;

  constructor(options: NetworkStackOptions) {
    this.iface = new Interface({ ...options.iface, mac: options.mac, mtu: options.mtu, random: options.random });
    if (options.coalesce) {
      this.coalescer = new RxCoalescer(this.iface.mac, (frame, verified, segments) => this.iface.receive(this.#now, frame, verified, segments));
    }
    this.udp = new Udp({ random: options.random, sourceAddress: (dst) => this.iface.sourceAddressFor(dst) });
    this.iface.addProtocol(this.udp);
    for (const t of options.transports ?? []) this.addProtocol(t);
    this.dns = new DnsResolver({ udp: this.udp, random: options.random, servers: () => this.iface.config?.dns ?? [] });
    if (options.ipv4) this.iface.configure(options.ipv4);
    this.dhcp = options.ipv4 || options.dhcp === false ? undefined : new DhcpClient({
      udp: this.udp, mac: options.mac, random: options.random, hostname: options.hostname,
      configure: (c) => this.iface.configure(c),
      onStateChange: (s) => options.onDhcpStateChange?.(s),
    });
  }

  /** Register a transport (e.g. TCP) on the interface. */
  addProtocol(protocol: TransportProtocol): void {
    this.iface.addProtocol(protocol);
    this.#transports.push(protocol);
  }

  /** Start DHCP (if used). Static configurations need no start. */
  start(now: number): void {
    this.dhcp?.start(now);
  }

  get address(): Ipv4Addr | undefined {
    return this.iface.address;
  }

  configure(config: Ipv4Config | undefined): void {
    this.iface.configure(config);
  }

  /**
   * `checksumVerified`: see Interface.receive (virtio-net GUEST_CSUM). `more` = false: the
   * device has no further frame in this batch (NetworkDevice.onReceive).
   */
  receive(now: number, frame: Uint8Array, checksumVerified = false, more?: boolean): void {
    if (this.coalescer === undefined) return this.iface.receive(now, frame, checksumVerified);
    this.#now = now;
    this.coalescer.receive(frame, checksumVerified, more);
  }

  /** `transmit` may return false (device full); see Interface.poll and txResume(). */
  poll(now: number, transmit: FrameTransmit): void {
    if (this.coalescer?.holding) { this.#now = now; this.coalescer.flush(); }
    this.dhcp?.poll(now);
    this.dns.poll(now);
    this.iface.poll(now, transmit);
  }

  pollAt(now: number): number {
    if (this.coalescer?.holding) return now;
    return Math.min(this.iface.pollAt(now), this.dhcp?.pollAt(now) ?? Infinity, this.dns.pollAt(now));
  }
}

/**
 * netservice: the glue between the pure TCP/IP stack (os/net) and the runtime's event loop.
 * It owns the process's single NetworkStack + Tcp and drives them from a LoopSource. It is the
 * only door to the network: the socket layer (os/node/net.ts, dgram.ts, dns.ts) calls its
 * methods (connect, listen, bindUdp, lookup, dnsServers/setDnsServers) and never reaches the
 * stack itself (the stack and Tcp are private fields).
 *
 * Boot code calls `attachNetwork(device)` once a network device exists (before the program's
 * main module runs). The device is a NetworkDevice (os/drivers/net-device.ts): virtio-net, or
 * the process platform's tap. The service hands every received frame to the stack, sends
 * frames with `transmit(frame, more=true)` and one `flush()` per stack poll; a refused frame
 * stays queued in the interface until the device's onWritable (back-pressure, nothing
 * dropped). Programs reach the service through `getNetwork()`. Without a device,
 * `getNetwork()` gives a detached service: listening works, nothing ever arrives, and
 * connects fail with ENETUNREACH.
 *
 * Loop contract (runtime/loop.ts LoopSource):
 * - nextDeadline(now) = now while the device has pending work or socket events wait to
 *   be delivered, else stack.pollAt(now);
 * - run(now) = device service (which calls receive()), stack.poll(now, transmit), then the
 *   socket layer's deferred events, each as its own macrotask (loop.invoke), so an
 *   exception in user code never unwinds through the stack;
 * - isRef() is true while a ref'd socket or server exists (refcount kept by the socket
 *   layer, as Node's handles), while output is due now, and while a connection the
 *   program already closed still has data or a FIN to deliver (Node leaves that to the
 *   kernel after 'close'; here the program would otherwise exit with the bytes unsent).
 *
 * Addressing: IPv4 only. Static configuration comes from the options or the kernel
 * command line (`nimbus.ip=A.B.C.D/P nimbus.gateway=A.B.C.D nimbus.dns=A.B.C.D[,A.B.C.D]`);
 * otherwise DHCP runs. There is no loopback interface: 127.0.0.0/8 destinations are
 * redirected to the interface's own address (`mapLoopback`), which the interface loops
 * back internally, so "localhost" works once the interface has an address.
 */
import type { NetworkDevice } from '../drivers/net-device.ts';
import type { Hw } from '../hw/hw.ts';
import { formatIpv4, parseIpv4, type Ipv4Addr, type MacAddr } from '../net/addr.ts';
import type { DnsLookupResult } from '../net/dns.ts';
import type { Ipv4Config } from '../net/iface.ts';
import { NetworkStack } from '../net/stack.ts';
import {
  Tcp, type ConnectOptions, type ListenOptions, type TcpConnection, type TcpListener, type TcpOptions, type TcpState, type TcpStats,
} from '../net/tcp/index.ts';
import type { UdpBindOptions, UdpSocket } from '../net/udp.ts';
import type { Stats } from '../net/wire/result.ts';
import { Cmdline } from '../runtime/cmdline.ts';
import { currentLoop, type EventLoop, type LoopSource } from '../runtime/loop.ts';
import { randomFill } from '../runtime/random.ts';
import { memoryBudget, memoryHeadroomOf, memoryPressureOf } from '../runtime/memory.ts';

/**
 * Bytes of JS heap budgeted per connection when the connection cap is derived from memory (the
 * room below the pressure line when the network starts, memoryBudget). Measured in the guest, a
 * connection holding an HTTP request open (node:net socket, parser, request and response
 * objects, timers) takes ~14 KB; the other half is for its share of buffers in flight (receive
 * windows, stream chunks), which the stack caps by the headroom. 32 KiB: ~40 connections in an
 * 8 MB guest, ~200 in 16 MB, ~1,400 in 64 MB.
 */
export const HEAP_PER_CONNECTION = 32 * 1024;

/**
 * The connection cap for `budget` bytes of room (16..65,535). The floor is low on purpose: in a
 * guest too small for more, 16 connections served beat 64 admitted into out-of-memory.
 */
export function connectionLimitFor(budget: number): number {
  return Math.max(16, Math.min(65_535, Math.floor(budget / HEAP_PER_CONNECTION)));
}

/** How long a lookup or connect waits for DHCP to configure the interface. */
export const CONFIG_WAIT_MS = 30_000;

export interface StaticConfig {
  /** Dotted-quad strings or uint32 addresses. */
  address: string | Ipv4Addr;
  prefixLength: number;
  gateway?: string | Ipv4Addr;
  dns?: (string | Ipv4Addr)[];
}

export interface NetworkServiceOptions {
  /** The network device; without one (and without `transmit`) the service is detached. */
  device?: NetworkDevice;
  /**
   * Shorthand for tests: a device that is only this transmit function with `mac` (and `mtu`);
   * ignored when `device` is given. false = refused (the stack keeps the frame queued).
   */
  transmit?(frame: Uint8Array, more?: boolean): boolean;
  mac?: MacAddr;
  mtu?: number;
  /** Static IPv4 configuration; when absent, the command line's, else DHCP. */
  static?: StaticConfig;
  /** Defaults to the running program's loop (and its hw). */
  loop?: EventLoop;
  hw?: Hw;
  /** CSPRNG; defaults to the runtime's ChaCha20 (randomFill). */
  random?: (buf: Uint8Array) => void;
  /** Kernel command line to read nimbus.ip/gateway/dns from (default hw.cmdline). */
  cmdline?: string;
  /** Run DHCP when no static configuration is given (default true when a device exists). */
  dhcp?: boolean;
  hostname?: string;
  tcp?: Omit<TcpOptions, 'random' | 'localAddress'>;
  /** Register with the loop (default true). */
  register?: boolean;
}

/** The options' device: `device`, else one made of the `transmit` shorthand, else none. */
function deviceOf(opts: NetworkServiceOptions): NetworkDevice | undefined {
  if (opts.device) return opts.device;
  const transmit = opts.transmit;
  if (!opts.mac || !transmit) return undefined;
  return {
    name: 'transmit function', mac: opts.mac, mtu: opts.mtu ?? 1500, irqMask: 0, hasPendingWork: false,
    transmit: (frame, more) => transmit(frame, more),
    flush() {}, onReceive() {}, onWritable() {}, service() {},
  };
}

/** Parse a dotted quad or pass a uint32 through; throws TypeError on garbage. */
function addr(v: string | Ipv4Addr, what: string): Ipv4Addr {
  const a = typeof v === 'number' ? v >>> 0 : parseIpv4(v);
  if (a === undefined) throw new TypeError(`Invalid ${what} address: ${String(v)}`);
  return a;
}

function toConfig(s: StaticConfig): Ipv4Config {
  const c: Ipv4Config = { address: addr(s.address, 'IPv4'), prefixLength: s.prefixLength };
  if (s.gateway !== undefined) c.gateway = addr(s.gateway, 'gateway');
  c.dns = (s.dns ?? []).map((d) => addr(d, 'DNS server'));
  return c;
}

/**
 * The static configuration named on the kernel command line, or undefined when
 * `nimbus.ip` is absent. Throws TypeError for a malformed token (a boot error worth seeing).
 */
export function staticConfigFromCmdline(text: string): StaticConfig | undefined {
  const c = new Cmdline(text);
  const ip = c.get('nimbus.ip');
  if (ip === undefined) return undefined;
  const m = /^(\d+\.\d+\.\d+\.\d+)(?:\/(\d{1,2}))?$/.exec(ip);
  if (!m || parseIpv4(m[1]!) === undefined || (m[2] !== undefined && Number(m[2]) > 32)) {
    throw new TypeError(`Invalid nimbus.ip=${ip}: expected A.B.C.D/P`);
  }
  const out: StaticConfig = { address: m[1]!, prefixLength: m[2] === undefined ? 24 : Number(m[2]) };
  const gw = c.get('nimbus.gateway');
  if (gw) out.gateway = gw;
  const dns = c.all('nimbus.dns').flatMap((v) => v.split(',')).filter((v) => v !== '');
  out.dns = dns;
  return out;
}

/** A socket-layer object that keeps the program alive while ref'd. */
export interface RefHandle { ref(): void; unref(): void }

export class NetworkService {
  readonly loop: EventLoop;
  readonly hw: Hw;
  /** False for the detached service (no device). */
  readonly attached: boolean;
  /** Times the device refused a frame (back-pressure); the frame stayed queued, not lost. */
  txRefused = 0;
  readonly #stack: NetworkStack;
  readonly #tcp: Tcp;
  readonly #device: NetworkDevice | undefined;
  readonly #deferred: (() => void)[] = [];
  #refs = 0;
  #configWaiters: (() => void)[] = [];
  #remove: (() => void) | undefined;
  #source: LoopSource;
  #running = false;

  constructor(opts: NetworkServiceOptions = {}) {
    this.loop = opts.loop ?? currentLoop();
    this.hw = opts.hw ?? this.loop.hw;
    const random = opts.random ?? ((b: Uint8Array) => { randomFill(b); });
    const device = deviceOf(opts);
    this.#device = device;
    this.attached = device !== undefined;
    const mac = device?.mac ?? new Uint8Array([0x02, 0, 0, 0, 0, 0]);
    let ipv4: Ipv4Config | undefined;
    const st = opts.static ?? staticConfigFromCmdline(opts.cmdline ?? this.hw.cmdline ?? '');
    if (st) ipv4 = toConfig(st);
    const hw = this.hw;
    this.#tcp = new Tcp({
      maxConnections: connectionLimitFor(memoryBudget(hw)),
      memoryPressure: () => memoryPressureOf(hw),
      memoryHeadroom: () => memoryHeadroomOf(hw),
      // The device's transmit offloads, when it has them (a tap with a vnet header): TCP leaves
      // checksums partial and hands over super-segments; without them nothing changes.
      txChecksum: device?.txChecksum === true,
      tsoMaxBytes: device?.txChecksum === true ? device.tso?.maxBytes ?? 0 : 0,
      tsoMaxSegments: device?.txChecksum === true ? device.tso?.maxSegments : undefined,
      ...opts.tcp, random, localAddress: () => this.#stack.address,
    });
    this.#stack = new NetworkStack({
      mac, random, mtu: device?.mtu, ipv4, hostname: opts.hostname, coalesce: true,
      dhcp: ipv4 === undefined && (opts.dhcp ?? this.attached),
      transports: [this.#tcp],
    });
    // The device's view of a frame is valid only during the callback; the stack copies what
    // it keeps (TCP rings, reassembly, UDP queues), so no copy here.
    device?.onReceive((frame, checksumVerified, more) => this.receive(frame, checksumVerified, more));
    // Back-pressure: a frame the device refused stays queued in the stack until then.
    device?.onWritable(() => this.txResume());
    const self = this;
    this.#source = {
      get irqMask() { return device?.irqMask ?? 0; },
      nextDeadline: (now) => self.#nextDeadline(now),
      run: (now, ready) => self.#run(now, ready),
      isRef: () => self.#isRef(),
    };
    this.#stack.start(this.now());
    if (opts.register !== false) this.#remove = this.loop.addSource(this.#source);
  }

  /** Monotonic ms from the hw clock: the `now` of every stack call. */
  now(): number { return this.hw.now(); }

  /** The LoopSource (for a test driver that runs it by hand). */
  get source(): LoopSource { return this.#source; }

  /** The interface's address, or undefined while unconfigured. */
  get address(): Ipv4Addr | undefined { return this.#stack.address; }
  get addressString(): string | undefined {
    const a = this.#stack.address;
    return a === undefined ? undefined : formatIpv4(a);
  }

  /**
   * 127.0.0.0/8 and 0.0.0.0 → our own address (there is no loopback interface; Linux connects
   * to 0.0.0.0 as to the local host); others unchanged.
   */
  mapLoopback(a: Ipv4Addr): Ipv4Addr {
    return (a >>> 24) === 127 || a === 0 ? (this.#stack.address ?? a) : a;
  }

  /**
   * Open a TCP connection (RFC 9293 §3.10.1 OPEN); a 127.0.0.0/8 or 0.0.0.0 destination goes
   * to our own address. Throws as Tcp.connect does (no address, port in use, unreachable).
   */
  connect(options: Omit<ConnectOptions, 'localAddress'>): TcpConnection {
    return this.#tcp.connect(this.now(), { ...options, remoteAddress: this.mapLoopback(options.remoteAddress) });
  }

  /** Listen for TCP connections on `port`; throws when the port is taken. */
  listen(port: number, options: ListenOptions = {}): TcpListener {
    return this.#tcp.listen(port, options);
  }

  /** A UDP socket on the stack; throws (with a `code`) when the port is taken. */
  bindUdp(options: UdpBindOptions = {}): UdpSocket {
    return this.#stack.udp.bind(options);
  }

  /** The interface's IPv4 configuration (address, prefix, gateway, DNS), once it has one. */
  get config(): Readonly<Ipv4Config> | undefined {
    return this.#stack.iface.config;
  }

  /** The DNS servers the resolver asks, in order. */
  dnsServers(): Ipv4Addr[] {
    return [...(this.#stack.iface.config?.dns ?? [])];
  }

  /** Replace the DNS servers; false when the interface has no configuration yet to hold them. */
  setDnsServers(servers: readonly Ipv4Addr[]): boolean {
    const cfg = this.#stack.iface.config;
    if (!cfg) return false;
    this.#stack.iface.configure({ ...cfg, dns: [...servers] });
    return true;
  }

  /** The DHCP client's state, or undefined when the configuration is static. */
  get dhcpState(): string | undefined {
    return this.#stack.dhcp?.state;
  }

  /** Counters of the TCP layer and the interface, and the TCP table's size (diagnostics). */
  stats(): { tcp: Readonly<TcpStats>; iface: Readonly<Stats>; reassembly: Readonly<Stats>; connections: number; connectionLimit: number; timeWait: number } {
    const tcp = this.#tcp;
    const iface = this.#stack.iface;
    return {
      tcp: tcp.stats, iface: iface.stats, reassembly: iface.reassembler.stats,
      connections: tcp.connectionCount, connectionLimit: tcp.connectionLimit, timeWait: tcp.timeWaitCount,
    };
  }

  /** The state of every TCP connection (TIME-WAIT entries are not connections). */
  connectionStates(): TcpState[] {
    return this.#tcp.connections().map((c) => c.state);
  }

  /** The device has room again after refusing a frame (its onWritable). */
  txResume(): void {
    this.#stack.iface.txResume();
  }

  /** A frame from the device (valid only during the call; the stack copies what it keeps). */
  receive(frame: Uint8Array, checksumVerified = false, more?: boolean): void {
    this.#stack.receive(this.now(), frame, checksumVerified, more);
  }

  /** Count one more ref'd handle (socket, server, UDP socket). */
  ref(): void { this.#refs++; }
  unref(): void { if (this.#refs > 0) this.#refs--; }
  get refCount(): number { return this.#refs; }

  /**
   * Run `fn` from the loop after the stack's current work, as its own macrotask. Socket
   * events go through here so that they never run inside Tcp.input/poll.
   */
  defer(fn: () => void): void {
    this.#deferred.push(fn);
  }

  /** Call `fn` (deferred) once the interface has an address (now if it has one). */
  whenConfigured(fn: () => void): { cancel(): void } {
    if (this.#stack.address !== undefined) { this.defer(fn); return { cancel: () => {} }; }
    this.#configWaiters.push(fn);
    return { cancel: () => { this.#configWaiters = this.#configWaiters.filter((f) => f !== fn); } };
  }

  /** Resolve a name through the stack's resolver; the callback runs deferred. */
  lookup(name: string, cb: (r: DnsLookupResult) => void): { cancel(): void } {
    // A pending lookup keeps the program alive, as Node's getaddrinfo request does.
    let done = false;
    this.ref();
    const finish = (): boolean => {
      if (done) return false;
      done = true;
      this.unref();
      return true;
    };
    let inner: { cancel(): void } | undefined;
    const start = (): void => {
      if (done) return;
      inner = this.#stack.dns.lookup(this.now(), name, (r) => {
        if (!done) this.defer(() => { if (finish()) cb(r); });
      });
    };
    if (this.#stack.address === undefined && !this.attached) {
      this.defer(() => { if (finish()) cb({ ok: false, name, code: 'ECONNREFUSED' }); });
      return { cancel: () => { finish(); } };
    }
    // The resolver answers ECONNREFUSED at once without servers: wait (bounded) for DHCP.
    const waiting = this.whenConfigured(() => { timer?.close(); start(); });
    const timer = this.#stack.address === undefined ? this.loop.setTimeout(() => {
      waiting.cancel();
      if (finish()) cb({ ok: false, name, code: 'ETIMEOUT' });
    }, CONFIG_WAIT_MS) : undefined;
    timer?.unref();
    return { cancel: () => { if (finish()) { timer?.close(); waiting.cancel(); inner?.cancel(); } } };
  }

  /** Stop driving the stack (tests; a detached replacement). */
  close(): void {
    this.#remove?.();
    this.#remove = undefined;
  }

  #lingering(): boolean {
    // A connection the program closed that still has bytes or a FIN in flight.
    for (const c of this.#tcp.connections()) {
      const s = c.state;
      if (s === 'FIN-WAIT-1' || s === 'CLOSING' || s === 'LAST-ACK') return true;
    }
    return false;
  }

  #isRef(): boolean {
    if (this.#refs > 0 || this.#deferred.length > 0) return true;
    const now = this.now();
    if (this.#stack.pollAt(now) <= now) return true;
    return this.#lingering();
  }

  #nextDeadline(now: number): number {
    if (this.#deferred.length > 0 || this.#device?.hasPendingWork) return now;
    if (this.#configWaiters.length > 0 && this.#stack.address !== undefined) return now;
    return this.#stack.pollAt(now);
  }

  #run(now: number, ready: number): void {
    if (this.#running) return;
    this.#running = true;
    try {
      this.#device?.service(now, ready);
      // Events the socket layer queued while handling input are flushed after the poll, so
      // that every segment their handlers send goes out in this same run.
      for (let round = 0; round < 4; round++) {
        const t = this.now();
        this.#stack.poll(t, (frame, offload) => {
          if (this.#device?.transmit(frame, true, offload)) return true;
          this.txRefused++;
          return false;
        });
        this.#device?.flush();
        if (this.#configWaiters.length > 0 && this.#stack.address !== undefined) {
          for (const w of this.#configWaiters.splice(0)) this.#deferred.push(w);
        }
        if (this.#deferred.length === 0) break;
        const batch = this.#deferred.splice(0);
        for (const fn of batch) this.loop.invoke(fn, undefined, []);
        if (this.#stack.pollAt(this.now()) > this.now()) break;
      }
    } finally {
      this.#running = false;
    }
  }
}

let current: NetworkService | undefined;

/** The process's network (a detached one when no device was attached). */
export function getNetwork(): NetworkService {
  current ??= new NetworkService({});
  return current;
}

/** Called by the boot code for the (first) network device. */
export function attachNetwork(device: NetworkDevice, opts: Omit<NetworkServiceOptions, 'device'> = {}): NetworkService {
  if (current) throw new Error('attachNetwork: the network is already set up');
  current = new NetworkService({ ...opts, device });
  return current;
}

/** A service not installed as the process's network (tests run two of them). */
export function createNetworkService(opts: NetworkServiceOptions): NetworkService {
  return new NetworkService(opts);
}

/** Install `service` as the process's network, or forget it with undefined (tests). */
export function setNetwork(service: NetworkService | undefined): void {
  current = service;
}

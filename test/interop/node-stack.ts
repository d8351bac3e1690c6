/**
 * Test infrastructure (Node, not the image): the pure NetworkStack + Tcp driven with real
 * time and attached to a tap device through tap.ts.
 *
 * Driving contract (os/net/index.ts): every received frame goes to `stack.receive(now, f)`;
 * after a burst of frames (one microtask later, so a pipe chunk holding many frames costs
 * one poll) and whenever a timer fires, `stack.poll(now, send)` runs and one timer is
 * re-armed to `stack.pollAt(now)`. Calls made from outside stack callbacks (connect, send,
 * close, lookup from test code) must be followed by `kick()` so the work they queued is
 * polled; the helpers below (`connect`, `lookup`) do that themselves.
 *
 * `wire` counts what crossed the tap per direction (TCP segments, RSTs), parsed from the
 * raw frames independently of the stack's own counters.
 */
import { randomFillSync } from 'node:crypto';
import { parseMac, type Ipv4Addr, type MacAddr } from '../../os/net/addr.ts';
import type { DnsLookupResult } from '../../os/net/dns.ts';
import type { DhcpState } from '../../os/net/dhcp.ts';
import type { Ipv4Config } from '../../os/net/iface.ts';
import { NetworkStack } from '../../os/net/stack.ts';
import { Tcp, type ConnectOptions, type TcpConnection, type TcpOptions } from '../../os/net/tcp/index.ts';
import type { Tap } from './tap.ts';

export interface NodeStackOptions {
  tap: Tap;
  mac?: MacAddr;
  /** Static configuration; without it DHCP runs from start(). */
  ipv4?: Ipv4Config;
  tcp?: Omit<TcpOptions, 'random' | 'localAddress'>;
  onDhcpStateChange?: (state: DhcpState) => void;
}

export interface WireCounts {
  framesIn: number;
  framesOut: number;
  tcpIn: number;
  tcpOut: number;
  rstIn: number;
  rstOut: number;
}

export const random = (buf: Uint8Array): void => { randomFillSync(buf); };

/** Flags byte of a TCP segment inside an Ethernet/IPv4 frame, or -1 when it is not one. */
export function tcpFlags(frame: Uint8Array): number {
  if (frame.length < 14 + 20 + 20 || frame[12] !== 0x08 || frame[13] !== 0x00) return -1;
  const ihl = (frame[14]! & 0x0f) * 4;
  if (frame[14 + 9] !== 6) return -1;
  const fragOff = ((frame[14 + 6]! & 0x1f) << 8) | frame[14 + 7]!;
  if (fragOff !== 0 || frame.length < 14 + ihl + 14) return -1;
  return frame[14 + ihl + 13]!;
}

const RST = 0x04;

export class NodeStack {
  readonly stack: NetworkStack;
  readonly tcp: Tcp;
  readonly wire: WireCounts = { framesIn: 0, framesOut: 0, tcpIn: 0, tcpOut: 0, rstIn: 0, rstOut: 0 };
  readonly #tap: Tap;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  #pollQueued = false;
  #stopped = false;
  #polling = false;

  constructor(options: NodeStackOptions) {
    this.#tap = options.tap;
    let stack: NetworkStack | undefined;
    this.tcp = new Tcp({ ...options.tcp, random, localAddress: () => stack?.address });
    stack = new NetworkStack({
      mac: options.mac ?? parseMac('02:00:00:4e:42:01')!,
      random,
      ipv4: options.ipv4,
      transports: [this.tcp],
      onDhcpStateChange: options.onDhcpStateChange,
    });
    this.stack = stack;
    this.#tap.onFrame((f) => {
      if (this.#stopped) return;
      this.wire.framesIn++;
      const flags = tcpFlags(f);
      if (flags >= 0) { this.wire.tcpIn++; if (flags & RST) this.wire.rstIn++; }
      this.stack.receive(this.now(), f);
      this.kick();
    });
  }

  now(): number {
    return performance.now();
  }

  /** Start DHCP (when no static config) and the poll loop. */
  start(): void {
    this.stack.start(this.now());
    this.kick();
  }

  /** Schedule a poll soon (after the current burst of frames / the caller's synchronous work). */
  kick(): void {
    if (this.#pollQueued || this.#stopped) return;
    this.#pollQueued = true;
    queueMicrotask(() => { this.#pollQueued = false; this.#poll(); });
  }

  #poll(): void {
    if (this.#stopped || this.#polling) return;
    this.#polling = true;
    try {
      // Bounded: callbacks may queue more work that is due at once; a few passes drain it and
      // anything still due is picked up by the zero-delay timer below.
      for (let pass = 0; pass < 8; pass++) {
        const now = this.now();
        this.stack.poll(now, (f) => this.#send(f));
        if (this.stack.pollAt(this.now()) > this.now()) break;
      }
    } finally {
      this.#polling = false;
    }
    this.#arm();
  }

  #send(f: Uint8Array): void {
    this.wire.framesOut++;
    const flags = tcpFlags(f);
    if (flags >= 0) { this.wire.tcpOut++; if (flags & RST) this.wire.rstOut++; }
    this.#tap.send(f);
  }

  #arm(): void {
    const now = this.now();
    const at = this.stack.pollAt(now);
    if (at === this.#timerAt && this.#timer) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = at;
    if (!Number.isFinite(at)) return;
    // setTimeout has 1 ms granularity: round up so the poll never runs before it is due.
    this.#timer = setTimeout(() => { this.#timer = undefined; this.#timerAt = Infinity; this.#poll(); }, Math.max(0, Math.ceil(at - now)));
  }

  connect(options: ConnectOptions): TcpConnection {
    const c = this.tcp.connect(this.now(), options);
    this.kick();
    return c;
  }

  lookup(name: string): Promise<DnsLookupResult> {
    return new Promise((resolve) => {
      this.stack.dns.lookup(this.now(), name, resolve);
      this.kick();
    });
  }

  get address(): Ipv4Addr | undefined {
    return this.stack.address;
  }

  /** Stop driving the stack (no more polls or timers); the tap is the caller's to close. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

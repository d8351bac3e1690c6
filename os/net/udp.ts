/**
 * UDP (RFC 768) over the interface: a table of bound sockets keyed by local port, each with
 * a bounded receive queue (or a synchronous handler), and a bounded send queue drained by
 * poll(). Ephemeral ports are drawn at random from 49152–65535 (RFC 6335 §6, RFC 6056) with
 * the injected random source.
 */
import type { Ipv4Addr } from './addr.ts';
import { FRAME_HEADROOM, type Emit, type OutgoingDatagram, type TransportProtocol } from './transport.ts';
import { IpProtocol } from './wire/ipv4.ts';
import { count, type Stats } from './wire/result.ts';
import { emitUdp, parseUdp, UDP_HEADER_LEN } from './wire/udp.ts';

export const EPHEMERAL_FIRST = 49152;
export const EPHEMERAL_LAST = 65535;
/** 65535 - IPv4 header - UDP header. */
export const UDP_MAX_PAYLOAD = 65507;

export interface UdpMessage {
  src: Ipv4Addr;
  srcPort: number;
  dst: Ipv4Addr; // the address it was sent to (ours or a broadcast)
  payload: Uint8Array; // a copy, owned by the receiver
}

export interface UdpBindOptions {
  /** Local address (0 = any, the default). */
  address?: Ipv4Addr;
  /** Local port; 0 or absent picks a random ephemeral port. */
  port?: number;
  /** Receive queue bound in datagrams (default 64); datagrams beyond it are dropped. */
  receiveQueueLimit?: number;
  /**
   * Called synchronously for each datagram, instead of queueing it. Must not throw
   * (an exception is caught and counted, the datagram is then dropped).
   */
  onMessage?: (now: number, message: UdpMessage) => void;
  /** Called when the queue goes from empty to non-empty (no handler case). */
  onReadable?: () => void;
}

export interface UdpOptions {
  random: (buf: Uint8Array) => void;
  /** Source address for a datagram to `dst` from a socket bound to 0 (0 while unconfigured). */
  sourceAddress: (dst: Ipv4Addr) => Ipv4Addr;
  /** Datagrams waiting to be sent across all sockets (default 256) and their bytes (default 1 MiB). */
  maxSendQueue?: number;
  maxSendBytes?: number;
  maxSockets?: number;
}

export type UdpSendResult = { ok: true } | { ok: false; reason: 'closed' | 'too-large' | 'queue-full' | 'bad-port' };

export class UdpSocket {
  readonly #udp: Udp;
  readonly #queue: UdpMessage[] = [];
  #closed = false;
  /** Datagrams dropped because the receive queue was full. */
  dropped = 0;
  constructor(udp: Udp, readonly localAddress: Ipv4Addr, readonly localPort: number, readonly options: UdpBindOptions) {
    this.#udp = udp;
  }
  get closed(): boolean { return this.#closed; }
  get queued(): number { return this.#queue.length; }

  /** Queue `payload` for `dst:port` (copied). Sent by the next Udp.poll(). */
  send(dst: Ipv4Addr, port: number, payload: Uint8Array): UdpSendResult {
    if (this.#closed) return { ok: false, reason: 'closed' };
    return this.#udp.enqueue(this, dst, port, payload);
  }

  /** Take the oldest received datagram. */
  receive(): UdpMessage | undefined {
    return this.#queue.shift();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    this.#udp.release(this);
  }

  /** @internal called by Udp.input */
  deliver(now: number, message: UdpMessage, stats: Stats): void {
    const handler = this.options.onMessage;
    if (handler) {
      try { handler(now, message); } catch { count(stats, 'handler-threw'); }
      return;
    }
    if (this.#queue.length >= (this.options.receiveQueueLimit ?? 64)) {
      this.dropped++;
      return count(stats, 'receive-queue-full');
    }
    this.#queue.push(message);
    if (this.#queue.length === 1) this.options.onReadable?.();
  }
}

interface Pending { src: Ipv4Addr; dst: Ipv4Addr; srcPort: number; dstPort: number; payload: Uint8Array }

export class Udp implements TransportProtocol {
  readonly protocol = IpProtocol.UDP;
  readonly stats: Stats = {};
  readonly #sockets = new Map<number, UdpSocket[]>();
  readonly #send: Pending[] = [];
  #sendBytes = 0;
  #socketCount = 0;
  readonly #options: UdpOptions;
  constructor(options: UdpOptions) {
    this.#options = options;
  }

  /**
   * Bind a socket. Throws RangeError for a port out of range and an Error with
   * `code = 'EADDRINUSE'` when the port is taken for that address (or any address).
   */
  bind(options: UdpBindOptions = {}): UdpSocket {
    const address = (options.address ?? 0) >>> 0;
    let port = options.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`Cannot bind port ${port}: out of range`);
    if (this.#socketCount >= (this.#options.maxSockets ?? 1024)) throw Object.assign(new Error('Cannot bind: too many UDP sockets'), { code: 'EMFILE' });
    if (port === 0) {
      port = this.#ephemeral(address);
    } else if (!this.#available(port, address)) {
      throw Object.assign(new Error(`Cannot bind port ${port}: already in use`), { code: 'EADDRINUSE' });
    }
    const socket = new UdpSocket(this, address, port, options);
    const list = this.#sockets.get(port) ?? [];
    list.push(socket);
    this.#sockets.set(port, list);
    this.#socketCount++;
    return socket;
  }

  #available(port: number, address: Ipv4Addr): boolean {
    const list = this.#sockets.get(port);
    if (!list) return true;
    return !list.some((s) => s.localAddress === 0 || address === 0 || s.localAddress === address);
  }

  #ephemeral(address: Ipv4Addr): number {
    const span = EPHEMERAL_LAST - EPHEMERAL_FIRST + 1;
    const buf = new Uint8Array(2);
    for (let i = 0; i < 32; i++) {
      this.#options.random(buf);
      const port = EPHEMERAL_FIRST + (((buf[0]! << 8) | buf[1]!) % span);
      if (this.#available(port, address)) return port;
    }
    for (let port = EPHEMERAL_FIRST; port <= EPHEMERAL_LAST; port++) if (this.#available(port, address)) return port;
    throw Object.assign(new Error('Cannot bind: no free ephemeral UDP port'), { code: 'EADDRINUSE' });
  }

  /** @internal */
  release(socket: UdpSocket): void {
    const list = this.#sockets.get(socket.localPort);
    if (!list) return;
    const rest = list.filter((s) => s !== socket);
    if (rest.length === list.length) return;
    this.#socketCount--;
    if (rest.length === 0) this.#sockets.delete(socket.localPort);
    else this.#sockets.set(socket.localPort, rest);
  }

  /** @internal */
  enqueue(socket: UdpSocket, dst: Ipv4Addr, dstPort: number, payload: Uint8Array): UdpSendResult {
    if (!Number.isInteger(dstPort) || dstPort <= 0 || dstPort > 65535) return { ok: false, reason: 'bad-port' };
    if (payload.length > UDP_MAX_PAYLOAD) return { ok: false, reason: 'too-large' };
    if (this.#send.length >= (this.#options.maxSendQueue ?? 256) || this.#sendBytes + payload.length > (this.#options.maxSendBytes ?? 1 << 20)) {
      count(this.stats, 'send-queue-full');
      return { ok: false, reason: 'queue-full' };
    }
    const src = socket.localAddress !== 0 ? socket.localAddress : this.#options.sourceAddress(dst >>> 0);
    this.#send.push({ src, dst: dst >>> 0, srcPort: socket.localPort, dstPort, payload: payload.slice() });
    this.#sendBytes += payload.length;
    return { ok: true };
  }

  input(now: number, src: Ipv4Addr, dst: Ipv4Addr, payload: Uint8Array, checksumVerified = false): boolean {
    const r = parseUdp(payload, src, dst, !checksumVerified);
    if (!r.ok) {
      count(this.stats, r.reason);
      return true; // malformed: counted; not a reason for port unreachable
    }
    const { srcPort, dstPort } = r.value.repr;
    const list = this.#sockets.get(dstPort);
    // A socket bound to a specific address wins over a wildcard one.
    const socket = list?.find((s) => s.localAddress === dst) ?? list?.find((s) => s.localAddress === 0);
    if (!socket) {
      count(this.stats, 'no-socket');
      return false;
    }
    count(this.stats, 'received');
    socket.deliver(now, { src, srcPort, dst, payload: r.value.payload.slice() }, this.stats);
    return true;
  }

  /** Sends queued datagrams in order; once `emit` refuses one (transmit path full) it and the rest stay queued. */
  poll(_now: number, emit: Emit): void {
    const q = this.#send;
    let i = 0;
    for (; i < q.length; i++) {
      const p = q[i]!;
      const buf = new Uint8Array(FRAME_HEADROOM + UDP_HEADER_LEN + p.payload.length).subarray(FRAME_HEADROOM);
      emitUdp({ srcPort: p.srcPort, dstPort: p.dstPort }, p.payload, p.src, p.dst, buf);
      if (emit({ src: p.src, dst: p.dst, protocol: IpProtocol.UDP, payload: buf, headroom: true }) === false) break;
      this.#sendBytes -= p.payload.length;
      count(this.stats, 'sent');
    }
    q.splice(0, i);
  }

  pollAt(now: number): number {
    return this.#send.length > 0 ? now : Infinity;
  }
}

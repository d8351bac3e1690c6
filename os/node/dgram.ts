/**
 * node:dgram on the stack's UDP (os/net/udp.ts) through the process's NetworkService. 'udp4'
 * only ('udp6' sockets throw ERR_SOCKET_BAD_TYPE... as an unsupported family).
 *
 * - bind() is synchronous underneath; 'listening' follows on the next tick. send() on an
 *   unbound socket binds it to a random port first, as Node does.
 * - Datagrams arrive from the loop as 'message' (Buffer, rinfo), each its own macrotask.
 *   The stack queues at most 256 datagrams / 1 MiB for sending; beyond that send() fails
 *   with ENOBUFS (Linux would block or drop silently).
 * - A bound socket keeps the program alive until close() or unref().
 * - 127.0.0.0/8 destinations go to the interface's own address (no loopback interface).
 * Nimbus extension: `network` in createSocket's options picks another NetworkService.
 */
import { EventEmitter } from './events.ts';
import { formatIpv4, parseIpv4, type Ipv4Addr } from '../net/addr.ts';
import type { UdpSocket } from '../net/udp.ts';
import { getNetwork, type NetworkService } from '../netservice/index.ts';
import { badPort, dnsError, errnoWithHostPort, invalidArgType, nodeError } from '../netservice/errors.ts';
import { lookupCode } from './internal/net-address.ts';

type Cb = (...args: any[]) => void;

export interface SocketOptions {
  type: 'udp4' | 'udp6';
  reuseAddr?: boolean;
  ipv6Only?: boolean;
  recvBufferSize?: number;
  sendBufferSize?: number;
  lookup?: (host: string, opts: object, cb: (err: Error | null, address: string, family: number) => void) => void;
  signal?: AbortSignal;
  /** Nimbus: the NetworkService to use (default: the process's). */
  network?: NetworkService;
}

export interface RemoteInfo { address: string; family: 'IPv4'; port: number; size: number }

export interface BindOptions { port?: number; address?: string; exclusive?: boolean; fd?: number }

function toBytes(msg: unknown): Uint8Array {
  if (typeof msg === 'string') return new TextEncoder().encode(msg);
  if (msg instanceof Uint8Array) return msg;
  if (ArrayBuffer.isView(msg)) return new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
  if (Array.isArray(msg)) {
    const parts = msg.map(toBytes);
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  }
  throw invalidArgType('buffer', 'of type string or an instance of Buffer, TypedArray, or DataView', msg);
}

function notRunning(): Error {
  return nodeError(Error, 'ERR_SOCKET_DGRAM_NOT_RUNNING', 'Not running');
}

export class Socket extends EventEmitter {
  readonly type: 'udp4';
  readonly #net: NetworkService;
  readonly #lookup: SocketOptions['lookup'];
  #udp: UdpSocket | undefined;
  #state: 'unbound' | 'bound' | 'closed' = 'unbound';
  #refed = true;
  #holdsRef = false;
  #connected: { address: Ipv4Addr; display: string; port: number } | undefined;
  #recvBufferSize = 64 * 1024;
  #sendBufferSize = 64 * 1024;

  constructor(options: SocketOptions | string, listener?: Cb) {
    super();
    const o: SocketOptions = typeof options === 'string' ? { type: options as 'udp4' } : options;
    if (o === null || typeof o !== 'object') throw invalidArgType('options', 'of type object', o);
    if (o.type === 'udp6') throw nodeError(Error, 'ERR_SOCKET_BAD_TYPE', 'udp6 sockets are not supported by Nimbus (IPv4 only)');
    if (o.type !== 'udp4') throw nodeError(TypeError, 'ERR_SOCKET_BAD_TYPE', 'Bad socket type specified. Valid types are: udp4, udp6');
    this.type = 'udp4';
    this.#net = o.network ?? getNetwork();
    this.#lookup = o.lookup;
    if (o.recvBufferSize) this.#recvBufferSize = o.recvBufferSize;
    if (o.sendBufferSize) this.#sendBufferSize = o.sendBufferSize;
    if (listener) this.on('message', listener);
  }

  bind(...args: unknown[]): this {
    if (this.#state === 'closed') throw notRunning();
    if (this.#state === 'bound') throw nodeError(Error, 'ERR_SOCKET_ALREADY_BOUND', 'Socket is already bound');
    const cb = typeof args[args.length - 1] === 'function' ? args.pop() as Cb : undefined;
    let port: unknown = 0;
    let address: string | undefined;
    if (args[0] !== null && typeof args[0] === 'object') {
      const o = args[0] as BindOptions;
      port = o.port ?? 0;
      address = o.address;
    } else {
      if (args[0] !== undefined) port = args[0];
      if (typeof args[1] === 'string') address = args[1];
    }
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) throw badPort('Port', port, true);
    if (cb) this.once('listening', cb);
    this.#bindNow(port, address);
    return this;
  }

  #bindNow(port: number, address: string | undefined): boolean {
    const net = this.#net;
    let local: Ipv4Addr = 0;
    const display = address === undefined || address === '' ? '0.0.0.0' : address === 'localhost' ? '127.0.0.1' : address;
    if (display !== '0.0.0.0') {
      const a = parseIpv4(display);
      if (a === undefined) {
        net.loop.nextTick(() => this.emit('error', errnoWithHostPort('EINVAL', 'bind', display, port)));
        return false;
      }
      local = (a >>> 24) === 127 ? (net.address ?? 0) : a;
      if ((a >>> 24) !== 127 && a !== net.address) {
        net.loop.nextTick(() => this.emit('error', errnoWithHostPort('EADDRNOTAVAIL', 'bind', display, port)));
        return false;
      }
    }
    try {
      this.#udp = net.bindUdp({
        address: local, port,
        receiveQueueLimit: Math.max(8, Math.floor(this.#recvBufferSize / 1024)),
        onMessage: (_now, m) => {
          // Delivered from the loop, never inside the stack's input path.
          net.defer(() => {
            if (this.#state !== 'bound') return;
            if (this.#connected && (m.src !== this.#connected.address || m.srcPort !== this.#connected.port)) return;
            const msg = Buffer.from(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength);
            this.emit('message', msg, { address: formatIpv4(m.src), family: 'IPv4', port: m.srcPort, size: m.payload.length } satisfies RemoteInfo);
          });
        },
      });
    } catch (e) {
      const code = (e as { code?: string }).code ?? 'EINVAL';
      net.loop.nextTick(() => this.emit('error', errnoWithHostPort(code, 'bind', display, port)));
      return false;
    }
    this.#state = 'bound';
    this.#updateRef();
    net.loop.nextTick(() => { if (this.#state === 'bound') this.emit('listening'); });
    return true;
  }

  /**
   * send(msg[, offset, length], port[, address][, callback]); on a connected socket
   * send(msg[, offset, length][, callback]).
   */
  send(msg: unknown, ...rest: unknown[]): void {
    let bytes = toBytes(msg);
    const cb = typeof rest[rest.length - 1] === 'function' ? rest.pop() as Cb : undefined;
    if (typeof rest[0] === 'number' && typeof rest[1] === 'number' && (this.#connected ? true : typeof rest[2] === 'number')) {
      const offset = rest.shift() as number, length = rest.shift() as number;
      if (offset < 0 || length < 0 || offset + length > bytes.length) {
        throw nodeError(RangeError, 'ERR_OUT_OF_RANGE', `The value of "offset" is out of range. It must be >= 0 && <= ${bytes.length}. Received ${offset}`);
      }
      bytes = bytes.subarray(offset, offset + length);
    }
    if (this.#state === 'closed') throw notRunning();
    let port: number;
    let host: string;
    if (this.#connected) {
      if (rest[0] !== undefined) throw nodeError(Error, 'ERR_SOCKET_DGRAM_IS_CONNECTED', 'Already connected');
      port = this.#connected.port;
      host = this.#connected.display;
    } else {
      const p = rest[0];
      if (typeof p !== 'number' || !Number.isInteger(p) || p <= 0 || p > 65535) throw badPort('Port', p, false);
      port = p;
      host = typeof rest[1] === 'string' ? rest[1] : '127.0.0.1';
    }
    if (this.#state === 'unbound' && !this.#bindNow(0, undefined)) return;
    const data = bytes.slice();
    this.#resolve(host, (err, addr) => {
      if (err) { this.#sendError(err, cb); return; }
      if (this.#state !== 'bound') return;
      const r = this.#udp!.send(this.#net.mapLoopback(addr!), port, data);
      if (!r.ok) {
        const code = r.reason === 'too-large' ? 'EMSGSIZE' : r.reason === 'queue-full' ? 'ENOBUFS' : 'EINVAL';
        this.#sendError(errnoWithHostPort(code, 'send', host, port), cb);
        return;
      }
      if (cb) this.#net.loop.nextTick(() => cb(null, data.length));
    });
  }

  #sendError(err: Error, cb: Cb | undefined): void {
    this.#net.loop.nextTick(() => { if (cb) cb(err); else this.emit('error', err); });
  }

  #resolve(host: string, cb: (err: Error | null, addr?: Ipv4Addr) => void): void {
    const literal = host === 'localhost' ? 0x7f000001 : parseIpv4(host);
    if (literal !== undefined) { cb(null, literal); return; }
    if (this.#lookup) {
      this.#lookup(host, { family: 4 }, (err, address) => {
        const a = err ? undefined : parseIpv4(address);
        cb(err ?? (a === undefined ? dnsError('ENOTFOUND', 'getaddrinfo', host) : null), a);
      });
      return;
    }
    this.#net.lookup(host, (r) => {
      if (r.ok && r.addresses.length > 0) cb(null, r.addresses[0]);
      else cb(dnsError(r.ok ? 'ENOTFOUND' : lookupCode(r.code), 'getaddrinfo', host));
    });
  }

  /** Associate the socket with one remote endpoint (filters what is received). */
  connect(port: number, address?: string | Cb, cb?: Cb): void {
    if (typeof address === 'function') { cb = address; address = undefined; }
    if (this.#connected) throw nodeError(Error, 'ERR_SOCKET_DGRAM_IS_CONNECTED', 'Already connected');
    if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0 || port > 65535) throw badPort('Port', port, false);
    const host = address ?? '127.0.0.1';
    if (this.#state === 'unbound' && !this.#bindNow(0, undefined)) return;
    this.#resolve(host, (err, addr) => {
      if (err) { this.#net.loop.nextTick(() => { if (cb) cb(err); else this.emit('error', err); }); return; }
      this.#connected = { address: this.#net.mapLoopback(addr!), display: formatIpv4(addr!), port };
      this.#net.loop.nextTick(() => { this.emit('connect'); cb?.(); });
    });
  }

  disconnect(): void {
    if (!this.#connected) throw nodeError(Error, 'ERR_SOCKET_DGRAM_NOT_CONNECTED', 'Not connected');
    this.#connected = undefined;
  }

  remoteAddress(): RemoteInfo | { address: string; family: 'IPv4'; port: number } {
    if (!this.#connected) throw nodeError(Error, 'ERR_SOCKET_DGRAM_NOT_CONNECTED', 'Not connected');
    return { address: this.#connected.display, family: 'IPv4', port: this.#connected.port };
  }

  address(): { address: string; family: 'IPv4'; port: number } {
    if (this.#state !== 'bound' || !this.#udp) throw nodeError(Error, 'ERR_SOCKET_DGRAM_NOT_RUNNING', 'Not running');
    return { address: formatIpv4(this.#udp.localAddress), family: 'IPv4', port: this.#udp.localPort };
  }

  close(cb?: Cb): this {
    if (this.#state === 'closed') throw notRunning();
    if (cb) this.once('close', cb);
    this.#state = 'closed';
    this.#udp?.close();
    this.#udp = undefined;
    this.#updateRef();
    this.#net.loop.nextTick(() => this.emit('close'));
    return this;
  }

  ref(): this { this.#refed = true; this.#updateRef(); return this; }
  unref(): this { this.#refed = false; this.#updateRef(); return this; }

  #updateRef(): void {
    const want = this.#refed && this.#state === 'bound';
    if (want === this.#holdsRef) return;
    this.#holdsRef = want;
    if (want) this.#net.ref(); else this.#net.unref();
  }

  // Socket options the stack does not model: accepted and ignored (documented).
  setBroadcast(_flag: boolean): void {}
  setTTL(ttl: number): number { return ttl; }
  setMulticastTTL(ttl: number): number { return ttl; }
  setMulticastLoopback(flag: boolean): boolean { return flag; }
  setRecvBufferSize(size: number): void { this.#recvBufferSize = size; }
  setSendBufferSize(size: number): void { this.#sendBufferSize = size; }
  getRecvBufferSize(): number { return this.#recvBufferSize; }
  getSendBufferSize(): number { return this.#sendBufferSize; }
  getSendQueueSize(): number { return 0; }
  getSendQueueCount(): number { return 0; }
  addMembership(): void { throw nodeError(Error, 'ERR_NOT_SUPPORTED', 'Multicast is not supported by Nimbus'); }
  dropMembership(): void { throw nodeError(Error, 'ERR_NOT_SUPPORTED', 'Multicast is not supported by Nimbus'); }

  [Symbol.asyncDispose](): Promise<void> {
    return new Promise((resolve) => { if (this.#state === 'closed') resolve(); else this.close(() => resolve()); });
  }
}

export function createSocket(type: SocketOptions | 'udp4' | 'udp6', listener?: Cb): Socket {
  return new Socket(type, listener);
}

export default { createSocket, Socket };

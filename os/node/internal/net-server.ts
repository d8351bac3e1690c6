/**
 * net.Server: listens through NetworkService (os/netservice) and hands each accepted TCP
 * connection to a net.Socket (net-socket.ts). As Node's: 'listening' on the next tick,
 * 'connection' per accepted socket, 'drop' above maxConnections, 'close' once the listener is
 * closed and every connection it accepted has closed. A server bound to a loopback name
 * accepts only connections from the interface's own address (there is no loopback interface).
 */
import { EventEmitter } from '../events.ts';
import { formatIpv4, parseIpv4, type Ipv4Addr } from '../../net/addr.ts';
import type { TcpConnection, TcpListener } from '../../net/tcp/index.ts';
import { getNetwork, type NetworkService } from '../../netservice/index.ts';
import { randomFill } from '../../runtime/random.ts';
import { dnsError, nodeError, uvWithHostPort } from '../../netservice/errors.ts';
import { isIPv4, isIPv6, isLoopbackName, lookupCode, validatePort } from './net-address.ts';
import { Socket } from './net-socket.ts';

type Cb = (...args: any[]) => void;


export interface ServerOpts {
  allowHalfOpen?: boolean;
  pauseOnConnect?: boolean;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  highWaterMark?: number;
  /** Nimbus: the NetworkService to use (default: the process's). */
  network?: NetworkService;
}

export interface ListenOptions {
  port?: number | string;
  host?: string;
  backlog?: number;
  exclusive?: boolean;
  ipv6Only?: boolean;
  path?: string;
  signal?: AbortSignal;
}

export class Server extends EventEmitter {
  maxConnections: number | undefined = undefined;
  readonly #opts: ServerOpts;
  #net: NetworkService | undefined;
  #listener: TcpListener | undefined;
  #address: { address: string; family: string; port: number } | null = null;
  #loopbackOnly = false;
  readonly #connections = new Set<Socket>();
  #refed = true;
  #holdsRef = false;
  #closePending = false;

  constructor(options?: ServerOpts | Cb, connectionListener?: Cb) {
    super();
    if (typeof options === 'function') { connectionListener = options; options = {}; }
    this.#opts = { ...(options ?? {}) };
    this.#net = this.#opts.network;
    if (connectionListener) this.on('connection', connectionListener);
  }

  get listening(): boolean { return this.#listener !== undefined; }
  /** Node's deprecated count; getConnections() is the API. */
  get connections(): number { return this.#connections.size; }

  #network(): NetworkService {
    this.#net ??= getNetwork();
    return this.#net;
  }

  listen(...args: unknown[]): this {
    const cb = typeof args[args.length - 1] === 'function' ? args.pop() as Cb : undefined;
    let opts: ListenOptions;
    const a0 = args[0];
    if (a0 !== null && typeof a0 === 'object') opts = { ...(a0 as ListenOptions) };
    else if (typeof a0 === 'string' && !/^\s*\d+\s*$/.test(a0)) opts = { path: a0 };
    else {
      opts = { port: a0 as number | undefined };
      if (typeof args[1] === 'string') { opts.host = args[1]; if (typeof args[2] === 'number') opts.backlog = args[2]; }
      else if (typeof args[1] === 'number') opts.backlog = args[1];
    }
    if (opts.path !== undefined) throw nodeError(Error, 'ERR_NOT_SUPPORTED', 'Unix domain sockets are not supported by Nimbus');
    if (this.#listener) throw nodeError(Error, 'ERR_SERVER_ALREADY_LISTEN', 'Listen method has been called more than once without closing.');
    const port = opts.port === undefined || opts.port === null ? 0 : validatePort(opts.port, 'options.port', true);
    if (cb) this.once('listening', cb);
    const net = this.#network();
    const host = opts.host;
    const backlog = typeof opts.backlog === 'number' && opts.backlog > 0 ? opts.backlog : undefined;
    if (host === undefined || host === '' || host === '::' || host === '0.0.0.0' || isLoopbackName(host) || isIPv4(host)) {
      this.#bind(net, host, port, backlog);
    } else if (isIPv6(host)) {
      this.#fail(uvWithHostPort('EADDRNOTAVAIL', 'listen', host, port));
    } else {
      net.lookup(host, (r) => {
        if (!r.ok || r.addresses.length === 0) { this.#fail(dnsError(r.ok ? 'ENOTFOUND' : lookupCode(r.code), 'getaddrinfo', host)); return; }
        this.#bind(net, formatIpv4(r.addresses[0]!), port, backlog);
      });
    }
    return this;
  }

  #fail(err: Error): void {
    this.#network().loop.nextTick(() => this.emit('error', err));
  }

  #bind(net: NetworkService, host: string | undefined, port: number, backlog: number | undefined): void {
    let localAddress: Ipv4Addr | undefined;
    let display = host === undefined || host === '' ? '::' : host;
    let family = display === '::' ? 'IPv6' : 'IPv4';
    this.#loopbackOnly = false;
    if (host !== undefined && isLoopbackName(host)) {
      this.#loopbackOnly = true;
      display = host === 'localhost' || host === '::1' ? (host === '::1' ? '::1' : '127.0.0.1') : host;
      family = host === '::1' ? 'IPv6' : 'IPv4';
    } else if (host !== undefined && isIPv4(host) && host !== '0.0.0.0') {
      const a = parseIpv4(host)!;
      if (a !== net.address) { this.#fail(uvWithHostPort('EADDRNOTAVAIL', 'listen', host, port)); return; }
      localAddress = a;
    }
    let listener: TcpListener | undefined;
    const tryListen = (p: number): TcpListener | undefined => {
      try {
        return net.listen(p, { backlog, localAddress });
      } catch (e) {
        if ((e as { code?: unknown }).code === 'EADDRINUSE') return undefined;
        throw e;
      }
    };
    if (port === 0) {
      const b = new Uint8Array(2);
      for (let i = 0; i < 64 && !listener; i++) {
        randomFill(b);
        listener = tryListen(49152 + (((b[0]! << 8) | b[1]!) % 16384));
      }
      for (let p = 49152; p <= 65535 && !listener; p++) listener = tryListen(p);
      if (!listener) { this.#fail(uvWithHostPort('EADDRINUSE', 'listen', display, 0)); return; }
    } else {
      listener = tryListen(port);
      if (!listener) { this.#fail(uvWithHostPort('EADDRINUSE', 'listen', display, port)); return; }
    }
    this.#listener = listener;
    this.#address = { address: display, family, port: listener.port };
    listener.onConnection = () => net.defer(() => this.#accept());
    this.#updateRef();
    net.loop.nextTick(() => { if (this.#listener === listener) this.emit('listening'); });
  }

  #accept(): void {
    const l = this.#listener;
    const net = this.#network();
    if (!l) return;
    let c: TcpConnection | undefined;
    while ((c = l.accept()) !== undefined) {
      if (this.#loopbackOnly && c.remoteAddress !== net.address) { c.abort(); continue; }
      if (this.maxConnections !== undefined && this.#connections.size >= this.maxConnections) {
        c.close();
        this.emit('drop', {
          localAddress: formatIpv4(c.localAddress), localPort: c.localPort, localFamily: 'IPv4',
          remoteAddress: formatIpv4(c.remoteAddress), remotePort: c.remotePort, remoteFamily: 'IPv4',
        });
        continue;
      }
      const o = this.#opts;
      const s = Socket._accepted({ conn: c, server: this, network: net, pauseOnCreate: o.pauseOnConnect === true }, {
        allowHalfOpen: o.allowHalfOpen, noDelay: o.noDelay, keepAlive: o.keepAlive,
        keepAliveInitialDelay: o.keepAliveInitialDelay, highWaterMark: o.highWaterMark,
      });
      this.#connections.add(s);
      this.emit('connection', s);
    }
  }

  /** @internal */
  _connectionClosed(s: Socket): void {
    this.#connections.delete(s);
    this.#emitCloseIfDrained();
  }

  address(): { address: string; family: string; port: number } | null {
    return this.#listener ? { ...this.#address! } : null;
  }

  /** Stop accepting; 'close' once every connection has closed. */
  close(cb?: (err?: Error) => void): this {
    if (cb) {
      if (!this.#listener) this.once('close', () => cb(nodeError(Error, 'ERR_SERVER_NOT_RUNNING', 'Server is not running.')));
      else this.once('close', cb);
    }
    if (this.#listener) {
      this.#listener.close();
      this.#listener = undefined;
      this.#updateRef();
    }
    this.#closePending = true;
    this.#emitCloseIfDrained();
    return this;
  }

  #emitCloseIfDrained(): void {
    if (!this.#closePending || this.#listener || this.#connections.size > 0) return;
    this.#closePending = false;
    this.#network().loop.nextTick(() => this.emit('close'));
  }

  getConnections(cb: (err: Error | null, count: number) => void): this {
    const n = this.#connections.size;
    this.#network().loop.nextTick(() => cb(null, n));
    return this;
  }

  ref(): this { this.#refed = true; this.#updateRef(); return this; }
  unref(): this { this.#refed = false; this.#updateRef(); return this; }

  #updateRef(): void {
    const want = this.#refed && this.#listener !== undefined;
    if (want === this.#holdsRef) return;
    this.#holdsRef = want;
    if (want) this.#network().ref(); else this.#network().unref();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return new Promise((resolve) => this.close(() => resolve()));
  }
}

/**
 * net.Socket: a real stream.Duplex (readable-stream, Node's own implementation) over one TCP
 * connection of the stack (os/net/tcp), reached only through NetworkService (os/netservice).
 *
 * As Node's (lib/net.js):
 * - Reading: `_read()` starts pulling from the TCP receive buffer; a push() that returns false
 *   (the readable side holds highWaterMark) stops pulling, so unread bytes stay in TCP, its
 *   window closes and the peer slows down: pause(), a slow pipe() destination or an idle
 *   async iterator apply back-pressure all the way to the sender. Once connected (or
 *   accepted, unless `pauseOnConnect`) the socket reads into its buffer (`read(0)`). The
 *   peer's FIN after every byte is `push(null)`, 'end'; with allowHalfOpen false the
 *   Duplex then ends the writable side, and a later write() fails with EPIPE.
 * - Writing: `_write`/`_writev` copy into the TCP send buffer (the "kernel" buffer, 128 KiB);
 *   what does not fit waits there and the write completes when TCP takes the rest
 *   (onWritable), so the Writable's buffer, write() returning false and 'drain' are the
 *   stream's own. Writes before the connection is up wait for it. `_final` sends the FIN.
 * - Events: 'lookup', 'connect', 'ready', 'data', 'end', 'finish', 'timeout', 'error' (Node's
 *   codes and messages, os/netservice/errors.ts), then 'close'(hadError) once destroyed
 *   (emitClose is off, as in Node: the socket emits 'close' itself, after 'error').
 *   autoDestroy closes the socket once both directions are done. destroy() closes gracefully
 *   (FIN) unless unread data is buffered or there was an error, then it resets (as close(2)
 *   does); resetAndDestroy() always resets.
 * - Network events are delivered from the loop, each as its own macrotask; TCP's callbacks
 *   only schedule them (NetworkService.defer).
 *
 * Nimbus extension: `network` in the options picks a NetworkService other than the process's
 * (tests run two stacks in one process).
 */
import { Duplex } from '../stream.ts';
import { formatIpv4, parseIpv4, type Ipv4Addr } from '../../net/addr.ts';
import type { TcpConnection } from '../../net/tcp/index.ts';
import { CONFIG_WAIT_MS, getNetwork, type NetworkService } from '../../netservice/index.ts';
import { dnsError, errnoError, errnoWithHostPort, invalidArgType, nodeError, type SystemError } from '../../netservice/errors.ts';
import { isIPv4, isIPv6, isLoopbackName, lookupCode, validatePort } from './net-address.ts';
import type { Server } from './net-server.ts';
import { underMemoryPressure } from '../../runtime/memory.ts';

type Cb = (...args: any[]) => void;

/** Largest chunk taken from TCP per push (Node reads 64 KiB at a time). */
const READ_CHUNK = 64 * 1024;
/**
 * The chunk under memory pressure (issue 10): a chunk lives on in the stream layers above
 * (this socket's buffer, a request body, a pipe's destination) up to their high-water marks
 * and one chunk past them, so with many transfers in flight the chunk size sets the memory.
 */
const PRESSURE_READ_CHUNK = 4 * 1024;

export interface SocketConstructorOpts {
  allowHalfOpen?: boolean;
  readable?: boolean;
  writable?: boolean;
  /** Nimbus: the NetworkService to use (default: the process's). */
  network?: NetworkService;
  timeout?: number;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  highWaterMark?: number;
  signal?: AbortSignal;
}

export interface TcpSocketConnectOpts {
  port: number | string;
  host?: string;
  localAddress?: string;
  localPort?: number;
  family?: number;
  timeout?: number;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  lookup?: (host: string, opts: object, cb: (err: Error | null, address: string, family: number) => void) => void;
  network?: NetworkService;
}

function toBytes(data: unknown, encoding: string | undefined): Uint8Array {
  if (typeof data === 'string') {
    return !encoding || /^utf-?8$/i.test(encoding) ? new TextEncoder().encode(data) : Buffer.from(data, encoding as BufferEncoding);
  }
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw invalidArgType('chunk', 'of type string or an instance of Buffer or Uint8Array', data);
}

function asBuffer(u8: Uint8Array): Buffer {
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

export function normalizeConnectArgs(args: unknown[]): [TcpSocketConnectOpts, Cb | undefined] {
  const last = args[args.length - 1];
  const cb = typeof last === 'function' ? last as Cb : undefined;
  const a0 = args[0];
  if (a0 !== null && typeof a0 === 'object') return [{ ...(a0 as TcpSocketConnectOpts) }, cb];
  if (typeof a0 === 'string' && !/^\s*\d+\s*$/.test(a0)) return [{ path: a0 } as unknown as TcpSocketConnectOpts, cb];
  const opts: TcpSocketConnectOpts = { port: a0 as number };
  if (typeof args[1] === 'string') opts.host = args[1];
  return [opts, cb];
}

const kAccept = Symbol('nimbus.net.accept');

/** @internal what Server hands a Socket for a connection taken from accept(). */
export interface AcceptInit { conn: TcpConnection; server: Server; network: NetworkService; pauseOnCreate: boolean }

interface PendingWrite { data: Uint8Array; cb: (err?: Error | null) => void }

export class Socket extends Duplex {
  connecting = false;
  bytesRead = 0;
  /** Node's server property (accepted sockets). */
  server: Server | null = null;
  /** Milliseconds of inactivity before 'timeout' (undefined when off). */
  timeout: number | undefined;

  #net: NetworkService | undefined;
  #conn: TcpConnection | undefined;
  #connectedOnce = false;
  #scheduled = false;
  /** _read asked for data and no push() has refused it since. */
  #reading = false;
  /** An HTTP server that takes this socket's received bytes itself (_consume). */
  #consumer: ((chunk: Uint8Array) => void) | undefined;
  #eofPushed = false;
  #reset = false;
  #closeScheduled = false;
  #bytesMoved = 0;
  /** The write in progress: the part TCP has not taken yet. */
  #pending: PendingWrite | undefined;
  #pendingMovedBytes = 0;
  /** _final called while still connecting. */
  #finalCb: ((err?: Error | null) => void) | undefined;
  #refed = true;
  #holdsRef = false;
  #timer: { refresh(): unknown; unref(): unknown; close(): unknown } | undefined;
  #lastActive = 0;
  #noDelay: boolean | undefined;
  #keepAlive: { enable: boolean; delay: number } | undefined;
  #displayRemote: string | undefined;
  #cancelConnect: (() => void) | undefined;

  constructor(options: SocketConstructorOpts & { [kAccept]?: AcceptInit } = {}) {
    super({
      allowHalfOpen: options.allowHalfOpen === true, emitClose: false, autoDestroy: true, decodeStrings: false,
      highWaterMark: options.highWaterMark, signal: options.signal,
    });
    this.#net = options.network;
    if (options.noDelay) this.#noDelay = true;
    if (options.keepAlive) this.#keepAlive = { enable: true, delay: options.keepAliveInitialDelay ?? 0 };
    const init = options[kAccept];
    if (init) {
      this.#net = init.network;
      this.server = init.server;
      this.#connectedOnce = true;
      this.#attach(init.conn);
      this.#updateRef();
      if (init.pauseOnCreate) this.pause();
      else this.read(0);
      this.#schedule(); // data or a FIN may have arrived before accept()
    }
    if (options.timeout) this.setTimeout(options.timeout);
  }

  // ---- state (Node's names; the stream's own getters cover readable*/writable*) ----

  get pending(): boolean { return !this.#conn || this.connecting; }
  /** Deprecated in Node; kept for old code. */
  get bufferSize(): number { return this.writableLength; }
  /** Bytes handed to TCP plus those still queued in the socket (Node's definition). */
  get bytesWritten(): number { return this.#bytesMoved + this.writableLength - this.#pendingMovedBytes; }

  get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.connecting) return 'opening';
    if (this.destroyed || !this.#conn) return 'closed';
    const r = this.readable, w = this.writable;
    return r && w ? 'open' : r ? 'readOnly' : w ? 'writeOnly' : 'closed';
  }

  get remoteAddress(): string | undefined {
    return this.#conn ? this.#displayRemote ?? formatIpv4(this.#conn.remoteAddress) : undefined;
  }
  get remotePort(): number | undefined { return this.#conn?.remotePort; }
  get remoteFamily(): string | undefined { return this.#conn ? 'IPv4' : undefined; }
  get localAddress(): string | undefined { return this.#conn ? formatIpv4(this.#conn.localAddress) : undefined; }
  get localPort(): number | undefined { return this.#conn?.localPort; }
  get localFamily(): string | undefined { return this.#conn ? 'IPv4' : undefined; }

  address(): { address: string; family: string; port: number } | Record<string, never> {
    const c = this.#conn;
    return c ? { address: formatIpv4(c.localAddress), family: 'IPv4', port: c.localPort } : {};
  }

  // ---- connecting ----

  connect(...args: unknown[]): this {
    const [opts, cb] = normalizeConnectArgs(args);
    if (this.destroyed) {
      // Node lets a destroyed socket connect again: start from a clean state.
      (this as unknown as { _undestroy(): void })._undestroy();
      this.#conn = undefined;
      this.#connectedOnce = this.#eofPushed = this.#reset = this.#closeScheduled = this.#reading = false;
      this.#displayRemote = undefined;
      this.#pending = this.#finalCb = undefined;
      this.#pendingMovedBytes = 0;
    }
    if (this.#conn || this.connecting) {
      throw nodeError(Error, 'ERR_SOCKET_CONNECTING', 'Socket is already connecting or connected');
    }
    if ((opts as { path?: unknown }).path !== undefined) {
      throw nodeError(Error, 'ERR_NOT_SUPPORTED', 'Unix domain sockets are not supported by Nimbus');
    }
    const port = validatePort(opts.port, 'Port', false);
    const host = opts.host ?? 'localhost';
    if (typeof host !== 'string') throw invalidArgType('options.host', 'of type string', host);
    if (opts.network) this.#net = opts.network;
    const net = this.#network();
    if (opts.noDelay) this.#noDelay = true;
    if (opts.keepAlive) this.#keepAlive = { enable: true, delay: opts.keepAliveInitialDelay ?? 0 };
    if (opts.timeout) this.setTimeout(opts.timeout);
    if (typeof cb === 'function') this.once('connect', cb);
    this.connecting = true;
    this.#updateRef();
    let localPort: number | undefined;
    if (opts.localPort !== undefined) localPort = validatePort(opts.localPort, 'options.localPort', true) || undefined;

    const go = (address: Ipv4Addr, display: string): void => {
      if (this.destroyed) return;
      this.#startConnect(address, display, port, localPort);
    };
    if (isLoopbackName(host)) {
      const display = host === 'localhost' || host === '::1' ? '127.0.0.1' : host;
      net.loop.nextTick(() => go(parseIpv4(display)!, display));
    } else if (isIPv4(host)) {
      net.loop.nextTick(() => go(parseIpv4(host)!, host));
    } else if (isIPv6(host)) {
      net.loop.nextTick(() => this.destroy(errnoWithHostPort('EAFNOSUPPORT', 'connect', host, port)));
    } else {
      const done = (err: Error | null, address?: string, family?: number): void => {
        this.emit('lookup', err, address, family, host);
        if (this.destroyed) return;
        if (err) { this.destroy(err); return; }
        const a = parseIpv4(address ?? '');
        if (a === undefined) { this.destroy(errnoWithHostPort('EAFNOSUPPORT', 'connect', String(address), port)); return; }
        go(a, address!);
      };
      if (opts.lookup) opts.lookup(host, { family: 4 }, done);
      else {
        const h = net.lookup(host, (r) => {
          if (r.ok && r.addresses.length > 0) done(null, formatIpv4(r.addresses[0]!), 4);
          else done(dnsError(r.ok ? 'ENOTFOUND' : lookupCode(r.code), 'getaddrinfo', host));
        });
        this.#cancelConnect = () => h.cancel();
      }
    }
    return this;
  }

  #network(): NetworkService {
    this.#net ??= getNetwork();
    return this.#net;
  }

  #startConnect(address: Ipv4Addr, display: string, port: number, localPort: number | undefined): void {
    const net = this.#network();
    if (net.address === undefined) {
      if (!net.attached) { this.destroy(errnoWithHostPort('ENETUNREACH', 'connect', display, port)); return; }
      // Wait (bounded) for DHCP to configure the interface.
      const timer = net.loop.setTimeout(() => {
        w.cancel();
        this.destroy(errnoWithHostPort('ENETUNREACH', 'connect', display, port));
      }, CONFIG_WAIT_MS);
      timer.unref();
      const w = net.whenConfigured(() => { timer.close(); if (!this.destroyed) this.#startConnect(address, display, port, localPort); });
      this.#cancelConnect = () => { timer.close(); w.cancel(); };
      return;
    }
    this.#cancelConnect = undefined;
    let conn: TcpConnection;
    try {
      conn = net.connect({ remoteAddress: address, remotePort: port, localPort });
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      this.destroy(errnoWithHostPort(typeof code === 'string' ? code : 'EINVAL', 'connect', display, port));
      return;
    }
    if ((address >>> 24) === 127) this.#displayRemote = display;
    this.#attach(conn);
  }

  #attach(conn: TcpConnection): void {
    this.#conn = conn;
    if (this.#noDelay !== undefined) conn.setNoDelay(this.#noDelay);
    if (this.#keepAlive?.enable) conn.setKeepAlive(this.#keepAlive.delay > 0 ? { idle: this.#keepAlive.delay } : {});
    const kick = (): void => this.#schedule();
    conn.onConnected = kick;
    conn.onReadable = kick;
    conn.onWritable = kick;
    conn.onError = kick;
    conn.onClosed = kick;
  }

  #schedule(): void {
    if (this.#scheduled || !this.#net) return;
    this.#scheduled = true;
    this.#net.defer(() => { this.#scheduled = false; this.#pump(); });
  }

  /** Runs from the loop after TCP callbacks: connect, write progress, read, errors. */
  #pump(): void {
    const c = this.#conn;
    if (!c || this.destroyed) return;
    if (this.connecting) {
      if (c.error !== undefined) { this.destroy(this.#tcpError(c.error)); return; }
      const s = c.state;
      if (s === 'CLOSED' || s === 'TIME-WAIT') { this.destroy(this.#tcpError('ECONNREFUSED')); return; }
      if (s === 'SYN-SENT' || s === 'SYN-RECEIVED') return;
      this.connecting = false;
      this.#connectedOnce = true;
      this.#touch();
      this.emit('connect');
      if (this.destroyed) return;
      this.emit('ready');
      if (this.destroyed) return;
      if (!this.isPaused()) this.read(0);
      if (this.destroyed) return;
    }
    this.#flushPending();
    if (this.destroyed) return;
    const fin = this.#finalCb;
    if (fin && !this.#pending) { this.#finalCb = undefined; this._final(fin); }
    this.#pull();
    if (this.destroyed) return;
    if (c.error !== undefined) this.destroy(this.#tcpError(c.error));
  }

  #tcpError(code: string): SystemError {
    const c = this.#conn!;
    if (this.connecting || !this.#connectedOnce) {
      return errnoWithHostPort(code, 'connect', this.#displayRemote ?? formatIpv4(c.remoteAddress), c.remotePort);
    }
    return errnoError(code, 'read');
  }

  // ---- reading (stream.Readable) ----

  override _read(_size: number): void {
    this.#reading = true;
    if (this.#conn && !this.connecting) this.#pull();
  }

  /**
   * @internal Node's `parser.consume(socket._handle)`: an HTTP server parses the bytes TCP
   * received itself instead of taking them as 'data' events through the Readable (for a
   * keep-alive request the stream's push, 'data' and read-more ticks were a tenth of its
   * cost), so, as in Node, the socket's own 'data' listeners see nothing while it is
   * consumed. Delivery waits while the socket is paused (back-pressure stays the stream's
   * pause()/resume()); `undefined` hands the bytes back to the stream (an upgrade). The peer's
   * FIN is still push(null), 'end'.
   */
  _consume(consumer: ((chunk: Uint8Array) => void) | undefined): void {
    this.#consumer = consumer;
    if (this.#conn && !this.connecting) this.#schedule(); // what TCP holds already
  }

  override resume(): this {
    super.resume();
    if (this.#consumer) this.#schedule(); // no _read() will come: nothing was pushed
    return this;
  }

  /**
   * Moves received bytes into the stream while it wants them (or to the consumer while the
   * socket is not paused); push(null) after the peer's FIN.
   */
  #pull(): void {
    const c = this.#conn;
    if (!c || this.connecting) return;
    const chunk = underMemoryPressure() ? PRESSURE_READ_CHUNK : READ_CHUNK;
    while (!this.destroyed) {
      const consumer = this.#consumer;
      // A consumer waits while paused, and while the stream still holds bytes pushed before
      // it came (they go out as 'data' first: the order of the bytes is kept).
      if (consumer !== undefined ? this.isPaused() || this.readableLength > 0 : !this.#reading) break;
      const d = c.recv(chunk);
      if (!d) break;
      this.bytesRead += d.length;
      this.#touch();
      if (consumer !== undefined) consumer(d);
      else if (!this.push(asBuffer(d))) this.#reading = false;
    }
    if (!this.#eofPushed && !this.destroyed && c.readEnded) {
      this.#eofPushed = true;
      this.push(null);
      this.read(0); // as Node's onStreamRead: 'end' now when nothing is left unread
    }
  }

  // ---- writing (stream.Writable) ----

  override write(chunk: unknown, encoding?: BufferEncoding | Cb, cb?: Cb): boolean {
    if (this.#eofPushed && !this.allowHalfOpen && this.writableEnded) {
      // Node's writeAfterFIN: the peer ended and so did we (allowHalfOpen false).
      if (typeof encoding === 'function') cb = encoding;
      const err = Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' });
      if (typeof cb === 'function') process.nextTick(cb, err);
      this.destroy(err);
      return false;
    }
    return super.write(chunk, encoding as BufferEncoding, cb);
  }

  override _write(chunk: unknown, encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.#startWrite(toBytes(chunk, encoding === ('buffer' as BufferEncoding) ? undefined : encoding), cb);
  }

  override _writev(chunks: { chunk: unknown; encoding: BufferEncoding }[], cb: (err?: Error | null) => void): void {
    const parts = chunks.map(({ chunk, encoding }) => toBytes(chunk, encoding === ('buffer' as BufferEncoding) ? undefined : encoding));
    let total = 0;
    for (const p of parts) total += p.length;
    const all = new Uint8Array(total);
    let o = 0;
    for (const p of parts) { all.set(p, o); o += p.length; }
    this.#startWrite(all, cb);
  }

  #startWrite(data: Uint8Array, cb: (err?: Error | null) => void): void {
    if (!this.#conn && !this.connecting) {
      cb(nodeError(Error, 'ERR_SOCKET_CLOSED', 'Socket is closed'));
      return;
    }
    // The stream may hand us a caller's buffer: copy what must wait for TCP or the handshake.
    this.#pending = { data, cb };
    this.#pendingMovedBytes = 0;
    if (!this.connecting) this.#flushPending();
  }

  /** Hands the write in progress to TCP; completes it once TCP took every byte. */
  #flushPending(): void {
    const p = this.#pending;
    const c = this.#conn;
    if (!p || !c || this.connecting) return;
    const n = p.data.length > 0 ? c.send(p.data) : 0;
    if (n > 0) {
      this.#bytesMoved += n;
      this.#pendingMovedBytes += n;
      this.#touch();
    }
    if (n < p.data.length) {
      p.data = p.data.slice(n); // the caller may reuse its buffer once write() returned
      return;
    }
    this.#pending = undefined;
    this.#pendingMovedBytes = 0;
    p.cb(null);
  }

  override _final(cb: (err?: Error | null) => void): void {
    const c = this.#conn;
    if (this.connecting || (c && this.#pending)) { this.#finalCb = cb; return; }
    if (!c) {
      cb(null);
      // Never connected: nothing to finish (Node destroys such a socket on end()).
      process.nextTick(() => this.destroy());
      return;
    }
    c.close(); // RFC 9293 §3.10.4 CLOSE: the FIN follows the queued data
    this.#network().defer(() => cb(null));
  }

  // ---- destroying ----

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.connecting = false;
    this.#cancelConnect?.();
    this.#cancelConnect = undefined;
    this.#clearTimer();
    const c = this.#conn;
    if (c) {
      // As close(2): a graceful FIN unless unread data is buffered, then a reset. Data that
      // arrives afterwards resets the connection too (the socket is gone).
      if (err || this.#reset || c.readableLength > 0) c.abort();
      else c.close();
      c.onConnected = undefined;
      c.onWritable = undefined;
      c.onError = undefined;
      c.onClosed = undefined;
      c.onReadable = () => { if (c.readableLength > 0) c.abort(); };
    }
    const p = this.#pending;
    this.#pending = undefined;
    this.#finalCb = undefined;
    cb(err);
    if (p) p.cb(nodeError(Error, 'ERR_STREAM_DESTROYED', 'Cannot call write after a stream was destroyed'));
    if (this.#closeScheduled) return;
    this.#closeScheduled = true;
    this.#updateRef(); // destroyed: the socket no longer keeps the program alive
    const hadError = err != null;
    const emitClose = (): void => {
      this.emit('close', hadError);
      this.server?._connectionClosed(this);
    };
    // After the stream's 'error', which cb above queued with process.nextTick (the same queue
    // as the loop's in the image; Node's own in unit tests), as Node's handle-close callback.
    if (hadError) process.nextTick(emitClose);
    else this.#network().loop.nextTick(emitClose);
  }

  /** Close with a RST (Node's resetAndDestroy). */
  resetAndDestroy(): this {
    if (!this.#conn && !this.connecting) return this.destroy(nodeError(Error, 'ERR_SOCKET_CLOSED', 'Socket is closed'));
    if (this.connecting) { this.once('connect', () => { this.#reset = true; this.destroy(); }); return this; }
    this.#reset = true;
    return this.destroy();
  }

  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  // ---- options ----

  setNoDelay(noDelay = true): this {
    this.#noDelay = !!noDelay;
    this.#conn?.setNoDelay(!!noDelay);
    return this;
  }

  setKeepAlive(enable = false, initialDelay = 0): this {
    this.#keepAlive = { enable: !!enable, delay: Math.max(0, Number(initialDelay) || 0) };
    if (this.#conn) this.#conn.setKeepAlive(enable ? (this.#keepAlive.delay > 0 ? { idle: this.#keepAlive.delay } : {}) : false);
    return this;
  }

  setTimeout(ms: number, cb?: Cb): this {
    if (typeof ms !== 'number' || !(ms >= 0)) throw invalidArgType('msecs', 'of type number', ms);
    if (cb) {
      if (ms === 0) this.removeListener('timeout', cb);
      else this.once('timeout', cb);
    }
    this.#clearTimer();
    this.timeout = ms === 0 ? undefined : ms;
    if (ms > 0 && !this.destroyed) {
      this.#lastActive = this.#network().now();
      this.#arm(ms);
    }
    return this;
  }

  #arm(delay: number): void {
    const net = this.#network();
    const t = net.loop.setTimeout(() => {
      this.#timer = undefined;
      const ms = this.timeout;
      if (ms === undefined || this.destroyed) return;
      const idle = net.now() - this.#lastActive;
      if (idle < ms) { this.#arm(ms - idle); return; }
      this.emit('timeout');
    }, Math.max(1, delay));
    t.unref();
    this.#timer = t;
  }

  #touch(): void {
    if (this.timeout === undefined || !this.#net) return;
    this.#lastActive = this.#net.now();
    if (!this.#timer && !this.destroyed) this.#arm(this.timeout);
  }

  #clearTimer(): void {
    this.#timer?.close();
    this.#timer = undefined;
  }

  ref(): this {
    this.#refed = true;
    this.#updateRef();
    return this;
  }

  unref(): this {
    this.#refed = false;
    this.#updateRef();
    return this;
  }

  #updateRef(): void {
    const want = this.#refed && !this.closed && (this.connecting || (this.#conn !== undefined && !this.destroyed));
    if (want === this.#holdsRef) return;
    this.#holdsRef = want;
    const net = this.#network();
    if (want) net.ref(); else net.unref();
  }

  /** @internal used by Server for a connection taken from accept(). */
  static _accepted(init: AcceptInit, opts: SocketConstructorOpts): Socket {
    return new Socket({ ...opts, [kAccept]: init });
  }
}

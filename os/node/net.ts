/**
 * node:net on Nimbus's TCP stack (os/net/tcp) through the process's NetworkService
 * (os/netservice). IPv4 only.
 *
 * Semantics follow Node's net.Socket (a Duplex) without the streams machinery:
 * - Reading: a socket starts paused; a 'data' listener (or resume()/pipe()) makes it flow.
 *   While paused, bytes stay in the TCP receive buffer, so the window closes and the peer
 *   slows down (real back-pressure). 'end' is emitted once the peer's FIN arrived and every
 *   byte before it was consumed; with allowHalfOpen false (default) the socket then ends
 *   its side too.
 * - Writing: chunks go straight into the TCP send buffer (128 KiB, the "kernel" buffer);
 *   what does not fit waits in the socket's queue. write() returns false once that queue
 *   holds highWaterMark (16 KiB) or more, and 'drain' follows when it empties. Write
 *   callbacks run when their chunk is in the TCP buffer (as Node's after the write(2)).
 * - 'close' follows when both directions are done (Node's autoDestroy), or destroy().
 *   destroy() closes gracefully (FIN, queued TCP data still delivered) unless unread data
 *   is buffered, then it resets (as close(2) does); resetAndDestroy() always resets.
 * - Events from the network are delivered from the loop, each as its own macrotask; the
 *   TCP stack's callbacks only schedule them.
 * - Hostnames resolve through the stack's DNS resolver (dns.lookup). There is no loopback
 *   interface: 127.0.0.0/8 (and 'localhost', '::1') are redirected to the interface's own
 *   address, which the interface loops back; a server listening on 127.0.0.1 accepts only
 *   connections from its own address.
 *
 * Nimbus extension: `network` in the options of createServer/connect/new Socket picks a
 * NetworkService other than the process's (tests run two stacks in one process).
 */
import { EventEmitter } from './events.ts';
import { formatIpv4, parseIpv4, type Ipv4Addr } from '../net/addr.ts';
import type { TcpConnection, TcpListener } from '../net/tcp/index.ts';
import { CONFIG_WAIT_MS, getNetwork, type NetworkService } from '../netservice/index.ts';
import { randomFill } from '../runtime/random.ts';
import { badPort, dnsError, errnoError, errnoWithHostPort, invalidArgType, nodeError, uvWithHostPort, type SystemError } from '../netservice/errors.ts';

type Cb = (...args: any[]) => void;
type Encoding = 'utf8' | 'utf-8' | 'latin1' | 'binary' | 'ascii' | 'hex' | 'base64' | 'base64url' | 'ucs2' | 'ucs-2' | 'utf16le' | 'utf-16le';

const HIGH_WATER_MARK = 16 * 1024;



// ---------------------------------------------------------------------------- addresses

/** Node's isIPv4: four decimal octets without leading zeros. */
export function isIPv4(input: unknown): boolean {
  return typeof input === 'string' && parseIpv4(input) !== undefined;
}

/** Node's isIPv6: hex groups with at most one '::', an optional trailing IPv4, an optional zone. */
export function isIPv6(input: unknown): boolean {
  if (typeof input !== 'string') return false;
  let s = input;
  const pct = s.indexOf('%');
  if (pct >= 0) {
    if (!/^[0-9a-zA-Z\-.:]+$/.test(s.slice(pct + 1))) return false;
    s = s.slice(0, pct);
  }
  let groupsNeeded = 8;
  const lastColon = s.lastIndexOf(':');
  if (lastColon >= 0 && s.indexOf('.', lastColon) >= 0) {
    if (!isIPv4(s.slice(lastColon + 1))) return false;
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const parse = (part: string): number => {
    if (part === '') return 0;
    const groups = part.split(':');
    for (const g of groups) if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return -1;
    return groups.length;
  };
  if (halves.length === 1) return parse(halves[0]!) === groupsNeeded;
  const a = parse(halves[0]!), b = parse(halves[1]!);
  if (a < 0 || b < 0) return false;
  groupsNeeded -= 1;
  return a + b <= groupsNeeded;
}

export function isIP(input: unknown): 0 | 4 | 6 {
  return isIPv4(input) ? 4 : isIPv6(input) ? 6 : 0;
}

function isLoopbackName(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.') && isIPv4(host);
}

function validatePort(port: unknown, name: string, allowZero: boolean): number {
  const n = typeof port === 'string' && port.trim() !== '' ? Number(port) : port;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < (allowZero ? 0 : 1) || n > 65535) throw badPort(name, port, allowZero);
  return n;
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

function loop(net: NetworkService) { return net.loop; }

// ---------------------------------------------------------------------------- decoding

class ChunkDecoder {
  readonly #enc: string;
  readonly #utf8: TextDecoder | undefined;
  #carry = new Uint8Array(0);
  constructor(enc: string) {
    this.#enc = enc.toLowerCase();
    if (this.#enc === 'utf8' || this.#enc === 'utf-8') this.#utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
    else if (!Buffer.isEncoding(this.#enc)) throw nodeError(TypeError, 'ERR_UNKNOWN_ENCODING', `Unknown encoding: ${enc}`);
  }
  write(b: Uint8Array): string {
    if (this.#utf8) return this.#utf8.decode(b, { stream: true });
    if (this.#enc.startsWith('base64')) {
      // Keep whole 3-byte groups together so chunk boundaries do not change the text.
      const all = this.#carry.length ? concat(this.#carry, b) : b;
      const cut = all.length - (all.length % 3);
      this.#carry = all.slice(cut);
      return asBuffer(all.subarray(0, cut)).toString(this.#enc as BufferEncoding);
    }
    return asBuffer(b).toString(this.#enc as BufferEncoding);
  }
  end(): string {
    if (this.#utf8) return this.#utf8.decode();
    const c = this.#carry;
    this.#carry = new Uint8Array(0);
    return c.length ? asBuffer(c).toString(this.#enc as BufferEncoding) : '';
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

// ---------------------------------------------------------------------------- Socket

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

interface QueuedWrite { data: Uint8Array; cb: Cb | undefined }

const kAccept = Symbol('nimbus.net.accept');

interface AcceptInit { conn: TcpConnection; server: Server; network: NetworkService }

export class Socket extends EventEmitter {
  connecting = false;
  allowHalfOpen: boolean;
  bytesRead = 0;
  /** Node's server property (accepted sockets). */
  server: Server | null = null;
  /** Milliseconds of inactivity before 'timeout' (undefined when off). */
  timeout: number | undefined;
  readonly writableHighWaterMark: number;
  readonly readableHighWaterMark: number;

  #net: NetworkService | undefined;
  #conn: TcpConnection | undefined;
  #destroyed = false;
  #closed = false;
  #hadError = false;
  #errored: Error | null = null;
  #connectedOnce = false;
  #scheduled = false;
  #flowing: boolean | null = null;
  #endEmitted = false;
  #ending = false; // end() called
  #finSent = false; // conn.close() called after the queue drained
  #finishEmitted = false;
  #endCbs: Cb[] = [];
  #queue: QueuedWrite[] = [];
  #queued = 0;
  #bytesWritten = 0;
  #needDrain = false;
  #refed = true;
  #holdsRef = false;
  #timer: { refresh(): unknown; unref(): unknown; close(): unknown } | undefined;
  #lastActive = 0;
  #decoder: ChunkDecoder | undefined;
  #encoding: string | null = null;
  #noDelay: boolean | undefined;
  #keepAlive: { enable: boolean; delay: number } | undefined;
  #displayRemote: string | undefined;
  #cancelConnect: (() => void) | undefined;

  constructor(options: SocketConstructorOpts & { [kAccept]?: AcceptInit } = {}) {
    super();
    this.allowHalfOpen = options.allowHalfOpen === true;
    this.writableHighWaterMark = this.readableHighWaterMark = options.highWaterMark ?? HIGH_WATER_MARK;
    this.#net = options.network;
    if (options.noDelay) this.#noDelay = true;
    if (options.keepAlive) this.#keepAlive = { enable: true, delay: options.keepAliveInitialDelay ?? 0 };
    this.on('newListener', (event: string | symbol) => {
      if (event === 'data' && this.#flowing !== false) this.resume();
    });
    const init = options[kAccept];
    if (init) {
      this.#net = init.network;
      this.server = init.server;
      this.#connectedOnce = true;
      this.#attach(init.conn);
      this.#updateRef();
      this.#schedule(); // data or a FIN may have arrived before accept()
    }
    if (options.timeout) this.setTimeout(options.timeout);
  }

  // ---- state getters (Node's names) ----

  get destroyed(): boolean { return this.#destroyed; }
  get closed(): boolean { return this.#closed; }
  get errored(): Error | null { return this.#errored; }
  get pending(): boolean { return !this.#conn || this.connecting; }
  get readable(): boolean { return !this.#destroyed && !this.#endEmitted; }
  get writable(): boolean { return !this.#destroyed && !this.#ending; }
  get readableEnded(): boolean { return this.#endEmitted; }
  get readableFlowing(): boolean | null { return this.#flowing; }
  get writableEnded(): boolean { return this.#ending; }
  get writableFinished(): boolean { return this.#finishEmitted; }
  get writableLength(): number { return this.#queued; }
  get writableNeedDrain(): boolean { return this.#needDrain; }
  get readableLength(): number { return this.#conn?.readableLength ?? 0; }
  get readableEncoding(): string | null { return this.#encoding; }
  /** Deprecated in Node; kept for old code. */
  get bufferSize(): number { return this.#queued; }
  get bytesWritten(): number { return this.#bytesWritten + this.#queued; }

  get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.connecting) return 'opening';
    if (this.#destroyed || !this.#conn) return 'closed';
    const r = !this.#endEmitted, w = !this.#ending;
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
    if (this.#destroyed && this.#closed) {
      // Node lets a closed socket connect again: start from a clean state.
      this.#destroyed = this.#closed = this.#endEmitted = this.#ending = this.#finSent = this.#finishEmitted = false;
      this.#hadError = false;
      this.#errored = null;
      this.#conn = undefined;
      this.#connectedOnce = false;
      this.#displayRemote = undefined;
      this.bytesRead = 0;
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
      if (this.#destroyed) return;
      this.#startConnect(address, display, port, localPort);
    };
    if (isLoopbackName(host)) {
      const display = host === 'localhost' ? '127.0.0.1' : host === '::1' ? '127.0.0.1' : host;
      loop(net).nextTick(() => go(parseIpv4(display)!, display));
    } else if (isIPv4(host)) {
      loop(net).nextTick(() => go(parseIpv4(host)!, host));
    } else if (isIPv6(host)) {
      loop(net).nextTick(() => this.destroy(errnoWithHostPort('EAFNOSUPPORT', 'connect', host, port)));
    } else {
      const done = (err: Error | null, address?: string, family?: number): void => {
        this.emit('lookup', err, address, family, host);
        if (this.#destroyed) return;
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
      const w = net.whenConfigured(() => { timer.close(); if (!this.#destroyed) this.#startConnect(address, display, port, localPort); });
      this.#cancelConnect = () => { timer.close(); w.cancel(); };
      return;
    }
    this.#cancelConnect = undefined;
    let conn: TcpConnection;
    try {
      conn = net.connect({ remoteAddress: address, remotePort: port, localPort });
    } catch (e) {
      const msg = (e as Error).message;
      const code = /address in use/.test(msg) ? 'EADDRINUSE' : /no local address|network unreachable/.test(msg) ? 'ENETUNREACH' : 'EAGAIN';
      this.destroy(errnoWithHostPort(code, 'connect', display, port));
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

  /** Runs from the loop after TCP callbacks: connect, read, write, end, errors, close. */
  #pump(): void {
    const c = this.#conn;
    if (!c || this.#destroyed) return;
    if (this.connecting) {
      const s = c.state;
      if (s !== 'SYN-SENT' && s !== 'SYN-RECEIVED' && s !== 'CLOSED') {
        this.connecting = false;
        this.#connectedOnce = true;
        this.#touch();
        this.emit('connect');
        if (this.#destroyed) return;
        this.emit('ready');
        if (this.#destroyed) return;
      }
    }
    if (!this.connecting) {
      this.#flush();
      if (this.#destroyed) return;
      this.#read();
      if (this.#destroyed) return;
    }
    if (c.error !== undefined) {
      this.destroy(this.#tcpError(c.error));
      return;
    }
    if (c.state === 'CLOSED' || c.state === 'TIME-WAIT') {
      if (this.connecting) { this.destroy(this.#tcpError('ECONNREFUSED')); return; }
      // The stack is done; anything not yet delivered never will be.
      if (this.#ending && this.#endEmitted) this.destroy();
      else if (!this.#endEmitted && c.readEnded && this.#flowing) this.#read();
    }
    this.#maybeClose();
  }

  #tcpError(code: string): SystemError {
    const c = this.#conn!;
    if (this.connecting || !this.#connectedOnce) {
      return errnoWithHostPort(code, 'connect', this.#displayRemote ?? formatIpv4(c.remoteAddress), c.remotePort);
    }
    return errnoError(code, 'read');
  }

  // ---- reading ----

  #read(): void {
    const c = this.#conn;
    if (!c) return;
    while (this.#flowing && !this.#destroyed) {
      const d = c.recv();
      if (!d) break;
      this.bytesRead += d.length;
      this.#touch();
      if (this.#decoder) {
        const s = this.#decoder.write(d);
        if (s.length > 0) this.emit('data', s);
      } else {
        this.emit('data', asBuffer(d));
      }
    }
    if (this.#destroyed || this.#endEmitted || !c.readEnded) return;
    if (this.#flowing === false && c.readableLength > 0) return;
    this.#endEmitted = true;
    if (this.#decoder) {
      const rest = this.#decoder.end();
      if (rest.length > 0) this.emit('data', rest);
    }
    this.emit('end');
    if (this.#destroyed) return;
    if (!this.allowHalfOpen && !this.#ending) this.end();
  }

  pause(): this {
    if (this.#flowing !== false) {
      this.#flowing = false;
      this.emit('pause');
    }
    return this;
  }

  resume(): this {
    if (!this.#flowing) {
      this.#flowing = true;
      this.emit('resume');
      if (this.#conn && this.#net) loop(this.#net).nextTick(() => { if (!this.connecting) this.#read(); this.#maybeClose(); });
    }
    return this;
  }

  isPaused(): boolean { return this.#flowing === false; }

  setEncoding(encoding: Encoding | string = 'utf8'): this {
    this.#decoder = new ChunkDecoder(encoding);
    this.#encoding = encoding.toLowerCase() === 'utf-8' ? 'utf8' : encoding.toLowerCase();
    return this;
  }

  /** Node's pipe, without the streams machinery: back-pressure via pause/drain. */
  pipe<T extends { write(chunk: any): boolean; end?(): unknown; once(e: string, l: Cb): unknown; on?(e: string, l: Cb): unknown }>(dest: T, options: { end?: boolean } = {}): T {
    const onData = (chunk: Uint8Array | string): void => {
      if (dest.write(chunk) === false) {
        this.pause();
        dest.once('drain', () => this.resume());
      }
    };
    this.on('data', onData);
    if (options.end !== false) this.once('end', () => dest.end?.());
    this.once('close', () => this.removeListener('data', onData));
    this.emit('pipe' as string, dest);
    this.resume();
    return dest;
  }

  // ---- writing ----

  write(data: unknown, encoding?: string | Cb, cb?: Cb): boolean {
    if (typeof encoding === 'function') { cb = encoding; encoding = undefined; }
    const bytes = toBytes(data, encoding);
    if (this.#ending || this.#destroyed) {
      const err = this.#destroyed
        ? nodeError(Error, 'ERR_STREAM_DESTROYED', 'Cannot call write after a stream was destroyed')
        : nodeError(Error, 'ERR_STREAM_WRITE_AFTER_END', 'write after end');
      const net = this.#network();
      loop(net).nextTick(() => {
        cb?.(err);
        if (!this.#destroyed) this.destroy(err);
      });
      return false;
    }
    if (!this.#conn && !this.connecting) {
      const err = errnoError('EPIPE', 'write');
      loop(this.#network()).nextTick(() => { cb?.(err); this.destroy(err); });
      return false;
    }
    this.#queue.push({ data: bytes.slice(), cb });
    this.#queued += bytes.length;
    if (!this.connecting) this.#flush();
    const ok = this.#queued < this.writableHighWaterMark;
    if (!ok) this.#needDrain = true;
    return ok;
  }

  /** Moves queued chunks into the TCP send buffer; FIN once end() was called and all went. */
  #flush(): void {
    const c = this.#conn;
    if (!c || this.connecting || this.#destroyed) return;
    const done: Cb[] = [];
    let moved = false;
    while (this.#queue.length > 0) {
      const head = this.#queue[0]!;
      if (head.data.length > 0) {
        const n = c.send(head.data);
        if (n > 0) moved = true;
        this.#bytesWritten += n;
        this.#queued -= n;
        if (n < head.data.length) { head.data = head.data.subarray(n); break; }
      }
      this.#queue.shift();
      if (head.cb) done.push(head.cb);
    }
    if (moved) this.#touch();
    const net = this.#net!;
    if (done.length > 0) loop(net).nextTick(() => { for (const cb of done) cb(null); });
    if (this.#queue.length === 0) {
      if (this.#needDrain) {
        this.#needDrain = false;
        loop(net).nextTick(() => { if (!this.#destroyed) this.emit('drain'); });
      }
      if (this.#ending && !this.#finSent) {
        this.#finSent = true;
        c.close();
        loop(net).nextTick(() => {
          if (this.#finishEmitted) return;
          this.#finishEmitted = true;
          this.emit('finish');
          for (const cb of this.#endCbs.splice(0)) cb();
          this.#maybeClose();
        });
      }
    }
  }

  end(data?: unknown, encoding?: string | Cb, cb?: Cb): this {
    if (typeof data === 'function') { cb = data as Cb; data = undefined; encoding = undefined; }
    if (typeof encoding === 'function') { cb = encoding; encoding = undefined; }
    if (data !== undefined && data !== null) this.write(data, encoding as string | undefined);
    if (cb) {
      if (this.#finishEmitted) loop(this.#network()).nextTick(cb);
      else this.#endCbs.push(cb);
    }
    if (this.#ending) return this;
    this.#ending = true;
    if (!this.#conn && !this.connecting) {
      // Never connected: nothing to finish.
      if (!this.#destroyed) loop(this.#network()).nextTick(() => this.destroy());
      return this;
    }
    this.#flush();
    return this;
  }

  #maybeClose(): void {
    if (this.#destroyed) return;
    if (this.#finishEmitted && (this.#endEmitted || this.#conn?.state === 'CLOSED' || this.#conn?.state === 'TIME-WAIT')) this.destroy();
  }

  // ---- destroying ----

  destroy(error?: Error | null): this {
    if (this.#destroyed) return this;
    this.#destroyed = true;
    this.connecting = false;
    this.#cancelConnect?.();
    this.#cancelConnect = undefined;
    this.#clearTimer();
    const c = this.#conn;
    if (c) {
      // As close(2): a graceful FIN unless unread data is buffered, then a reset. Data that
      // arrives afterwards resets the connection too (the socket is gone).
      if (error || c.readableLength > 0) c.abort();
      else c.close();
      c.onConnected = undefined;
      c.onWritable = undefined;
      c.onError = undefined;
      c.onClosed = undefined;
      c.onReadable = () => { if (c.readableLength > 0) c.abort(); };
    }
    this.#queue.length = 0;
    this.#queued = 0;
    if (error) { this.#hadError = true; this.#errored = error; }
    const net = this.#network();
    loop(net).nextTick(() => {
      if (error) this.emit('error', error);
      this.#closed = true;
      this.#updateRef();
      this.emit('close', this.#hadError);
      this.server?._connectionClosed(this);
    });
    return this;
  }

  /** Close with a RST (Node's resetAndDestroy). */
  resetAndDestroy(): this {
    this.#conn?.abort();
    return this.destroy();
  }

  destroySoon(): void {
    if (this.writable) this.end();
    if (this.#finishEmitted) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  // ---- corking (stream.Writable's API; ws corks a frame's header and payload) ----

  #corked = 0;
  /** Counted only: writes still go to TCP at once, where Nagle batches small segments (RFC 896). */
  cork(): void { this.#corked++; }
  uncork(): void { if (this.#corked > 0) this.#corked--; }
  get writableCorked(): number { return this.#corked; }

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
    if (ms > 0 && !this.#destroyed) {
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
      if (ms === undefined || this.#destroyed) return;
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
    if (!this.#timer && !this.#destroyed) this.#arm(this.timeout);
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
    const want = this.#refed && !this.#closed && (this.connecting || this.#conn !== undefined);
    if (want === this.#holdsRef) return;
    this.#holdsRef = want;
    const net = this.#network();
    if (want) net.ref(); else net.unref();
  }

  /** Async iteration over the chunks ('data'), ending at 'end'; errors reject. */
  [Symbol.asyncIterator](): AsyncIterableIterator<Buffer | string> {
    const chunks: (Buffer | string)[] = [];
    const waiting: { resolve: (r: IteratorResult<Buffer | string>) => void; reject: (e: unknown) => void }[] = [];
    let finished = false;
    let failure: unknown = null;
    const settle = (): void => {
      while (waiting.length > 0) {
        if (chunks.length > 0) { waiting.shift()!.resolve({ value: chunks.shift()!, done: false }); continue; }
        if (failure !== null) { const e = failure; failure = null; finished = true; waiting.shift()!.reject(e); continue; }
        if (finished) { waiting.shift()!.resolve({ value: undefined, done: true }); continue; }
        break;
      }
      if (chunks.length === 0 && !finished && waiting.length > 0) this.resume();
    };
    const onData = (d: Buffer | string): void => {
      chunks.push(d);
      if (waiting.length === 0) this.pause(); // hold the rest in TCP until asked for
      settle();
    };
    const onEnd = (): void => { finished = true; cleanup(); settle(); };
    const onError = (e: unknown): void => { failure = e; cleanup(); settle(); };
    const onClose = (): void => { finished = true; cleanup(); settle(); };
    const cleanup = (): void => {
      this.removeListener('data', onData);
      this.removeListener('end', onEnd);
      this.removeListener('error', onError);
      this.removeListener('close', onClose);
    };
    this.on('data', onData);
    this.on('end', onEnd);
    this.on('error', onError);
    this.on('close', onClose);
    const self = this;
    return {
      next(): Promise<IteratorResult<Buffer | string>> {
        return new Promise((resolve, reject) => { waiting.push({ resolve, reject }); settle(); });
      },
      return(): Promise<IteratorResult<Buffer | string>> {
        cleanup();
        finished = true;
        self.destroy();
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() { return this; },
    };
  }

  /** @internal used by Server for a connection taken from accept(). */
  static _accepted(init: AcceptInit, opts: SocketConstructorOpts): Socket {
    return new Socket({ ...opts, [kAccept]: init });
  }
}

/** The resolver's codes as getaddrinfo reports them (Node's dns.lookup). */
export function lookupCode(code: string): string {
  switch (code) {
    case 'ETIMEOUT': return 'EAI_AGAIN';
    case 'ESERVFAIL': case 'EREFUSED': case 'ECONNREFUSED': return 'EAI_AGAIN';
    case 'ENODATA': return 'ENOTFOUND';
    case 'EBADNAME': return 'ENOTFOUND';
    default: return code;
  }
}

function normalizeConnectArgs(args: unknown[]): [TcpSocketConnectOpts, Cb | undefined] {
  const last = args[args.length - 1];
  const cb = typeof last === 'function' ? last as Cb : undefined;
  const a0 = args[0];
  if (a0 !== null && typeof a0 === 'object') return [{ ...(a0 as TcpSocketConnectOpts) }, cb];
  if (typeof a0 === 'string' && !/^\s*\d+\s*$/.test(a0)) return [{ path: a0 } as unknown as TcpSocketConnectOpts, cb];
  const opts: TcpSocketConnectOpts = { port: a0 as number };
  if (typeof args[1] === 'string') opts.host = args[1];
  return [opts, cb];
}

// ---------------------------------------------------------------------------- Server

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
    loop(this.#network()).nextTick(() => this.emit('error', err));
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
      } catch {
        return undefined;
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
    loop(net).nextTick(() => { if (this.#listener === listener) this.emit('listening'); });
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
      const s = Socket._accepted({ conn: c, server: this, network: net }, {
        allowHalfOpen: o.allowHalfOpen, noDelay: o.noDelay, keepAlive: o.keepAlive,
        keepAliveInitialDelay: o.keepAliveInitialDelay, highWaterMark: o.highWaterMark,
      });
      if (o.pauseOnConnect) s.pause();
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
    loop(this.#network()).nextTick(() => this.emit('close'));
  }

  getConnections(cb: (err: Error | null, count: number) => void): this {
    const n = this.#connections.size;
    loop(this.#network()).nextTick(() => cb(null, n));
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

// ---------------------------------------------------------------------------- functions

export function createServer(options?: ServerOpts | Cb, connectionListener?: Cb): Server {
  return new Server(options, connectionListener);
}

export function connect(...args: unknown[]): Socket {
  const [opts] = normalizeConnectArgs(args);
  const s = new Socket({
    allowHalfOpen: (opts as SocketConstructorOpts).allowHalfOpen,
    network: opts.network,
  });
  return s.connect(...args);
}

export const createConnection = connect;
export const Stream = Socket;

/** Node ≥ 18.18: happy eyeballs; IPv4 only here, so it changes nothing. */
export function getDefaultAutoSelectFamily(): boolean { return false; }
export function setDefaultAutoSelectFamily(_value: boolean): void {}

export default {
  Socket, Server, Stream, createServer, connect, createConnection, isIP, isIPv4, isIPv6,
  getDefaultAutoSelectFamily, setDefaultAutoSelectFamily,
};


/**
 * Node-compatible `http.Server` over an injected `net` module (see net-types.ts).
 *
 * Per connection: one request parser, a queue of responses in request order (pipelined
 * requests are parsed ahead; a later response is buffered until the earlier ones finish),
 * and four timeouts behind one timer (deadlines.ts): headersTimeout (first byte → end of
 * head), requestTimeout (first byte → end of body), keepAliveTimeout (idle between requests)
 * and drainTimeout (a write that stays blocked because the client does not read: the
 * slow-client cut). Malformed input is
 * answered with its status (400/413/414/431/505) and `Connection: close`.
 */
import EventEmitter from 'events/events.js';
import { HttpParser, type MessageHead, type ParseError } from './parser.ts';
import { IncomingMessage, headersObject, type FlowControl } from './incoming.ts';
import { ServerResponse, defaultEncode, type ResponseSink, type StringEncoder } from './response.ts';
import type { NetModuleLike, NetServerLike, SocketLike } from './net-types.ts';
import { STATUS_CODES } from './status.ts';
import { latin1Encode } from '../web/text.ts';
import { Deadlines } from './deadlines.ts';

export interface ServerOptions {
  /** ms from a request's first byte to the end of its head (Node: 60000). */
  headersTimeout?: number;
  /** ms from a request's first byte to the end of its body, 0 = none (Node: 300000). */
  requestTimeout?: number;
  /** ms an idle keep-alive connection is kept (Node: 5000). */
  keepAliveTimeout?: number;
  /** ms a blocked write may wait for 'drain' before the connection is cut, 0 = none. */
  drainTimeout?: number;
  maxHeaderSize?: number;
  maxUriLength?: number;
  /** Largest accepted request body in bytes (default: no limit, as Node). */
  maxBodySize?: number;
  /** Answer HTTP/1.1 requests without Host with 400 (Node ≥ 20 default: true). */
  requireHostHeader?: boolean;
  /** Node's `keepAlive`/`noDelay` style socket options. */
  noDelay?: boolean;
}

/** What the server needs besides `net`: how chunks and strings look to user code. */
export interface HttpEnv {
  readonly net: NetModuleLike;
  /** Turns a body slice into what user code sees (Buffer in Node's API); identity by default. */
  readonly wrapChunk?: (u: Uint8Array) => Uint8Array;
  readonly encode?: StringEncoder;
  /**
   * True while memory is short: new requests are then answered `503` with `Retry-After`
   * and the connection closes, before any of the request's memory is taken (issue 10).
   */
  readonly memoryPressure?: () => boolean;
}

/** Seconds a client refused under memory pressure is asked to wait (RFC 9110 §10.2.3). */
const RETRY_AFTER_SECONDS = 1;
/**
 * Connections served even under memory pressure: with no more open the memory is not held by
 * requests, and answering every one 503 would lock clients out for as long as the program's
 * own heap stays above the line (issue 10; the TCP stack's pressureFloor is the same rule).
 */
const PRESSURE_FLOOR = 4;

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** The connection's timeouts, slots of its Deadlines (deadlines.ts). */
const enum Deadline { Headers, Request, Idle, Drain }

export class Server extends EventEmitter {
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  drainTimeout: number;
  /** Node's socket inactivity timeout (0 = none); emits 'timeout' or destroys the socket. */
  timeout = 0;
  maxHeadersCount: number | null = null;
  maxRequestsPerSocket = 0;
  /** Connections beyond this are closed as soon as they are accepted. */
  maxConnections: number | undefined = undefined;

  readonly #env: HttpEnv;
  readonly #opts: ServerOptions;
  readonly #net: NetServerLike;
  readonly #connections = new Set<Connection>();
  #closing = false;

  constructor(env: HttpEnv, options?: ServerOptions | RequestListener, listener?: RequestListener) {
    super();
    if (typeof options === 'function') { listener = options; options = undefined; }
    const o = options ?? {};
    this.#env = env;
    this.#opts = o;
    this.headersTimeout = o.headersTimeout ?? 60_000;
    this.requestTimeout = o.requestTimeout ?? 300_000;
    this.keepAliveTimeout = o.keepAliveTimeout ?? 5_000;
    this.drainTimeout = o.drainTimeout ?? 60_000;
    if (listener) this.on('request', listener);
    // allowHalfOpen: a client that shuts its sending side still gets its pending responses.
    this.#net = (env.net.createServer as (o: object, l: (s: SocketLike) => void) => NetServerLike)(
      { allowHalfOpen: true },
      (socket) => this.#onConnection(socket),
    );
    this.#net.on('listening', () => this.emit('listening'));
    this.#net.on('error', (e: Error) => this.emit('error', e));
    this.#net.on('close', () => this.emit('close'));
  }

  get listening(): boolean { return !!this.#net.listening; }

  listen(...args: unknown[]): this {
    this.#closing = false;
    this.#net.listen(...args);
    return this;
  }

  address(): ReturnType<NetServerLike['address']> {
    return this.#net.address();
  }

  /** Stops accepting; idle keep-alive connections close now, busy ones after their response. */
  close(cb?: (err?: Error) => void): this {
    this.#closing = true;
    this.#net.close(cb);
    this.closeIdleConnections();
    return this;
  }

  closeAllConnections(): void {
    for (const c of [...this.#connections]) c.destroy();
  }

  closeIdleConnections(): void {
    for (const c of [...this.#connections]) if (c.idle) c.destroy();
  }

  setTimeout(ms: number, cb?: () => void): this {
    this.timeout = ms;
    if (cb) this.on('timeout', cb);
    return this;
  }

  ref(): this { this.#net.ref?.(); return this; }
  unref(): this { this.#net.unref?.(); return this; }

  /** @internal */
  get _closing(): boolean { return this.#closing; }
  /** @internal */
  get _env(): HttpEnv { return this.#env; }
  /** @internal */
  get _opts(): ServerOptions { return this.#opts; }
  /** @internal */
  _forget(c: Connection): void { this.#connections.delete(c); }
  /** @internal Memory pressure as this server should act on it: only above PRESSURE_FLOOR connections. */
  _shedding(): boolean { return this.#connections.size > PRESSURE_FLOOR && (this.#env.memoryPressure?.() ?? false); }

  #onConnection(socket: SocketLike): void {
    if (this.maxConnections !== undefined && this.#connections.size >= this.maxConnections) {
      this.emit('drop', { remoteAddress: socket.remoteAddress, remotePort: socket.remotePort });
      socket.destroy();
      return;
    }
    if (this.#opts.noDelay !== false) socket.setNoDelay?.(true);
    const c = new Connection(this, socket);
    this.#connections.add(c);
    this.emit('connection', socket);
  }
}

class Connection implements ResponseSink, FlowControl {
  readonly socket: SocketLike;
  readonly #server: Server;
  readonly #parser: HttpParser;
  readonly #queue: ServerResponse[] = [];
  /** Chunks written by queued (not yet active) responses. */
  readonly #held = new Map<ServerResponse, [Uint8Array, ((e?: Error | null) => void) | undefined][]>();
  #req: IncomingMessage | null = null;
  #res: ServerResponse | null = null;
  /** Input is ignored from now on (error, timeout, peer ended, connection ending). */
  #stopReading = false;
  /** The last request's head was seen (Connection: close / HTTP/1.0 / upgrade): no new heads. */
  #noMoreRequests = false;
  #pendingError: number | null = null;
  #errorSent = false;
  #peerEnded = false;
  #closed = false;
  /** The socket was handed to an 'upgrade' listener (RFC 9110 §7.8): HTTP is over on it. */
  #upgraded = false;
  #paused = false;
  #served = 0;
  /**
   * Handlers in Deadline's order: headersTimeout and requestTimeout answer 408;
   * keepAliveTimeout (Idle, also the grace period of a closing connection) and drainTimeout
   * cut the connection.
   */
  readonly #timeouts = new Deadlines([
    () => this.#onTimeout(),
    () => this.#onTimeout(),
    () => this.socket.destroy(),
    () => this.socket.destroy(),
  ]);

  constructor(server: Server, socket: SocketLike) {
    this.#server = server;
    this.socket = socket;
    const o = server._opts;
    this.#parser = new HttpParser('request', {
      onHead: (h) => this.#onHead(h),
      onBody: (d) => this.#req?._push(d),
      onEnd: (t) => this.#onEnd(t),
      onError: (e) => this.#onParseError(e),
    }, { maxHeaderSize: o.maxHeaderSize, maxUriLength: o.maxUriLength, maxBodySize: o.maxBodySize });
    socket.on('data', (d: Uint8Array) => this.#onData(d)); // a socket that cannot be consumed
    socket._consume?.((d) => this.#onData(d));
    socket.on('end', () => this.#onPeerEnd());
    socket.on('error', (e: Error) => this.#onSocketError(e));
    socket.on('close', () => this.#onClose());
    socket.on('drain', () => this.#onDrain());
    if (server.timeout > 0 && socket.setTimeout) {
      socket.setTimeout(server.timeout);
      socket.on('timeout', () => {
        if (!server.emit('timeout', socket)) socket.destroy();
      });
    }
    this.#startMessageTimers();
  }

  get idle(): boolean {
    return this.#queue.length === 0 && this.#req === null && this.#parser.idle;
  }

  destroy(): void {
    this.socket.destroy();
  }

  // ---- ResponseSink ----

  keepAliveTimeoutSeconds(): number {
    return Math.floor(this.#server.keepAliveTimeout / 1000);
  }

  mayKeepAlive(): boolean {
    const max = this.#server.maxRequestsPerSocket;
    return !this.#server._closing && !this.#peerEnded && !(max > 0 && this.#served >= max);
  }

  write(res: ServerResponse, data: Uint8Array, cb?: (err?: Error | null) => void): boolean {
    if (this.#closed) {
      if (cb) queueMicrotask(() => cb(new Error('socket closed')));
      return false;
    }
    if (this.#queue[0] !== res) {
      let held = this.#held.get(res);
      if (!held) this.#held.set(res, (held = []));
      held.push([data, cb]);
      return held.length < 16;
    }
    const ok = this.socket.write(data, cb);
    if (!ok && !this.#timeouts.isSet(Deadline.Drain)) this.#timeouts.set(Deadline.Drain, this.#server.drainTimeout);
    return ok;
  }

  done(res: ServerResponse): void {
    if (this.#queue[0] !== res) return;
    this.#queue.shift();
    res.req._dump();
    res._close();
    if (!res.req.complete) {
      // The response went out before the request body arrived; reading on would mean
      // parsing an unbounded body just to find the next request, so the connection ends.
      this.#endConnection();
      return;
    }
    res.req._close();
    if (!res.shouldKeepAlive) {
      this.#endConnection();
      return;
    }
    this.#activateNext();
  }

  // ---- FlowControl ----

  pauseReading(): void {
    if (!this.#paused) { this.#paused = true; this.socket.pause(); }
  }

  resumeReading(): void {
    if (this.#paused) { this.#paused = false; this.socket.resume(); }
  }

  // ---- events ----

  #onData(d: Uint8Array): void {
    if (this.#stopReading) return;
    this.#timeouts.clear(Deadline.Idle);
    if (this.#parser.idle && this.#req === null && !this.#timeouts.isSet(Deadline.Headers)) this.#startMessageTimers();
    this.#parser.push(d);
  }

  #startMessageTimers(): void {
    this.#timeouts.set(Deadline.Headers, this.#server.headersTimeout);
    this.#timeouts.set(Deadline.Request, this.#server.requestTimeout);
  }

  /** Node answers a request that is too slow to arrive with 408 and closes. */
  #onTimeout(): void {
    this.#timeouts.clear(Deadline.Headers);
    this.#timeouts.clear(Deadline.Request);
    const req = this.#req;
    const res = this.#res;
    if (req && res && !req.complete) req._abort(Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }));
    this.#stopReading = true;
    if (this.#queue.length === 0 || (res && this.#queue.length === 1 && this.#queue[0] === res && !res.headersSent && req && !req.complete)) {
      if (res) this.#abandon(res);
      this.#sendError(408);
    } else {
      this.socket.destroy();
    }
  }

  #onHead(h: MessageHead): void {
    if (h.kind !== 'request' || this.#stopReading || this.#noMoreRequests) return;
    this.#timeouts.clear(Deadline.Headers);
    const server = this.#server;
    const env = server._env;
    if (server._shedding()) {
      this.#timeouts.clear(Deadline.Request);
      this.#stopReading = true;
      this.#pendingError = 503;
      if (this.#queue.length === 0) this.#sendError(503);
      return;
    }
    let raw = h.rawHeaders;
    const maxCount = server.maxHeadersCount ?? 2000;
    if (maxCount > 0 && raw.length > maxCount * 2) raw = raw.slice(0, maxCount * 2);
    const req = new IncomingMessage(this.socket, this, env.wrapChunk);
    req.method = h.method;
    req.url = h.url;
    req.httpVersionMajor = h.versionMajor;
    req.httpVersionMinor = h.versionMinor;
    req.httpVersion = `${h.versionMajor}.${h.versionMinor}`;
    req.rawHeaders = raw;
    req.headers = headersObject(raw);
    if (h.versionMinor === 1 && server._opts.requireHostHeader !== false && req.headers.host === undefined) {
      this.#onParseError({ status: 400, code: 'HPE_HOST_MISSING', reason: 'Missing Host header' });
      return;
    }
    this.#served++;
    if (h.upgrade && server.listenerCount('upgrade') > 0) {
      // Node's 'upgrade' event: the listener owns the socket from here (e.g. a WebSocket server).
      this.#upgraded = true;
      this.#stopReading = true;
      this.#noMoreRequests = true;
      for (const t of [Deadline.Headers, Deadline.Request, Deadline.Idle]) this.#timeouts.clear(t);
      req.complete = true;
      this.socket._consume?.(undefined); // the listener reads the socket from here
      server.emit('upgrade', req, this.socket, (env.wrapChunk ?? ((u: Uint8Array) => u))(new Uint8Array(0)));
      return;
    }
    const res = new ServerResponse(req, this, h.keepAlive && !h.upgrade, env.encode ?? defaultEncode);
    if (!h.keepAlive || h.upgrade) this.#noMoreRequests = true;
    this.#req = req;
    this.#res = res;
    this.#queue.push(res);

    const expect = h.expect;
    if (expect !== '' && h.versionMinor === 1) {
      if (expect === '100-continue') {
        if (server.listenerCount('checkContinue') > 0) { server.emit('checkContinue', req, res); return; }
        res.writeContinue();
      } else {
        // RFC 9110 §10.1.1: an unknown expectation may be answered with 417.
        if (server.listenerCount('checkExpectation') > 0) { server.emit('checkExpectation', req, res); return; }
        res.writeHead(417).end();
        return;
      }
    }
    server.emit('request', req, res);
  }

  #onEnd(trailers: string[]): void {
    if (this.#upgraded) return;
    this.#timeouts.clear(Deadline.Request);
    this.#timeouts.clear(Deadline.Headers);
    const req = this.#req;
    this.#req = null;
    this.#res = null;
    req?._end(trailers);
    this.#maybeIdle();
  }

  #onParseError(e: ParseError): void {
    this.#timeouts.clear(Deadline.Headers);
    this.#timeouts.clear(Deadline.Request);
    this.#stopReading = true;
    const err = Object.assign(new Error(`Parse Error: ${e.reason}`), { code: e.code, statusCode: e.status });
    const req = this.#req;
    const res = this.#res;
    if (req && res) {
      // The error came in the middle of this request's body.
      req._abort(err);
      if (!res.headersSent) this.#abandon(res);
      else { this.socket.destroy(); return; }
    }
    if (this.#server.listenerCount('clientError') > 0 && this.#queue.length === 0) {
      this.#server.emit('clientError', err, this.socket);
      return;
    }
    this.#pendingError = e.status;
    if (this.#queue.length === 0) this.#sendError(e.status);
  }

  /** A response that will never be sent: drop it from the queue, its writes go nowhere. */
  #abandon(res: ServerResponse): void {
    const i = this.#queue.indexOf(res);
    if (i >= 0) this.#queue.splice(i, 1);
    this.#held.delete(res);
    this.#req = null;
    this.#res = null;
    res._close();
  }

  #sendError(status: number): void {
    if (this.#errorSent || this.#closed) return;
    this.#errorSent = true;
    this.#stopReading = true;
    const retry = status === 503 ? `Retry-After: ${RETRY_AFTER_SECONDS}\r\n` : '';
    this.socket.write(latin1Encode(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n${retry}Content-Length: 0\r\nConnection: close\r\n\r\n`));
    this.#endConnection();
  }

  #onPeerEnd(): void {
    if (this.#upgraded) return;
    this.#peerEnded = true;
    // Request bodies are never delimited by the close (RFC 9112 §6.3): a partial one is lost.
    this.#req?._abort(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    this.#stopReading = true;
    if (this.#queue.length === 0) this.#endConnection();
    // Eviction under memory pressure (issue 10): a peer that has closed while its requests
    // are still unanswered (a long poll, a slow handler) holds memory for nothing it can use;
    // release the connection now rather than at the request timeout. (Node ends the socket
    // at the peer's FIN in any case: http.Server's httpAllowHalfOpen is false.)
    else if (this.#server._env.memoryPressure?.()) this.socket.destroy();
  }

  #onSocketError(e: Error): void {
    if (this.#upgraded) return;
    if (this.#server.listenerCount('clientError') > 0) this.#server.emit('clientError', e, this.socket);
    else this.socket.destroy();
  }

  #onDrain(): void {
    if (this.#upgraded) return;
    this.#timeouts.clear(Deadline.Drain);
    this.#queue[0]?._drained();
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#timeouts.clearAll();
    this.#req?._abort(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    for (const res of this.#queue) {
      res.req._close();
      res._close();
    }
    this.#queue.length = 0;
    this.#held.clear();
    this.#server._forget(this);
  }

  #activateNext(): void {
    const next = this.#queue[0];
    if (next) {
      const held = this.#held.get(next);
      this.#held.delete(next);
      let ok = true;
      if (held) for (const [d, cb] of held) ok = this.write(next, d, cb);
      if (ok) next._drained();
      return;
    }
    if (this.#pendingError !== null) {
      this.#sendError(this.#pendingError);
      return;
    }
    if (this.#peerEnded) {
      this.#endConnection();
      return;
    }
    this.#maybeIdle();
  }

  #maybeIdle(): void {
    if (this.#queue.length === 0 && this.#req === null && this.#parser.idle && !this.#stopReading && !this.#noMoreRequests && !this.#closed) {
      this.#timeouts.clear(Deadline.Headers);
      this.#timeouts.clear(Deadline.Request);
      if (this.#server._closing) { this.socket.end(); return; }
      this.#timeouts.set(Deadline.Idle, this.#server.keepAliveTimeout);
    }
  }

  /** Finish sending, then close; a peer that never closes its side is cut after a grace period. */
  #endConnection(): void {
    this.#stopReading = true;
    for (const t of [Deadline.Headers, Deadline.Request, Deadline.Idle]) this.#timeouts.clear(t);
    this.resumeReading();
    this.socket.end();
    this.#timeouts.set(Deadline.Idle, Math.max(this.#server.keepAliveTimeout, 1000));
  }
}

/** `createServer` bound to a `net` module: `createServer([options], [listener])` as Node's. */
export function createServerFactory(env: HttpEnv): {
  Server: new (options?: ServerOptions | RequestListener, listener?: RequestListener) => Server;
  createServer: (options?: ServerOptions | RequestListener, listener?: RequestListener) => Server;
} {
  class BoundServer extends Server {
    constructor(options?: ServerOptions | RequestListener, listener?: RequestListener) {
      super(env, options, listener);
    }
  }
  return {
    Server: BoundServer,
    createServer: (options, listener) => new BoundServer(options, listener),
  };
}

export { IncomingMessage, ServerResponse, STATUS_CODES };

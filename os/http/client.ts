/**
 * `http.ClientRequest` as Node's (lib/_http_client.js over _http_outgoing.js): an
 * OutgoingMessage (a legacy Stream with write/end, not a Writable, as in Node) that streams
 * its body to the socket an Agent (agent.ts) or `createConnection` gives it.
 *
 * - The head is built at the first write()/end()/flushHeaders() (`headersSent` is then
 *   true) and goes out with the first body bytes. Framing as Node: `Content-Length` when
 *   end() is given the whole body first, `Transfer-Encoding: chunked` when written in parts
 *   (methods other than GET, HEAD, DELETE, OPTIONS, TRACE, CONNECT), the body as is
 *   otherwise; `Connection: keep-alive` when the agent may reuse the socket, else `close`.
 * - Until the socket is assigned (the next tick at the earliest), writes wait in
 *   `outputData`; write() returns false once 16 KiB wait, then the socket's own answer, and
 *   'drain' follows as the socket drains, so pipe() and pipeline() stream a body of any size.
 *   'finish' is emitted when the socket took the last bytes.
 * - The response is parsed by the pure parser (parser.ts) into an IncomingMessage whose
 *   back-pressure pauses the socket. When it has been read to its end and the request is
 *   finished, the socket is detached and offered back to the agent ('free') in the next
 *   tick, after the request's 'close'.
 * - A 101 answer (or any answer to CONNECT) hands the socket, out of the agent, to the
 *   'upgrade' ('connect') listener with the bytes that followed the head; without one the
 *   socket is destroyed.
 * - Errors as Node: 'socket hang up' / 'aborted' (ECONNRESET), parse errors as
 *   `Parse Error: ...` with an HPE_ code, destroy(err) gives err, an AbortSignal gives
 *   AbortError; abort() emits 'abort' first (then, as in Node 20, the hang-up once a socket
 *   was assigned).
 */
import { Stream, trailerLines, validateHeaderName, validateHeaderValue, defaultEncode, cannotPipe, HIGH_WATER_MARK, type HeaderValue, type StringEncoder } from './response.ts';
import { IncomingMessage, headersObject } from './incoming.ts';
import { HttpParser, isToken, type MessageHead } from './parser.ts';
import type { Agent, AgentOptions, AgentRequest, ClientSocket, ConnectOptions } from './agent.ts';
import { latin1Encode } from '../web/text.ts';
import { base64Encode } from '../runtime/encoding.ts';

export interface ClientRequestOptions extends ConnectOptions {
  protocol?: string | null;
  method?: string;
  path?: string | null;
  headers?: Record<string, HeaderValue> | readonly string[];
  auth?: string | null;
  agent?: Agent | false | null;
  defaultPort?: number;
  timeout?: number;
  setHost?: boolean;
  maxHeaderSize?: number;
  createConnection?: (options: ClientRequestOptions, cb: (err: Error | null, s?: ClientSocket) => void) => ClientSocket | undefined;
  signal?: AbortSignal;
  _defaultAgent?: Agent;
}

export type ResponseCallback = (res: IncomingMessage) => void;

/** What a ClientRequest needs from its module. */
export interface ClientEnv {
  readonly protocol: 'http:' | 'https:';
  readonly globalAgent: () => Agent;
  readonly AgentClass: new (options?: AgentOptions) => Agent;
  readonly connect: (options: ConnectOptions) => ClientSocket;
  readonly wrapChunk?: (u: Uint8Array) => Uint8Array;
  readonly encode?: StringEncoder;
}

function codeError<E extends Error>(e: E, code: string): E & { code: string } {
  return Object.assign(e, { code });
}
function connReset(message: string): Error {
  return codeError(new Error(message), 'ECONNRESET');
}

const NO_CHUNKED = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);
const INVALID_PATH = /[\u0000-\u0020]/;
const CRLF = latin1Encode('\r\n');

/** Node's urlToHttpOptions. */
export function urlToHttpOptions(url: URL): ClientRequestOptions {
  const o: ClientRequestOptions = {
    protocol: url.protocol,
    hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
    hash: url.hash,
    search: url.search,
    pathname: url.pathname,
    path: `${url.pathname || ''}${url.search || ''}`,
    href: url.href,
  };
  if (url.port !== '') o.port = Number(url.port);
  if (url.username || url.password) o.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return o;
}

interface Pending { data: Uint8Array; cb?: ((err?: Error | null) => void) | undefined }

/** A client response: the socket is destroyed only when the body did not complete. */
class ClientIncomingMessage extends IncomingMessage {
  req: ClientRequest | null = null;
  /** A 101 answer or an answer to CONNECT: the socket went to an 'upgrade'/'connect' listener. */
  upgrade = false;
  /** Node's option to keep duplicate fields apart in `headers`; not supported (merged as Node's default). */
  joinDuplicateHeaders: boolean | undefined = undefined;
  /** @internal the socket went back to the agent: destroying the response leaves it alone. */
  _detached = false;
  override _destroy(error: Error | null, cb: (e?: Error | null) => void): void {
    if (!this.readableEnded || !this.complete) {
      this.aborted = true;
      this.emit('aborted');
      if (!this._detached && this.socket && !this.socket.destroyed) this.socket.destroy(error ?? undefined);
    }
    cb(error && this.listenerCount('error') > 0 ? error : null);
    this._close();
  }
}

export function createClientRequestClass(env: ClientEnv) {
  const encode = env.encode ?? defaultEncode;

  class ClientRequest extends Stream implements AgentRequest {
    readonly method: string;
    path: string;
    host: string;
    protocol: string;
    readonly agent: Agent | undefined;
    timeout: number | undefined;
    socket: ClientSocket | null = null;
    res: ClientIncomingMessage | null = null;
    reusedSocket = false;
    shouldKeepAlive: boolean;
    useChunkedEncodingByDefault: boolean;
    chunkedEncoding = false;
    sendDate = false;
    destroyed = false;
    finished = false;
    aborted = false;
    writable = true;
    maxHeadersCount: number | null = null;
    outputData: Pending[] = [];
    outputSize = 0;
    /** The request head once built; null before. */
    _header: string | null = null;
    _headerSent = false;
    _ended = false;
    _closed = false;
    strictContentLength = false;
    maxRequestsOnConnectionReached = false;
    readonly maxHeaderSize: number | undefined;
    readonly socketPath: string | undefined;
    readonly insecureHTTPParser: boolean | undefined = undefined;
    readonly joinDuplicateHeaders: boolean | undefined = undefined;

    readonly #headers = new Map<string, [string, HeaderValue]>();
    #contentLength: number | null = null;
    #trailer = '';
    #needDrain = false;
    #last = false;
    #hadError = false;
    #error: Error | undefined;
    #parser: HttpParser | null = null;
    #paused = false;
    #timeoutListening = false;
    #maxHeaderSize: number | undefined;
    #socketHandlers: Record<string, (...a: any[]) => void> = {};
    #upgrading = false;
    upgradeOrConnect = false;

    constructor(input?: string | URL | ClientRequestOptions | null, options?: ClientRequestOptions | ResponseCallback | null, cb?: ResponseCallback) {
      super();
      if (typeof input === 'string') {
        let u: URL;
        try { u = new URL(input); } catch { throw codeError(new TypeError('Invalid URL'), 'ERR_INVALID_URL'); }
        input = urlToHttpOptions(u);
      } else if (input instanceof URL) {
        input = urlToHttpOptions(input);
      } else {
        cb = options as ResponseCallback | undefined;
        options = input;
        input = null;
      }
      if (typeof options === 'function') { cb = options; options = input ?? {}; }
      else options = { ...(input ?? {}), ...(options ?? {}) };
      const o = options as ClientRequestOptions;

      let agent = o.agent as Agent | false | null | undefined;
      if (agent !== undefined && agent !== null && agent !== false && typeof (agent as { addRequest?: unknown }).addRequest !== 'function') {
        throw codeError(new TypeError(`The "options.agent" property must be one of Agent-like Object, undefined, or false. Received ${typeof agent}`), 'ERR_INVALID_ARG_TYPE');
      }
      const defaultAgent = o._defaultAgent || env.globalAgent();
      let defaultPort = o.defaultPort;
      if (agent === false) agent = new env.AgentClass();
      else if (agent === null || agent === undefined) {
        agent = typeof o.createConnection !== 'function' ? defaultAgent : undefined;
        defaultPort = o.defaultPort || agent?.defaultPort;
      }
      this.agent = agent || undefined;
      const protocol = o.protocol || defaultAgent.protocol;
      const expected = this.agent?.protocol || defaultAgent.protocol;
      if (protocol !== expected) {
        throw codeError(new TypeError(`Protocol "${protocol}" not supported. Expected "${expected}"`), 'ERR_INVALID_PROTOCOL');
      }
      this.protocol = protocol;
      defaultPort ??= this.agent?.defaultPort ?? (env.protocol === 'https:' ? 443 : 80);
      const port = o.port = o.port || defaultPort || 80;
      const host = o.host = (o.hostname as string | undefined) || o.host || 'localhost';
      this.host = host;
      const setHost = o.setHost === undefined || !!o.setHost;
      if (o.timeout !== undefined) {
        if (typeof o.timeout !== 'number' || !(o.timeout >= 0)) {
          throw codeError(new TypeError(`The "timeout" argument must be of type number. Received ${typeof o.timeout}`), 'ERR_INVALID_ARG_TYPE');
        }
        this.timeout = o.timeout;
      }
      this.#maxHeaderSize = this.maxHeaderSize = o.maxHeaderSize;
      this.socketPath = o.socketPath;

      const method = o.method ?? 'GET';
      if (typeof method !== 'string' || !isToken(method)) {
        throw codeError(new TypeError(`Method must be a valid HTTP token ["${method}"]`), 'ERR_INVALID_HTTP_TOKEN');
      }
      this.method = method.toUpperCase();
      this.path = o.path || '/';
      if (INVALID_PATH.test(this.path)) throw codeError(new TypeError('Request path contains unescaped characters'), 'ERR_UNESCAPED_CHARACTERS');
      this.useChunkedEncodingByDefault = !NO_CHUNKED.has(this.method);

      if (this.agent) {
        // A socket is reused only by a keep-alive agent or one that queues (finite maxSockets).
        this.shouldKeepAlive = this.agent.keepAlive || Number.isFinite(this.agent.maxSockets);
        this.#last = !this.shouldKeepAlive;
      } else {
        this.shouldKeepAlive = false;
        this.#last = true;
      }
      if (cb) this.once('response', cb);

      const headers = o.headers;
      if (Array.isArray(headers)) {
        for (let i = 0; i + 1 < headers.length; i += 2) this.appendHeader(String(headers[i]), headers[i + 1]);
      } else if (headers) {
        for (const k of Object.keys(headers)) this.setHeader(k, (headers as Record<string, HeaderValue>)[k]);
      }
      if (host && !this.getHeader('host') && setHost) {
        let hostHeader = host;
        const colon = hostHeader.indexOf(':');
        if (colon !== -1 && hostHeader.includes(':', colon + 1) && hostHeader.charCodeAt(0) !== 91) hostHeader = `[${hostHeader}]`;
        if (port && +port !== defaultPort) hostHeader += `:${port}`;
        this.setHeader('Host', hostHeader);
      }
      if (o.auth && !this.getHeader('authorization')) this.setHeader('Authorization', `Basic ${base64Encode(encode(o.auth, 'utf8'))}`);
      if (this.getHeader('expect')) this.#storeHeader();

      const signal = o.signal;
      if (signal) {
        const onAbort = () => this.destroy(codeError(Object.assign(new Error('The operation was aborted', { cause: signal.reason }), { name: 'AbortError' }), 'ABORT_ERR'));
        if (signal.aborted) process.nextTick(onAbort);
        else {
          signal.addEventListener('abort', onAbort, { once: true });
          this.once('close', () => signal.removeEventListener('abort', onAbort));
        }
      }

      const connectOptions: ConnectOptions = { ...o };
      delete connectOptions.signal;
      delete (connectOptions as ClientRequestOptions).createConnection;
      delete (connectOptions as ClientRequestOptions).agent;
      delete (connectOptions as ClientRequestOptions)._defaultAgent;
      if (this.agent) {
        this.agent.addRequest(this, connectOptions);
      } else if (typeof o.createConnection === 'function') {
        let done = false;
        const oncreate = (err: Error | null, socket?: ClientSocket) => {
          if (done) return;
          done = true;
          if (err) process.nextTick(() => this.emit('error', err));
          else this.onSocket(socket!);
        };
        try {
          const s = o.createConnection({ ...connectOptions, path: undefined }, oncreate);
          if (s) oncreate(null, s);
        } catch (e) {
          oncreate(e as Error);
        }
      } else {
        this.onSocket(env.connect({ ...connectOptions, path: undefined }));
      }
    }

    // ---- headers ----

    setHeader(name: string, value: HeaderValue): this {
      if (this._header) throw codeError(new Error('Cannot set headers after they are sent to the client'), 'ERR_HTTP_HEADERS_SENT');
      validateHeaderName(name);
      validateHeaderValue(name, value);
      this.#headers.set(name.toLowerCase(), [name, Array.isArray(value) ? [...value].map(String) : value]);
      return this;
    }
    appendHeader(name: string, value: HeaderValue): this {
      const prev = this.#headers.get(name.toLowerCase());
      if (!prev) return this.setHeader(name, value);
      const a = Array.isArray(prev[1]) ? prev[1] : [String(prev[1])];
      const b = Array.isArray(value) ? value : [String(value)];
      return this.setHeader(prev[0], [...a, ...b]);
    }
    getHeader(name: string): HeaderValue | undefined {
      if (typeof name !== 'string') throw codeError(new TypeError('The "name" argument must be of type string'), 'ERR_INVALID_ARG_TYPE');
      return this.#headers.get(name.toLowerCase())?.[1];
    }
    hasHeader(name: string): boolean { return this.#headers.has(String(name).toLowerCase()); }
    removeHeader(name: string): void {
      if (this._header) throw codeError(new Error('Cannot remove headers after they are sent to the client'), 'ERR_HTTP_HEADERS_SENT');
      this.#headers.delete(String(name).toLowerCase());
    }
    getHeaderNames(): string[] { return [...this.#headers.keys()]; }
    getRawHeaderNames(): string[] { return [...this.#headers.values()].map(([n]) => n); }
    getHeaders(): Record<string, HeaderValue> {
      const out: Record<string, HeaderValue> = Object.create(null);
      for (const [k, [, v]] of this.#headers) out[k] = v;
      return out;
    }
    get headersSent(): boolean { return this._header !== null; }
    /** Node ≥ 19.6: sets each of a Headers or Map's fields. */
    setHeaders(headers: Map<string, HeaderValue> | { forEach(fn: (value: string, name: string) => void): void }): this {
      if (this._header) throw codeError(new Error('Cannot set headers after they are sent to the client'), 'ERR_HTTP_HEADERS_SENT');
      const fields: [string, HeaderValue][] = [];
      headers.forEach((value: HeaderValue, name: string) => { fields.push([name, value]); });
      for (const [name, value] of fields) this.setHeader(name, value);
      return this;
    }
    get closed(): boolean { return this._closed; }
    /** Always null, as Node 20's: ClientRequest's destroy() does not record the error there. */
    get errored(): Error | null { return null; }
    addTrailers(headers: Record<string, HeaderValue> | readonly [string, HeaderValue][]): void {
      this.#trailer += trailerLines(headers);
    }

    // ---- the Writable-like surface (OutgoingMessage) ----

    get writableEnded(): boolean { return this.finished; }
    get writableFinished(): boolean {
      return this.finished && this.outputSize === 0 && (!this.socket || (this.socket.writableLength ?? 0) === 0);
    }
    get writableLength(): number { return this.outputSize + (this.socket?.writableLength ?? 0); }
    get writableNeedDrain(): boolean { return !this.destroyed && !this.finished && this.#needDrain; }
    get writableObjectMode(): boolean { return false; }
    get writableHighWaterMark(): number { return HIGH_WATER_MARK; }
    get writableCorked(): number { return 0; }
    get connection(): ClientSocket | null { return this.socket; }
    cork(): void { this.socket?.cork?.(); }
    uncork(): void { this.socket?.uncork?.(); }
    // @ts-expect-error Node's OutgoingMessage.pipe takes nothing and only reports the error.
    override pipe(): void { this.emit('error', cannotPipe()); }

    flushHeaders(): void {
      if (!this._header) this.#storeHeader();
      this.#send(new Uint8Array(0));
    }

    write(chunk: string | Uint8Array, encoding?: string | ((err?: Error | null) => void), cb?: (err?: Error | null) => void): boolean {
      if (typeof encoding === 'function') { cb = encoding; encoding = undefined; }
      const ret = this.#write(chunk, encoding, cb, false);
      if (!ret) this.#needDrain = true;
      return ret;
    }

    #write(chunk: string | Uint8Array, encoding: string | undefined, cb: ((err?: Error | null) => void) | undefined, fromEnd: boolean): boolean {
      if (chunk === null) throw codeError(new TypeError('May not write null values to stream'), 'ERR_STREAM_NULL_VALUES');
      if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
        throw codeError(new TypeError(`The "chunk" argument must be of type string or an instance of Buffer or Uint8Array. Received ${chunk === undefined ? 'undefined' : typeof chunk}`), 'ERR_INVALID_ARG_TYPE');
      }
      let err: Error | null = null;
      if (this.finished) err = codeError(new Error('write after end'), 'ERR_STREAM_WRITE_AFTER_END');
      else if (this.destroyed) err = codeError(new Error('Cannot call write after a stream was destroyed'), 'ERR_STREAM_DESTROYED');
      if (err) {
        if (!this.destroyed) process.nextTick(() => { cb?.(err); this.emit('error', err); });
        else if (cb) process.nextTick(() => cb!(err));
        return false;
      }
      const data = typeof chunk === 'string' ? encode(chunk, encoding) : chunk;
      if (!this._header) {
        if (fromEnd) this.#contentLength = data.length;
        this.#storeHeader();
      }
      if (!fromEnd && this.socket && !(this.socket as { writableCorked?: number }).writableCorked) {
        const s = this.socket;
        s.cork?.();
        process.nextTick(() => s.uncork?.());
      }
      if (this.chunkedEncoding && data.length !== 0) {
        this.#send(latin1Encode(`${data.length.toString(16)}\r\n`));
        this.#send(data);
        return this.#send(CRLF, cb);
      }
      return this.#send(data, cb);
    }

    end(chunk?: string | Uint8Array | (() => void) | null, encoding?: string | (() => void), cb?: () => void): this {
      if (typeof chunk === 'function') { cb = chunk; chunk = null; }
      else if (typeof encoding === 'function') { cb = encoding; encoding = undefined; }
      if (chunk !== null && chunk !== undefined) {
        if (this.finished) {
          const err = codeError(new Error('write after end'), 'ERR_STREAM_WRITE_AFTER_END');
          process.nextTick(() => { (cb as ((e: Error) => void) | undefined)?.(err); this.emit('error', err); });
          return this;
        }
        this.socket?.cork?.();
        this.#write(chunk, encoding as string | undefined, undefined, true);
      } else if (this.finished) {
        if (cb) {
          if (!this.writableFinished) this.on('finish', cb);
          else (cb as (e: Error) => void)(codeError(new Error('Cannot call end after a stream was finished'), 'ERR_STREAM_ALREADY_FINISHED'));
        }
        return this;
      } else if (!this._header) {
        this.socket?.cork?.();
        this.#contentLength = 0;
        this.#storeHeader();
      }
      if (cb) this.once('finish', cb);
      const finish = () => { if (!this.#hadError) this.emit('finish'); };
      if (this.chunkedEncoding) this.#send(latin1Encode(`0\r\n${this.#trailer}\r\n`), finish);
      else if (!this._headerSent || this.writableLength || chunk) this.#send(new Uint8Array(0), finish);
      else process.nextTick(finish);
      this.socket?.uncork?.();
      this.finished = true;
      this.writable = false;
      return this;
    }

    /** Sends bytes after the head (which goes first, once); queued until there is a socket. */
    #send(data: Uint8Array, cb?: (err?: Error | null) => void): boolean {
      if (!this._headerSent && this._header !== null) {
        const head = latin1Encode(this._header);
        this._headerSent = true;
        if (data.length === 0) data = head;
        else {
          const all = new Uint8Array(head.length + data.length);
          all.set(head);
          all.set(data, head.length);
          data = all;
        }
      }
      const conn = this.socket;
      if (conn?.destroyed) return false;
      if (conn && conn._httpMessage === this && conn.writable !== false) {
        if (this.outputData.length) this.#flushOutput(conn);
        return conn.write(data, cb);
      }
      this.outputData.push({ data, cb });
      this.outputSize += data.length;
      return this.outputSize < HIGH_WATER_MARK;
    }

    #flushOutput(socket: ClientSocket): boolean | undefined {
      if (this.outputData.length === 0) return undefined;
      const out = this.outputData;
      this.outputData = [];
      this.outputSize = 0;
      socket.cork?.();
      let ret: boolean | undefined;
      for (const { data, cb } of out) ret = socket.write(data, cb);
      socket.uncork?.();
      return ret;
    }

    /** OutgoingMessage._storeHeader for a request line. */
    #storeHeader(): void {
      let head = `${this.method} ${this.path} HTTP/1.1\r\n`;
      let connection = false, contLen = false, te = false, trailer = false, expect = false;
      for (const [lower, [name, value]] of this.#headers) {
        for (const v of Array.isArray(value) ? value : [value]) {
          head += `${name}: ${v}\r\n`;
          if (lower === 'connection') {
            connection = true;
            if (/(?:^|\W)close(?:$|\W)/i.test(String(v))) { this.#last = true; this.shouldKeepAlive = false; } else this.shouldKeepAlive = true;
          } else if (lower === 'transfer-encoding') {
            te = true;
            if (/(?:^|\W)chunked(?:$|\W)/i.test(String(v))) this.chunkedEncoding = true;
          } else if (lower === 'content-length') {
            contLen = true;
          } else if (lower === 'trailer') {
            trailer = true;
          } else if (lower === 'expect') {
            expect = true;
          }
        }
      }
      if (!connection) {
        const sendKeepAlive = this.shouldKeepAlive && (contLen || this.useChunkedEncodingByDefault || this.agent);
        if (sendKeepAlive) head += 'Connection: keep-alive\r\n';
        else { this.#last = true; head += 'Connection: close\r\n'; }
      }
      if (!contLen && !te) {
        if (!this.useChunkedEncodingByDefault) this.#last = true;
        else if (!trailer && this.#contentLength !== null) head += `Content-Length: ${this.#contentLength}\r\n`;
        else { head += 'Transfer-Encoding: chunked\r\n'; this.chunkedEncoding = true; }
      }
      this._header = `${head}\r\n`;
      this._headerSent = false;
      // The head waits for the first body bytes, unless the body waits for '100 Continue'.
      if (expect) this.#send(new Uint8Array(0));
    }

    // ---- timeouts, destroy, abort ----

    setTimeout(msecs: number, callback?: () => void): this {
      if (this._ended) return this;
      this.#listenSocketTimeout();
      if (typeof msecs !== 'number' || !(msecs >= 0)) {
        throw codeError(new TypeError(`The "msecs" argument must be of type number. Received ${typeof msecs}`), 'ERR_INVALID_ARG_TYPE');
      }
      if (callback) this.once('timeout', callback);
      const set = (s: ClientSocket) => {
        if (s.connecting) s.once('connect', () => s.setTimeout?.(msecs));
        else s.setTimeout?.(msecs);
      };
      if (this.socket) set(this.socket);
      else this.once('socket', set);
      return this;
    }
    clearTimeout(cb?: () => void): void { this.setTimeout(0, cb); }
    setNoDelay(noDelay?: boolean): void {
      if (this.socket) this.socket.setNoDelay?.(noDelay);
      else this.once('socket', (s: ClientSocket) => s.setNoDelay?.(noDelay));
    }
    setSocketKeepAlive(enable?: boolean, delay?: number): void {
      if (this.socket) this.socket.setKeepAlive?.(enable, delay);
      else this.once('socket', (s: ClientSocket) => s.setKeepAlive?.(enable, delay));
    }

    #emitTimeout = (): void => { this.emit('timeout'); };
    #listenSocketTimeout(): void {
      if (this.#timeoutListening) return;
      this.#timeoutListening = true;
      if (this.socket) this.socket.once('timeout', this.#emitTimeout);
      else this.on('socket', (s: ClientSocket) => s.once('timeout', this.#emitTimeout));
    }

    destroy(err?: Error): this {
      if (this.destroyed) return this;
      this.destroyed = true;
      this.writable = false;
      if (this.res) this.res._dump();
      this.#error = err;
      this.socket?.destroy(err);
      return this;
    }

    /** Deprecated in Node (since v14.1.0, documentation only): 'abort', then as destroy(). */
    abort(): void {
      if (this.aborted) return;
      this.aborted = true;
      process.nextTick(() => this.emit('abort'));
      this.destroy();
    }

    // ---- the socket ----

    /** The agent (or createConnection) assigns the socket; it is used from the next tick. */
    onSocket(socket: ClientSocket | null, err?: Error): void {
      process.nextTick(() => this.#onSocketNT(socket, err));
    }

    #onSocketNT(socket: ClientSocket | null, err?: Error): void {
      if (this.destroyed || err) {
        this.destroyed = true;
        const close = (e?: Error) => {
          if (!this.aborted && !e) e = connReset('socket hang up');
          if (e) this.emit('error', e);
          this._closed = true;
          this.emit('close');
        };
        if (socket) {
          if (!err && this.agent && !socket.destroyed) { socket.emit('free'); close(this.#error); return; }
          socket.destroy(err || this.#error);
        }
        close(err || this.#error);
        return;
      }
      this.#tickOnSocket(socket!);
      const ret = this.#flushOutput(socket!);
      if (this.finished) { /* 'finish' comes with the last write's callback */ } else if (ret !== false && this.#needDrain) {
        this.#needDrain = false;
        this.emit('drain');
      }
    }

    #tickOnSocket(socket: ClientSocket): void {
      this.socket = socket;
      socket._httpMessage = this;
      this.#parser = new HttpParser('response', {
        onHead: (h) => this.#onHead(h),
        onBody: (d) => this.res?._push(d),
        onEnd: (t) => this.#onMessageEnd(t),
        onError: (e) => {
          socket.destroy();
          this.#hadError = true;
          this.emit('error', codeError(Object.assign(new Error(`Parse Error: ${e.reason}`), { bytesParsed: 0 }), e.code));
        },
      }, { maxHeaderSize: this.#maxHeaderSize });
      if (this.method === 'HEAD') this.#parser.expectNoBody();
      const h = this.#socketHandlers = {
        error: (e: Error) => this.#onSocketError(e),
        data: (d: Uint8Array) => {
          this.#parser?.push(d);
          if (this.#upgrading) this.#onUpgrade();
        },
        end: () => this.#onSocketEnd(),
        close: () => this.#onSocketClose(),
        drain: () => {
          if (!this.finished && this.#needDrain) { this.#needDrain = false; this.emit('drain'); }
        },
      };
      for (const [ev, fn] of Object.entries(h)) socket.on(ev, fn);
      if (this.timeout !== undefined || Number(this.agent?.options.timeout)) this.#listenSocketTimeout();
      if (!this.agent && this.timeout !== undefined) socket.setTimeout?.(this.timeout);
      this.emit('socket', socket);
    }

    #onSocketError(err: Error): void {
      this.#hadError = true;
      this.emit('error', err);
    }

    #onSocketEnd(): void {
      if (!this.res && !this.#hadError) {
        this.#hadError = true;
        this.emit('error', connReset('socket hang up'));
      }
      this.#parser?.finish();
      this.socket?.destroy();
    }

    #onSocketClose(): void {
      const res = this.res;
      this.destroyed = true;
      this.writable = false;
      if (res) {
        if (!res.complete) res.destroy(connReset('aborted'));
        this._closed = true;
        this.emit('close');
      } else {
        if (!this.#hadError) {
          this.#hadError = true;
          this.emit('error', connReset('socket hang up'));
        }
        this._closed = true;
        this.emit('close');
      }
      this.#parser = null;
    }

    #onHead(h: MessageHead): void {
      if (h.kind !== 'response') return;
      const socket = this.socket!;
      if (this.res) { socket.destroy(); return; }
      const res = new ClientIncomingMessage(socket, {
        pauseReading: () => { if (!this.#paused && socket._httpMessage === this) { this.#paused = true; socket.pause(); } },
        resumeReading: () => { if (this.#paused) { this.#paused = false; socket.resume(); } },
      }, env.wrapChunk);
      res.statusCode = h.statusCode;
      res.statusMessage = h.statusMessage;
      res.httpVersionMajor = h.versionMajor;
      res.httpVersionMinor = h.versionMinor;
      res.httpVersion = `${h.versionMajor}.${h.versionMinor}`;
      let raw = h.rawHeaders;
      if (this.maxHeadersCount && raw.length > this.maxHeadersCount * 2) raw = raw.slice(0, this.maxHeadersCount * 2);
      res.rawHeaders = raw;
      res.headers = headersObject(raw);
      if (h.upgrade || this.method === 'CONNECT') {
        // A 101 answer, or any answer to CONNECT: what follows the head is not HTTP.
        this.res = res;
        res.req = this;
        res.upgrade = true;
        this.#upgrading = true;
        this.#parser!.detach();
        return;
      }
      if (h.statusCode >= 100 && h.statusCode < 200 && h.statusCode !== 101) {
        if (h.statusCode === 100) this.emit('continue');
        this.emit('information', {
          statusCode: res.statusCode, statusMessage: res.statusMessage, httpVersion: res.httpVersion,
          httpVersionMajor: res.httpVersionMajor, httpVersionMinor: res.httpVersionMinor, headers: res.headers, rawHeaders: res.rawHeaders,
        });
        return;
      }
      if (this.shouldKeepAlive && !h.keepAlive) this.shouldKeepAlive = false;
      this.res = res;
      res.req = this;
      res.on('end', () => this.#responseOnEnd());
      this.on('finish', () => { if (this.shouldKeepAlive && this._ended) this.#responseKeepAlive(); });
      socket.on('timeout', this.#responseOnTimeout);
      if (this.aborted || !this.emit('response', res)) res._dump();
    }

    #responseOnTimeout = (): void => { this.res?.emit('timeout'); };

    /** Node's socketOnData for an upgrade: hand the socket to an 'upgrade'/'connect' listener, else destroy it. */
    #onUpgrade(): void {
      const socket = this.socket!;
      const res = this.res!;
      const h = this.#socketHandlers;
      socket.removeListener('data', h.data);
      socket.removeListener('end', h.end);
      socket.removeListener('drain', h.drain);
      socket.removeListener('timeout', this.#emitTimeout);
      socket.removeListener('timeout', this.#responseOnTimeout);
      const head = this.#parser!.takeRest();
      this.#parser = null;
      this.#upgrading = false;
      const event = this.method === 'CONNECT' ? 'connect' : 'upgrade';
      if (this.listenerCount(event) === 0) { socket.destroy(); return; }
      this.upgradeOrConnect = true;
      socket.emit('agentRemove');
      socket.removeListener('close', h.close);
      socket.removeListener('error', h.error);
      socket._httpMessage = null;
      // Unread bytes wait in the socket until the new owner reads (Node: readableFlowing = null).
      if ('readableFlowing' in socket) (socket as { readableFlowing: boolean | null }).readableFlowing = null;
      this.emit(event, res, socket, (env.wrapChunk ?? ((u: Uint8Array) => u))(head));
      this.destroyed = true;
      this._closed = true;
      this.emit('close');
    }

    #onMessageEnd(trailers: string[]): void {
      const res = this.res;
      if (!res || this.#upgrading) return;
      res._end(trailers);
    }

    #responseOnEnd(): void {
      const socket = this.socket!;
      socket.removeListener('timeout', this.#emitTimeout);
      socket.removeListener('timeout', this.#responseOnTimeout);
      this._ended = true;
      if (!this.shouldKeepAlive) {
        this.res?._close();
        if (socket.writable !== false) {
          if (typeof socket.destroySoon === 'function') socket.destroySoon();
          else socket.end();
        }
        return;
      }
      if (this.writableFinished && !this.aborted) this.#responseKeepAlive();
    }

    /** The exchange is over and the socket reusable: detach, then 'close' and 'free' next tick. */
    #responseKeepAlive(): void {
      const socket = this.socket!;
      if (this.#timeoutListening) { socket.setTimeout?.(0); this.#timeoutListening = false; }
      for (const [ev, fn] of Object.entries(this.#socketHandlers)) if (ev !== 'drain') socket.removeListener(ev, fn);
      socket.removeListener('drain', this.#socketHandlers.drain);
      socket.removeListener('timeout', this.#emitTimeout);
      if (this.#paused) { this.#paused = false; socket.resume(); }
      this.#parser = null;
      this.destroyed = true;
      if (this.res) {
        // Detached: destroying the response must not touch the socket the agent now owns.
        this.res._detached = true;
        this.res.socket = null as unknown as ClientSocket;
      }
      process.nextTick(() => {
        this._closed = true;
        this.emit('close');
        socket.emit('free');
        this.res?._close();
      });
    }
  }

  return ClientRequest;
}

export type ClientRequestClass = ReturnType<typeof createClientRequestClass>;
export type ClientRequest = InstanceType<ClientRequestClass>;
export { ClientIncomingMessage };


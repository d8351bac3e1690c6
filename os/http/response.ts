/**
 * `http.ServerResponse`. Framing follows Node: Content-Length when the whole body is given to
 * end() before anything was written, chunked transfer-coding otherwise (HTTP/1.1 peers), close-
 * delimited for HTTP/1.0 peers; no body for HEAD, 1xx, 204 and 304 (RFC 9110 §6.4.1).
 */
import StreamModule from 'readable-stream/lib/stream.js';
import type { IncomingMessage } from './incoming.ts';
import type { SocketLike } from './net-types.ts';
import { STATUS_CODES } from './status.ts';
import { isToken } from './parser.ts';
import { utf8Encode, latin1Encode, concatBytes } from '../web/text.ts';

export type HeaderValue = string | number | readonly string[];

/** Where a response's bytes go; the connection orders pipelined responses. */
export interface ResponseSink {
  write(res: ServerResponse, data: Uint8Array, cb?: (err?: Error | null) => void): boolean;
  done(res: ServerResponse): void;
  readonly socket: SocketLike;
  /** Connection-level facts used when building the head. */
  keepAliveTimeoutSeconds(): number;
  /** False when the server is closing or the socket's request budget is spent. */
  mayKeepAlive(): boolean;
}

export type StringEncoder = (s: string, encoding?: string) => Uint8Array;

export function defaultEncode(s: string, encoding?: string): Uint8Array {
  const e = encoding?.toLowerCase();
  if (e === 'latin1' || e === 'binary' || e === 'ascii') return latin1Encode(s);
  if (e === 'hex') {
    const out = new Uint8Array(s.length >> 1);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
    return out;
  }
  return utf8Encode(s);
}

function codeError(Ctor: ErrorConstructor, code: string, message: string): Error {
  return Object.assign(new Ctor(message), { code });
}

export function validateHeaderName(name: string): void {
  if (typeof name !== 'string' || !isToken(name)) {
    throw codeError(TypeError, 'ERR_INVALID_HTTP_TOKEN', `Header name must be a valid HTTP token ["${name}"]`);
  }
}

export function validateHeaderValue(name: string, value: unknown): void {
  if (value === undefined) throw codeError(TypeError, 'ERR_HTTP_INVALID_HEADER_VALUE', `Invalid value "undefined" for header "${name}"`);
  const values = Array.isArray(value) ? value : [value];
  for (const v of values) {
    // RFC 9110 §5.5: CR, LF and NUL are never allowed in a field value (response splitting).
    if (/[\r\n\0]/.test(String(v)) || /[^\t\x20-\x7e\x80-\xff]/.test(String(v))) {
      throw codeError(TypeError, 'ERR_INVALID_CHAR', `Invalid character in header content ["${name}"]`);
    }
  }
}

// node:stream's legacy Stream (an EventEmitter with pipe()): Node's OutgoingMessage, which
// ServerResponse and ClientRequest extend, is one — `res instanceof Stream` holds, Writable does not.
export const { Stream } = StreamModule as unknown as { Stream: typeof import('node:stream').Stream };

/** An outgoing message is not readable: Node's OutgoingMessage.pipe() emits this. */
export function cannotPipe(): Error {
  return codeError(Error, 'ERR_STREAM_CANNOT_PIPE', 'Cannot pipe, not readable');
}

/** Node's default highWaterMark for byte streams. */
export const HIGH_WATER_MARK = 16 * 1024;

const CRLF = latin1Encode('\r\n');
const LAST_CHUNK = latin1Encode('0\r\n\r\n');
const COALESCE_LIMIT = 16 * 1024;

/**
 * `addTrailers`' argument (an object or [name, value] pairs) as trailer lines (RFC 9112 §7.1.2),
 * each name and value checked as a header's; shared by ServerResponse and ClientRequest.
 */
export function trailerLines(headers: Record<string, HeaderValue> | readonly [string, HeaderValue][]): string {
  const entries = Array.isArray(headers) ? headers : Object.entries(headers);
  let out = '';
  for (const [name, value] of entries as [string, HeaderValue][]) {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    for (const v of Array.isArray(value) ? value : [value]) out += `${name}: ${v}\r\n`;
  }
  return out;
}

export class ServerResponse extends Stream {
  statusCode = 200;
  statusMessage = '';
  sendDate = true;
  /** Node's flag: a body-less response (HEAD) still gets its head. */
  readonly req: IncomingMessage;
  chunkedEncoding = false;
  shouldKeepAlive: boolean;
  strictContentLength = false;

  readonly #sink: ResponseSink;
  readonly #encode: StringEncoder;
  readonly #headers = new Map<string, { name: string; value: HeaderValue }>();
  #headBytes: Uint8Array | null = null;
  #headerSent = false;
  #hasBody = true;
  #ended = false;
  #finished = false;
  #closed = false;
  #needDrain = false;
  #corked = 0;
  /** Trailer fields from addTrailers(), sent after the last chunk (RFC 9112 §7.1.2). */
  #trailer = '';

  constructor(req: IncomingMessage, sink: ResponseSink, keepAlive: boolean, encode: StringEncoder = defaultEncode) {
    super();
    this.req = req;
    this.#sink = sink;
    this.#encode = encode;
    this.shouldKeepAlive = keepAlive;
  }

  get socket(): SocketLike | null { return this.#closed ? null : this.#sink.socket; }
  get connection(): SocketLike | null { return this.socket; }
  get headersSent(): boolean { return this.#headerSent; }
  get writableEnded(): boolean { return this.#ended; }
  get writableFinished(): boolean { return this.#finished; }
  get finished(): boolean { return this.#ended; }
  get writable(): boolean { return !this.#ended && !this.#closed; }
  get writableNeedDrain(): boolean { return this.#needDrain; }
  get destroyed(): boolean { return this.#closed && !this.#finished; }
  get writableObjectMode(): boolean { return false; }
  get writableHighWaterMark(): number { return HIGH_WATER_MARK; }
  /** How many cork() calls are not yet uncorked; the sink already coalesces small writes. */
  get writableCorked(): number { return this.#corked; }

  setHeader(name: string, value: HeaderValue): this {
    if (this.#headerSent) throw codeError(Error, 'ERR_HTTP_HEADERS_SENT', 'Cannot set headers after they are sent to the client');
    validateHeaderName(name);
    validateHeaderValue(name, value);
    this.#headers.set(name.toLowerCase(), { name, value: Array.isArray(value) ? [...value].map(String) : value });
    return this;
  }
  appendHeader(name: string, value: HeaderValue): this {
    const prev = this.#headers.get(name.toLowerCase());
    if (!prev) return this.setHeader(name, value);
    const a = Array.isArray(prev.value) ? prev.value : [String(prev.value)];
    const b = Array.isArray(value) ? value : [String(value)];
    return this.setHeader(prev.name, [...a, ...b]);
  }
  getHeader(name: string): HeaderValue | undefined { return this.#headers.get(name.toLowerCase())?.value; }
  hasHeader(name: string): boolean { return this.#headers.has(name.toLowerCase()); }
  removeHeader(name: string): void {
    if (this.#headerSent) throw codeError(Error, 'ERR_HTTP_HEADERS_SENT', 'Cannot remove headers after they are sent to the client');
    this.#headers.delete(name.toLowerCase());
  }
  getHeaderNames(): string[] { return [...this.#headers.keys()]; }
  getHeaders(): Record<string, HeaderValue> {
    const out: Record<string, HeaderValue> = Object.create(null);
    for (const [k, { value }] of this.#headers) out[k] = value;
    return out;
  }

  writeHead(statusCode: number, reason?: string | Record<string, HeaderValue> | readonly unknown[], headers?: Record<string, HeaderValue> | readonly unknown[]): this {
    if (this.#headerSent) throw codeError(Error, 'ERR_HTTP_HEADERS_SENT', 'Cannot write headers after they are sent to the client');
    if (typeof reason === 'string') this.statusMessage = reason;
    else headers = reason;
    this.statusCode = statusCode;
    if (Array.isArray(headers)) {
      // Either [[name, value], ...] or a flat [name, value, name, value, ...].
      if (headers.length && Array.isArray(headers[0])) for (const [n, v] of headers as [string, HeaderValue][]) this.appendHeader(n, v);
      else for (let i = 0; i < headers.length; i += 2) this.appendHeader(String(headers[i]), headers[i + 1] as HeaderValue);
    } else if (headers) {
      const obj = headers as Record<string, HeaderValue>;
      for (const k of Object.keys(obj)) if (obj[k] !== undefined) this.setHeader(k, obj[k]);
    }
    this.#buildHead(-1);
    return this;
  }

  /** Trailer fields for a chunked response; ignored otherwise (as Node). */
  addTrailers(headers: Record<string, HeaderValue> | readonly [string, HeaderValue][]): void {
    this.#trailer += trailerLines(headers);
  }

  /** Sends `HTTP/1.1 100 Continue` (RFC 9110 §10.1.1). */
  writeContinue(cb?: () => void): void {
    this.#sink.write(this, latin1Encode('HTTP/1.1 100 Continue\r\n\r\n'), cb);
  }

  flushHeaders(): void {
    if (!this.#headerSent) this.#buildHead(-1);
    if (this.#headBytes) {
      const h = this.#headBytes;
      this.#headBytes = null;
      this.#sink.write(this, h);
    }
  }

  setTimeout(ms: number, cb?: () => void): this {
    this.#sink.socket.setTimeout?.(ms, cb);
    return this;
  }
  cork(): void { this.#corked++; }
  uncork(): void { if (this.#corked > 0) this.#corked--; }
  // @ts-expect-error Node's OutgoingMessage.pipe takes nothing and only reports the error.
  override pipe(): void { this.emit('error', cannotPipe()); }

  write(chunk: string | Uint8Array, encoding?: string | ((err?: Error | null) => void), cb?: (err?: Error | null) => void): boolean {
    if (typeof encoding === 'function') { cb = encoding; encoding = undefined; }
    if (this.#ended) {
      const err = codeError(Error, 'ERR_STREAM_WRITE_AFTER_END', 'write after end');
      queueMicrotask(() => { cb?.(err); if (this.listenerCount('error') > 0) this.emit('error', err); });
      return false;
    }
    if (chunk === null || chunk === undefined) throw codeError(TypeError, 'ERR_STREAM_NULL_VALUES', 'May not write null values to stream');
    const data = typeof chunk === 'string' ? this.#encode(chunk, encoding) : chunk;
    if (!this.#headerSent) this.#buildHead(-1);
    if (!this.#hasBody || data.length === 0) {
      if (this.#headBytes) return this.#send([], cb);
      if (cb) queueMicrotask(() => cb!(null));
      return true;
    }
    return this.#send(this.chunkedEncoding ? [latin1Encode(`${data.length.toString(16)}\r\n`), data, CRLF] : [data], cb);
  }

  end(chunk?: string | Uint8Array | (() => void), encoding?: string | (() => void), cb?: () => void): this {
    if (typeof chunk === 'function') { cb = chunk; chunk = undefined; }
    if (typeof encoding === 'function') { cb = encoding; encoding = undefined; }
    if (this.#ended) {
      if (cb) queueMicrotask(cb);
      return this;
    }
    const data = chunk === undefined || chunk === null ? null : typeof chunk === 'string' ? this.#encode(chunk, encoding) : chunk;
    if (!this.#headerSent) this.#buildHead(data ? data.length : 0);
    this.#ended = true;
    const parts: Uint8Array[] = [];
    if (data && data.length > 0 && this.#hasBody) {
      if (this.chunkedEncoding) parts.push(latin1Encode(`${data.length.toString(16)}\r\n`), data, CRLF);
      else parts.push(data);
    }
    if (this.chunkedEncoding && this.#hasBody) parts.push(this.#trailer ? latin1Encode(`0\r\n${this.#trailer}\r\n`) : LAST_CHUNK);
    if (cb) this.once('finish', cb);
    this.#send(parts, (err) => {
      if (err) return;
      this.#finish();
    });
    return this;
  }

  destroy(error?: Error): this {
    this.#sink.socket.destroy(error);
    return this;
  }

  /** @internal the connection's socket drained while this response was writing. */
  _drained(): void {
    if (this.#needDrain) {
      this.#needDrain = false;
      this.emit('drain');
    }
  }

  /** @internal the socket closed. Emits 'close' (after 'finish' if the response completed). */
  _close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.emit('close');
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.emit('finish');
    this.#sink.done(this);
  }

  #send(parts: Uint8Array[], cb?: (err?: Error | null) => void): boolean {
    if (this.#headBytes) {
      parts.unshift(this.#headBytes);
      this.#headBytes = null;
    }
    let total = 0;
    for (const p of parts) total += p.length;
    let ok = true;
    if (total <= COALESCE_LIMIT || parts.length === 1) {
      ok = this.#sink.write(this, concatBytes(parts), cb);
    } else {
      for (let i = 0; i < parts.length; i++) ok = this.#sink.write(this, parts[i], i === parts.length - 1 ? cb : undefined) && ok;
    }
    if (!ok) this.#needDrain = true;
    return ok;
  }

  /** Builds the status line and header block; `bodyLength` ≥ 0 when end() knows the whole body. */
  #buildHead(bodyLength: number): void {
    const status = this.statusCode;
    if (!Number.isInteger(status) || status < 100 || status > 999) {
      throw codeError(RangeError, 'ERR_HTTP_INVALID_STATUS_CODE', `Invalid status code: ${status}`);
    }
    const reason = this.statusMessage || STATUS_CODES[status] || 'unknown';
    if (/[\r\n]/.test(reason)) throw codeError(TypeError, 'ERR_INVALID_CHAR', 'Invalid character in statusMessage');
    this.statusMessage = reason;
    const method = this.req.method;
    this.#hasBody = method !== 'HEAD' && status !== 204 && status !== 304 && !(status >= 100 && status < 200);

    const h = this.#headers;
    const connection = h.get('connection');
    if (connection && /(^|,)\s*close\s*(,|$)/i.test(String(connection.value))) this.shouldKeepAlive = false;
    if (!this.#sink.mayKeepAlive()) this.shouldKeepAlive = false;
    const http10 = this.req.httpVersionMinor === 0;

    let lines = `HTTP/1.1 ${status} ${reason}\r\n`;
    let extra = '';
    if (this.sendDate && !h.has('date')) extra += `Date: ${new Date().toUTCString()}\r\n`;

    const te = h.get('transfer-encoding');
    if (h.has('content-length')) {
      this.chunkedEncoding = false;
    } else if (te) {
      this.chunkedEncoding = /(^|,)\s*chunked\s*$/i.test(String(te.value));
      if (!this.chunkedEncoding) this.shouldKeepAlive = false;
    } else if (!this.#hasBody) {
      this.chunkedEncoding = false;
      // A HEAD answer may state the length a GET would have had; end() with nothing says 0.
      if (method === 'HEAD' && bodyLength > 0) extra += `Content-Length: ${bodyLength}\r\n`;
    } else if (bodyLength >= 0) {
      extra += `Content-Length: ${bodyLength}\r\n`;
    } else if (!http10) {
      this.chunkedEncoding = true;
      extra += 'Transfer-Encoding: chunked\r\n';
    } else {
      // RFC 9112 §6.3 (8): an HTTP/1.0 peer cannot take chunks; the close delimits the body.
      this.shouldKeepAlive = false;
    }
    if (!connection) {
      if (this.shouldKeepAlive) {
        extra += 'Connection: keep-alive\r\n';
        const t = this.#sink.keepAliveTimeoutSeconds();
        if (t > 0 && !h.has('keep-alive')) extra += `Keep-Alive: timeout=${t}\r\n`;
      } else {
        extra += 'Connection: close\r\n';
      }
    }
    for (const { name, value } of h.values()) {
      if (Array.isArray(value)) for (const v of value) lines += `${name}: ${v}\r\n`;
      else lines += `${name}: ${value}\r\n`;
    }
    this.#headBytes = latin1Encode(`${lines}${extra}\r\n`);
    this.#headerSent = true;
  }
}

/**
 * `http.IncomingMessage`: a received request (server) or response (client) whose body is a
 * real stream.Readable (Node's implementation, readable-stream), so pipe(), pipeline(),
 * async iteration, setEncoding and back-pressure behave as in Node: the connection stops
 * reading when more than the high-water mark is buffered (FlowControl) and resumes on _read.
 * Besides the stream's events it emits 'aborted' when the body will not complete; 'error' is
 * emitted only to a listener (as Node's IncomingMessage does), and 'close' when the exchange ends.
 */
import StreamModule from 'readable-stream/lib/stream.js';
import type { SocketLike } from './net-types.ts';

/** Headers whose duplicates Node drops (the first value wins). */
const SINGLE = new Set([
  'age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host',
  'if-modified-since', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards',
  'proxy-authorization', 'referer', 'retry-after', 'server', 'user-agent',
]);

/** Node's `message.headers` from raw [name, value, ...]: lowercase names, Node's merge rules. */
export function headersObject(raw: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    const value = raw[i + 1];
    const prev = out[name];
    if (prev === undefined) {
      out[name] = name === 'set-cookie' ? [value] : value;
    } else if (name === 'set-cookie') {
      (prev as string[]).push(value);
    } else if (SINGLE.has(name)) {
      // keep the first
    } else {
      out[name] = `${prev}${name === 'cookie' ? '; ' : ', '}${value}`;
    }
  }
  return out;
}

function distinct(raw: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null);
  for (let i = 0; i < raw.length; i += 2) (out[raw[i].toLowerCase()] ??= []).push(raw[i + 1]);
  return out;
}

/** What an IncomingMessage needs from its connection for flow control. */
export interface FlowControl {
  pauseReading(): void;
  resumeReading(): void;
}

const HIGH_WATER = 64 * 1024;
const { Readable } = StreamModule as unknown as typeof import('node:stream');

export class IncomingMessage extends Readable {
  method?: string;
  url?: string;
  statusCode?: number;
  statusMessage?: string;
  httpVersion = '1.1';
  httpVersionMajor = 1;
  httpVersionMinor = 1;
  headers: Record<string, string | string[]> = Object.create(null);
  rawHeaders: string[] = [];
  trailers: Record<string, string | string[]> = Object.create(null);
  rawTrailers: string[] = [];
  /** The full body was received. */
  complete = false;
  aborted = false;
  /** The connection; a client response that gave its socket back to the agent has null (as Node). */
  socket: SocketLike;

  #flow: FlowControl | null;
  #wrap: (u: Uint8Array) => Uint8Array;
  #dumped = false;
  #closeEmitted = false;
  /** Destroyed because the body will not complete: the connection decides about the socket. */
  #aborting = false;

  constructor(socket: SocketLike, flow: FlowControl | null, wrap?: (u: Uint8Array) => Uint8Array) {
    super({ highWaterMark: HIGH_WATER, emitClose: false, autoDestroy: false });
    this.socket = socket;
    this.#flow = flow;
    this.#wrap = wrap ?? ((u) => u);
  }

  get connection(): SocketLike { return this.socket; }
  /** Node's legacy alias of `socket`. */
  get client(): SocketLike { return this.socket; }
  /** Node ≥ 18.3: every field's values in order, names lowercased, nothing merged. */
  get headersDistinct(): Record<string, string[]> { return distinct(this.rawHeaders); }
  get trailersDistinct(): Record<string, string[]> { return distinct(this.rawTrailers); }

  override _read(): void { this.#flow?.resumeReading(); }

  override _destroy(error: Error | null, cb: (e?: Error | null) => void): void {
    if (!this.#aborting) this.socket.destroy();
    cb(error && this.listenerCount('error') > 0 ? error : null);
    this._close();
  }

  setTimeout(ms: number, cb?: () => void): this {
    this.socket.setTimeout?.(ms, cb);
    return this;
  }

  /** @internal the connection delivers a body slice. */
  _push(chunk: Uint8Array): void {
    if (this.#dumped || this.destroyed || chunk.length === 0) return;
    if (!this.push(this.#wrap(chunk))) this.#flow?.pauseReading();
  }

  /** @internal the body is complete. */
  _end(rawTrailers: string[]): void {
    this.complete = true;
    this.rawTrailers = rawTrailers;
    this.trailers = headersObject(rawTrailers);
    if (!this.destroyed) this.push(null);
  }

  /** @internal the body will not complete (peer went away or sent bad framing). */
  _abort(error?: Error): void {
    if (this.complete || this.aborted) return;
    this.aborted = true;
    this.emit('aborted');
    if (error && this.listenerCount('error') > 0) this.emit('error', error);
    this.#aborting = true;
    if (!this.destroyed) super.destroy();
    this._close();
  }

  /** @internal discard the rest of the body (the response was sent without reading it). */
  _dump(): void {
    if (this.#dumped) return;
    this.#dumped = true;
    this.removeAllListeners('data');
    this.#flow?.resumeReading();
    this.resume();
  }

  /** @internal */
  _close(): void {
    if (this.#closeEmitted) return;
    this.#closeEmitted = true;
    queueMicrotask(() => this.emit('close'));
  }
}

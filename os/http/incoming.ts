/**
 * `http.IncomingMessage`: a received request (server) or response (client) with its body as
 * a small readable stream. Supported: 'data' / 'end' / 'close' / 'error' / 'aborted' events,
 * pause()/resume() (with back-pressure to the socket), setEncoding('utf8' | 'latin1' | 'hex'),
 * 'readable' + read(), async iteration, destroy(). Not a full stream.Readable: no pipe(),
 * no objectMode, no highWaterMark option.
 */
import { EventEmitter } from 'events';
import type { SocketLike } from './net-types.ts';
import { Utf8Decoder, latin1Decode, concatBytes } from '../web/text.ts';

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

/** What an IncomingMessage needs from its connection for flow control. */
export interface FlowControl {
  pauseReading(): void;
  resumeReading(): void;
}

const HIGH_WATER = 64 * 1024;

export class IncomingMessage extends EventEmitter {
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
  destroyed = false;
  readonly socket: SocketLike;

  #flow: FlowControl | null;
  #wrap: (u: Uint8Array) => Uint8Array;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #sourceEnded = false;
  #endEmitted = false;
  #closeEmitted = false;
  #flowing: boolean | null = null;
  #dumped = false;
  #decoder: { decode(b: Uint8Array): string } | null = null;
  #scheduled = false;
  /**
   * Something a 'readable' listener has not been told about yet (new data, or the end).
   * 'readable' is emitted only while this is set, so a listener that calls read() until null
   * cannot make #drain re-emit 'readable' forever after the end (a microtask livelock).
   */
  #readablePending = false;

  constructor(socket: SocketLike, flow: FlowControl | null, wrap?: (u: Uint8Array) => Uint8Array) {
    super();
    this.socket = socket;
    this.#flow = flow;
    this.#wrap = wrap ?? ((u) => u);
  }

  get connection(): SocketLike { return this.socket; }
  get readable(): boolean { return !this.#endEmitted && !this.destroyed; }
  get readableEnded(): boolean { return this.#endEmitted; }
  get readableFlowing(): boolean | null { return this.#flowing; }
  get readableLength(): number { return this.#buffered; }

  override on(event: string | symbol, listener: (...args: any[]) => void): this {
    super.on(event, listener);
    if (event === 'data' && this.#flowing !== false) this.resume();
    if (event === 'readable') this.#onReadableListener();
    return this;
  }
  override addListener(event: string | symbol, listener: (...args: any[]) => void): this {
    return this.on(event, listener);
  }
  override once(event: string | symbol, listener: (...args: any[]) => void): this {
    super.once(event, listener);
    if (event === 'data' && this.#flowing !== false) this.resume();
    if (event === 'readable') this.#onReadableListener();
    return this;
  }

  #onReadableListener(): void {
    this.#flowing = false;
    if (this.#chunks.length > 0 || (this.#sourceEnded && !this.#endEmitted)) this.#readablePending = true;
    this.#schedule();
  }

  setEncoding(encoding: string): this {
    const e = encoding.toLowerCase();
    if (e === 'utf8' || e === 'utf-8') {
      const d = new Utf8Decoder();
      this.#decoder = { decode: (b) => d.decode(b, true) };
    } else if (e === 'latin1' || e === 'binary' || e === 'ascii') {
      this.#decoder = { decode: latin1Decode };
    } else if (e === 'hex') {
      this.#decoder = { decode: (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('') };
    } else {
      throw new RangeError(`Cannot set encoding ${encoding}: only utf8, latin1 and hex are supported`);
    }
    return this;
  }

  pause(): this {
    if (this.#flowing !== false) this.#flowing = false;
    return this;
  }

  resume(): this {
    this.#flowing = true;
    this.#schedule();
    return this;
  }

  isPaused(): boolean { return this.#flowing === false; }

  /** Returns everything buffered (decoded if an encoding is set), or null when nothing is. */
  read(): Uint8Array | string | null {
    if (this.#chunks.length === 0) {
      // Only the pending 'end' is worth a turn; rescheduling after it would spin.
      if (this.#sourceEnded && !this.#endEmitted) this.#schedule();
      return null;
    }
    const all = concatBytes(this.#chunks);
    this.#chunks = [];
    this.#buffered = 0;
    this.#flow?.resumeReading();
    if (this.#sourceEnded) this.#schedule();
    return this.#decoder ? this.#decoder.decode(all) : this.#wrap(all);
  }

  setTimeout(ms: number, cb?: () => void): this {
    this.socket.setTimeout?.(ms, cb);
    return this;
  }

  destroy(error?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.#chunks = [];
    this.socket.destroy();
    if (error && this.listenerCount('error') > 0) this.emit('error', error);
    this._close();
    return this;
  }

  /** @internal the connection delivers a body slice. */
  _push(chunk: Uint8Array): void {
    if (this.#dumped || this.destroyed || chunk.length === 0) return;
    if (this.#flowing === true && this.#chunks.length === 0 && !this.#scheduled) {
      this.#emitData(chunk);
      return;
    }
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    this.#readablePending = true;
    if (this.#buffered > HIGH_WATER) this.#flow?.pauseReading();
    this.#schedule();
  }

  /** @internal the body is complete. */
  _end(rawTrailers: string[]): void {
    this.complete = true;
    this.rawTrailers = rawTrailers;
    this.trailers = headersObject(rawTrailers);
    this.#sourceEnded = true;
    this.#readablePending = true;
    this.#schedule();
  }

  /** @internal the body will not complete (peer went away or sent bad framing). */
  _abort(error?: Error): void {
    if (this.complete || this.aborted) return;
    this.aborted = true;
    this.emit('aborted');
    if (error && this.listenerCount('error') > 0) this.emit('error', error);
    this._close();
  }

  /** @internal discard the rest of the body (the response was sent without reading it). */
  _dump(): void {
    if (this.#dumped) return;
    this.#dumped = true;
    this.#chunks = [];
    this.#buffered = 0;
    this.#flow?.resumeReading();
    this.#flowing = true;
    this.#schedule();
  }

  /** @internal */
  _close(): void {
    if (this.#closeEmitted) return;
    this.#closeEmitted = true;
    queueMicrotask(() => this.emit('close'));
  }

  #emitData(chunk: Uint8Array): void {
    this.emit('data', this.#decoder ? this.#decoder.decode(chunk) : this.#wrap(chunk));
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#drain();
    });
  }

  #drain(): void {
    if (this.destroyed) return;
    if (this.#flowing === true) {
      while (this.#chunks.length > 0 && this.#flowing === true) {
        const c = this.#chunks.shift()!;
        this.#buffered -= c.length;
        this.#emitData(c);
      }
      if (this.#chunks.length === 0) this.#flow?.resumeReading();
    } else if (this.#flowing === false && this.#readablePending && this.listenerCount('readable') > 0 && (this.#chunks.length > 0 || this.#sourceEnded)) {
      this.#readablePending = false;
      this.emit('readable');
    }
    if (this.#sourceEnded && this.#chunks.length === 0 && !this.#endEmitted && (this.#flowing === true || this.#dumped || this.listenerCount('readable') > 0)) {
      this.#endEmitted = true;
      this.emit('end');
    }
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array | string> {
    const queue: (Uint8Array | string)[] = [];
    let done = false;
    let failure: unknown = null;
    let wake: (() => void) | null = null;
    const notify = () => { const w = wake; wake = null; w?.(); };
    const onData = (c: Uint8Array | string) => {
      queue.push(c);
      if (queue.length >= 16) this.pause();
      notify();
    };
    const onEnd = () => { done = true; notify(); };
    const onError = (e: unknown) => { failure = e; notify(); };
    const onAborted = () => { failure ??= Object.assign(new Error('aborted'), { code: 'ECONNRESET' }); notify(); };
    const cleanup = () => {
      this.removeListener('data', onData);
      this.removeListener('end', onEnd);
      this.removeListener('error', onError);
      this.removeListener('aborted', onAborted);
    };
    this.on('data', onData);
    this.on('end', onEnd);
    this.on('error', onError);
    this.on('aborted', onAborted);
    const it: AsyncIterableIterator<Uint8Array | string> = {
      next: async () => {
        for (;;) {
          if (queue.length > 0) {
            const value = queue.shift()!;
            if (queue.length === 0 && this.isPaused()) this.resume();
            return { value, done: false };
          }
          if (failure) { cleanup(); throw failure; }
          if (done) { cleanup(); return { value: undefined, done: true }; }
          if (this.isPaused()) this.resume();
          await new Promise<void>((r) => { wake = r; });
        }
      },
      return: async () => {
        cleanup();
        if (!this.complete) this.destroy();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() { return it; },
    };
    return it;
  }
}

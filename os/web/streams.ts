/**
 * A small ReadableStream (WHATWG Streams §4) for bodies: enough for `new ReadableStream({ start,
 * pull, cancel })`, `getReader().read()`, async iteration, `tee()`, `cancel()`, `pipeTo()` into
 * a WritableStream-like sink, `pipeThrough()` a TransformStream, and `ReadableStream.from`.
 *
 * Limits (documented, deliberate): default readers only (no BYOB, no byte streams); the queuing
 * strategy counts chunks (highWaterMark default 1) whatever `size()` says; `pull` is called when
 * a read waits on an empty queue or the queue is below the high-water mark; tee() buffers
 * without bound for the slower branch; WritableStream/TransformStream are minimal (below).
 */

export interface UnderlyingSource<R> {
  start?(controller: ReadableStreamDefaultController<R>): unknown;
  pull?(controller: ReadableStreamDefaultController<R>): unknown;
  cancel?(reason?: unknown): unknown;
  type?: undefined;
}

export interface ReadableStreamDefaultController<R> {
  enqueue(chunk: R): void;
  close(): void;
  error(e?: unknown): void;
  readonly desiredSize: number | null;
}

type ReadResult<R> = { done: false; value: R } | { done: true; value: undefined };

export class ReadableStream<R = Uint8Array> {
  readonly #queue: R[] = [];
  readonly #waiting: { resolve: (r: ReadResult<R>) => void; reject: (e: unknown) => void }[] = [];
  readonly #source: UnderlyingSource<R>;
  readonly #hwm: number;
  #state: 'readable' | 'closed' | 'errored' = 'readable';
  #error: unknown = undefined;
  #started = false;
  #pulling = false;
  #pullAgain = false;
  #reader: ReadableStreamDefaultReader<R> | null = null;
  readonly #controller: ReadableStreamDefaultController<R>;

  constructor(source: UnderlyingSource<R> = {}, strategy: { highWaterMark?: number } = {}) {
    if ((source as { type?: string }).type === 'bytes') {
      // Byte streams are treated as default streams of Uint8Array chunks (no BYOB readers).
    }
    this.#source = source;
    this.#hwm = strategy.highWaterMark ?? 1;
    const self = this;
    this.#controller = {
      enqueue(chunk: R) {
        if (self.#state !== 'readable') throw new TypeError('Cannot enqueue: the stream is closed or errored');
        const w = self.#waiting.shift();
        if (w) w.resolve({ done: false, value: chunk });
        else self.#queue.push(chunk);
        self.#maybePull();
      },
      close() {
        if (self.#state !== 'readable') throw new TypeError('Cannot close: the stream is closed or errored');
        self.#state = 'closed';
        if (self.#queue.length === 0) self.#flushClosed();
      },
      error(e?: unknown) { self.#fail(e); },
      get desiredSize() {
        return self.#state === 'readable' ? self.#hwm - self.#queue.length : self.#state === 'closed' ? 0 : null;
      },
    };
    let started: unknown;
    try {
      started = source.start?.(this.#controller);
    } catch (e) {
      this.#fail(e);
    }
    Promise.resolve(started).then(
      () => { this.#started = true; this.#maybePull(); },
      (e) => this.#fail(e),
    );
  }

  get locked(): boolean { return this.#reader !== null; }

  getReader(options?: { mode?: string }): ReadableStreamDefaultReader<R> {
    if (options?.mode === 'byob') throw new TypeError('BYOB readers are not supported');
    return new ReadableStreamDefaultReader<R>(this);
  }

  cancel(reason?: unknown): Promise<void> {
    if (this.#reader) return Promise.reject(new TypeError('Cannot cancel a locked stream'));
    return this._cancel(reason);
  }

  tee(): [ReadableStream<R>, ReadableStream<R>] {
    const reader = this.getReader();
    const ctrls: ReadableStreamDefaultController<R>[] = [];
    let reading = false;
    let canceled = 0;
    const pump = async () => {
      if (reading) return;
      reading = true;
      try {
        const r = await reader.read();
        if (r.done) { for (const c of ctrls) try { c.close(); } catch { /* already closed */ } }
        else for (const c of ctrls) try { c.enqueue(r.value); } catch { /* canceled branch */ }
      } catch (e) {
        for (const c of ctrls) c.error(e);
      } finally {
        reading = false;
      }
    };
    const branch = () => new ReadableStream<R>({
      start(c) { ctrls.push(c); },
      pull: () => pump(),
      cancel: (reason) => { if (++canceled === 2) return reader.cancel(reason); },
    });
    return [branch(), branch()];
  }

  async pipeTo(dest: { getWriter(): { write(c: R): unknown; close(): unknown; abort?(r?: unknown): unknown; releaseLock?(): void } }): Promise<void> {
    const reader = this.getReader();
    const writer = dest.getWriter();
    try {
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        await writer.write(r.value);
      }
      await writer.close();
    } catch (e) {
      await writer.abort?.(e);
      throw e;
    } finally {
      reader.releaseLock();
      writer.releaseLock?.();
    }
  }

  pipeThrough<T>(transform: { readable: ReadableStream<T>; writable: WritableStream<R> }): ReadableStream<T> {
    this.pipeTo(transform.writable).catch(() => {});
    return transform.readable;
  }

  values(options?: { preventCancel?: boolean }): AsyncIterableIterator<R> {
    const reader = this.getReader();
    let released = false;
    const it: AsyncIterableIterator<R> = {
      next: async () => {
        if (released) return { done: true, value: undefined as R };
        const r = await reader.read();
        if (r.done) { released = true; reader.releaseLock(); }
        return r as IteratorResult<R>;
      },
      // May come after the end (seen under QuickJS 2025-04-26 once a for-await loop had read to
      // the end): the reader is released then and there is nothing to cancel.
      return: async (value?: unknown) => {
        if (!released) {
          released = true;
          if (!options?.preventCancel) await reader.cancel();
          reader.releaseLock();
        }
        return { done: true, value: value as R };
      },
      [Symbol.asyncIterator]() { return it; },
    };
    return it;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<R> {
    return this.values();
  }

  static from<R>(source: Iterable<R> | AsyncIterable<R>): ReadableStream<R> {
    const it = Symbol.asyncIterator in source
      ? (source as AsyncIterable<R>)[Symbol.asyncIterator]()
      : (source as Iterable<R>)[Symbol.iterator]();
    return new ReadableStream<R>({
      async pull(c) {
        const r = await it.next();
        if (r.done) c.close();
        else c.enqueue(r.value);
      },
      async cancel(reason) { await it.return?.(reason); },
    });
  }

  // ---- used by the reader ----

  /** @internal */
  _read(): Promise<ReadResult<R>> {
    if (this.#queue.length > 0) {
      const value = this.#queue.shift()!;
      if (this.#state === 'closed' && this.#queue.length === 0) this.#flushClosed();
      else this.#maybePull();
      return Promise.resolve({ done: false, value });
    }
    if (this.#state === 'closed') return Promise.resolve({ done: true, value: undefined });
    if (this.#state === 'errored') return Promise.reject(this.#error);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#maybePull();
    });
  }

  /** @internal */
  _attach(reader: ReadableStreamDefaultReader<R>): void {
    if (this.#reader) throw new TypeError('ReadableStream is locked to a reader');
    this.#reader = reader;
  }

  /** @internal */
  _release(): void {
    this.#reader = null;
  }

  /** @internal */
  async _cancel(reason?: unknown): Promise<void> {
    if (this.#state === 'closed') return;
    if (this.#state === 'errored') throw this.#error;
    this.#queue.length = 0;
    this.#state = 'closed';
    this.#flushClosed();
    await this.#source.cancel?.(reason);
  }

  /** @internal */
  get _state(): string { return this.#state; }
  /** @internal */
  get _error(): unknown { return this.#error; }

  #flushClosed(): void {
    for (const w of this.#waiting.splice(0)) w.resolve({ done: true, value: undefined });
    this.#reader?._closed();
  }

  #fail(e: unknown): void {
    if (this.#state !== 'readable') return;
    this.#state = 'errored';
    this.#error = e;
    this.#queue.length = 0;
    for (const w of this.#waiting.splice(0)) w.reject(e);
    this.#reader?._errored(e);
  }

  #maybePull(): void {
    if (!this.#started || this.#state !== 'readable' || !this.#source.pull) return;
    if (this.#waiting.length === 0 && this.#queue.length >= this.#hwm) return;
    if (this.#pulling) { this.#pullAgain = true; return; }
    this.#pulling = true;
    let p: unknown;
    try {
      p = this.#source.pull(this.#controller);
    } catch (e) {
      this.#fail(e);
      return;
    }
    Promise.resolve(p).then(
      () => {
        this.#pulling = false;
        // Streams §4.9.x CallPullIfNeeded: pull again only if asked while pulling (a waiting
        // read alone must not loop: a pull that enqueues nothing would spin forever).
        if (this.#pullAgain) { this.#pullAgain = false; this.#maybePull(); }
      },
      (e) => this.#fail(e),
    );
  }
}

export class ReadableStreamDefaultReader<R = Uint8Array> {
  #stream: ReadableStream<R> | null;
  #resolveClosed!: () => void;
  #rejectClosed!: (e: unknown) => void;
  readonly closed: Promise<void>;

  constructor(stream: ReadableStream<R>) {
    stream._attach(this);
    this.#stream = stream;
    this.closed = new Promise((res, rej) => { this.#resolveClosed = res; this.#rejectClosed = rej; });
    this.closed.catch(() => {});
    if (stream._state === 'closed') this.#resolveClosed();
    if (stream._state === 'errored') this.#rejectClosed(stream._error);
  }

  read(): Promise<ReadResult<R>> {
    if (!this.#stream) return Promise.reject(new TypeError('Reader has been released'));
    return this.#stream._read();
  }

  cancel(reason?: unknown): Promise<void> {
    if (!this.#stream) return Promise.reject(new TypeError('Reader has been released'));
    return this.#stream._cancel(reason);
  }

  releaseLock(): void {
    this.#stream?._release();
    this.#stream = null;
  }

  /** @internal */ _closed(): void { this.#resolveClosed(); }
  /** @internal */ _errored(e: unknown): void { this.#rejectClosed(e); }
}

export interface UnderlyingSink<W> {
  start?(c: unknown): unknown;
  write?(chunk: W, c: unknown): unknown;
  close?(): unknown;
  abort?(reason?: unknown): unknown;
}

/** Minimal WritableStream: `getWriter().write/close/abort` calling the sink in order. */
export class WritableStream<W = Uint8Array> {
  readonly #sink: UnderlyingSink<W>;
  #chain: Promise<unknown>;
  #locked = false;

  constructor(sink: UnderlyingSink<W> = {}) {
    this.#sink = sink;
    const controller = { error: () => {} };
    this.#chain = Promise.resolve(sink.start?.(controller));
  }

  get locked(): boolean { return this.#locked; }

  getWriter(): { write(c: W): Promise<void>; close(): Promise<void>; abort(r?: unknown): Promise<void>; releaseLock(): void; ready: Promise<void>; closed: Promise<void> } {
    if (this.#locked) throw new TypeError('WritableStream is locked');
    this.#locked = true;
    const run = (f: () => unknown): Promise<void> => {
      const p = this.#chain.then(f);
      this.#chain = p.catch(() => {});
      return p.then(() => undefined);
    };
    let closedResolve!: () => void;
    const closed = new Promise<void>((r) => { closedResolve = r; });
    return {
      write: (c) => run(() => this.#sink.write?.(c, { error: () => {} })),
      close: () => run(async () => { await this.#sink.close?.(); closedResolve(); }),
      abort: (r) => run(() => this.#sink.abort?.(r)),
      releaseLock: () => { this.#locked = false; },
      ready: Promise.resolve(),
      closed,
    };
  }
}

/** Minimal TransformStream: identity unless `transform(chunk, controller)` is given. */
export class TransformStream<I = Uint8Array, O = Uint8Array> {
  readonly readable: ReadableStream<O>;
  readonly writable: WritableStream<I>;

  constructor(transformer: {
    start?(c: ReadableStreamDefaultController<O>): unknown;
    transform?(chunk: I, c: ReadableStreamDefaultController<O>): unknown;
    flush?(c: ReadableStreamDefaultController<O>): unknown;
  } = {}) {
    let ctrl!: ReadableStreamDefaultController<O>;
    // A high-water mark large enough that writers are not held back (no back-pressure here).
    this.readable = new ReadableStream<O>({ start(c) { ctrl = c; } }, { highWaterMark: Infinity });
    transformer.start?.(ctrl);
    this.writable = new WritableStream<I>({
      write: (chunk: I) => (transformer.transform ? transformer.transform(chunk, ctrl) : ctrl.enqueue(chunk as unknown as O)),
      close: async () => { await transformer.flush?.(ctrl); ctrl.close(); },
      abort: (r?: unknown) => ctrl.error(r),
    });
  }
}

/**
 * AbortController / AbortSignal (WHATWG DOM §3.1-3.2) for runtimes that lack them (QuickJS),
 * on a minimal EventTarget. Limits: events are plain `{ type, target }` objects; no capture
 * or bubbling; `AbortSignal.any` follows its sources only while they are alive.
 */

type DomExceptionCtor = new (message?: string, name?: string) => Error;

/** The platform's DOMException, or a stand-in with the same `name`/`message` shape. */
export const DOMExceptionImpl: DomExceptionCtor =
  (globalThis as { DOMException?: DomExceptionCtor }).DOMException ??
  class DOMException extends Error {
    constructor(message = '', name = 'Error') {
      super(message);
      Object.defineProperty(this, 'name', { value: name, configurable: true, writable: true });
    }
  };

export function abortError(message = 'This operation was aborted'): Error {
  return new DOMExceptionImpl(message, 'AbortError');
}
export function timeoutError(message = 'The operation was aborted due to timeout'): Error {
  return new DOMExceptionImpl(message, 'TimeoutError');
}

type Listener = ((ev: { type: string; target: unknown }) => void) | { handleEvent(ev: { type: string; target: unknown }): void };

export class EventTargetLite {
  readonly #listeners = new Map<string, { fn: Listener; once: boolean }[]>();

  addEventListener(type: string, fn: Listener | null, options?: boolean | { once?: boolean; signal?: AbortSignal }): void {
    if (!fn) return;
    const list = this.#listeners.get(type) ?? [];
    if (list.some((l) => l.fn === fn)) return;
    const once = typeof options === 'object' && !!options.once;
    list.push({ fn, once });
    this.#listeners.set(type, list);
    if (typeof options === 'object' && options.signal) {
      options.signal.addEventListener('abort', () => this.removeEventListener(type, fn), { once: true });
    }
  }

  removeEventListener(type: string, fn: Listener | null): void {
    const list = this.#listeners.get(type);
    if (!list) return;
    const i = list.findIndex((l) => l.fn === fn);
    if (i >= 0) list.splice(i, 1);
  }

  dispatchEvent(event: { type: string }): boolean {
    const ev = { type: event.type, target: this };
    const handler = (this as unknown as Record<string, unknown>)[`on${event.type}`];
    if (typeof handler === 'function') handler.call(this, ev);
    for (const l of [...(this.#listeners.get(event.type) ?? [])]) {
      if (l.once) this.removeEventListener(event.type, l.fn);
      if (typeof l.fn === 'function') l.fn.call(this, ev);
      else l.fn.handleEvent(ev);
    }
    return true;
  }
}

const INTERNAL = Symbol('AbortSignal.internal');

export class AbortSignal extends EventTargetLite {
  #aborted = false;
  #reason: unknown = undefined;
  onabort: ((ev: { type: string; target: unknown }) => void) | null = null;

  constructor(token?: symbol) {
    super();
    if (token !== INTERNAL) throw new TypeError('Illegal constructor');
  }

  get aborted(): boolean { return this.#aborted; }
  get reason(): unknown { return this.#reason; }

  throwIfAborted(): void {
    if (this.#aborted) throw this.#reason;
  }

  /** @internal */
  _abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason === undefined ? abortError() : reason;
    this.dispatchEvent({ type: 'abort' });
  }

  static abort(reason?: unknown): AbortSignal {
    const s = new AbortSignal(INTERNAL);
    s._abort(reason);
    return s;
  }

  /** Aborts with a TimeoutError after `ms`; the timer does not keep the program alive. */
  static timeout(ms: number): AbortSignal {
    if (!(ms >= 0)) throw new RangeError(`Cannot create a timeout signal: ${ms} is not a non-negative number`);
    const s = new AbortSignal(INTERNAL);
    const t = setTimeout(() => s._abort(timeoutError()), ms);
    (t as { unref?: () => void }).unref?.();
    return s;
  }

  static any(signals: Iterable<AbortSignal>): AbortSignal {
    const s = new AbortSignal(INTERNAL);
    const list = [...signals];
    const done = list.find((x) => x.aborted);
    if (done) { s._abort(done.reason); return s; }
    for (const x of list) x.addEventListener('abort', () => s._abort(x.reason), { once: true });
    return s;
  }
}

export class AbortController {
  readonly signal = new AbortSignal(INTERNAL);
  abort(reason?: unknown): void {
    this.signal._abort(reason);
  }
}

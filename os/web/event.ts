/**
 * Event, CustomEvent and EventTarget (WHATWG DOM §2.2, §2.4, §2.7) for a world without a
 * tree: no capture or bubbling phases, so dispatch reaches the target's own listeners in
 * order (with `once`, `signal`, `stopImmediatePropagation`, `preventDefault` on cancelable events).
 */
export class Event {
  static readonly NONE = 0;
  static readonly CAPTURING_PHASE = 1;
  static readonly AT_TARGET = 2;
  static readonly BUBBLING_PHASE = 3;
  readonly type: string;
  readonly bubbles: boolean;
  readonly cancelable: boolean;
  readonly composed: boolean;
  readonly timeStamp: number;
  readonly isTrusted = false;
  #defaultPrevented = false;
  #stop = false;
  #target: EventTarget | null = null;
  #dispatching = false;
  constructor(type: string, init: { bubbles?: boolean; cancelable?: boolean; composed?: boolean } = {}) {
    if (arguments.length === 0) throw new TypeError('The "type" argument must be specified');
    this.type = String(type);
    this.bubbles = !!init.bubbles;
    this.cancelable = !!init.cancelable;
    this.composed = !!init.composed;
    this.timeStamp = (globalThis as { performance?: { now(): number } }).performance?.now() ?? 0;
  }
  get target(): EventTarget | null { return this.#target; }
  get currentTarget(): EventTarget | null { return this.#dispatching ? this.#target : null; }
  get srcElement(): EventTarget | null { return this.#target; }
  get eventPhase(): number { return this.#dispatching ? Event.AT_TARGET : Event.NONE; }
  get defaultPrevented(): boolean { return this.#defaultPrevented; }
  get returnValue(): boolean { return !this.#defaultPrevented; }
  get cancelBubble(): boolean { return this.#stop; }
  preventDefault(): void { if (this.cancelable) this.#defaultPrevented = true; }
  stopPropagation(): void {}
  stopImmediatePropagation(): void { this.#stop = true; }
  composedPath(): EventTarget[] { return this.#dispatching && this.#target ? [this.#target] : []; }
  /** @internal */
  static _begin(e: Event, target: EventTarget): void {
    if (e.#dispatching) throw Object.assign(new Error('The event is already being dispatched'), { name: 'InvalidStateError' });
    e.#target = target; e.#dispatching = true; e.#stop = false;
  }
  /** @internal */
  static _end(e: Event): void { e.#dispatching = false; }
  /** @internal */
  static _stopped(e: Event): boolean { return e.#stop; }
}

export class CustomEvent<T = unknown> extends Event {
  readonly detail: T | null;
  constructor(type: string, init: { bubbles?: boolean; cancelable?: boolean; composed?: boolean; detail?: T } = {}) {
    super(type, init);
    this.detail = init.detail ?? null;
  }
}

type Listener = ((ev: Event) => void) | { handleEvent(ev: Event): void };
interface Entry { fn: Listener; once: boolean; capture: boolean; removed: boolean }

export class EventTarget {
  readonly #listeners = new Map<string, Entry[]>();
  addEventListener(type: string, fn: Listener | null, options?: boolean | { once?: boolean; capture?: boolean; signal?: { aborted: boolean; addEventListener(t: string, f: () => void, o?: unknown): void } }): void {
    if (!fn) return;
    const capture = typeof options === 'boolean' ? options : !!options?.capture;
    const o = typeof options === 'object' ? options : undefined;
    if (o?.signal?.aborted) return;
    const list = this.#listeners.get(type) ?? [];
    if (list.some((l) => l.fn === fn && l.capture === capture)) return;
    list.push({ fn, once: !!o?.once, capture, removed: false });
    this.#listeners.set(type, list);
    o?.signal?.addEventListener('abort', () => this.removeEventListener(type, fn, { capture }), { once: true });
  }
  removeEventListener(type: string, fn: Listener | null, options?: boolean | { capture?: boolean }): void {
    const capture = typeof options === 'boolean' ? options : !!options?.capture;
    const list = this.#listeners.get(type);
    if (!list) return;
    const i = list.findIndex((l) => l.fn === fn && l.capture === capture);
    if (i >= 0) { list[i]!.removed = true; list.splice(i, 1); }
  }
  dispatchEvent(event: Event): boolean {
    if (!(event instanceof Event)) throw new TypeError('The "event" argument must be an instance of Event');
    Event._begin(event, this);
    try {
      for (const l of [...(this.#listeners.get(event.type) ?? [])]) {
        if (l.removed) continue;
        if (l.once) this.removeEventListener(event.type, l.fn, { capture: l.capture });
        try {
          if (typeof l.fn === 'function') l.fn.call(this, event);
          else l.fn.handleEvent(event);
        } catch (e) {
          const report = (globalThis as { reportError?: (e: unknown) => void }).reportError;
          if (report) report(e); else queueMicrotask(() => { throw e; });
        }
        if (Event._stopped(event)) break;
      }
    } finally { Event._end(event); }
    return !event.defaultPrevented;
  }
}

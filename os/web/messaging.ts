/**
 * MessageChannel, MessagePort, BroadcastChannel and MessageEvent (HTML §9.4-9.5) inside one
 * program: a posted value is copied with structuredClone when posted (a value that cannot be
 * cloned throws DataCloneError there) and delivered as a `message` event in a later task, in
 * posting order. A port delivers once started: setting `onmessage` starts it, as does start();
 * messages posted before wait in its queue. close() on either end of a channel disentangles
 * both; messages not yet delivered are dropped. Unlike Node, an open port does not keep the
 * program alive.
 */
import { structuredClone } from '../runtime/clone.ts';
import { DOMException } from '../runtime/dom-exception.ts';
import { Event, EventTarget } from './event.ts';

export class MessageEvent<T = unknown> extends Event {
  readonly data: T;
  readonly origin: string;
  readonly lastEventId: string;
  readonly source: unknown;
  readonly ports: readonly unknown[];
  constructor(type: string, init: { data?: T; origin?: string; lastEventId?: string; source?: unknown; ports?: unknown[] } = {}) {
    super(type);
    this.data = init.data as T;
    this.origin = init.origin ?? '';
    this.lastEventId = init.lastEventId ?? '';
    this.source = init.source ?? null;
    this.ports = Object.freeze([...(init.ports ?? [])]);
  }
}

/** The `onmessage`/`onmessageerror` attribute of a target: one listener slot each. */
class MessageTarget extends EventTarget {
  #handlers = new Map<string, (ev: Event) => void>();
  protected setHandler(type: string, fn: unknown): void {
    const old = this.#handlers.get(type);
    if (old) this.removeEventListener(type, old);
    this.#handlers.delete(type);
    if (typeof fn === 'function') {
      const h = (ev: Event) => (fn as (ev: Event) => void).call(this, ev);
      (h as { original?: unknown }).original = fn;
      this.#handlers.set(type, h);
      this.addEventListener(type, h);
    }
  }
  protected handler(type: string): unknown {
    return (this.#handlers.get(type) as { original?: unknown } | undefined)?.original ?? null;
  }
}

const deliver = (fn: () => void) => setTimeout(fn, 0);

export class MessagePort extends MessageTarget {
  #peer: MessagePort | undefined;
  #queue: unknown[] = [];
  #started = false;
  #scheduled = false;
  /** @internal entangles two ports (MessageChannel's constructor). */
  static _entangle(a: MessagePort, b: MessagePort): void { a.#peer = b; b.#peer = a; }
  postMessage(message: unknown, _transfer?: unknown): void {
    const copy = structuredClone(message);
    const peer = this.#peer;
    if (!peer) return;
    peer.#queue.push(copy);
    peer.#schedule();
  }
  start(): void {
    this.#started = true;
    this.#schedule();
  }
  close(): void {
    const peer = this.#peer;
    if (!peer) return;
    this.#peer = undefined;
    peer.#peer = undefined;
    for (const p of [this, peer]) {
      p.#queue = [];
      deliver(() => p.dispatchEvent(new Event('close')));
    }
  }
  get onmessage(): unknown { return this.handler('message'); }
  set onmessage(fn: unknown) { this.setHandler('message', fn); this.start(); }
  get onmessageerror(): unknown { return this.handler('messageerror'); }
  set onmessageerror(fn: unknown) { this.setHandler('messageerror', fn); }
  #schedule(): void {
    if (!this.#started || this.#scheduled || this.#queue.length === 0) return;
    this.#scheduled = true;
    deliver(() => {
      this.#scheduled = false;
      // One message per task, as the HTML port message queue does.
      if (!this.#started || this.#queue.length === 0) return;
      const data = this.#queue.shift();
      this.dispatchEvent(new MessageEvent('message', { data }));
      this.#schedule();
    });
  }
}

export class MessageChannel {
  readonly port1 = new MessagePort();
  readonly port2 = new MessagePort();
  constructor() { MessagePort._entangle(this.port1, this.port2); }
}

const channels = new Map<string, Set<BroadcastChannel>>();

export class BroadcastChannel extends MessageTarget {
  readonly #name: string;
  #closed = false;
  constructor(name: string) {
    super();
    if (arguments.length === 0) throw new TypeError('The "name" argument must be specified');
    this.#name = String(name);
    let set = channels.get(this.#name);
    if (!set) channels.set(this.#name, (set = new Set()));
    set.add(this);
  }
  get name(): string { return this.#name; }
  postMessage(message: unknown): void {
    if (this.#closed) throw new DOMException('BroadcastChannel is closed.', 'InvalidStateError');
    const copy = structuredClone(message);
    for (const other of channels.get(this.#name) ?? []) {
      if (other === this) continue;
      deliver(() => { if (!other.#closed) other.dispatchEvent(new MessageEvent('message', { data: structuredClone(copy) })); });
    }
  }
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const set = channels.get(this.#name);
    set?.delete(this);
    if (set?.size === 0) channels.delete(this.#name);
  }
  get onmessage(): unknown { return this.handler('message'); }
  set onmessage(fn: unknown) { this.setHandler('message', fn); }
  get onmessageerror(): unknown { return this.handler('messageerror'); }
  set onmessageerror(fn: unknown) { this.setHandler('messageerror', fn); }
}

/**
 * node:async_hooks: AsyncLocalStorage and AsyncResource. A store set by `run` follows the
 * callbacks scheduled while it is current: timers, setImmediate, process.nextTick,
 * queueMicrotask, promise reactions (`then`/`catch`/`finally`, Promise.all and friends) and
 * `await`, which the builder lowers to `then` in programs that import this module
 * (cli/async-context.ts). The engine's promise hook (hw.setPromiseHook, installed with the
 * first store) gives each promise the context it was made in, and runs the job that resolves
 * a promise with a thenable (`await thenable`, `resolve(thenable)`) in it.
 * createHook's hooks are never called (no async resource tracking in the image).
 */
import { nativeHw } from '../hw/hw.ts';

type Ctx = Map<AsyncLocalStorage<unknown>, unknown>;
const ROOT: Ctx = new Map();
let current: Ctx = ROOT;
let installed = false;

function bind<F extends Function>(fn: F, ctx: Ctx = current): F {
  if (typeof fn !== 'function') return fn;
  return function (this: unknown, ...args: unknown[]) {
    const saved = current;
    current = ctx;
    try { return fn.apply(this, args); } finally { current = saved; }
  } as unknown as F;
}

/** Wraps the schedulers once, the first time a store is made, so programs without one pay nothing. */
function install(): void {
  if (installed) return;
  installed = true;
  const g = globalThis as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of ['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask']) {
    const orig = g[name];
    if (typeof orig !== 'function') continue;
    g[name] = { [name](cb: Function, ...rest: unknown[]) { return (orig as Function).call(globalThis, bind(cb), ...rest); } }[name]! as never;
  }
  const proc = globalThis.process as unknown as { nextTick: (cb: Function, ...a: unknown[]) => void };
  const nextTick = proc.nextTick;
  proc.nextTick = (cb: Function, ...a: unknown[]) => nextTick(bind(cb), ...a);
  // INIT: a promise remembers the context it was made in (the root context is not stored);
  // BEFORE/AFTER: the thenable job runs in it. Jobs do not nest, so one saved slot is enough.
  const made = new WeakMap<object, Ctx>();
  let saved: Ctx | undefined;
  nativeHw()?.setPromiseHook((type, promise) => {
    if (type === 0) { if (current.size) made.set(promise, current); }
    else if (type === 1) { saved = current; current = made.get(promise) ?? ROOT; }
    else if (type === 2 && saved) { current = saved; saved = undefined; }
  });
  const then = Promise.prototype.then;
  Promise.prototype.then = function (this: Promise<unknown>, a?: unknown, b?: unknown) {
    return then.call(this, (typeof a === 'function' ? bind(a) : a) as never, (typeof b === 'function' ? bind(b) : b) as never);
  } as typeof Promise.prototype.then;
}

export class AsyncLocalStorage<T> {
  #enabled = false;
  constructor() { install(); }
  static bind<F extends Function>(fn: F): F { return bind(fn); }
  static snapshot(): <R>(fn: (...a: unknown[]) => R, ...a: unknown[]) => R {
    const ctx = current;
    return (fn, ...a) => bind(fn, ctx)(...a);
  }
  getStore(): T | undefined { return current.get(this as AsyncLocalStorage<unknown>) as T | undefined; }
  run<R>(store: T, fn: (...a: any[]) => R, ...args: unknown[]): R {
    this.#enabled = true;
    const ctx = new Map(current);
    ctx.set(this as AsyncLocalStorage<unknown>, store);
    return bind(fn, ctx)(...args);
  }
  exit<R>(fn: (...a: any[]) => R, ...args: unknown[]): R {
    const ctx = new Map(current);
    ctx.delete(this as AsyncLocalStorage<unknown>);
    return bind(fn, ctx)(...args);
  }
  enterWith(store: T): void {
    this.#enabled = true;
    const ctx = new Map(current);
    ctx.set(this as AsyncLocalStorage<unknown>, store);
    current = ctx;
  }
  disable(): void {
    if (!this.#enabled) return;
    this.#enabled = false;
    const ctx = new Map(current);
    ctx.delete(this as AsyncLocalStorage<unknown>);
    current = ctx;
  }
}

let nextId = 2;
export class AsyncResource {
  readonly #ctx: Ctx = current;
  readonly #id = nextId++;
  constructor(readonly type: string, _opts?: unknown) { install(); }
  runInAsyncScope<R>(fn: (...a: any[]) => R, thisArg?: unknown, ...args: unknown[]): R { return bind(fn, this.#ctx).apply(thisArg, args); }
  bind<F extends Function>(fn: F): F { return bind(fn, this.#ctx); }
  static bind<F extends Function>(fn: F, type = 'bound-anonymous-fn'): F { return new AsyncResource(type).bind(fn); }
  emitDestroy(): this { return this; }
  asyncId(): number { return this.#id; }
  triggerAsyncId(): number { return 1; }
}

export const executionAsyncId = (): number => 1;
export const triggerAsyncId = (): number => 0;
export const executionAsyncResource = (): object => ({});
export function createHook(_hooks: object): { enable(): unknown; disable(): unknown } {
  const h = { enable: () => h, disable: () => h };
  return h;
}
export const asyncWrapProviders = {};
export default { AsyncLocalStorage, AsyncResource, executionAsyncId, triggerAsyncId, executionAsyncResource, createHook, asyncWrapProviders };

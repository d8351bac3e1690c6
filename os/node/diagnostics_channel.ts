/** node:diagnostics_channel: named channels with subscribers, and tracing channels (Node's API). */
type Sub = (message: unknown, name: string | symbol) => void;

export class Channel {
  readonly #subs: Sub[] = [];
  readonly #stores = new Map<{ run: Function }, ((m: unknown) => unknown) | undefined>();
  constructor(readonly name: string | symbol) {}
  get hasSubscribers(): boolean { return this.#subs.length > 0 || this.#stores.size > 0; }
  subscribe(fn: Sub): void { this.#subs.push(fn); }
  unsubscribe(fn: Sub): boolean {
    const i = this.#subs.indexOf(fn);
    if (i < 0) return false;
    this.#subs.splice(i, 1);
    return true;
  }
  publish(message: unknown): void {
    for (const s of this.#subs.slice()) {
      try { s(message, this.name); } catch (e) { (globalThis.process as unknown as { nextTick(f: () => void): void }).nextTick(() => { throw e; }); }
    }
  }
  bindStore(store: { run: Function }, transform?: (m: unknown) => unknown): void { this.#stores.set(store, transform); }
  unbindStore(store: { run: Function }): boolean { return this.#stores.delete(store); }
  runStores<R>(message: unknown, fn: (...a: unknown[]) => R, thisArg?: unknown, ...args: unknown[]): R {
    let run = () => { this.publish(message); return fn.apply(thisArg, args); };
    for (const [store, transform] of this.#stores) {
      const inner = run;
      run = () => store.run(transform ? transform(message) : message, inner) as R;
    }
    return run();
  }
}

const channels = new Map<string | symbol, Channel>();
export function channel(name: string | symbol): Channel {
  let c = channels.get(name);
  if (!c) { c = new Channel(name); channels.set(name, c); }
  return c;
}
export const hasSubscribers = (name: string | symbol): boolean => channels.get(name)?.hasSubscribers ?? false;
export const subscribe = (name: string | symbol, fn: Sub): void => channel(name).subscribe(fn);
export const unsubscribe = (name: string | symbol, fn: Sub): boolean => channel(name).unsubscribe(fn);

type Handlers = Partial<Record<'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error', Sub>>;
export class TracingChannel {
  readonly start: Channel; readonly end: Channel; readonly asyncStart: Channel; readonly asyncEnd: Channel; readonly error: Channel;
  constructor(name: string | Record<string, Channel>) {
    const c = (k: string) => (typeof name === 'string' ? channel(`tracing:${name}:${k}`) : name[k]!);
    this.start = c('start'); this.end = c('end'); this.asyncStart = c('asyncStart'); this.asyncEnd = c('asyncEnd'); this.error = c('error');
  }
  get hasSubscribers(): boolean { return [this.start, this.end, this.asyncStart, this.asyncEnd, this.error].some((c) => c.hasSubscribers); }
  subscribe(h: Handlers): void { for (const [k, f] of Object.entries(h)) if (f) (this as unknown as Record<string, Channel>)[k]!.subscribe(f); }
  unsubscribe(h: Handlers): boolean {
    let ok = true;
    for (const [k, f] of Object.entries(h)) if (f) ok = (this as unknown as Record<string, Channel>)[k]!.unsubscribe(f) && ok;
    return ok;
  }
  traceSync<R>(fn: (...a: unknown[]) => R, context: Record<string, unknown> = {}, thisArg?: unknown, ...args: unknown[]): R {
    if (!this.hasSubscribers) return fn.apply(thisArg, args);
    return this.start.runStores(context, () => {
      try { const r = fn.apply(thisArg, args); context.result = r; return r; }
      catch (e) { context.error = e; this.error.publish(context); throw e; }
      finally { this.end.publish(context); }
    });
  }
  tracePromise<R>(fn: (...a: unknown[]) => Promise<R>, context: Record<string, unknown> = {}, thisArg?: unknown, ...args: unknown[]): Promise<R> {
    if (!this.hasSubscribers) return fn.apply(thisArg, args);
    return this.start.runStores(context, () => {
      try {
        const p = fn.apply(thisArg, args);
        return Promise.resolve(p).then((r) => { context.result = r; this.asyncStart.publish(context); this.asyncEnd.publish(context); return r; },
          (e) => { context.error = e; this.error.publish(context); this.asyncStart.publish(context); this.asyncEnd.publish(context); throw e; });
      } catch (e) { context.error = e; this.error.publish(context); throw e; } finally { this.end.publish(context); }
    });
  }
  traceCallback<R>(fn: (...a: unknown[]) => R, position = -1, context: Record<string, unknown> = {}, thisArg?: unknown, ...args: unknown[]): R {
    if (!this.hasSubscribers) return fn.apply(thisArg, args);
    const i = position < 0 ? args.length + position : position;
    const cb = args[i] as (...a: unknown[]) => unknown;
    args[i] = (err: unknown, res: unknown) => {
      if (err) { context.error = err; this.error.publish(context); } else context.result = res;
      this.asyncStart.publish(context);
      try { return cb(err, res); } finally { this.asyncEnd.publish(context); }
    };
    return this.traceSync(fn, context, thisArg, ...args);
  }
}
export const tracingChannel = (name: string | Record<string, Channel>): TracingChannel => new TracingChannel(name);
export default { channel, hasSubscribers, subscribe, unsubscribe, tracingChannel, Channel };

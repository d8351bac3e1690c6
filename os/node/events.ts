/**
 * node:events: the npm `events` package (Node's EventEmitter for other platforms), plus
 * the static helpers it lacks (`on`, `errorMonitor`, `getEventListeners`).
 */
import EventEmitterImpl from 'events/events.js';

type Listener = (...args: any[]) => void;
const EE = EventEmitterImpl as unknown as typeof import('node:events').EventEmitter;
const statics = EE as unknown as Record<string, unknown>;

/** Node's `events.on`: an async iterator of the arguments of each `event`. */
function on(emitter: import('node:events').EventEmitter, event: string | symbol): AsyncIterableIterator<unknown[]> {
  const queue: unknown[][] = [];
  const waiting: { resolve: (r: IteratorResult<unknown[]>) => void; reject: (e: unknown) => void }[] = [];
  let error: unknown = null;
  let done = false;
  const onEvent: Listener = (...args) => {
    const w = waiting.shift();
    if (w) w.resolve({ value: args, done: false });
    else queue.push(args);
  };
  const onError: Listener = (err) => {
    done = true;
    const w = waiting.shift();
    if (w) w.reject(err);
    else error = err;
    cleanup();
  };
  const cleanup = (): void => {
    emitter.removeListener(event, onEvent);
    if (event !== 'error') emitter.removeListener('error', onError);
  };
  emitter.on(event, onEvent);
  if (event !== 'error') emitter.on('error', onError);
  return {
    next(): Promise<IteratorResult<unknown[]>> {
      const v = queue.shift();
      if (v) return Promise.resolve({ value: v, done: false });
      if (error !== null) { const e = error; error = null; return Promise.reject(e); }
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    return(): Promise<IteratorResult<unknown[]>> {
      done = true;
      cleanup();
      for (const w of waiting.splice(0)) w.resolve({ value: undefined, done: true });
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(err: unknown): Promise<IteratorResult<unknown[]>> {
      cleanup();
      return Promise.reject(err);
    },
    [Symbol.asyncIterator]() { return this; },
  };
}

if (typeof statics.on !== 'function') statics.on = on;
if (statics.errorMonitor === undefined) statics.errorMonitor = Symbol('events.errorMonitor');
if (typeof statics.getEventListeners !== 'function') {
  statics.getEventListeners = (emitter: import('node:events').EventEmitter, name: string | symbol) => emitter.listeners(name);
}

export const EventEmitter = EE;
export const once = EE.once as typeof import('node:events').once;
export { on };
export const errorMonitor = EE.errorMonitor as symbol;
export const getEventListeners = EE.getEventListeners as (e: unknown, n: string | symbol) => Listener[];
export const defaultMaxListeners = 10;
export default EE;

/** node:timers/promises: promise forms of setTimeout/setImmediate and an async setInterval. */
import { currentLoop } from '../runtime/loop.ts';

interface Opts { signal?: { aborted: boolean; reason?: unknown; addEventListener?(t: string, f: () => void): void }; ref?: boolean }

function abortError(signal: Opts['signal']): Error {
  const e = new Error('The operation was aborted') as Error & { code: string; cause?: unknown };
  e.name = 'AbortError';
  e.code = 'ABORT_ERR';
  if (signal?.reason !== undefined) e.cause = signal.reason;
  return e;
}

export function setTimeout<T = void>(ms?: number, value?: T, opts: Opts = {}): Promise<T> {
  const loop = currentLoop();
  if (opts.signal?.aborted) return Promise.reject(abortError(opts.signal));
  return new Promise((resolve, reject) => {
    const t = loop.setTimeout(() => resolve(value as T), ms);
    if (opts.ref === false) t.unref();
    opts.signal?.addEventListener?.('abort', () => { loop.clearTimer(t); reject(abortError(opts.signal)); });
  });
}

export function setImmediate<T = void>(value?: T, opts: Opts = {}): Promise<T> {
  const loop = currentLoop();
  if (opts.signal?.aborted) return Promise.reject(abortError(opts.signal));
  return new Promise((resolve, reject) => {
    const im = loop.setImmediate(() => resolve(value as T));
    if (opts.ref === false) im.unref();
    opts.signal?.addEventListener?.('abort', () => { loop.clearImmediate(im); reject(abortError(opts.signal)); });
  });
}

export async function* setInterval<T = void>(ms?: number, value?: T, opts: Opts = {}): AsyncGenerator<T> {
  const loop = currentLoop();
  let pending = 0;
  let wake: (() => void) | null = null;
  const t = loop.setInterval(() => { pending++; wake?.(); }, ms);
  if (opts.ref === false) t.unref();
  try {
    for (;;) {
      if (opts.signal?.aborted) throw abortError(opts.signal);
      if (pending === 0) await new Promise<void>((r) => { wake = r; });
      wake = null;
      pending--;
      yield value as T;
    }
  } finally {
    loop.clearTimer(t);
  }
}

export const scheduler = {
  wait: (ms: number, opts?: Opts) => setTimeout(ms, undefined, opts),
  yield: () => setImmediate(),
};
export default { setTimeout, setImmediate, setInterval, scheduler };

/** node:util: inspect/format (Node's own code), promisify, types, inherits, deep equality. */
import { format, formatWithOptions, inspect, stripVTControlCharacters } from '../runtime/inspect.ts';
import { TextDecoder, TextEncoder } from '../runtime/encoding.ts';
import { isDeepStrictEqual } from '../runtime/deep-equal.ts';

export { format, formatWithOptions, inspect, stripVTControlCharacters, TextDecoder, TextEncoder, isDeepStrictEqual };

const kCustomPromisify = Symbol.for('nodejs.util.promisify.custom');

export function promisify(fn: Function): Function {
  if (typeof fn !== 'function') throw new TypeError('The "original" argument must be of type function');
  const custom = (fn as unknown as Record<symbol, Function>)[kCustomPromisify];
  if (typeof custom === 'function') return custom;
  function promisified(this: unknown, ...args: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      fn.call(this, ...args, (err: unknown, ...values: unknown[]) => {
        if (err) reject(err);
        else resolve(values.length > 1 ? values : values[0]);
      });
    });
  }
  Object.setPrototypeOf(promisified, Object.getPrototypeOf(fn));
  return Object.defineProperties(promisified, Object.getOwnPropertyDescriptors(fn));
}
promisify.custom = kCustomPromisify;

export function callbackify(fn: (...a: unknown[]) => Promise<unknown>): (...a: unknown[]) => void {
  return function (this: unknown, ...args: unknown[]) {
    const cb = args.pop() as (e: unknown, v?: unknown) => void;
    fn.apply(this, args).then((v) => cb(null, v), (e) => cb(e ?? new Error('Promise was rejected with falsy value')));
  };
}

export function inherits(ctor: Function, superCtor: Function): void {
  Object.defineProperty(ctor, 'super_', { value: superCtor, writable: true, configurable: true });
  Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
}

export function deprecate<T extends Function>(fn: T, msg: string, code?: string): T {
  let warned = false;
  return function (this: unknown, ...args: unknown[]) {
    if (!warned) { warned = true; (globalThis as any).process?.emitWarning(msg, 'DeprecationWarning', code); }
    return fn.apply(this, args);
  } as unknown as T;
}

const tag = (v: unknown): string => Object.prototype.toString.call(v).slice(8, -1);
export const types = {
  isPromise: (v: unknown) => v instanceof Promise,
  isDate: (v: unknown) => tag(v) === 'Date',
  isRegExp: (v: unknown) => tag(v) === 'RegExp',
  isMap: (v: unknown) => v instanceof Map,
  isSet: (v: unknown) => v instanceof Set,
  isWeakMap: (v: unknown) => v instanceof WeakMap,
  isWeakSet: (v: unknown) => v instanceof WeakSet,
  isNativeError: (v: unknown) => v instanceof Error,
  isTypedArray: (v: unknown) => ArrayBuffer.isView(v) && !(v instanceof DataView),
  isUint8Array: (v: unknown) => v instanceof Uint8Array,
  isArrayBuffer: (v: unknown) => v instanceof ArrayBuffer,
  isAnyArrayBuffer: (v: unknown) => v instanceof ArrayBuffer || tag(v) === 'SharedArrayBuffer',
  isArrayBufferView: (v: unknown) => ArrayBuffer.isView(v),
  isDataView: (v: unknown) => v instanceof DataView,
  isAsyncFunction: (v: unknown) => tag(v) === 'AsyncFunction' || tag(v) === 'AsyncGeneratorFunction',
  isGeneratorFunction: (v: unknown) => tag(v) === 'GeneratorFunction' || tag(v) === 'AsyncGeneratorFunction',
  isGeneratorObject: (v: unknown) => tag(v) === 'Generator',
  isBoxedPrimitive: (v: unknown) => typeof v === 'object' && v !== null && ['Number', 'String', 'Boolean', 'BigInt', 'Symbol'].includes(tag(v)),
  isProxy: (_v: unknown) => false,
};

export const isArray = Array.isArray;

/**
 * util.debuglog: logs to stderr when NODE_DEBUG names the section (comma-separated, `*`
 * wildcards), like Node's; otherwise a no-op whose `enabled` is false.
 */
export function debuglog(section: string, cb?: (fn: (...a: unknown[]) => void) => void): ((...a: unknown[]) => void) & { enabled: boolean } {
  const spec = String((globalThis as any).process?.env?.NODE_DEBUG ?? '');
  const re = new RegExp(`^(${spec.split(/[\s,]+/).filter(Boolean).map((s) => s.replace(/[|\\{}()[\]^$+?.]/g, '\\$&').replace(/\*/g, '.*')).join('|')})$`, 'i');
  const enabled = spec !== '' && re.test(section);
  const upper = section.toUpperCase();
  const fn = Object.assign((...args: unknown[]) => {
    if (enabled) (globalThis as any).process.stderr.write(`${upper} 1: ${format(...args)}\n`);
  }, { enabled });
  cb?.(fn);
  return fn;
}
export const debug = debuglog;

const STYLES: Record<string, [number, number]> = {
  bold: [1, 22], dim: [2, 22], italic: [3, 23], underline: [4, 24], inverse: [7, 27], hidden: [8, 28], strikethrough: [9, 29],
  black: [30, 39], red: [31, 39], green: [32, 39], yellow: [33, 39], blue: [34, 39], magenta: [35, 39], cyan: [36, 39], white: [37, 39], gray: [90, 39],
};
/**
 * util.styleText: ANSI escapes around `text`. As in Node, with `validateStream` (the default)
 * the escapes are left out when the stream (process.stdout) is not a colour terminal, which
 * the image's console never is.
 */
export function styleText(format: string | string[], text: string, options?: { validateStream?: boolean; stream?: { isTTY?: boolean } }): string {
  let out = text;
  const stream = options?.stream ?? (globalThis as any).process?.stdout;
  const plain = options?.validateStream !== false && !stream?.isTTY;
  for (const f of Array.isArray(format) ? format : [format]) {
    const s = STYLES[f];
    if (!s) {
      const e = new TypeError(`The argument 'format' must be one of: ${Object.keys(STYLES).join(', ')}. Received '${f}'`) as TypeError & { code: string };
      e.code = 'ERR_INVALID_ARG_VALUE';
      throw e;
    }
    if (!plain) out = `\u001b[${s[0]}m${out}\u001b[${s[1]}m`;
  }
  return out;
}
export const toUSVString = (s: string): string => String(s).replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
export function getSystemErrorName(errno: number): string {
  const names: Record<number, string> = { [-2]: 'ENOENT', [-13]: 'EACCES', [-17]: 'EEXIST', [-98]: 'EADDRINUSE', [-104]: 'ECONNRESET', [-111]: 'ECONNREFUSED', [-110]: 'ETIMEDOUT', [-32]: 'EPIPE', [-22]: 'EINVAL' };
  return names[errno] ?? `Unknown system error ${errno}`;
}
export function aborted(signal: AbortSignal, _resource: unknown): Promise<void> {
  return new Promise((resolve) => { if (signal.aborted) resolve(); else signal.addEventListener('abort', () => resolve(), { once: true } as never); });
}
export const isBoolean = (v: unknown): boolean => typeof v === 'boolean';
export const isString = (v: unknown): boolean => typeof v === 'string';
export const isNumber = (v: unknown): boolean => typeof v === 'number';
export const isFunction = (v: unknown): boolean => typeof v === 'function';
export const isObject = (v: unknown): boolean => v !== null && typeof v === 'object';
export const isPrimitive = (v: unknown): boolean => v === null || (typeof v !== 'object' && typeof v !== 'function');
export const isUndefined = (v: unknown): boolean => v === undefined;
export const isNullOrUndefined = (v: unknown): boolean => v === null || v === undefined;
export const isError = (v: unknown): boolean => v instanceof Error;
export const isRegExp = types.isRegExp, isDate = types.isDate;

export default {
  format, formatWithOptions, inspect, promisify, callbackify, inherits, deprecate, types, isDeepStrictEqual,
  TextEncoder, TextDecoder, stripVTControlCharacters, isArray, debuglog, debug, styleText, toUSVString, getSystemErrorName, aborted,
  isBoolean, isString, isNumber, isFunction, isObject, isPrimitive, isUndefined, isNullOrUndefined, isError, isRegExp, isDate,
};

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
export default {
  format, formatWithOptions, inspect, promisify, callbackify, inherits, deprecate, types, isDeepStrictEqual,
  TextEncoder, TextDecoder, stripVTControlCharacters, isArray,
};

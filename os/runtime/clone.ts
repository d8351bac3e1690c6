/**
 * structuredClone (HTML §2.7.3 StructuredSerializeInternal, in-realm): primitives,
 * wrappers, Date, RegExp, ArrayBuffer, typed arrays and DataView (views of one buffer stay
 * views of one clone), Map, Set, Error (name, message, stack, cause), arrays and plain
 * objects (own enumerable string keys, prototype dropped), with cycles and shared
 * references preserved. Functions, symbols, WeakMap/WeakSet/Promise and other platform
 * objects throw DataCloneError. The `transfer` option is not supported (ignored).
 */
import { DOMException } from './dom-exception.ts';

const ERROR_CTORS: Record<string, ErrorConstructor> = {
  Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError,
};

function fail(v: unknown): never {
  const what = typeof v === 'function' ? String(v) : typeof v === 'symbol' ? v.toString()
    : `#<${Object.prototype.toString.call(v).slice(8, -1)}>`;
  throw new DOMException(`${what} could not be cloned.`, 'DataCloneError');
}

export function structuredClone<T>(value: T, _options?: { transfer?: unknown[] }): T {
  if (arguments.length === 0) throw new TypeError('The "value" argument must be specified');
  const memo = new Map<object, unknown>();
  const clone = (v: unknown): unknown => {
    if (typeof v === 'symbol' || typeof v === 'function') fail(v);
    if (typeof v !== 'object' || v === null) return v;
    const seen = memo.get(v);
    if (seen !== undefined) return seen;
    const tag = Object.prototype.toString.call(v).slice(8, -1);
    let out: any;
    switch (tag) {
      case 'Boolean': out = Object(Boolean.prototype.valueOf.call(v)); break;
      case 'Number': out = Object(Number.prototype.valueOf.call(v)); break;
      case 'String': out = Object(String.prototype.valueOf.call(v)); break;
      case 'BigInt': out = Object(BigInt.prototype.valueOf.call(v)); break;
      case 'Date': out = new Date(Date.prototype.getTime.call(v)); break;
      case 'RegExp': { const r = v as RegExp; out = new RegExp(r.source, r.flags); break; }
      case 'ArrayBuffer': out = (v as ArrayBuffer).slice(0); break;
      default:
        if (ArrayBuffer.isView(v)) {
          const buf = clone(v.buffer) as ArrayBuffer;
          if (v instanceof DataView) out = new DataView(buf, v.byteOffset, v.byteLength);
          else {
            const ctor = (v as unknown as { constructor: new (b: ArrayBuffer, o: number, l: number) => unknown }).constructor;
            const ta = v as unknown as { byteOffset: number; length: number };
            // Subclasses (e.g. Buffer) clone to their base typed array, as in Node.
            const base = Object.getPrototypeOf(ctor.prototype) === Object.getPrototypeOf(Uint8Array.prototype)
              ? ctor : (globalThis as unknown as Record<string, typeof ctor>)[tag] ?? ctor;
            out = new base(buf, ta.byteOffset, ta.length);
          }
        } else if (v instanceof Map) {
          out = new Map();
          memo.set(v, out);
          for (const [k, x] of v) out.set(clone(k), clone(x));
          return out;
        } else if (v instanceof Set) {
          out = new Set();
          memo.set(v, out);
          for (const x of v) out.add(clone(x));
          return out;
        } else if (v instanceof Error || tag === 'Error') {
          const e = v as Error;
          const name = ERROR_CTORS[e.name] ? e.name : 'Error';
          out = new ERROR_CTORS[name](e.message === undefined ? undefined : String(e.message));
          memo.set(v, out);
          Object.defineProperty(out, 'stack', { value: e.stack, writable: true, configurable: true });
          if (Object.prototype.hasOwnProperty.call(e, 'cause')) {
            Object.defineProperty(out, 'cause', { value: clone(e.cause), writable: true, configurable: true });
          }
          return out;
        } else if (Array.isArray(v)) {
          out = new Array(v.length);
          memo.set(v, out);
          for (const k of Object.keys(v)) out[k] = clone((v as unknown as Record<string, unknown>)[k]);
          return out;
        } else if (tag === 'Object' || tag === 'Arguments' || typeof (v as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'undefined' && !(v instanceof Promise) && !(v instanceof WeakMap) && !(v instanceof WeakSet) && !(v instanceof WeakRef)) {
          out = {};
          memo.set(v, out);
          for (const k of Object.keys(v)) out[k] = clone((v as Record<string, unknown>)[k]);
          return out;
        } else {
          fail(v);
        }
    }
    memo.set(v, out);
    return out;
  };
  return clone(value) as T;
}

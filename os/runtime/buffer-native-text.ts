/**
 * Buffer's string encoding through the core (hw.encodeText, core/js/text.c) for UTF-8 and
 * Latin-1: the npm `buffer` package encodes in JS, twice for `Buffer.from(string)` (once to
 * count, once to write), which was ~15% of a keep-alive HTTP request in the interpreter.
 * Other encodings, and every other argument shape, go to the package as before. Applied once
 * to the one Buffer class (lazy.ts), after base64url.
 */
import { nativeTextEncoder } from './encoding.ts';

interface BufferClass {
  from(...a: unknown[]): unknown;
  byteLength(s: unknown, enc?: unknown): number;
  prototype: object;
}

/** 'utf8' or 'latin1' for the names Node gives them, else undefined. */
function nativeName(enc: unknown): 'utf8' | 'latin1' | undefined {
  if (enc === undefined || enc === 'utf8') return 'utf8';
  if (typeof enc !== 'string') return undefined;
  const e = enc.toLowerCase();
  return e === 'utf8' || e === 'utf-8' ? 'utf8' : e === 'latin1' || e === 'binary' ? 'latin1' : undefined;
}

const done = new WeakSet<object>();

export function addNativeTextEncoding(B: BufferClass): void {
  if (done.has(B)) return;
  done.add(B);
  const { from, byteLength } = B;
  B.from = function (this: unknown, value: unknown, enc?: unknown, ...rest: unknown[]) {
    const encode = nativeTextEncoder();
    const name = typeof value === 'string' && encode ? nativeName(enc) : undefined;
    if (!name) return from.call(this, value, enc, ...rest);
    // A fresh Uint8Array of its own: made a Buffer as the package makes its own (createBuffer).
    return Object.setPrototypeOf(encode!(value as string, name), B.prototype);
  };
  B.byteLength = function (s: unknown, enc?: unknown) {
    const encode = nativeTextEncoder();
    if (typeof s === 'string' && encode) {
      const name = nativeName(enc);
      if (name === 'latin1') return s.length;
      if (name === 'utf8') return encode(s, 'utf8').length;
    }
    return byteLength.call(B, s, enc);
  };
}

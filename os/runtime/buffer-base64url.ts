/**
 * Buffer's `base64url` encoding (RFC 4648 §5), which the npm `buffer` package lacks: decoding
 * already accepts `-` and `_` (base64-js), so base64url reads as base64; writing as base64url
 * is base64 with `-`, `_` and no padding. Applied once to the one Buffer class (lazy.ts).
 */
interface BufferClass {
  from(...a: unknown[]): unknown;
  byteLength(s: unknown, enc?: unknown): number;
  isEncoding(enc: unknown): boolean;
  prototype: { toString(...a: unknown[]): string; write(...a: unknown[]): number };
}

const isUrl = (enc: unknown): boolean => typeof enc === 'string' && enc.toLowerCase() === 'base64url';
const done = new WeakSet<object>();

export function addBase64Url(B: BufferClass): void {
  if (done.has(B)) return;
  done.add(B);
  const { from, byteLength, isEncoding } = B;
  const { toString, write } = B.prototype;
  B.from = function (this: unknown, value: unknown, enc?: unknown, ...rest: unknown[]) {
    return from.call(this, value, isUrl(enc) ? 'base64' : enc, ...rest);
  };
  B.byteLength = (s, enc) => byteLength.call(B, s, isUrl(enc) ? 'base64' : enc);
  B.isEncoding = (enc) => isUrl(enc) || isEncoding.call(B, enc);
  B.prototype.toString = function (this: unknown, enc?: unknown, ...rest: unknown[]) {
    if (!isUrl(enc)) return toString.call(this, enc, ...rest);
    return toString.call(this, 'base64', ...rest).replace(/[+/=]/g, (c) => (c === '+' ? '-' : c === '/' ? '_' : ''));
  };
  // write(string, offset?, length?, encoding?): the encoding is the last string argument.
  B.prototype.write = function (this: unknown, ...a: unknown[]) {
    return write.apply(this, a.map((x) => (isUrl(x) ? 'base64' : x)));
  };
}

/**
 * Buffer's fill with one byte through Uint8Array.prototype.fill (native in the engine): the npm
 * `buffer` package fills byte by byte in JS, so `Buffer.alloc(10 * 1024 * 1024, 0x61)` took
 * about 3 s of a guest's start under TCG. A number, a boolean, or a one-character string that
 * is one byte in its encoding take the native path when start and end are in range; every
 * other case (patterns, Buffers, bad ranges and their errors) goes to the package as before.
 * Applied once to the one Buffer class (lazy.ts, node:buffer).
 */
interface BufferClass {
  prototype: { fill(val: unknown, start?: unknown, end?: unknown, encoding?: unknown): unknown };
}

/** The byte a fill value stands for, or undefined when it is not a single byte. */
function singleByte(val: unknown, encoding: unknown): number | undefined {
  if (typeof val === 'number') return val & 255;
  if (typeof val === 'boolean') return Number(val);
  if (typeof val !== 'string' || val.length !== 1) return undefined;
  const code = val.charCodeAt(0);
  const enc = typeof encoding === 'string' ? encoding.toLowerCase() : encoding;
  if (code < 128 && (enc === undefined || enc === 'utf8' || enc === 'utf-8' || enc === 'ascii' || enc === 'latin1' || enc === 'binary')) return code;
  if (code < 256 && (enc === 'latin1' || enc === 'binary')) return code;
  return undefined;
}

const done = new WeakSet<object>();

export function addNativeFill(B: BufferClass): void {
  if (done.has(B)) return;
  done.add(B);
  const { fill } = B.prototype;
  const nativeFill = Uint8Array.prototype.fill;
  B.prototype.fill = function (this: Uint8Array, val: unknown, start?: unknown, end?: unknown, encoding?: unknown) {
    // fill(string, encoding) and fill(string, start, encoding), as the package reads them (for
    // string values only).
    if (typeof val === 'string') {
      if (typeof start === 'string') { encoding = start; start = undefined; end = undefined; }
      else if (typeof end === 'string') { encoding = end; end = undefined; }
    }
    const byte = singleByte(val, encoding);
    const from = start === undefined ? 0 : start, to = end === undefined ? this.length : end;
    const inRange = typeof from === 'number' && typeof to === 'number' && Number.isInteger(from) && Number.isInteger(to) &&
      from >= 0 && to <= this.length;
    if (byte === undefined || !inRange || (encoding !== undefined && typeof encoding !== 'string')) {
      return fill.call(this, val, start, end, encoding);
    }
    if (to > from) nativeFill.call(this, byte, from, to);
    return this;
  };
}

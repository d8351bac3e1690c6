/**
 * node:zlib on fflate (gzip, deflate/zlib, raw deflate; sync, callback, promise-less and
 * stream forms). Compressed bytes are valid DEFLATE (RFC 1951) / zlib (RFC 1950) / gzip
 * (RFC 1952) streams but not byte-identical to Node's zlib output; anything Node decompresses,
 * this decompresses and the reverse. Brotli (RFC 7932) comes from brotli-lib (a TypeScript
 * port of Google's encoder and decoder); its bytes differ from Node's libbrotli too, and each
 * decodes the other's. Corrupt input fails with Node's codes (Z_DATA_ERROR; for Brotli,
 * "Decompression failed" with an ERR__ERROR_FORMAT_* code named by the decoder's error).
 */
import { brotliDecode } from 'brotli-lib/decode';
import { brotliEncode } from 'brotli-lib/encode';
import { Buffer } from './buffer.ts';
import { Transform } from './stream.ts';
import { lazyFflate } from '../runtime/lazy.ts';

export const constants = {
  Z_NO_FLUSH: 0, Z_PARTIAL_FLUSH: 1, Z_SYNC_FLUSH: 2, Z_FULL_FLUSH: 3, Z_FINISH: 4, Z_BLOCK: 5, Z_OK: 0, Z_STREAM_END: 1,
  Z_NEED_DICT: 2, Z_ERRNO: -1, Z_STREAM_ERROR: -2, Z_DATA_ERROR: -3, Z_MEM_ERROR: -4, Z_BUF_ERROR: -5, Z_VERSION_ERROR: -6,
  Z_NO_COMPRESSION: 0, Z_BEST_SPEED: 1, Z_BEST_COMPRESSION: 9, Z_DEFAULT_COMPRESSION: -1, Z_FILTERED: 1, Z_HUFFMAN_ONLY: 2,
  Z_RLE: 3, Z_FIXED: 4, Z_DEFAULT_STRATEGY: 0, Z_MIN_WINDOWBITS: 8, Z_MAX_WINDOWBITS: 15, Z_DEFAULT_WINDOWBITS: 15,
  Z_MIN_CHUNK: 64, Z_MAX_CHUNK: Infinity, Z_DEFAULT_CHUNK: 16384, Z_MIN_MEMLEVEL: 1, Z_MAX_MEMLEVEL: 9, Z_DEFAULT_MEMLEVEL: 8,
  Z_MIN_LEVEL: -1, Z_MAX_LEVEL: 9, Z_DEFAULT_LEVEL: -1, DEFLATE: 1, INFLATE: 2, GZIP: 3, GUNZIP: 4, DEFLATERAW: 5, INFLATERAW: 6,
  UNZIP: 7, BROTLI_DECODE: 8, BROTLI_ENCODE: 9, BROTLI_OPERATION_PROCESS: 0, BROTLI_OPERATION_FLUSH: 1, BROTLI_OPERATION_FINISH: 2,
  BROTLI_PARAM_MODE: 0, BROTLI_MODE_GENERIC: 0, BROTLI_MODE_TEXT: 1, BROTLI_MODE_FONT: 2, BROTLI_PARAM_QUALITY: 1,
  BROTLI_MIN_QUALITY: 0, BROTLI_MAX_QUALITY: 11, BROTLI_DEFAULT_QUALITY: 11, BROTLI_PARAM_LGWIN: 2, BROTLI_MIN_WINDOW_BITS: 10,
  BROTLI_MAX_WINDOW_BITS: 24, BROTLI_DEFAULT_WINDOW: 22, BROTLI_PARAM_SIZE_HINT: 5,
};
export const codes = { Z_OK: 0, Z_STREAM_END: 1, Z_NEED_DICT: 2, Z_ERRNO: -1, Z_STREAM_ERROR: -2, Z_DATA_ERROR: -3, Z_MEM_ERROR: -4, Z_BUF_ERROR: -5, Z_VERSION_ERROR: -6 } as Record<string, number>;
for (const [k, v] of Object.entries({ ...codes })) codes[v] = k as never;

interface Options { level?: number; memLevel?: number; windowBits?: number; chunkSize?: number; finishFlush?: number; flush?: number; params?: Record<number, number> }
type Level = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
const lvl = (o?: Options): { level?: Level; mem?: Level } => {
  const level = o?.level === undefined || o.level < 0 ? 6 : o.level;
  return { level: level as Level, mem: o?.memLevel as Level | undefined };
};

function dataError(e: unknown): Error {
  const msg = String((e as Error)?.message ?? e);
  const err = new Error(/header|magic|invalid/.test(msg) ? 'incorrect header check' : /unexpected EOF/.test(msg) ? 'unexpected end of file' : 'invalid stored block lengths') as Error & { errno: number; code: string };
  if (/unexpected EOF/.test(msg)) { err.errno = -5; err.code = 'Z_BUF_ERROR'; } else { err.errno = -3; err.code = 'Z_DATA_ERROR'; }
  return err;
}

function input(buf: unknown): Uint8Array {
  if (typeof buf === 'string') return Buffer.from(buf);
  if (buf instanceof Uint8Array) return buf;
  if (buf instanceof ArrayBuffer) return new Uint8Array(buf);
  if (ArrayBuffer.isView(buf)) return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const e = new TypeError(`The "buffer" argument must be of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer. Received ${buf === null ? 'null' : typeof buf}`) as TypeError & { code: string };
  e.code = 'ERR_INVALID_ARG_TYPE';
  throw e;
}
const out = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
const guard = (f: (u: Uint8Array) => Uint8Array) => (u: Uint8Array): Uint8Array => { try { return f(u); } catch (e) { throw dataError(e); } };

/** fflate's decompressors leave trailing garbage unchecked; Node's stop too. */
function gunzipAll(u: Uint8Array): Uint8Array {
  if (u.length < 18 || u[0] !== 0x1f || u[1] !== 0x8b) throw new Error('invalid gzip header');
  return lazyFflate().gunzipSync(u);
}
function inflateZlib(u: Uint8Array): Uint8Array {
  if (u.length < 2 || (u[0]! & 15) !== 8 || ((u[0]! << 8) | u[1]!) % 31) throw new Error('invalid zlib header');
  return lazyFflate().unzlibSync(u);
}
/** libbrotli's decoder error names (BrotliDecoderErrorCode), as Node's codes carry them. */
const BROTLI_ERRORS: Record<number, string> = {
  [-1]: 'FORMAT_EXUBERANT_NIBBLE', [-2]: 'FORMAT_RESERVED', [-3]: 'FORMAT_EXUBERANT_META_NIBBLE', [-4]: 'FORMAT_SIMPLE_HUFFMAN_ALPHABET',
  [-5]: 'FORMAT_SIMPLE_HUFFMAN_SAME', [-6]: 'FORMAT_CL_SPACE', [-7]: 'FORMAT_HUFFMAN_SPACE', [-8]: 'FORMAT_CONTEXT_MAP_REPEAT',
  [-9]: 'FORMAT_BLOCK_LENGTH_1', [-10]: 'FORMAT_BLOCK_LENGTH_2', [-11]: 'FORMAT_TRANSFORM', [-12]: 'FORMAT_DICTIONARY',
  [-13]: 'FORMAT_WINDOW_BITS', [-14]: 'FORMAT_PADDING_1', [-15]: 'FORMAT_PADDING_2', [-16]: 'FORMAT_DISTANCE',
};
function brotliDecompressAll(u: Uint8Array): Uint8Array {
  try {
    return brotliDecode(u);
  } catch (e) {
    const n = Number(/-?\d+/.exec(String((e as Error)?.message))?.[0] ?? -1);
    const err = new Error('Decompression failed') as Error & { errno: number; code: string };
    err.errno = n;
    err.code = `ERR__ERROR_${BROTLI_ERRORS[n] ?? 'UNREACHABLE'}`;
    throw err;
  }
}
const brotliOptions = (o?: Options) => {
  const p = o?.params ?? {};
  return { quality: p[constants.BROTLI_PARAM_QUALITY] ?? 11, lgwin: p[constants.BROTLI_PARAM_LGWIN] ?? 22, mode: p[constants.BROTLI_PARAM_MODE] ?? 0 };
};
const unzipAny = (u: Uint8Array): Uint8Array => (u[0] === 0x1f && u[1] === 0x8b ? gunzipAll(u) : inflateZlib(u));

const KINDS = {
  gzip: (o?: Options) => (u: Uint8Array) => lazyFflate().gzipSync(u, lvl(o)),
  gunzip: () => guard(gunzipAll),
  deflate: (o?: Options) => (u: Uint8Array) => lazyFflate().zlibSync(u, lvl(o)),
  inflate: () => guard(inflateZlib),
  deflateRaw: (o?: Options) => (u: Uint8Array) => lazyFflate().deflateSync(u, lvl(o)),
  inflateRaw: () => guard((u) => lazyFflate().inflateSync(u)),
  unzip: () => guard(unzipAny),
  brotliCompress: (o?: Options) => (u: Uint8Array) => brotliEncode(u, brotliOptions(o)),
  brotliDecompress: () => brotliDecompressAll,
};
type Kind = keyof typeof KINDS;

const syncForm = (k: Kind) => (buf: unknown, o?: Options): Buffer => out(KINDS[k](o)(input(buf)));
const cbForm = (k: Kind) => (buf: unknown, o?: Options | ((e: Error | null, r?: Buffer) => void), cb?: (e: Error | null, r?: Buffer) => void): void => {
  if (typeof o === 'function') { cb = o; o = undefined; }
  let r: Buffer;
  try { r = syncForm(k)(buf, o); } catch (e) { setImmediate(() => cb!(e as Error)); return; }
  setImmediate(() => cb!(null, r));
};

/** A zlib stream: collects input and (de)compresses it when the input ends. */
class ZlibBase extends Transform {
  readonly #parts: Uint8Array[] = [];
  bytesWritten = 0;
  constructor(readonly _kind: Kind, readonly _opts?: Options) { super(); }
  override _transform(chunk: Uint8Array, _e: string, cb: (e?: Error | null) => void): void {
    this.#parts.push(chunk);
    this.bytesWritten += chunk.length;
    cb();
  }
  override _flush(cb: (e?: Error | null, d?: Buffer) => void): void {
    try { cb(null, out(KINDS[this._kind](this._opts)(Buffer.concat(this.#parts)))); } catch (e) { cb(e as Error); }
  }
  flush(_kind?: number | (() => void), cb?: () => void): void { (typeof _kind === 'function' ? _kind : cb)?.(); }
  params(_l: number, _s: number, cb?: () => void): void { cb?.(); }
  reset(): void { this.#parts.length = 0; }
  close(cb?: () => void): void { if (cb) this.once('close', cb); this.destroy(); }
}
const cls = (k: Kind, name: string) => ({ [name]: class extends ZlibBase { constructor(o?: Options) { super(k, o); } } })[name]!;
export const Gzip = cls('gzip', 'Gzip'), Gunzip = cls('gunzip', 'Gunzip'), Deflate = cls('deflate', 'Deflate'), Inflate = cls('inflate', 'Inflate');
export const DeflateRaw = cls('deflateRaw', 'DeflateRaw'), InflateRaw = cls('inflateRaw', 'InflateRaw'), Unzip = cls('unzip', 'Unzip');

export const gzipSync = syncForm('gzip'), gunzipSync = syncForm('gunzip'), deflateSync = syncForm('deflate'), inflateSync = syncForm('inflate');
export const deflateRawSync = syncForm('deflateRaw'), inflateRawSync = syncForm('inflateRaw'), unzipSync = syncForm('unzip');
export const gzip = cbForm('gzip'), gunzip = cbForm('gunzip'), deflate = cbForm('deflate'), inflate = cbForm('inflate');
export const deflateRaw = cbForm('deflateRaw'), inflateRaw = cbForm('inflateRaw'), unzip = cbForm('unzip');
export const createGzip = (o?: Options) => new Gzip(o), createGunzip = (o?: Options) => new Gunzip(o);
export const createDeflate = (o?: Options) => new Deflate(o), createInflate = (o?: Options) => new Inflate(o);
export const createDeflateRaw = (o?: Options) => new DeflateRaw(o), createInflateRaw = (o?: Options) => new InflateRaw(o);
export const createUnzip = (o?: Options) => new Unzip(o);

export function crc32(data: string | Uint8Array, value = 0): number {
  let crc = ~value >>> 0;
  for (const b of input(data)) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

export const BrotliCompress = cls('brotliCompress', 'BrotliCompress'), BrotliDecompress = cls('brotliDecompress', 'BrotliDecompress');
export const brotliCompressSync = syncForm('brotliCompress'), brotliDecompressSync = syncForm('brotliDecompress');
export const brotliCompress = cbForm('brotliCompress'), brotliDecompress = cbForm('brotliDecompress');
export const createBrotliCompress = (o?: Options) => new BrotliCompress(o), createBrotliDecompress = (o?: Options) => new BrotliDecompress(o);

export default {
  constants, codes, Gzip, Gunzip, Deflate, Inflate, DeflateRaw, InflateRaw, Unzip, gzipSync, gunzipSync, deflateSync, inflateSync,
  deflateRawSync, inflateRawSync, unzipSync, gzip, gunzip, deflate, inflate, deflateRaw, inflateRaw, unzip, createGzip, createGunzip,
  createDeflate, createInflate, createDeflateRaw, createInflateRaw, createUnzip, crc32, brotliCompressSync, brotliDecompressSync,
  brotliCompress, brotliDecompress, createBrotliCompress, createBrotliDecompress, BrotliCompress, BrotliDecompress,
};

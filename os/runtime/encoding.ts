/**
 * UTF-8 and base64 codecs, and the web's TextEncoder, TextDecoder, atob and btoa.
 *
 * The UTF-8 decoder follows the WHATWG Encoding Standard §4.1 (UTF-8 decoder): each
 * maximal ill-formed subsequence becomes one U+FFFD, so output matches Node/V8
 * byte for byte. `stream: true` keeps an incomplete trailing sequence for the next call.
 */
import { DOMException } from './dom-exception.ts';

type NativeEncoder = (s: string, encoding: 'utf8' | 'latin1') => Uint8Array;
let nativeEncoder: NativeEncoder | undefined;

/**
 * Encode with the core (hw.encodeText, core/js/text.c) from now on: the runtime installs it.
 * The loops below are what Node tests and the V8 harness run; the interpreter pays ~0.1 µs
 * a character for them.
 */
export function useNativeTextEncoder(encode: NativeEncoder): void {
  nativeEncoder = encode;
}

/** The core's encoder once the runtime installed it (Buffer uses it too). */
export function nativeTextEncoder(): NativeEncoder | undefined {
  return nativeEncoder;
}

/** UTF-8 encoding of a string; lone surrogates become U+FFFD (WHATWG "USVString"). */
export function utf8Encode(s: string): Uint8Array {
  if (nativeEncoder) return nativeEncoder(s, 'utf8');
  const out = new Uint8Array(s.length * 3);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) { out[n++] = c; continue; }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      } else {
        c = 0xfffd;
      }
    }
    if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6); out[n++] = 0x80 | (c & 63);
    } else if (c < 0x10000) {
      out[n++] = 0xe0 | (c >> 12); out[n++] = 0x80 | ((c >> 6) & 63); out[n++] = 0x80 | (c & 63);
    } else {
      out[n++] = 0xf0 | (c >> 18); out[n++] = 0x80 | ((c >> 12) & 63);
      out[n++] = 0x80 | ((c >> 6) & 63); out[n++] = 0x80 | (c & 63);
    }
  }
  return out.slice(0, n);
}

/** Node's 'latin1' ('binary') encoding: the low byte of each UTF-16 code unit. */
export function latin1Encode(s: string): Uint8Array {
  if (nativeEncoder) return nativeEncoder(s, 'latin1');
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** Incremental WHATWG UTF-8 decoder state. */
class Utf8Decoder {
  #cp = 0;
  #needed = 0;
  #seen = 0;
  #lower = 0x80;
  #upper = 0xbf;
  /** Decode `bytes`; at the end of input (`flush`), a pending sequence is an error. */
  decode(bytes: Uint8Array, flush: boolean, fatal: boolean): string {
    let out = '';
    const units: number[] = [];
    const emit = (cp: number): void => {
      if (cp > 0xffff) {
        cp -= 0x10000;
        units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
      } else units.push(cp);
      if (units.length > 8192) { out += String.fromCharCode(...units); units.length = 0; }
    };
    const fail = (): void => {
      if (fatal) { this.reset(); throw new TypeError('The encoded data was not valid for encoding utf-8'); }
      emit(0xfffd);
    };
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (this.#needed === 0) {
        if (b < 0x80) emit(b);
        else if (b >= 0xc2 && b <= 0xdf) { this.#needed = 1; this.#cp = b & 0x1f; }
        else if (b >= 0xe0 && b <= 0xef) {
          if (b === 0xe0) this.#lower = 0xa0;
          if (b === 0xed) this.#upper = 0x9f;
          this.#needed = 2; this.#cp = b & 0xf;
        } else if (b >= 0xf0 && b <= 0xf4) {
          if (b === 0xf0) this.#lower = 0x90;
          if (b === 0xf4) this.#upper = 0x8f;
          this.#needed = 3; this.#cp = b & 0x7;
        } else fail();
        continue;
      }
      if (b < this.#lower || b > this.#upper) {
        this.#cp = this.#needed = this.#seen = 0;
        this.#lower = 0x80; this.#upper = 0xbf;
        fail();
        i--; // reprocess this byte as the start of a new sequence
        continue;
      }
      this.#lower = 0x80; this.#upper = 0xbf;
      this.#cp = (this.#cp << 6) | (b & 0x3f);
      if (++this.#seen === this.#needed) {
        const cp = this.#cp;
        this.#cp = this.#needed = this.#seen = 0;
        emit(cp);
      }
    }
    if (flush && this.#needed !== 0) {
      this.reset();
      fail();
    }
    return out + String.fromCharCode(...units);
  }
  reset(): void {
    this.#cp = this.#needed = this.#seen = 0;
    this.#lower = 0x80; this.#upper = 0xbf;
  }
}

/** Decode a complete UTF-8 buffer, replacing errors with U+FFFD. */
export function utf8Decode(bytes: Uint8Array): string {
  return new Utf8Decoder().decode(bytes, true, false);
}

function toBytes(input: unknown): Uint8Array {
  if (input === undefined) return new Uint8Array(0);
  if (input instanceof Uint8Array) return input;
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (input instanceof ArrayBuffer || Object.prototype.toString.call(input) === '[object SharedArrayBuffer]') {
    return new Uint8Array(input as ArrayBuffer);
  }
  throw new TypeError('The "input" argument must be an instance of ArrayBuffer or ArrayBufferView');
}

export class TextEncoder {
  get encoding(): string { return 'utf-8'; }
  encode(input: string = ''): Uint8Array {
    return utf8Encode(String(input));
  }
  encodeInto(src: string, dest: Uint8Array): { read: number; written: number } {
    let read = 0, written = 0;
    const s = String(src);
    for (let i = 0; i < s.length; i++) {
      const c = s.codePointAt(i)!;
      const pair = c > 0xffff;
      const bytes = utf8Encode(pair ? s.slice(i, i + 2) : s[i]);
      if (written + bytes.length > dest.length) break;
      dest.set(bytes, written);
      written += bytes.length;
      read += pair ? 2 : 1;
      if (pair) i++;
    }
    return { read, written };
  }
}
Object.defineProperty(TextEncoder.prototype, Symbol.toStringTag, { value: 'TextEncoder', configurable: true });

const UTF8_LABELS = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'x-unicode20utf8']);

/**
 * The labels WHATWG maps to windows-1252 (latin1, iso-8859-1, ascii, ...). Node 20 reports the
 * encoding as windows-1252 but decodes each byte as the code point of the same value (ISO-8859-1,
 * so 0x80 is U+0080, not the euro sign); Node is the reference, so this does the same.
 */
const CP1252_LABELS = new Set(['ansi_x3.4-1968', 'ascii', 'cp1252', 'cp819', 'csisolatin1', 'ibm819', 'iso-8859-1', 'iso-ir-100',
  'iso8859-1', 'iso88591', 'iso_8859-1', 'iso_8859-1:1987', 'l1', 'latin1', 'us-ascii', 'windows-1252', 'x-cp1252']);
const UTF16LE_LABELS = new Set(['utf-16le', 'utf-16', 'ucs-2', 'unicode', 'csunicode', 'iso-10646-ucs-2', 'unicodefeff']);

interface ByteDecoder { decode(bytes: Uint8Array, end: boolean, fatal: boolean): string }

const cp1252: ByteDecoder = {
  decode(bytes) {
    let s = '';
    for (let i = 0; i < bytes.length; i += 4096) {
      s += String.fromCharCode(...bytes.subarray(i, i + 4096));
    }
    return s;
  },
};

/** UTF-16LE (WHATWG Encoding §14.3): an odd byte or a high surrogate at a chunk's end waits for the next. */
class Utf16LeDecoder implements ByteDecoder {
  #pending: number[] = [];
  decode(input: Uint8Array, end: boolean, fatal: boolean): string {
    const bytes = this.#pending.length ? Uint8Array.from([...this.#pending, ...input]) : input;
    this.#pending = [];
    const units: number[] = [];
    let i = 0;
    for (; i + 1 < bytes.length; i += 2) units.push(bytes[i]! | (bytes[i + 1]! << 8));
    const odd = i < bytes.length ? [bytes[i]!] : [];
    let out = '';
    const bad = () => { if (fatal) throw decodeError('utf-16le'); return '\ufffd'; };
    for (let k = 0; k < units.length; k++) {
      const u = units[k]!;
      if (u >= 0xd800 && u < 0xdc00) {
        if (k + 1 < units.length) {
          const v = units[k + 1]!;
          if (v >= 0xdc00 && v < 0xe000) { out += String.fromCharCode(u, v); k++; } else out += bad();
        } else if (!end) { this.#pending = [u & 0xff, u >> 8, ...odd]; return out; }
        else out += bad();
      } else if (u >= 0xdc00 && u < 0xe000) out += bad();
      else out += String.fromCharCode(u);
    }
    if (odd.length) { if (end) out += bad(); else this.#pending = odd; }
    return out;
  }
}

function decodeError(encoding: string): TypeError {
  const e = new TypeError(`The encoded data was not valid for encoding ${encoding}`) as TypeError & { code: string };
  e.code = 'ERR_ENCODING_INVALID_ENCODED_DATA';
  return e;
}

export class TextDecoder {
  readonly #fatal: boolean;
  readonly #ignoreBOM: boolean;
  readonly #encoding: string;
  readonly #dec: ByteDecoder;
  #bomSeen = false;
  constructor(label = 'utf-8', options: { fatal?: boolean; ignoreBOM?: boolean } = {}) {
    const l = String(label).trim().toLowerCase();
    if (UTF8_LABELS.has(l)) { this.#encoding = 'utf-8'; this.#dec = new Utf8Decoder(); }
    else if (CP1252_LABELS.has(l)) { this.#encoding = 'windows-1252'; this.#dec = cp1252; }
    else if (UTF16LE_LABELS.has(l)) { this.#encoding = 'utf-16le'; this.#dec = new Utf16LeDecoder(); }
    else throw new RangeError(`The "${label}" encoding is not supported`);
    this.#fatal = Boolean(options?.fatal);
    this.#ignoreBOM = Boolean(options?.ignoreBOM);
  }
  get encoding(): string { return this.#encoding; }
  get fatal(): boolean { return this.#fatal; }
  get ignoreBOM(): boolean { return this.#ignoreBOM; }
  decode(input?: ArrayBuffer | ArrayBufferView, options: { stream?: boolean } = {}): string {
    const stream = Boolean(options?.stream);
    let s = this.#dec.decode(toBytes(input), !stream, this.#fatal);
    // WHATWG Encoding §7.1: only UTF-8 and UTF-16 strip a byte order mark.
    if (this.#encoding !== 'windows-1252' && !this.#ignoreBOM && !this.#bomSeen && s.length > 0) {
      this.#bomSeen = true;
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    }
    if (!stream) this.#bomSeen = false;
    return s;
  }
}
Object.defineProperty(TextDecoder.prototype, Symbol.toStringTag, { value: 'TextDecoder', configurable: true });

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_INDEX[B64.charCodeAt(i)] = i;
B64_INDEX['-'.charCodeAt(0)] = 62; // base64url (RFC 4648 §5)
B64_INDEX['_'.charCodeAt(0)] = 63;

/** Standard base64 with padding (RFC 4648 §4); `url` selects the §5 alphabet without padding. */
export function base64Encode(bytes: Uint8Array, url = false): string {
  let s = '';
  const alpha = url ? B64.slice(0, 62) + '-_' : B64;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    s += alpha[v >> 18] + alpha[(v >> 12) & 63] + alpha[(v >> 6) & 63] + alpha[v & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const v = bytes[i] << 16;
    s += alpha[v >> 18] + alpha[(v >> 12) & 63] + (url ? '' : '==');
  } else if (rest === 2) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8);
    s += alpha[v >> 18] + alpha[(v >> 12) & 63] + alpha[(v >> 6) & 63] + (url ? '' : '=');
  }
  return s;
}

/**
 * Lenient decoder for both alphabets, padding optional; stops at the first '='.
 * Throws TypeError on other characters. (atob adds the WHATWG forgiving rules.)
 */
export function base64Decode(s: string): Uint8Array {
  const out = new Uint8Array(Math.floor((s.length * 3) / 4) + 3);
  let n = 0, acc = 0, bits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 61) break; // '='
    const v = c < 128 ? B64_INDEX[c] : -1;
    if (v < 0) throw new TypeError(`invalid base64 character at ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) { bits -= 8; out[n++] = (acc >> bits) & 0xff; }
  }
  return out.slice(0, n);
}

/** HTML §8.3 atob: forgiving-base64 decode into a binary string. */
export function atob(data: unknown): string {
  if (arguments.length === 0) throw new TypeError('The "data" argument must be specified');
  let s = String(data).replace(/[\t\n\f\r ]/g, '');
  if (s.length % 4 === 0) s = s.replace(/==?$/, '');
  if (s.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(s)) {
    throw new DOMException('The string to be decoded is not correctly encoded.', 'InvalidCharacterError');
  }
  const bytes = base64Decode(s);
  let r = '';
  for (let i = 0; i < bytes.length; i++) r += String.fromCharCode(bytes[i]);
  return r;
}

/** HTML §8.3 btoa: every code unit must be ≤ 0xFF. */
export function btoa(data: unknown): string {
  if (arguments.length === 0) throw new TypeError('The "data" argument must be specified');
  const s = String(data);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new DOMException('Invalid character', 'InvalidCharacterError');
    bytes[i] = c;
  }
  return base64Encode(bytes);
}

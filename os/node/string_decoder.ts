/**
 * node:string_decoder: decodes a byte stream into strings without splitting characters across
 * writes; utf8 (TextDecoder, streaming), utf16le/ucs2 (keeps an odd byte), base64/base64url
 * (keeps up to 2 bytes), latin1/binary, ascii and hex. Callable with or without `new`, as Node's.
 */
import { Buffer } from 'buffer/index.js';
import { TextDecoder } from '../runtime/encoding.ts';

const NAMES: Record<string, string> = {
  utf8: 'utf8', 'utf-8': 'utf8', utf16le: 'utf16le', 'utf-16le': 'utf16le', ucs2: 'utf16le', 'ucs-2': 'utf16le',
  latin1: 'latin1', binary: 'latin1', ascii: 'ascii', hex: 'hex', base64: 'base64', base64url: 'base64url',
};

interface StringDecoderT {
  encoding: string;
  write(buf: Uint8Array | string): string;
  end(buf?: Uint8Array | string): string;
}

export const StringDecoder = function StringDecoder(this: StringDecoderT & { _dec?: TextDecoder; _rest?: Uint8Array }, encoding?: string) {
  if (!(this instanceof StringDecoder)) return new (StringDecoder as unknown as new (e?: string) => StringDecoderT)(encoding);
  const enc = NAMES[(encoding ?? 'utf8').toLowerCase()];
  if (!enc) {
    const e = new TypeError(`Unknown encoding: ${encoding}`) as TypeError & { code: string };
    e.code = 'ERR_UNKNOWN_ENCODING';
    throw e;
  }
  this.encoding = enc;
  if (enc === 'utf8') this._dec = new TextDecoder('utf-8', { ignoreBOM: true });
  this._rest = new Uint8Array(0);
} as unknown as new (encoding?: string) => StringDecoderT;

const proto = StringDecoder.prototype as StringDecoderT & { _dec?: TextDecoder; _rest: Uint8Array };
const unit = (enc: string): number => (enc === 'utf16le' ? 2 : enc.startsWith('base64') ? 3 : 1);
proto.write = function (this: typeof proto, buf: Uint8Array | string): string {
  if (typeof buf === 'string') return buf;
  if (this._dec) return this._dec.decode(buf, { stream: true });
  const all = this._rest.length ? Buffer.concat([this._rest, buf]) : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const u = unit(this.encoding);
  const cut = all.length - (all.length % u);
  this._rest = Uint8Array.prototype.slice.call(all, cut);
  return (all as Buffer).subarray(0, cut).toString(this.encoding as BufferEncoding);
};
proto.end = function (this: typeof proto, buf?: Uint8Array | string): string {
  const head = buf === undefined ? '' : this.write(buf);
  if (this._dec) return head + this._dec.decode();
  const rest = Buffer.from(this._rest);
  this._rest = new Uint8Array(0);
  return head + (rest.length ? rest.toString(this.encoding as BufferEncoding) : '');
};
export default { StringDecoder };

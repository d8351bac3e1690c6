/**
 * Byte readers and writers for TLS structures (RFC 8446 §3). Every read is bounds-checked;
 * a short or over-long field raises a decode_error alert (the only exception the
 * state machines let through, caught at the endpoint boundary).
 */
import { Alert } from './constants.ts';
import { TlsAlert } from './errors.ts';

export class Reader {
  #pos = 0;
  constructor(readonly buf: Uint8Array) {}
  get remaining(): number { return this.buf.length - this.#pos; }
  get pos(): number { return this.#pos; }
  #need(n: number): void {
    if (this.#pos + n > this.buf.length) throw new TlsAlert(Alert.decode_error, 'truncated field');
  }
  u8(): number { this.#need(1); return this.buf[this.#pos++]; }
  u16(): number { this.#need(2); const v = (this.buf[this.#pos] << 8) | this.buf[this.#pos + 1]; this.#pos += 2; return v; }
  u24(): number { this.#need(3); const b = this.buf, p = this.#pos; this.#pos += 3; return (b[p] << 16) | (b[p + 1] << 8) | b[p + 2]; }
  u32(): number { this.#need(4); const b = this.buf, p = this.#pos; this.#pos += 4; return ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]); }
  bytes(n: number): Uint8Array { this.#need(n); const v = this.buf.subarray(this.#pos, this.#pos + n); this.#pos += n; return v; }
  /** A vector with a 1/2/3-byte length prefix, checked against [min, max]. */
  vec(lenBytes: 1 | 2 | 3, min = 0, max = Infinity): Uint8Array {
    const n = lenBytes === 1 ? this.u8() : lenBytes === 2 ? this.u16() : this.u24();
    if (n < min || n > max) throw new TlsAlert(Alert.decode_error, 'vector length out of range');
    return this.bytes(n);
  }
  sub(lenBytes: 1 | 2 | 3, min = 0, max = Infinity): Reader { return new Reader(this.vec(lenBytes, min, max)); }
  rest(): Uint8Array { return this.bytes(this.remaining); }
  end(): void {
    if (this.remaining !== 0) throw new TlsAlert(Alert.decode_error, 'trailing bytes in message');
  }
}

export class Writer {
  #chunks: number[] | null = [];
  #parts: Uint8Array[] = [];
  #len = 0;
  #flush(): void {
    if (this.#chunks && this.#chunks.length) { this.#parts.push(new Uint8Array(this.#chunks)); this.#chunks = []; }
  }
  u8(v: number): this { this.#chunks!.push(v & 0xff); this.#len += 1; return this; }
  u16(v: number): this { return this.u8(v >> 8).u8(v); }
  u24(v: number): this { return this.u8(v >> 16).u8(v >> 8).u8(v); }
  u32(v: number): this { return this.u8(v >>> 24).u8(v >>> 16).u8(v >>> 8).u8(v); }
  bytes(b: Uint8Array): this { this.#flush(); this.#parts.push(b); this.#len += b.length; return this; }
  vec(lenBytes: 1 | 2 | 3, b: Uint8Array): this {
    if (lenBytes === 1) this.u8(b.length); else if (lenBytes === 2) this.u16(b.length); else this.u24(b.length);
    return this.bytes(b);
  }
  /** A length-prefixed vector whose body is written by `fn`. */
  block(lenBytes: 1 | 2 | 3, fn: (w: Writer) => void): this {
    const w = new Writer();
    fn(w);
    return this.vec(lenBytes, w.finish());
  }
  get length(): number { return this.#len; }
  finish(): Uint8Array {
    this.#flush();
    const out = new Uint8Array(this.#len);
    let o = 0;
    for (const p of this.#parts) { out.set(p, o); o += p.length; }
    return out;
  }
}

export function u16be(v: number): Uint8Array { return new Uint8Array([v >> 8, v & 0xff]); }

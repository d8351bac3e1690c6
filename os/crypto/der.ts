/**
 * ASN.1 DER (X.690) reading and writing: just what keys and certificates need. The reader
 * is strict (definite lengths, minimal length encoding) and throws `DerError` on any
 * malformed input; callers at a trust boundary catch it.
 */
import { bigToBytes, bytesToBig } from './bigint-bytes.ts';

export class DerError extends Error {
  override name = 'DerError';
}

export const TAG = {
  BOOLEAN: 0x01, INTEGER: 0x02, BIT_STRING: 0x03, OCTET_STRING: 0x04, NULL: 0x05, OID: 0x06,
  UTF8String: 0x0c, PrintableString: 0x13, T61String: 0x14, IA5String: 0x16, UTCTime: 0x17,
  GeneralizedTime: 0x18, BMPString: 0x1e, UniversalString: 0x1c, SEQUENCE: 0x30, SET: 0x31,
} as const;

/** One TLV element: `raw` is the whole encoding, `value` the contents. */
export interface DerNode {
  tag: number;
  raw: Uint8Array;
  value: Uint8Array;
}

/** Reads one element at `offset`; returns it and the offset after it. */
export function readNode(buf: Uint8Array, offset = 0): [DerNode, number] {
  if (offset + 2 > buf.length) throw new DerError('truncated DER element');
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers not supported');
  let len = buf[offset + 1];
  let p = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError('unsupported DER length');
    if (p + n > buf.length) throw new DerError('truncated DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i];
    if (buf[p] === 0 || len < 0x80) throw new DerError('non-minimal DER length');
    p += n;
  }
  if (p + len > buf.length) throw new DerError('DER element overruns its container');
  return [{ tag, raw: buf.subarray(offset, p + len), value: buf.subarray(p, p + len) }, p + len];
}

/** Parses exactly one element filling `buf`. */
export function parseDer(buf: Uint8Array): DerNode {
  const [n, end] = readNode(buf, 0);
  if (end !== buf.length) throw new DerError('trailing data after DER element');
  return n;
}

/** The children of a constructed element. */
export function children(node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  let p = 0;
  while (p < node.value.length) {
    const [c, next] = readNode(node.value, p);
    out.push(c);
    p = next;
  }
  return out;
}

export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node || node.tag !== tag) throw new DerError(`expected ${what}`);
  return node;
}

export function seq(node: DerNode | undefined, what = 'SEQUENCE'): DerNode[] {
  return children(expectTag(node, TAG.SEQUENCE, what));
}

export function readOid(node: DerNode | undefined): string {
  const v = expectTag(node, TAG.OID, 'OBJECT IDENTIFIER').value;
  if (v.length === 0) throw new DerError('empty OID');
  const parts: number[] = [];
  let acc = 0;
  for (let i = 0; i < v.length; i++) {
    acc = acc * 128 + (v[i] & 0x7f);
    if (!(v[i] & 0x80)) { parts.push(acc); acc = 0; }
  }
  if (v[v.length - 1] & 0x80) throw new DerError('truncated OID');
  const first = parts.shift()!;
  const a = first < 80 ? Math.floor(first / 40) : 2;
  return [a, first - a * 40, ...parts].join('.');
}

export function readBigInt(node: DerNode | undefined): bigint {
  const v = expectTag(node, TAG.INTEGER, 'INTEGER').value;
  if (v.length === 0) throw new DerError('empty INTEGER');
  let n = bytesToBig(v);
  if (v[0] & 0x80) n -= 1n << BigInt(v.length * 8);
  return n;
}

export function readSmallInt(node: DerNode | undefined): number {
  return Number(readBigInt(node));
}

/** BIT STRING contents without the unused-bits byte (which must be 0 for keys). */
export function readBitString(node: DerNode | undefined): Uint8Array {
  const v = expectTag(node, TAG.BIT_STRING, 'BIT STRING').value;
  if (v.length === 0 || v[0] > 7) throw new DerError('bad BIT STRING');
  return v.subarray(1);
}

export function readString(node: DerNode): string {
  switch (node.tag) {
    case TAG.BMPString: {
      let s = '';
      for (let i = 0; i + 1 < node.value.length; i += 2) s += String.fromCharCode((node.value[i] << 8) | node.value[i + 1]);
      return s;
    }
    case TAG.UTF8String: return new TextDecoder().decode(node.value);
    default: return latin1(node.value);
  }
}

export function latin1(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
}

/** UTCTime / GeneralizedTime (RFC 5280 §4.1.2.5) to ms since the epoch. */
export function readTime(node: DerNode): number {
  const s = latin1(node.value);
  let m: RegExpExecArray | null;
  if (node.tag === TAG.UTCTime && (m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s))) {
    const yy = Number(m[1]);
    return Date.UTC(yy < 50 ? 2000 + yy : 1900 + yy, +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  }
  if (node.tag === TAG.GeneralizedTime && (m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s))) {
    return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  }
  throw new DerError('bad time');
}

// ---- writing ----

function encLen(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  while (n > 0) { out.unshift(n & 0xff); n = Math.floor(n / 256); }
  return [0x80 | out.length, ...out];
}

export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of content) n += c.length;
  const h = [tag, ...encLen(n)];
  const out = new Uint8Array(h.length + n);
  out.set(h);
  let o = h.length;
  for (const c of content) { out.set(c, o); o += c.length; }
  return out;
}

export const derSeq = (...c: Uint8Array[]) => tlv(TAG.SEQUENCE, ...c);
export const derOctets = (b: Uint8Array) => tlv(TAG.OCTET_STRING, b);
export const derBits = (b: Uint8Array) => tlv(TAG.BIT_STRING, new Uint8Array([0]), b);
export const derNull = () => new Uint8Array([5, 0]);

const concat0 = (b: Uint8Array) => { const o = new Uint8Array(b.length + 1); o.set(b, 1); return o; };

export function derInt(n: bigint | number): Uint8Array {
  let v = BigInt(n);
  if (v < 0n) throw new DerError('negative INTEGER not supported');
  const bytes = bigToBytes(v);
  // X.690 §8.3: two's complement, so a set top bit needs a leading zero byte.
  return tlv(TAG.INTEGER, bytes[0]! & 0x80 ? concat0(bytes) : bytes);
}

export function derOid(oid: string): Uint8Array {
  const p = oid.split('.').map(Number);
  const out: number[] = [];
  const arcs = [p[0] * 40 + p[1], ...p.slice(2)];
  for (let a of arcs) {
    const b: number[] = [a & 0x7f];
    a = Math.floor(a / 128);
    while (a > 0) { b.unshift(0x80 | (a & 0x7f)); a = Math.floor(a / 128); }
    out.push(...b);
  }
  return tlv(TAG.OID, new Uint8Array(out));
}

/** Context-specific explicit tag [n]. */
export const derExplicit = (n: number, c: Uint8Array) => tlv(0xa0 | n, c);

// ---- PEM (RFC 7468) ----

export interface PemBlock { label: string; der: Uint8Array }

export function decodePem(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const body = m[2].replace(/^[A-Za-z-]+:.*$/gm, '').replace(/\s+/g, '');
    out.push({ label: m[1], der: base64Decode(body) });
  }
  return out;
}

export function encodePem(label: string, der: Uint8Array): string {
  const b = base64Encode(der);
  const lines = b.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function base64Encode(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    s += B64[n >> 18] + B64[(n >> 12) & 63] + (i + 1 < b.length ? B64[(n >> 6) & 63] : '=') + (i + 2 < b.length ? B64[n & 63] : '=');
  }
  return s;
}

export function base64Decode(s: string): Uint8Array {
  const clean = s.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let acc = 0, bits = 0, o = 0;
  for (const ch of clean) {
    const v = B64.indexOf(ch);
    if (v < 0) throw new DerError('bad base64');
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) { bits -= 8; out[o++] = (acc >> bits) & 0xff; }
  }
  return out.subarray(0, o);
}

export const base64UrlEncode = (b: Uint8Array) => base64Encode(b).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** Unsigned big-endian bytes and bigints, each way (RSA, DER INTEGERs, ECDSA signatures). */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Big-endian bytes to a bigint and back through hexadecimal strings, which the engine converts
 * natively: a byte-at-a-time shift loop is quadratic in the length, and it was most of the time of
 * a native RSA-2048 verify.
 */
export function bytesToBig(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  let s = '0x';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]!];
  return BigInt(s);
}

const nibble = (c: number) => (c <= 0x39 ? c - 0x30 : c - 0x57); // '0'-'9', 'a'-'f'

export function bigToBytes(n: bigint, len?: number): Uint8Array {
  if (n <= 0n) return new Uint8Array(len ?? 1);
  let h = n.toString(16);
  if (h.length & 1) h = '0' + h;
  const m = h.length >> 1;
  if (len !== undefined && m > len) throw new RangeError('integer too large');
  const out = new Uint8Array(len ?? m);
  for (let i = 0, o = out.length - m; i < m; i++) out[o + i] = (nibble(h.charCodeAt(2 * i)) << 4) | nibble(h.charCodeAt(2 * i + 1));
  return out;
}

/**
 * The Internet checksum (RFC 1071): one's-complement sum of 16-bit big-endian words.
 * Used by IPv4 headers, ICMP, UDP and TCP (with the RFC 793 / RFC 768 pseudo-header).
 */

/** Below this length the byte loop beats making a 32-bit view. */
const WORD_PATH_MIN = 64;
/** The 32-bit path reads words in the machine's byte order: only on a little-endian machine. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A native partial sum with hw.checksum's contract (os/hw/hw.ts): folded, not complemented. */
export type NativeChecksum = (bytes: Uint8Array, partial: number) => number;

/** Below this length a native call costs more than the loop it saves. */
const NATIVE_MIN = 16;
let native: NativeChecksum | undefined;

/**
 * Sum with `fn` from now on (the boot code passes hw.checksum; undefined goes back to the
 * loops below). The stack stays pure: it never reaches for hw itself.
 */
export function useNativeChecksum(fn: NativeChecksum | undefined): void {
  native = fn;
}

/**
 * Add `bytes` to a running partial sum (not yet folded). The result stays below 2^31.
 *
 * Hot path (every IP/TCP/UDP packet, run by an interpreter; measured in the guest under TCG
 * by bench/profile: ~0.45 µs per byte for the byte loop, about half that for the word loop).
 * Long inputs at an even address are summed as little-endian 32-bit words through an
 * Int32Array view, each split into its two 16-bit halves so that every value stays a small
 * integer; the one's-complement sum is byte-order independent up to one final byte swap
 * (RFC 1071 §2 (B)) and may be accumulated in any grouping (§2 (A), (C)).
 */
export function sumBytes(bytes: Uint8Array, partial = 0): number {
  let sum = partial > 0x7fffffff ? (partial % 0xffff) || 0xffff : partial;
  const n = bytes.length;
  if (native !== undefined && n >= NATIVE_MIN) return native(bytes, sum);
  if (n >= WORD_PATH_MIN && LITTLE_ENDIAN && (bytes.byteOffset & 1) === 0) {
    sum += swap16(fold16(sumLittleEndian(bytes)));
    return sum;
  }
  let i = 0;
  for (; i + 7 < n; i += 8) {
    sum += ((bytes[i]! << 8) | bytes[i + 1]!) + ((bytes[i + 2]! << 8) | bytes[i + 3]!) +
      ((bytes[i + 4]! << 8) | bytes[i + 5]!) + ((bytes[i + 6]! << 8) | bytes[i + 7]!);
    if (sum > 0x7ff00000) sum = (sum & 0xffff) + (sum >>> 16);
  }
  for (; i + 1 < n; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < n) sum += bytes[i]! << 8; // odd length: pad with a zero byte
  return sum;
}

/** Sum of `bytes` (at an even address) as little-endian 16-bit words, unfolded, below 2^31. */
function sumLittleEndian(bytes: Uint8Array): number {
  const n = bytes.length;
  let off = bytes.byteOffset;
  let i = 0;
  let lo = 0;
  let hi = 0;
  if ((off & 2) !== 0) { lo = bytes[0]! | (bytes[1]! << 8); i = 2; off += 2; }
  const words = (n - i) >>> 2;
  const v = new Int32Array(bytes.buffer, off, words);
  let k = 0;
  for (; k + 3 < words; k += 4) {
    const a = v[k]!, b = v[k + 1]!, c = v[k + 2]!, d = v[k + 3]!;
    lo += (a & 0xffff) + (b & 0xffff) + (c & 0xffff) + (d & 0xffff);
    hi += (a >>> 16) + (b >>> 16) + (c >>> 16) + (d >>> 16);
    if (lo > 0x3ff00000) lo = (lo & 0xffff) + (lo >>> 16);
    if (hi > 0x3ff00000) hi = (hi & 0xffff) + (hi >>> 16);
  }
  for (; k < words; k++) { const a = v[k]!; lo += a & 0xffff; hi += a >>> 16; }
  i += words * 4;
  for (; i + 1 < n; i += 2) lo += bytes[i]! | (bytes[i + 1]! << 8);
  if (i < n) lo += bytes[i]!; // odd length: the pad byte is the high (second) byte of the word
  return fold16(lo) + fold16(hi);
}

function fold16(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

function swap16(v: number): number {
  return ((v & 0xff) << 8) | (v >>> 8);
}

/** Fold a partial sum to 16 bits and complement it. */
export function finish(partial: number): number {
  let sum = partial;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

export function checksum(bytes: Uint8Array): number {
  return finish(sumBytes(bytes));
}

/** Partial sum of the IPv4 pseudo-header (RFC 793 §3.1, RFC 768). Addresses are uint32. */
export function pseudoHeaderSum(src: number, dst: number, protocol: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
}

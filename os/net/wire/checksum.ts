/**
 * The Internet checksum (RFC 1071): one's-complement sum of 16-bit big-endian words.
 * Used by IPv4 headers, ICMP, UDP and TCP (with the RFC 793 / RFC 768 pseudo-header).
 */

/** Add `bytes` to a running 32-bit partial sum (not yet folded). */
export function sumBytes(bytes: Uint8Array, partial = 0): number {
  let sum = partial;
  const n = bytes.length;
  let i = 0;
  for (; i + 1 < n; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < n) sum += bytes[i]! << 8; // odd length: pad with a zero byte
  // Fold early enough that the sum never loses precision (numbers are exact to 2^53).
  return sum;
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

/**
 * The Internet checksum (RFC 1071): one's-complement sum of 16-bit big-endian words.
 * Used by IPv4 headers, ICMP, UDP and TCP (with the RFC 793 / RFC 768 pseudo-header).
 */

/** Add `bytes` to a running 32-bit partial sum (not yet folded). */
export function sumBytes(bytes: Uint8Array, partial = 0): number {
  // Hot path (every IP/TCP/UDP packet, run by an interpreter): 8 bytes per turn, and the sum
  // kept below 2^31 so it stays a small integer.
  let sum = partial > 0x7fffffff ? (partial % 0xffff) || 0xffff : partial;
  const n = bytes.length;
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

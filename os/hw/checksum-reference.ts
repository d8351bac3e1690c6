/**
 * The contract of hw.checksum written the slow, obvious way (RFC 1071 §1): the fake hw
 * implements it with this, and the conformance suite holds every core to it.
 */
export function referenceChecksum(bytes: Uint8Array, partial = 0): number {
  let sum = partial >>> 0;
  for (let i = 0; i < bytes.length; i += 2) {
    sum += (bytes[i]! << 8) | (i + 1 < bytes.length ? bytes[i + 1]! : 0);
    sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/**
 * A deterministic body for transfer tests, the same in the image and on the host: `blocks`
 * blocks of 64 KiB (one xorshift32 block, each copy stamped with its index in its first 4 bytes).
 */
export function patternBody(blocks: number): Uint8Array {
  const block = new Uint8Array(65536);
  let x = 0x2545f491;
  for (let i = 0; i < block.length; i += 4) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    block[i] = x & 0xff; block[i + 1] = (x >>> 8) & 0xff; block[i + 2] = (x >>> 16) & 0xff; block[i + 3] = x >>> 24;
  }
  const out = new Uint8Array(blocks * block.length);
  for (let k = 0; k < blocks; k++) {
    out.set(block, k * block.length);
    new DataView(out.buffer).setUint32(k * block.length, k, true);
  }
  return out;
}

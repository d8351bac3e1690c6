/**
 * In-guest cost of the Internet checksum (a diagnosis tool, not in `make bench`):
 * `node cli/nimbus.mjs build bench/profile/checksum.ts -o /tmp/c.img && node cli/nimbus.mjs run /tmp/c.img`.
 * Compares os/net/wire/checksum.ts (word path for long inputs) with the plain byte loop it
 * replaced, over a 1480-byte segment at the offset a received TCP payload has, and shows the
 * engine's cost of an empty loop turn, a 1514-byte allocation + copy and a 1480-byte copy.
 */
import { sumBytes } from '../../os/net/wire/checksum.ts';

const hw = (globalThis as { __nimbus_hw?: { now(): number } }).__nimbus_hw ?? performance;
function byteLoop(bytes: Uint8Array, partial = 0): number {
  let sum = partial;
  const n = bytes.length;
  let i = 0;
  for (; i + 7 < n; i += 8) {
    sum += ((bytes[i]! << 8) | bytes[i + 1]!) + ((bytes[i + 2]! << 8) | bytes[i + 3]!) +
      ((bytes[i + 4]! << 8) | bytes[i + 5]!) + ((bytes[i + 6]! << 8) | bytes[i + 7]!);
    if (sum > 0x7ff00000) sum = (sum & 0xffff) + (sum >>> 16);
  }
  for (; i + 1 < n; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < n) sum += bytes[i]! << 8;
  return sum;
}
const buf = new Uint8Array(2048);
for (let i = 0; i < buf.length; i++) buf[i] = (i * 7 + 200) & 255;
const seg = buf.subarray(46, 46 + 1480);
const time = (what: string, n: number, f: () => void) => {
  const t0 = hw.now();
  for (let r = 0; r < n; r++) f();
  console.log(`${what}: ${(((hw.now() - t0) / n) * 1000).toFixed(1)} µs`);
};
for (let round = 0; round < 3; round++) {
  time('byte loop, 1480 B', 200, () => byteLoop(seg));
  time('sumBytes (word path), 1480 B', 200, () => sumBytes(seg));
}
time('empty loop turn', 2000, () => {});
time('allocate 1514 B + copy 1480 B', 200, () => { new Uint8Array(1514).set(seg, 34); });
time('copy 1480 B', 200, () => { buf.set(seg, 100); });

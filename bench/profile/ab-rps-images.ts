/**
 * A/B of two or more prebuilt images of bench/baseline/hello-server.mjs on this noisy machine:
 * boots them alternately in QEMU (TCG, q35, user network) and prints requests/s with and without
 * keep-alive (ab -c 8) per boot. A diagnosis tool, like ab-images.ts for bulk:
 * `node --import tsx bench/profile/ab-rps-images.ts A.img B.img [rounds]`.
 */
import { imageTarget as target } from './targets.ts';
import * as baseline from '../baseline/run.ts';

const images = process.argv.slice(2).filter((a) => a.endsWith('.img'));
const rounds = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 2);
for (let r = 0; r < rounds; r++) {
  for (const image of images) {
    const keep = await baseline.requestsPerSecond(true, 2000, 8, 64, target(image));
    const close = await baseline.requestsPerSecond(false, 500, 8, 64, target(image));
    console.log(JSON.stringify({ round: r, image, keepAlive: keep.requestsPerSecond, close: close.requestsPerSecond, failed: keep.failed + close.failed }));
  }
}

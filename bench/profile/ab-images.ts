/**
 * A/B of two or more prebuilt images of bench/baseline/bulk-server.mjs on this noisy machine:
 * boots them alternately (one download + one upload per boot) and prints MB/s per boot.
 * `node --import tsx bench/profile/ab-images.ts A.img B.img [rounds]` (a diagnosis tool).
 */
import { imageTarget as target } from './targets.ts';
import * as baseline from '../baseline/run.ts';
import { download, NIMBUS_MEM_MIB, upload } from '../bulk.ts';

const images = process.argv.slice(2).filter((a) => a.endsWith('.img'));
const rounds = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 2);
for (let r = 0; r < rounds; r++) {
  for (const image of images) {
    try {
      const res = await baseline.withVm(target(image), NIMBUS_MEM_MIB, async (vm) => {
        const bootMs = await baseline.waitFor200(vm);
        if (bootMs === undefined) throw new Error('no HTTP 200 within the boot deadline');
        return { bootMs, down: await download(vm.port), up: process.env.DOWNLOAD_ONLY ? 0 : await upload(vm.port) };
      });
      console.log(`${image}: first 200 after ${res.bootMs.toFixed(0)} ms, down ${res.down.toFixed(2)} up ${res.up.toFixed(2)} MB/s`);
    } catch (e) {
      console.log(`${image}: failed: ${(e as Error).message}`);
    }
  }
}

/**
 * Profiles the bulk transfers in the guest: boots bench/profile/bulk-profile.ts (the bulk
 * server with counters), runs one download and one upload and prints the guest's PROFILE
 * lines and the host-side MB/s. Not part of `make bench` (a diagnosis tool).
 */
import { download, NIMBUS_MEM_MIB, nimbusTarget, upload } from '../bulk.ts';
import * as baseline from '../baseline/run.ts';

const target = await nimbusTarget('bench/profile/bulk-profile.ts', 'bulk-profile');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
await baseline.withVm(target, NIMBUS_MEM_MIB, async (vm) => {
  if ((await baseline.waitFor200(vm)) === undefined) throw baseline.bootFailure(vm, NIMBUS_MEM_MIB);
  await sleep(2500);
  const mark = vm.console().length;
  if (!process.env.UPLOAD_ONLY) console.log(`download ${(await download(vm.port)).toFixed(2)} MB/s`);
  await sleep(2500);
  if (!process.env.DOWNLOAD_ONLY) console.log(`upload ${(await upload(vm.port)).toFixed(2)} MB/s`);
  await sleep(2500);
  for (const line of vm.console().slice(mark).split('\n')) if (line.startsWith('PROFILE')) console.log(line);
});

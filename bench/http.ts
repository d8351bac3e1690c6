/**
 * Serving HTTP: a Nimbus image against Linux + Node (bench/baseline) in the same QEMU (TCG),
 * both serving bench/baseline/hello-server.mjs, the same program, on q35 with virtio-net-pci.
 * Measured in one run: QEMU start to first HTTP 200, image size, smallest memory that
 * serves, and requests/s with `ab -k -c 8` and without keep-alive.
 */
import path from 'node:path';
import { statSync } from 'node:fs';
import { buildImage } from '../cli/build.ts';
import { qemuArgs } from '../cli/run.ts';
import { ROOT } from '../cli/paths.ts';
import * as baseline from './baseline/run.ts';
import { median } from './machine.ts';

export async function httpBench(runs = 3) {
  baseline.ensureBuilt();
  const built = await buildImage({ entry: path.join(ROOT, 'bench/baseline/hello-server.mjs'), output: path.join(ROOT, 'build/bench/hello-server.img') });
  const nimbus: baseline.Target = {
    name: 'nimbus',
    args: (memMiB, port) => qemuArgs({
      image: built.image, memMiB, machine: 'q35', args: [], env: {}, net: { kind: 'user' },
      ports: [{ hostAddress: '127.0.0.1', hostPort: port, guestPort: 80, proto: 'tcp' }],
    }),
  };
  const boots = { nimbus: [] as number[], baseline: [] as number[] };
  for (let i = 0; i < runs; i++) {
    boots.nimbus.push((await baseline.bootToFirst200(64, nimbus)).ms);
    boots.baseline.push((await baseline.bootToFirst200(baseline.DEFAULT_MEM_MIB)).ms);
  }
  const baseSizes = baseline.sizes();
  const baselineBytes = baseSizes.kernelBytes + baseSizes.initramfsBytes;
  const nimbusBytes = statSync(built.image).size;
  const minMem = {
    nimbus: await baseline.smallestMemory(4, 64, 1, nimbus),
    baseline: await baseline.smallestMemory(128, 512, 4),
  };
  const ab = {
    nimbusKeepAlive: await baseline.requestsPerSecond(true, 2000, 8, 64, nimbus),
    baselineKeepAlive: await baseline.requestsPerSecond(true, 2000, 8),
    nimbusClose: await baseline.requestsPerSecond(false, 500, 8, 64, nimbus),
    baselineClose: await baseline.requestsPerSecond(false, 500, 8),
  };
  return {
    runs,
    bootMs: { nimbus: median(boots.nimbus), baseline: median(boots.baseline), speedup: median(boots.baseline) / median(boots.nimbus) },
    imageBytes: { nimbus: nimbusBytes, baseline: baselineBytes, ratio: baselineBytes / nimbusBytes },
    minMemMiB: { ...minMem, ratio: minMem.nimbus / minMem.baseline },
    rps: {
      keepAlive: { nimbus: ab.nimbusKeepAlive.requestsPerSecond, baseline: ab.baselineKeepAlive.requestsPerSecond, ratio: ab.nimbusKeepAlive.requestsPerSecond / ab.baselineKeepAlive.requestsPerSecond, failed: ab.nimbusKeepAlive.failed + ab.baselineKeepAlive.failed },
      noKeepAlive: { nimbus: ab.nimbusClose.requestsPerSecond, baseline: ab.baselineClose.requestsPerSecond, ratio: ab.nimbusClose.requestsPerSecond / ab.baselineClose.requestsPerSecond, failed: ab.nimbusClose.failed + ab.baselineClose.failed },
    },
  };
}

if (process.argv[1]?.endsWith('http.ts')) console.log(JSON.stringify(await httpBench(Number(process.env.BENCH_RUNS ?? 3)), null, 2));

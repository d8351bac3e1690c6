/**
 * Requests/s only, Nimbus against Linux + Node in the same QEMU (TCG, q35, user network),
 * interleaved per round so both see the same host load: the `ab` part of bench/http.ts
 * without its boot and memory searches. A diagnosis tool:
 * `node --import tsx bench/profile/rps-vs-baseline.ts [rounds]`.
 */
import path from 'node:path';
import { buildImage } from '../../cli/build.ts';
import { imageTarget } from './targets.ts';
import { ROOT } from '../../cli/paths.ts';
import * as baseline from '../baseline/run.ts';

baseline.ensureBuilt();
const { image } = await buildImage({ entry: path.join(ROOT, 'bench/baseline/hello-server.mjs'), output: path.join(ROOT, 'build/bench/hello-server.img') });
const nimbus = imageTarget(image, 'nimbus');
const rounds = Number(process.argv[2] ?? 2);
for (let r = 0; r < rounds; r++) {
  const nk = await baseline.requestsPerSecond(true, 2000, 8, 64, nimbus);
  const bk = await baseline.requestsPerSecond(true, 2000, 8);
  const nc = await baseline.requestsPerSecond(false, 500, 8, 64, nimbus);
  const bc = await baseline.requestsPerSecond(false, 500, 8);
  const pair = (n: number, b: number) => ({ nimbus: n, baseline: b, ratio: Number((n / b).toFixed(2)) });
  console.log(JSON.stringify({
    round: r, keepAlive: pair(nk.requestsPerSecond, bk.requestsPerSecond), newConnection: pair(nc.requestsPerSecond, bc.requestsPerSecond),
    failed: nk.failed + bk.failed + nc.failed + bc.failed,
  }));
}

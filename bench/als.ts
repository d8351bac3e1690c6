/**
 * The cost of AsyncLocalStorage across await (cli/async-context.ts): the same loop of awaits
 * (bench/programs/await-loop.ts) in an image without node:async_hooks (native await, no promise
 * hook) and in one that imports it (await lowered to generators, the engine's promise hook on),
 * both on the process target, interleaved; BENCH_RUNS runs each. Prints one JSON object with
 * the medians in ms and their ratio.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../cli/paths.ts';
import { median } from './machine.ts';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const n = Number(process.env.ALS_AWAITS ?? 200000);
const nimbus = (args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'cli', 'nimbus.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
const images: Record<string, string> = {};
for (const name of ['plain', 'als']) {
  images[name] = path.join(ROOT, 'build', 'bench', `await-${name}.img`);
  const b = nimbus(['build', path.join(ROOT, 'bench', 'programs', `await-${name}.ts`), '-o', images[name]!]);
  if (b.status !== 0) throw new Error(`building await-${name}: ${b.stderr}`);
}
const ms: Record<string, number[]> = { plain: [], als: [] };
for (let i = 0; i < runs; i++) {
  for (const name of ['plain', 'als']) {
    const r = nimbus(['run', images[name]!, '--target', 'process', '--mem', '256M', '--', String(n)]);
    if (r.status !== 0) throw new Error(`await-${name}: exit ${r.status}: ${r.stderr}`);
    ms[name]!.push((JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number }).ms);
  }
}
const plain = median(ms.plain!), als = median(ms.als!);
console.log(JSON.stringify({ awaits: n, runs, nativeAwaitMs: +plain.toFixed(1), alsAwaitMs: +als.toFixed(1), ratio: +(als / plain).toFixed(2), nsPerAwait: { native: Math.round((plain * 1e6) / n), als: Math.round((als * 1e6) / n) } }));

/**
 * The JavaScript engine, measured where it runs (issue 7's numbers): size of examples/hello,
 * guest time from PVH entry to the first line and to the loaded bytecode, `nimbus run
 * hello.img` wall time, CPU-bound workloads inside the image (bench/programs/engine-cpu.ts) and
 * `ab -k` requests/s against bench/baseline/hello-server.mjs.
 *
 * The in-guest numbers are also taken under `-icount shift=0`, where QEMU advances the guest's
 * clock 1 ns per guest instruction: those "instruction-ms" do not depend on how busy the host
 * is, so one run is exact and two engines compare without noise (cache and TLB effects aside).
 *
 * ENGINE_BASELINE_TREE=/path/to/checkout (a clone at another commit, built with `make`) runs
 * every measurement interleaved against that tree's core and bytecode compiler too, so a
 * change of engine is compared in one run on one machine. Prints one JSON object.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { qemuArgs, runImage } from '../cli/run.ts';
import { ROOT } from '../cli/paths.ts';
import * as baseline from './baseline/run.ts';
import { median } from './machine.ts';

interface Tree { name: string; root: string }
const trees: Tree[] = [{ name: 'current', root: ROOT }];
if (process.env.ENGINE_BASELINE_TREE) trees.push({ name: 'baseline', root: path.resolve(process.env.ENGINE_BASELINE_TREE) });
const runs = Number(process.env.BENCH_RUNS ?? 5);
const OUT = path.join(ROOT, 'build', 'bench');

function nimbus(tree: Tree, args: string[]): { code: number | null; stdout: string; stderr: string; ms: number } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [path.join(tree.root, 'cli', 'nimbus.mjs'), ...args], { cwd: tree.root, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

function build(tree: Tree, entry: string, name: string): string {
  const image = path.join(OUT, `engine-${tree.name}-${name}.img`);
  const r = nimbus(tree, ['build', path.join(ROOT, entry), '-o', image]);
  if (r.code !== 0) throw new Error(`${tree.name}: building ${entry} failed:\n${r.stderr}`);
  return image;
}

const images = new Map(trees.map((t) => [t.name, {
  hello: build(t, 'examples/hello/main.ts', 'hello'),
  cpu: build(t, 'bench/programs/engine-cpu.ts', 'cpu'),
  http: build(t, 'bench/baseline/hello-server.mjs', 'http'),
}]));

const samples = new Map(trees.map((t) => [t.name, { wall: [] as number[], firstLine: [] as number[], load: [] as number[], cpu: {} as Record<string, number[]>, rps: [] as number[] }]));
for (let i = 0; i < runs; i++) {
  for (const t of trees) {
    const img = images.get(t.name)!, s = samples.get(t.name)!;
    s.wall.push(nimbus(t, ['run', img.hello, '--mem', '64M']).ms);
    const timed = nimbus(t, ['run', img.hello, '--mem', '64M', '--timing']);
    const m = /timing (\{.*\})/.exec(timed.stderr);
    if (m) {
      const timing = JSON.parse(m[1]) as Record<string, number>;
      s.firstLine.push(timing.entry_to_first_output_us / 1000);
      s.load.push(timing.bytecode_load_us / 1000);
    }
    const cpu = nimbus(t, ['run', img.cpu, '--mem', '64M']);
    if (cpu.code !== 0) throw new Error(`${t.name}: engine-cpu failed:\n${cpu.stderr}`);
    for (const [k, v] of Object.entries(JSON.parse(cpu.stdout.trim().split('\n').pop()!) as Record<string, number>)) (s.cpu[k] ??= []).push(v);
  }
}
// Fewer HTTP runs: each boots a VM and sends 2,000 requests.
for (let i = 0; i < Math.max(1, Math.ceil(runs / 2)); i++) {
  for (const t of trees) {
    const img = images.get(t.name)!;
    const target: baseline.Target = {
      name: `nimbus-${t.name}`,
      args: (memMiB, port) => qemuArgs({ image: img.http, memMiB, machine: 'q35', args: [], env: {}, net: { kind: 'user' }, ports: [{ hostAddress: '127.0.0.1', hostPort: port, guestPort: 80, proto: 'tcp' }] }),
    };
    const ab = await baseline.requestsPerSecond(true, 2000, 8, 64, target);
    samples.get(t.name)!.rps.push(ab.requestsPerSecond);
  }
}

/** One boot under -icount shift=0: the guest's timing record and its stdout. */
async function icountRun(image: string): Promise<{ timing: Record<string, number>; stdout: string }> {
  let stdout = '';
  let timing: Record<string, number> = {};
  const code = await runImage({
    image, memMiB: 64, machine: 'microvm', args: [], env: {}, ports: [], net: { kind: 'none' },
    extraQemuArgs: ['-icount', 'shift=0'], stdout: (b) => (stdout += Buffer.from(b).toString()), stderr: () => {}, timing: (t) => (timing = t),
  });
  if (code !== 0) throw new Error(`${image} exited ${code} under -icount`);
  return { timing, stdout };
}

const result: Record<string, unknown> = { runs };
for (const t of trees) {
  const s = samples.get(t.name)!, img = images.get(t.name)!;
  result[t.name] = {
    tree: t.root,
    helloImageBytes: statSync(img.hello).size,
    nimbusRunHelloMs: Math.round(median(s.wall)),
    entryToFirstLineMs: Math.round(median(s.firstLine) * 10) / 10,
    bytecodeLoadMs: Math.round(median(s.load) * 10) / 10,
    cpuMs: Object.fromEntries(Object.entries(s.cpu).map(([k, v]) => [k, median(v)])),
    httpKeepAliveRps: Math.round(median(s.rps)),
  };
  const hello = await icountRun(img.hello), cpu = await icountRun(img.cpu);
  (result[t.name] as Record<string, unknown>).instructionMs = {
    entryToFirstLine: hello.timing.entry_to_first_output_us / 1000,
    bytecodeLoad: hello.timing.bytecode_load_us / 1000,
    ...JSON.parse(cpu.stdout.trim().split('\n').pop()!) as Record<string, number>,
  };
}
console.log(JSON.stringify(result, null, 2));

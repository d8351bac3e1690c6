/**
 * `make bench`: runs every benchmark and writes bench/RESULTS.md with the machine's details.
 * Speed claims are ratios or differences against a baseline measured in the same run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../cli/paths.ts';
import { bootBench } from './boot.ts';
import { machineInfo } from './machine.ts';

const sections: string[] = [];
const info = machineInfo();
sections.push('# Benchmark results\n', 'Written by `make bench` (bench/run.ts). Machine:\n',
  ...Object.entries(info).map(([k, v]) => `- ${k}: ${v}`), '');

const boot = await bootBench(Number(process.env.BENCH_RUNS ?? 10));
const mib = (n: number) => (n / 1024 / 1024).toFixed(2);
sections.push('## Boot (examples/hello, `-M microvm`)\n',
  '| measure | result | target |', '| --- | --- | --- |',
  `| image size | ${mib(boot.imageBytes)} MiB (core ${Math.round(boot.sizes.core / 1024)} KiB, QuickJS ${Math.round(boot.sizes.engine / 1024)} KiB, OS library ${Math.round(boot.sizes.os / 1024)} KiB, program ${Math.round(boot.sizes.program / 1024)} KiB, source map ${Math.round(boot.sizes.sourceMap / 1024)} KiB) | ≤ 1.5 MiB |`,
  `| smallest --mem that runs it | ${boot.minMemMiB} MiB | ≤ 8 MiB |`,
  `| floor: QEMU booting a kernel that exits at once (median of ${boot.runs}) | ${boot.floorMs.toFixed(0)} ms | |`,
  `| \`nimbus run hello.img\` wall time (median) | ${boot.nimbusRunMs.toFixed(0)} ms = floor + ${boot.overFloorMs.toFixed(0)} ms | ≤ floor + 30 ms |`,
  `| QEMU booting hello.img directly, no CLI (median) | floor + ${boot.qemuOverFloorMs.toFixed(0)} ms | |`,
  `| PVH entry to the program's first line, measured in the guest (median) | ${boot.entryToFirstLineMs.toFixed(1)} ms | |`,
  '');

// Benchmarks written as standalone scripts print one JSON object on their last line.
for (const [title, script] of [['TCP over a simulated link (Node, one core)', 'bench/tcp-sim.ts']] as const) {
  if (!existsSync(path.join(ROOT, script))) continue;
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  sections.push(`## ${title}\n`, `\`node --import tsx ${script}\`:\n`, '```json', last || `(failed: ${r.stderr.slice(0, 500)})`, '```', '');
}

const out = sections.join('\n');
writeFileSync(path.join(ROOT, 'bench', 'RESULTS.md'), out);
console.log(out);

/**
 * The process target (core/platform/process/): wall time of `nimbus-process` running
 * examples/hello (median), against QEMU booting the same image in the same run, and the host
 * memory (PSS) of an idle instance, against an idle QEMU instance of the same image. Prints one
 * JSON object.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildImage } from '../cli/build.ts';
import { kernelCommandLine, qemuArgs, type RunOptions } from '../cli/run.ts';
import { PROCESS_RUNNER, ROOT } from '../cli/paths.ts';
import { median } from './machine.ts';

const runs = Number(process.env.BENCH_RUNS ?? 10);
const opts = (image: string): RunOptions => ({ image, memMiB: 16, machine: 'microvm', args: [], env: {}, ports: [], net: { kind: 'none' } });
const hello = (await buildImage({ entry: path.join(ROOT, 'examples/hello/main.ts'), output: path.join(ROOT, 'build/bench/process-hello.img') })).image;
const idle = (await buildImage({ entry: path.join(ROOT, 'test/boot/programs/idle.ts'), output: path.join(ROOT, 'build/bench/process-idle.img') })).image;

/** Wall time of one run; `ok` is the exit status of a program that exits 0 (QEMU's debug-exit
 * device turns guest code c into status (c << 1) | 1). */
function wallMs(cmd: string, args: string[], ok: number): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
  if (r.status !== ok) throw new Error(`${cmd} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const proc: number[] = [], qemu: number[] = [];
for (let i = 0; i < runs; i++) {
  proc.push(wallMs(PROCESS_RUNNER, [hello, '16', kernelCommandLine(opts(hello))], 0));
  qemu.push(wallMs('qemu-system-x86_64', qemuArgs(opts(hello)), 1));
}

/** PSS in KiB of a process running the idle program (a 2 s timer), read after 1 s. */
async function idlePss(cmd: string, args: string[]): Promise<number> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'] });
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/smaps_rollup`, 'utf8'));
    if (!m) throw new Error('no Pss in smaps_rollup');
    return Number(m[1]);
  } finally {
    child.kill('SIGKILL');
  }
}
const pss = {
  process: await idlePss(PROCESS_RUNNER, [idle, '16', kernelCommandLine(opts(idle))]),
  qemu: await idlePss('qemu-system-x86_64', qemuArgs(opts(idle))),
};
console.log(JSON.stringify({
  runs,
  helloWallMs: { process: Math.round(median(proc)), qemu: Math.round(median(qemu)) },
  idleInstancePssKiB: pss,
  note: 'both with 16 MiB; QEMU under TCG',
}, null, 2));

/**
 * Boot benchmarks for examples/hello: image size, smallest memory that runs it, wall time of
 * `nimbus run hello.img` against the floor (the same QEMU booting a kernel that exits at
 * once, measured interleaved in the same run), and the guest's own entry-to-first-line time.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { buildImage } from '../cli/build.ts';
import { qemuArgs, runImage } from '../cli/run.ts';
import { ROOT } from '../cli/paths.ts';
import { median } from './machine.ts';

const NIMBUS = path.join(ROOT, 'cli', 'nimbus.mjs');

async function runsOk(image: string, memMiB: number): Promise<boolean> {
  let out = '';
  const code = await runImage({
    image, memMiB, machine: 'microvm', args: [], env: {}, ports: [], net: { kind: 'none' },
    stdout: (b) => (out += Buffer.from(b).toString()), stderr: () => {},
  });
  return code === 0 && out.includes('Hello from Nimbus!');
}

function wallMs(cmd: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  spawnSync(cmd, args, { stdio: 'ignore' });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export async function bootBench(runs = 10) {
  const built = await buildImage({ entry: path.join(ROOT, 'examples/hello/main.ts'), output: path.join(ROOT, 'build/bench/hello.img') });
  const image = built.image;
  const size = statSync(image).size;

  // Smallest memory (whole MiB) at which hello still runs: binary search between 2 and 64 MiB.
  let lo = 2, hi = 64;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (await runsOk(image, mid)) hi = mid; else lo = mid;
  }
  const minMemMiB = hi;

  const floorArgs = qemuArgs({ image: path.join(ROOT, 'build/exit-kernel.elf'), memMiB: 64, machine: 'microvm', args: [], env: {}, ports: [], net: { kind: 'none' } });
  const floor: number[] = [], cli: number[] = [], qemuDirect: number[] = [], inGuest: number[] = [];
  const helloArgs = qemuArgs({ image, memMiB: 64, machine: 'microvm', args: [], env: {}, ports: [], net: { kind: 'none' } });
  for (let i = 0; i < runs; i++) {
    floor.push(wallMs('qemu-system-x86_64', floorArgs));
    cli.push(wallMs(process.execPath, [NIMBUS, 'run', image, '--mem', '64M']));
    qemuDirect.push(wallMs('qemu-system-x86_64', helloArgs));
    let timing: Record<string, number> = {};
    await runImage({ image, memMiB: 64, machine: 'microvm', args: [], env: {}, ports: [], net: { kind: 'none' }, stdout: () => {}, stderr: () => {}, timing: (t) => (timing = t) });
    if (timing.entry_to_first_output_us) inGuest.push(timing.entry_to_first_output_us / 1000);
  }
  return {
    imageBytes: size, sizes: built.sizes, minMemMiB,
    floorMs: median(floor), nimbusRunMs: median(cli), qemuHelloMs: median(qemuDirect),
    overFloorMs: median(cli) - median(floor), qemuOverFloorMs: median(qemuDirect) - median(floor),
    entryToFirstLineMs: median(inGuest), runs,
  };
}

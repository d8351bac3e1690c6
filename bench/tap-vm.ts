/**
 * Bulk transfer through a tap device to Linux's TCP (issue 11: "through a tap device to a Linux
 * peer"): bench/baseline/bulk-server.mjs in Nimbus and in Linux + Node, in the same QEMU (TCG,
 * q35, virtio-net-pci on a tap with QEMU's default vnet header, so both devices offer checksum
 * and TSO offloads), in a network namespace this bench creates (test/interop/netns.ts): Linux at
 * 10.0.2.2, the guest at 10.0.2.15 (the baseline's /init configures that address). curl in the
 * namespace does GET /bulk (10 MiB) and POST /upload (5 MiB) per boot. Each round boots Nimbus,
 * Nimbus with nimbus.offloads=off (virtio-net declines CSUM and TSO) and the baseline, in turn.
 * MB/s = 10^6 B/s as curl reports it. Needs root; prints one JSON object on its last line.
 * Run: BENCH_RUNS=2 node --import tsx bench/tap-vm.ts
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { buildImage } from '../cli/build.ts';
import { findQemu, qemuArgs } from '../cli/run.ts';
import { ROOT } from '../cli/paths.ts';
import { Netns, skipReason } from '../test/interop/netns.ts';
import * as baseline from './baseline/run.ts';
import { median } from './machine.ts';

const runs = Number(process.env.BENCH_RUNS ?? 2);
const TAP = 'nbbench0';
const GUEST = '10.0.2.15';

const skip = skipReason('curl', 'qemu-system-x86_64');
if (skip) {
  console.log(JSON.stringify({ bench: 'tap-vm', skipped: skip }));
  process.exit(0);
}
baseline.ensureBuilt();
const image = (await buildImage({ entry: path.join(ROOT, 'bench/baseline/bulk-server.mjs'), output: path.join(ROOT, 'build/bench/bulk-server.img') })).image;
const nimbusArgs = (offloads: boolean) => qemuArgs({
  image, memMiB: 64, machine: 'q35', args: [], env: {}, ports: [], net: { kind: 'tap', ifname: TAP },
  ip: `${GUEST}/24`, gateway: '10.0.2.2', offloads,
});
const kinds = {
  nimbus: () => [findQemu(), ...nimbusArgs(true)],
  'nimbus, offloads off': () => [findQemu(), ...nimbusArgs(false)],
  'linux+node': () => ['qemu-system-x86_64', ...baseline.baselineTapArgs('bulk-server', baseline.DEFAULT_MEM_MIB, TAP)],
} as const;

const ns = Netns.create({ linuxAddress: '10.0.2.2/24', tapName: TAP });
const curl = (args: string[]) => spawnSync('ip', ['netns', 'exec', ns.name, 'curl', '-s', '-m', '180', ...args], { encoding: 'utf8' });
const results: Record<string, { down: number[]; up: number[] }> = {};
try {
  for (let round = 0; round < runs; round++) {
    for (const [name, command] of Object.entries(kinds)) {
      const [bin, ...args] = command();
      const vm = spawn('ip', ['netns', 'exec', ns.name, bin!, ...args], { stdio: ['pipe', 'ignore', 'ignore'] });
      try {
        const t0 = Date.now();
        while (curl(['-f', '-o', '/dev/null', '-m', '2', `http://${GUEST}/`]).status !== 0) {
          if (Date.now() - t0 > 120_000) throw new Error(`${name}: no HTTP 200 within 120 s`);
          await new Promise((r) => setTimeout(r, 200));
        }
        const down = curl(['-f', '-o', '/dev/null', '-w', '%{size_download} %{speed_download}', `http://${GUEST}/bulk`]).stdout.split(' ');
        const up = curl(['-f', '-o', '/dev/null', '-w', '%{size_upload} %{speed_upload}', '--data-binary', `@${path.join(ROOT, 'build/bench/upload-5MiB.bin')}`, `http://${GUEST}/upload`]).stdout.split(' ');
        if (Number(down[0]) !== 10 * 1024 * 1024 || Number(up[0]) !== 5 * 1024 * 1024) throw new Error(`${name}: a short transfer (${down[0]} down, ${up[0]} up)`);
        const r = (results[name] ??= { down: [], up: [] });
        r.down.push(Number(down[1]) / 1e6);
        r.up.push(Number(up[1]) / 1e6);
        console.error(`tap-vm: ${name}: down ${(Number(down[1]) / 1e6).toFixed(2)} MB/s, up ${(Number(up[1]) / 1e6).toFixed(2)} MB/s`);
      } finally {
        vm.kill('SIGKILL');
        await new Promise((r) => vm.once('exit', r));
      }
    }
  }
} finally {
  await ns.destroy();
}
const round2 = (xs: number[]) => xs.map((v) => Math.round(v * 100) / 100);
const n = results.nimbus!, off = results['nimbus, offloads off']!, b = results['linux+node']!;
console.log(JSON.stringify({
  bench: 'tap-vm', runs,
  downloadMBps: { nimbus: round2(n.down), nimbusOffloadsOff: round2(off.down), baseline: round2(b.down), ratio: median(n.down) / median(b.down) },
  uploadMBps: { nimbus: round2(n.up), nimbusOffloadsOff: round2(off.up), baseline: round2(b.up), ratio: median(n.up) / median(b.up) },
}));

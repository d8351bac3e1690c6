/**
 * `make bench`: runs every benchmark and writes bench/RESULTS.md with the machine's details.
 * Speed claims are ratios or differences against a baseline measured in the same run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../cli/paths.ts';
import { bootBench } from './boot.ts';
import { machineInfo } from './machine.ts';
import { httpBench } from './http.ts';
import { bulkBench } from './bulk.ts';
import { soakSection } from './soak.ts';
import { tlsBench } from './tls.ts';

const sections: string[] = [];
const info = machineInfo();
sections.push('# Benchmark results\n', 'Written by `make bench` (bench/run.ts). Machine:\n',
  ...Object.entries(info).map(([k, v]) => `- ${k}: ${v}`), '');

const boot = await bootBench(Number(process.env.BENCH_RUNS ?? 10));
const mib = (n: number) => (n / 1024 / 1024).toFixed(2);
sections.push('## Boot (examples/hello, `-M microvm`)\n',
  '| measure | result | target |', '| --- | --- | --- |',
  `| image size | ${mib(boot.imageBytes)} MiB (core ${Math.round(boot.sizes.core / 1024)} KiB, quickjs-ng ${Math.round(boot.sizes.engine / 1024)} KiB, OS library ${Math.round(boot.sizes.os / 1024)} KiB, program ${Math.round(boot.sizes.program / 1024)} KiB, source map ${Math.round(boot.sizes.sourceMap / 1024)} KiB) | ≤ 1.5 MiB |`,
  `| smallest --mem that runs it | ${boot.minMemMiB} MiB | ≤ 8 MiB |`,
  `| floor: QEMU booting a kernel that exits at once (median of ${boot.runs}) | ${boot.floorMs.toFixed(0)} ms | |`,
  `| \`nimbus run hello.img\` wall time (median) | ${boot.nimbusRunMs.toFixed(0)} ms = floor + ${boot.overFloorMs.toFixed(0)} ms | ≤ floor + 30 ms |`,
  `| QEMU booting hello.img directly, no CLI (median) | floor + ${boot.qemuOverFloorMs.toFixed(0)} ms | |`,
  `| PVH entry to the program's first line, measured in the guest (median) | ${boot.entryToFirstLineMs.toFixed(1)} ms | |`,
  '');

const http = await httpBench(Number(process.env.BENCH_RUNS ?? 3));
const x = (n: number) => `${n.toFixed(1)}x`;
sections.push('## Serving HTTP: Nimbus against Linux + Node.js in the same QEMU\n',
  'Both VMs serve `bench/baseline/hello-server.mjs` (the same program) on `-M q35` with virtio-net-pci and QEMU user networking; ',
  'the baseline is Debian\'s cloud kernel + busybox + this machine\'s node (bench/baseline/README.md), with 256 MiB. Measured in the same run.\n',
  '| measure | Nimbus | Linux + Node | ratio | target |', '| --- | --- | --- | --- | --- |',
  `| QEMU start to first HTTP 200 (median of ${http.runs}) | ${http.bootMs.nimbus.toFixed(0)} ms | ${http.bootMs.baseline.toFixed(0)} ms | ${x(http.bootMs.speedup)} faster | ≥ 10x |`,
  `| image size (baseline: kernel + initramfs) | ${mib(http.imageBytes.nimbus)} MiB | ${mib(http.imageBytes.baseline)} MiB | ${x(http.imageBytes.ratio)} smaller | ≥ 30x |`,
  `| smallest memory that serves | ${http.minMemMiB.nimbus} MiB | ${http.minMemMiB.baseline} MiB | 1/${(1 / http.minMemMiB.ratio).toFixed(0)} | ≤ 1/8 |`,
  `| requests/s, \`ab -k -n 2000 -c 8\` | ${http.rps.keepAlive.nimbus.toFixed(0)} | ${http.rps.keepAlive.baseline.toFixed(0)} | ${x(http.rps.keepAlive.ratio)} | ≥ 0.5x |`,
  `| requests/s, \`ab -n 500 -c 8\` (no keep-alive) | ${http.rps.noKeepAlive.nimbus.toFixed(0)} | ${http.rps.noKeepAlive.baseline.toFixed(0)} | ${x(http.rps.noKeepAlive.ratio)} | ≥ 0.5x |`,
  `\nFailed requests: ${http.rps.keepAlive.failed + http.rps.noKeepAlive.failed}. Under TCG both guests are emulated; the ratios, not the absolute numbers, are what carries over.`,
  '');

const bulk = await bulkBench(Number(process.env.BENCH_RUNS ?? 3));
const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
sections.push('## Bulk transfer: Nimbus against Linux + Node in the same QEMU\n',
  '`bench/baseline/bulk-server.mjs` in both VMs (q35, virtio-net-pci, QEMU user network, TCG): a 10 MiB download from a buffer allocated at start, ',
  `a 5 MiB upload to a handler that counts bytes. ${bulk.runs} boots of each, interleaved; MB/s = 10^6 bytes/s measured on the host; ratio of the medians.\n`,
  '| measure | Nimbus (range) | Linux + Node (range) | ratio | target |', '| --- | --- | --- | --- | --- |',
  `| download 10 MiB | ${range(bulk.downloadMBps.nimbus)} MB/s | ${range(bulk.downloadMBps.baseline)} MB/s | ${bulk.downloadMBps.ratio.toFixed(2)}x | ≥ 1.0x |`,
  `| upload 5 MiB | ${range(bulk.uploadMBps.nimbus)} MB/s | ${range(bulk.uploadMBps.baseline)} MB/s | ${bulk.uploadMBps.ratio.toFixed(2)}x | ≥ 1.0x |`,
  '');

const tlsr = await tlsBench(Number(process.env.BENCH_RUNS_TLS ?? 1));
const f2 = (n: number) => n.toFixed(2);
sections.push('## TLS: Nimbus against Linux + Node in the same QEMU\n',
  '`bench/baseline/tls-server.mjs` in both VMs (q35, virtio-net-pci, QEMU user network, TCG): HTTPS on port 80, ECDSA P-256 certificate, TLS 1.3; ',
  `the host makes ${tlsr.handshakes} sequential full handshakes (x25519, TLS_AES_128_GCM_SHA256, no resumption) and one 10 MiB download over one connection (bench/tls.ts). `,
  'Nimbus with the core\'s BearSSL crypto group (default) and with `--crypto js` (@noble).\n',
  '| measure | Nimbus (native) | Nimbus (js) | Linux + Node | ratio native | target |', '| --- | --- | --- | --- | --- | --- |',
  `| handshakes/s (server side) | ${f2(tlsr.handshakesPerS.native)} | ${f2(tlsr.handshakesPerS.js)} | ${f2(tlsr.handshakesPerS.baseline)} | ${f2(tlsr.ratios.handshakes)}x | ≥ 0.5x |`,
  `| bulk AES-128-GCM download, MB/s | ${f2(tlsr.bulkMBps.native)} | ${f2(tlsr.bulkMBps.js)} | ${f2(tlsr.bulkMBps.baseline)} | ${f2(tlsr.ratios.bulk)}x | ≥ 0.5x |`,
  '\nRaw primitives in the guests (bench/programs/crypto-speed.ts through os/crypto; bench/baseline/crypto-speed.mjs through Node\'s crypto; AEADs seal 16 KiB records):\n',
  '| primitive | Nimbus (native) | Nimbus (js) | Linux + Node |', '| --- | --- | --- | --- |',
  ...Object.keys(tlsr.primitives.node).map((k) => `| ${k} | ${tlsr.primitives.native[k]} | ${tlsr.primitives.js[k]} | ${tlsr.primitives.node[k]} |`),
  '');

// Benchmarks written as standalone scripts print one JSON object on their last line.
for (const [title, script] of [
  ['TCP/IP stack over a simulated link (Node, one core; both stacks and the simulator)', 'bench/tcp-sim.ts'],
  ['TCP/IP stack in Node through a tap device, Linux as the peer (50 MB each way)', 'bench/tap-throughput.ts'],
  ['Bulk through a tap to Linux: Nimbus (with and without virtio-net offloads) against Linux + Node in the same QEMU', 'bench/tap-vm.ts'],
  ['The JavaScript engine in the image (bench/engine.ts; ENGINE_BASELINE_TREE compares another checkout)', 'bench/engine.ts'],
  ['The process target at native speed: against QEMU (hello wall time, idle PSS) and against node (HTTP over a tap: first 200, requests/s, bulk MB/s, idle RSS/PSS)', 'bench/process.ts'],
  ['Density: a fleet of DENSITY_N (default 3,000) HTTP instances on the process target, and how many QEMU VMs fit (docs/fleet.md)', 'bench/density.ts'],
  ['AsyncLocalStorage across await: the same await loop without and with node:async_hooks (process target)', 'bench/als.ts'],
  ['Guest memory per TCP connection: silent, idle keep-alive HTTP, and in a bulk transfer whose reader paused (process target)', 'bench/conn-memory.ts'],
] as const) {
  if (!existsSync(path.join(ROOT, script))) continue;
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8', timeout: script === 'bench/density.ts' ? 1_800_000 : 600_000 });
  // The script's result is the last JSON object it prints (one line or pretty-printed).
  const out = r.stdout.trim();
  const start = out.startsWith('{') ? 0 : out.lastIndexOf('\n{') + 1;
  let result = out.slice(start);
  try {
    result = JSON.stringify(JSON.parse(result), null, 2);
  } catch {
    result = `(failed: ${r.stderr.slice(-800)})`;
  }
  sections.push(`## ${title}\n`, `\`node --import tsx ${script}\`:\n`, '```json', result, '```', '');
}

sections.push(...await soakSection()); // issue 10: the heap curve of a long soak

// Recorded comparisons that need another checkout built beside this one (see each file).
for (const recorded of ['bench/engine-before-after.md', 'bench/datapath-before-after.md', 'bench/boot-before-after.md']) {
  if (existsSync(path.join(ROOT, recorded))) sections.push(readFileSync(path.join(ROOT, recorded), 'utf8'));
}

const out = sections.join('\n');
writeFileSync(path.join(ROOT, 'bench', 'RESULTS.md'), out);
console.log(out);

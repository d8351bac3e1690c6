/**
 * The long soak (issue 10), part of `make bench`: a 16 MB guest (test/boot/programs/soak-server.ts)
 * serves rounds of keep-alive, new-connection, 64 KB and upload load for SOAK_MINUTES (default
 * 10; bounded: a round has fixed request counts and the loop stops at the deadline), and its
 * live JS heap is sampled after every round. Returns the markdown section with the heap curve
 * for bench/RESULTS.md; run alone (`node --import tsx bench/soak.ts`) it prints it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from '../cli/paths.ts';
import { buildTestImage, startServerVm } from '../test/boot/vm.ts';

interface Sample { minute: number; heapUsed: number; requests: number; failed: number }

export async function soakSection(minutes = Number(process.env.SOAK_MINUTES ?? 10)): Promise<string[]> {
  const image = await buildTestImage(path.join(ROOT, 'test', 'boot', 'programs', 'soak-server.ts'));
  const vm = await startServerVm(image, 8080, { memMiB: 16, testHooks: true });
  const dir = mkdtempSync(path.join(tmpdir(), 'nimbus-bench-soak-'));
  const base = `http://127.0.0.1:${vm.hostPort}`;
  const heap = (): { heapUsed: number; heapTotal: number } =>
    JSON.parse(execFileSync('curl', ['-sS', '--max-time', '30', `${base}/heap`], { encoding: 'utf8' }));
  let requests = 0, failed = 0;
  const ab = (args: string[]) => {
    const out = execFileSync('ab', ['-q', '-s', '30', '-r', ...args], { encoding: 'utf8', maxBuffer: 16 << 20 });
    requests += Number(/Complete requests:\s+(\d+)/.exec(out)?.[1] ?? 0);
    failed += Number(/Failed requests:\s+(\d+)/.exec(out)?.[1] ?? 0);
  };
  const samples: Sample[] = [];
  let limit = 0;
  let exit = '';
  try {
    await vm.waitFor('soak server ready');
    const upload = path.join(dir, 'upload.bin');
    writeFileSync(upload, Buffer.alloc(1 << 20, 0x62));
    const t0 = Date.now();
    const first = heap();
    limit = first.heapTotal;
    samples.push({ minute: 0, heapUsed: first.heapUsed, requests: 0, failed: 0 });
    const deadline = t0 + minutes * 60_000;
    for (let round = 0; round < 10_000 && Date.now() < deadline; round++) {
      ab(['-k', '-n', '800', '-c', '8', `${base}/`]);
      ab(['-n', '150', '-c', '8', `${base}/`]);
      ab(['-n', '60', '-c', '4', `${base}/64k`]);
      ab(['-n', '6', '-c', '2', '-p', upload, '-T', 'application/octet-stream', `${base}/upload`]);
      samples.push({ minute: (Date.now() - t0) / 60_000, heapUsed: heap().heapUsed, requests, failed });
    }
    const r = await vm.stop();
    exit = /out of memory/.test(r.stderr) ? 'out of memory' : `exit ${r.code}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await vm.stop().catch(() => undefined);
  }
  const kib = (n: number) => (n / 1024).toFixed(0);
  const startBand = samples[1]?.heapUsed ?? samples[0]!.heapUsed;
  const peak = Math.max(...samples.map((s) => s.heapUsed));
  const last = samples[samples.length - 1]!;
  // At most ~20 rows: every k-th sample, and always the last.
  const step = Math.max(1, Math.ceil(samples.length / 20));
  const rows = samples.filter((_, i) => i % step === 0 || i === samples.length - 1);
  return [
    `## Soak: a 16 MB guest under ${minutes} minutes of mixed load (bench/soak.ts)\n`,
    'Rounds of `ab -k -n 800 -c 8 /`, `ab -n 150 -c 8 /` (new connections, closed by the guest), `ab -n 60 -c 4 /64k` and six 1 MB uploads, ',
    `QEMU user network, TCG; the live JS heap (after a full collection) sampled after every round. JS heap limit ${kib(limit)} KiB.\n`,
    '| minute | live JS heap (KiB) | requests so far | failed |', '| --- | --- | --- | --- |',
    ...rows.map((s) => `| ${s.minute.toFixed(1)} | ${kib(s.heapUsed)} | ${s.requests} | ${s.failed} |`),
    '',
    `After round 1: ${kib(startBand)} KiB; peak ${kib(peak)} KiB; last ${kib(last.heapUsed)} KiB (${last.heapUsed - startBand >= 0 ? '+' : ''}${kib(last.heapUsed - startBand)} KiB over ${last.requests} requests); the guest ended with ${exit}.`,
    '',
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) console.log((await soakSection()).join('\n'));

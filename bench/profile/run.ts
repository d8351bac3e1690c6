/**
 * Profiles the bulk transfers in the guest: boots bench/profile/bulk-profile.ts (the bulk
 * server with counters), runs one download and one upload and prints the guest's PROFILE
 * lines and the host-side MB/s. Not part of `make bench` (a diagnosis tool).
 */
import { download, NIMBUS_MEM_MIB, nimbusTarget, upload } from '../bulk.ts';
import * as baseline from '../baseline/run.ts';

import { qemuArgs } from '../../cli/run.ts';

// IMAGE=path boots a prebuilt profile image instead (e.g. the same program built from another tree).
const target: baseline.Target = process.env.IMAGE ? {
  name: process.env.IMAGE,
  args: (memMiB, port) => qemuArgs({
    image: process.env.IMAGE!, memMiB, machine: 'q35', args: [], env: {}, net: { kind: 'user' },
    ports: [{ hostAddress: '127.0.0.1', hostPort: port, guestPort: 80, proto: 'tcp' }],
  }),
} : await nimbusTarget('bench/profile/bulk-profile.ts', 'bulk-profile');

/** Guest busy time (window - halted) summed over the PROFILE lines, per connection and per MB. */
function summary(lines: string[]): string {
  let busy = 0, conns = 0, bytes = 0;
  for (const l of lines) {
    const r = JSON.parse(l.slice('PROFILE '.length));
    busy += r.windowMs - r.idleMs;
    conns += Number(String(r['tcp.isn'] ?? '0/0').split('/')[1]);
    bytes += (r.driver?.txBytes ?? 0);
  }
  return `SUMMARY busy ${busy} ms, ${conns} connections (${(busy / Math.max(conns, 1)).toFixed(1)} ms each)`;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
await baseline.withVm(target, NIMBUS_MEM_MIB, async (vm) => {
  if ((await baseline.waitFor200(vm)) === undefined) throw baseline.bootFailure(vm, NIMBUS_MEM_MIB);
  await sleep(2500);
  const mark = vm.console().length;
  if (process.env.AB) {
    // Asynchronous: a blocked event loop here would stop draining the guest's console and
    // stall the guest on its serial port.
    const { spawn } = await import('node:child_process');
    const out = await new Promise<string>((resolve) => {
      const c = spawn('ab', ['-q', '-s', '20', '-n', process.env.AB!, '-c', '8', `http://127.0.0.1:${vm.port}/`]);
      let text = '';
      c.stdout.on('data', (b: Buffer) => { text += b; });
      c.stderr.on('data', (b: Buffer) => { text += b; });
      c.on('close', () => resolve(text));
    });
    console.log(out.match(/(Requests per second|Failed requests|Time per request).*/g)?.join('\n') ?? out.slice(-300));
    await sleep(2500);
    const lines = vm.console().slice(mark).split('\n').filter((l) => l.startsWith('PROFILE'));
    if (!process.env.QUIET) for (const line of lines) console.log(line);
    console.log(summary(lines));
    return;
  }
  if (!process.env.UPLOAD_ONLY) console.log(`download ${(await download(vm.port)).toFixed(2)} MB/s`);
  await sleep(2500);
  if (!process.env.DOWNLOAD_ONLY) console.log(`upload ${(await upload(vm.port)).toFixed(2)} MB/s`);
  await sleep(2500);
  for (const line of vm.console().slice(mark).split('\n')) if (line.startsWith('PROFILE')) console.log(line);
});

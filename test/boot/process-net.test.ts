/**
 * The process target's network (core/platform/process/net.c, os/drivers/tap): user mode, in
 * which a published port reaches the instance through a user + network namespace and needs
 * no root (run here as the unprivileged user nobody when the tests run as root). The tap
 * (--net tap:) is tested with dnsmasq in test/boot/tap.test.ts, on every target.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROCESS_RUNNER } from '../../cli/paths.ts';
import { buildTestImage, startServerVm } from './vm.ts';

const programs = path.join(import.meta.dirname, 'programs');
const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const asRoot = process.getuid?.() === 0;
// Root proves nothing about user mode: drop to nobody for the instance's whole side.
const unprivileged = asRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
const userModeSkip = !have('unshare') ? 'needs unshare (util-linux)' : !have('curl') ? 'needs curl' : false;

/** The runner process serving `image`, found by its command line. */
function runnerPid(image: string): number {
  for (const d of readdirSync('/proc').filter((f) => /^\d+$/.test(f))) {
    try {
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (argv[0] === PROCESS_RUNNER && argv[1] === image) return Number(d);
    } catch { /* gone */ }
  }
  throw new Error(`no ${PROCESS_RUNNER} running ${image}`);
}

test('user mode: -p publishes a port without root, through a namespace; the instance opens nothing', { skip: userModeSkip, timeout: 120_000 }, async () => {
  const image = await buildTestImage(path.join(programs, 'http-server.ts'));
  const vm = await startServerVm(image, 8080, { target: 'process', launcher: unprivileged });
  const base = `http://127.0.0.1:${vm.hostPort}`;
  try {
    await vm.waitFor('http test server ready', 30_000);
    const curl = (args: string[]) => execFileSync('curl', ['-sS', '--max-time', '30', ...args], { maxBuffer: 64 << 20 });
    assert.equal(curl([`${base}/`]).toString(), 'Hello from Nimbus!\n');
    const up = randomBytes(1 << 20);
    writeFileSync('/tmp/nimbus-proc-net-up.bin', up);
    assert.ok(curl(['--data-binary', '@/tmp/nimbus-proc-net-up.bin', `${base}/echo`]).equals(up), 'a 1 MB upload comes back intact');
    const down = curl([`${base}/big?mb=8`]);
    assert.equal(down.length, 8 << 20);
    const want = Buffer.alloc(8 << 20);
    for (let i = 0; i < want.length; i++) want[i] = (i * 31 + (i >> 10)) & 0xff;
    assert.equal(createHash('sha256').update(down).digest('hex'), createHash('sha256').update(want).digest('hex'));

    const pid = runnerPid(image);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    if (asRoot) assert.match(status, /^Uid:\s+65534\s/m, 'the instance runs as nobody');
    assert.match(status, /^Seccomp:\s+2$/m);
    assert.match(readFileSync(`/proc/${pid}/net/dev`, 'utf8'), /nb-guest/, 'it lives in its own network namespace');
    assert.doesNotMatch(readFileSync('/proc/self/net/dev', 'utf8'), /nb-guest/);
    // After all that traffic: stdin, the console, stderr and the link, nothing opened since.
    const fds = readdirSync(`/proc/${pid}/fd`).map(Number).sort((a, b) => a - b);
    assert.deepEqual(fds, [0, 1, 2, 3]);
    // Idle with a link, it sleeps in its one wait: under 5% of a CPU over a second.
    const cpuTicks = () => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ').slice(11, 13).reduce((a, b) => a + Number(b), 0);
    const before = cpuTicks();
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(cpuTicks() - before <= 5, `idle instance used ${cpuTicks() - before} ticks in 1 s`);
  } finally {
    const r = await vm.stop();
    assert.equal(r.code, 130);
    assert.equal(r.stderr, '', 'no errors from the instance');
  }
});

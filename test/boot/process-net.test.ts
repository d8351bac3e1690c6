/**
 * The process target's network (core/platform/process/net.c, os/drivers/tap): user mode, in
 * which a published port reaches the instance through a user + network namespace and needs
 * no root (run here as the unprivileged user nobody when the tests run as root), and a tap in
 * a network namespace with dnsmasq handing out the address and answering DNS (root only).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROCESS_RUNNER } from '../../cli/paths.ts';
import { Netns, skipReason } from '../interop/netns.ts';
import { boot, buildTestImage, startServerVm } from './vm.ts';

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

let ns: Netns | undefined;
after(async () => { await ns?.destroy(); });

test('--net tap: DHCP and DNS from dnsmasq, and fetch() to a Linux server, on the process target', { skip: skipReason('dnsmasq'), timeout: 120_000 }, async () => {
  ns = Netns.create({ linuxAddress: '10.79.2.1/24', tapName: 'nbproc0' });
  const file = randomBytes(300_000);
  writeFileSync(path.join(ns.dir, 'file.bin'), file);
  let expected = 0;
  for (const b of file) expected = (expected * 31 + b) >>> 0;
  ns.spawn(['dnsmasq', '--no-daemon', '--conf-file=/dev/null', '--user=root', '--no-resolv', '--no-hosts',
    '--interface=nbproc0', '--bind-interfaces', '--dhcp-range=10.79.2.100,10.79.2.150,255.255.255.0,1h',
    '--dhcp-authoritative', '--no-ping', '--address=/web.test/10.79.2.1',
    `--pid-file=${path.join(ns.dir, 'dnsmasq.pid')}`, `--dhcp-leasefile=${path.join(ns.dir, 'leases')}`]);
  const web = ns.spawn(['/usr/bin/python3', '-m', 'http.server', '8000', '--bind', '10.79.2.1', '--directory', ns.dir]);
  await web.waitFor(/Serving HTTP/, 10_000);
  const image = await buildTestImage(path.join(programs, 'fetch-client.ts'));
  const r = await boot(image, { target: 'process', net: { kind: 'tap', ifname: 'nbproc0' }, args: ['web.test', '8000'], launcher: ['ip', 'netns', 'exec', ns.name] });
  assert.equal(r.code, 0, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.match(r.stdout, /resolved web\.test to 10\.79\.2\.1/);
  assert.match(r.stdout, new RegExp(`status 200 length 300000 checksum ${expected}`));
  assert.match(await ns.exec(['cat', path.join(ns.dir, 'leases')]), /10\.79\.2\.1[0-4]\d /, 'dnsmasq handed out a lease');
});

/**
 * The fleet (cli/fleet, docs/fleet.md) end to end: `nimbus up/ps/logs/stop/rm` as a user runs
 * them, inside a network namespace this test creates (the fleet's bridges and taps live and
 * die there) with its own state directory. Three instances on the process target and two on
 * QEMU; a crashing program restarted with back-off; the supervisor killed and restarted (live
 * instances adopted, a dead one marked, a stale tap removed); clear errors.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../../cli/paths.ts';
import { buildTestImage } from './vm.ts';
import type { PsRow } from '../../cli/fleet/protocol.ts';

const asRoot = process.getuid?.() === 0;
const skip = !asRoot ? 'needs root (a network namespace, bridges and taps)' : false;
const NS = `nft-${process.pid}`;
const stateDir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-fleet-'));
const programs = path.join(import.meta.dirname, 'programs');

interface Run { code: number; stdout: string; stderr: string }

/** `nimbus ARGS` inside the namespace, with the test's state directory. */
function nimbus(args: string[], opts: { timeoutMs?: number; env?: Record<string, string>; as?: string[] } = {}): Run {
  const r = spawnSync('ip', ['netns', 'exec', NS, ...(opts.as ?? []), process.execPath, path.join(ROOT, 'cli', 'nimbus.mjs'), ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: opts.timeoutMs ?? 120_000,
    env: { ...process.env, NIMBUS_STATE_DIR: stateDir, ...opts.env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function ps(): PsRow[] {
  const r = nimbus(['ps', '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as PsRow[];
}

const row = (name: string) => ps().find((r) => r.name === name);
const links = () => execFileSync('ip', ['-n', NS, '-o', 'link'], { encoding: 'utf8' }).split('\n').map((l) => l.split(': ')[1]?.split('@')[0]).filter(Boolean);
const get = (ip: string) => execFileSync('ip', ['netns', 'exec', NS, 'curl', '-sS', '--max-time', '10', `http://${ip}/`], { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const supervisorPid = () => Number(readFileSync(path.join(stateDir, 'supervisor.pid'), 'utf8'));

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) assert.fail(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

if (asRoot) {
  execFileSync('ip', ['netns', 'add', NS]);
  execFileSync('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
}
after(() => {
  if (!asRoot) return;
  nimbus(['rm', '--all'], { timeoutMs: 60_000 });
  // Whatever is left (a failed test): the supervisor, then the namespace and the state.
  try { process.kill(supervisorPid(), 'SIGKILL'); } catch { /* gone */ }
  for (const pid of execFileSync('ip', ['netns', 'pids', NS], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
    try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
  }
  spawnSync('ip', ['netns', 'del', NS]);
  rmSync(stateDir, { recursive: true, force: true });
});

test('process target: a fleet of 3 answers at its own addresses; ps, logs, stop, rm; names in use', { skip, timeout: 180_000 }, async () => {
  const image = await buildTestImage(path.join(ROOT, 'bench/baseline/hello-server.mjs'), 'fleet-hello');
  const up = nimbus(['up', image, '-n', '3', '--name', 'web', '--health', 'http:/']);
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stderr, /^web: 3 instances in [\d.]+ s: 3 answering, 0 failed/m, 'one summary line when not on a terminal');
  assert.equal(up.stderr.trim().split('\n').length, 1);
  const rows = ps();
  assert.deepEqual(rows.map((r) => [r.name, r.state, r.target]), [['web-1', 'running', 'process'], ['web-2', 'running', 'process'], ['web-3', 'running', 'process']]);
  const ips = rows.map((r) => r.net!.ip);
  assert.equal(new Set(ips).size, 3, 'distinct addresses');
  for (const ip of ips) assert.equal(get(ip), 'Hello from Nimbus!\n');
  assert.ok(rows.every((r) => r.pssKiB! > 500 && r.pssKiB! < 64 * 1024), 'memory reported');
  assert.ok(['nfbr0', 'nf0', 'nf1', 'nf2'].every((l) => links().includes(l)), links().join(' '));
  assert.match(nimbus(['ps']).stdout, /^web-2\s+fleet-hello\.img\s+process\s+running\s+10\.200\.0\.3\s/m);

  const logs = nimbus(['logs', 'web-2']);
  assert.equal(logs.code, 0);
  assert.match(logs.stdout, /^READY node /m);
  assert.match(nimbus(['logs', 'web']).stdout, /^web-3 \| READY node /m, 'a group interleaves, prefixed');

  const again = nimbus(['up', image, '-n', '1', '--name', 'web']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /the name 'web' is in use \(3 instances/);
  const huge = nimbus(['up', image, '-n', '90000', '--name', 'huge']);
  assert.equal(huge.code, 1);
  assert.match(huge.stderr, /not enough host memory for 90000 more instances: about \d+ fit \(\d+ MiB available/);
  assert.equal(nimbus(['logs', 'nosuch']).code, 2);

  // Instances reach each other through the host (isolated bridge ports, proxy ARP).
  const peer = nimbus(['up', await buildTestImage(path.join(programs, 'fleet-peer.ts')), '--name', 'peer', '--', ips[1]!]);
  assert.equal(peer.code, 0, peer.stderr);
  await until('the peer to finish', () => row('peer-1')?.state === 'exited');
  assert.match(nimbus(['logs', 'peer-1']).stdout, /^peer answered 200 Hello from Nimbus!$/m);
  assert.equal(row('peer-1')!.exitCode, 0);
  assert.equal(nimbus(['rm', 'peer']).code, 0);

  assert.equal(nimbus(['stop', 'web-1']).code, 0);
  const stopped = row('web-1')!;
  assert.equal(stopped.state, 'stopped');
  assert.equal(stopped.exitCode, 143, 'SIGTERM');
  assert.ok(stopped.lastLines!.some((l) => /READY node/.test(l)), 'last lines of a stopped instance');
  assert.ok(!links().includes('nf0'), 'its tap is gone');
  assert.match(nimbus(['ps']).stdout, /^web-1\s.*stopped \(143\)/m);
  assert.equal(nimbus(['rm', 'web-1']).code, 0);
  assert.equal(row('web-1'), undefined);
  assert.ok(!existsSync(path.join(stateDir, 'instances', 'web-1')));
});

test('supervisor killed and restarted: live instances adopted, a dead one marked, stale links removed', { skip, timeout: 120_000 }, async () => {
  const before = ps();
  const w2 = before.find((r) => r.name === 'web-2')!, w3 = before.find((r) => r.name === 'web-3')!;
  process.kill(supervisorPid(), 'SIGKILL');
  process.kill(w3.pid!, 'SIGKILL');
  execFileSync('ip', ['-n', NS, 'tuntap', 'add', 'dev', 'nf77', 'mode', 'tap']); // a tap no record owns
  await sleep(300);
  const rows = ps(); // starts a new supervisor, which reconciles
  const a = rows.find((r) => r.name === 'web-2')!, b = rows.find((r) => r.name === 'web-3')!;
  assert.equal(a.state, 'running');
  assert.equal(a.pid, w2.pid, 'adopted, not restarted');
  assert.equal(b.state, 'exited');
  assert.equal(b.exitCode, null, 'died unwatched: code unknown');
  assert.ok(!links().includes('nf77'), 'stale tap removed');
  assert.ok(!links().includes('nf2'), 'the dead instance\'s tap removed');
  assert.equal(get(w2.net!.ip), 'Hello from Nimbus!\n');
  assert.match(readFileSync(path.join(stateDir, 'supervisor.log'), 'utf8'), /web-2: adopted/);
  // The adopted instance's console still reaches its ring, and stop still works on it.
  assert.equal(nimbus(['stop', 'web-2']).code, 0);
  assert.equal(row('web-2')!.state, 'stopped');
  assert.equal(row('web-2')!.exitCode, 143);
  assert.equal(nimbus(['rm', 'web']).code, 0);
});

test('a crashing program is restarted with back-off (--restart on-failure)', { skip, timeout: 120_000 }, async () => {
  const image = await buildTestImage(path.join(programs, 'crash.ts'));
  const up = nimbus(['up', image, '--name', 'crash', '--restart', 'on-failure', '--net', 'none']);
  assert.equal(up.code, 1, 'it does not stay up');
  await until('3 restarts', () => (row('crash-1')?.restarts ?? 0) >= 3, 20_000);
  const log = nimbus(['logs', 'crash-1']).stdout;
  assert.match(log, /crash program started/);
  // Delays double: 250, 500, 1000 ms ...
  const delays = [...log.matchAll(/ended with exit code 3; restart (\d+) in (\d+) ms/g)].map((m) => Number(m[2]));
  assert.deepEqual(delays.slice(0, 3), [250, 500, 1000], log);
  const r = row('crash-1')!;
  assert.ok(r.restarts <= 5, `back-off keeps restarts few: ${r.restarts}`);
  assert.equal(r.exitCode, 3);
  assert.equal(nimbus(['stop', 'crash']).code, 0);
  assert.equal(row('crash-1')!.state, 'stopped');
  const n = row('crash-1')!.restarts;
  await sleep(2500);
  assert.equal(row('crash-1')!.restarts, n, 'a stopped instance is not restarted');
  assert.equal(nimbus(['rm', 'crash']).code, 0);
});

test('qemu target: a fleet of 2 VMs on taps, answering their tcp health check', { skip, timeout: 420_000 }, async () => {
  const image = await buildTestImage(path.join(ROOT, 'bench/baseline/hello-server.mjs'), 'fleet-hello');
  const up = nimbus(['up', image, '-n', '2', '--name', 'vm', '--target', 'qemu', '--mem', '32M', '--health', 'tcp:80'], { timeoutMs: 360_000 });
  assert.equal(up.code, 0, up.stderr);
  const rows = ps();
  assert.deepEqual(rows.map((r) => [r.name, r.state, r.target]), [['vm-1', 'running', 'qemu'], ['vm-2', 'running', 'qemu']]);
  for (const r of rows) assert.equal(get(r.net!.ip), 'Hello from Nimbus!\n');
  assert.match(nimbus(['logs', 'vm-2']).stdout, /READY node/);
  assert.equal(nimbus(['rm', '--all']).code, 0);
});

test('a single instance with a published port answers on the host port; the port is freed on rm', { skip, timeout: 120_000 }, async () => {
  const image = await buildTestImage(path.join(ROOT, 'bench/baseline/hello-server.mjs'), 'fleet-hello');
  const up = nimbus(['up', image, '--name', 'pub', '-p', '127.0.0.1:18480:80', '--health', 'http:/']);
  assert.equal(up.code, 0, up.stderr);
  const pub = ps().filter((r) => r.group === 'pub');
  assert.equal(pub.length, 1);
  assert.equal(pub[0]!.publish?.hostPort, 18480);
  const viaHost = () => execFileSync('ip', ['netns', 'exec', NS, 'curl', '-sS', '--max-time', '10', 'http://127.0.0.1:18480/'], { encoding: 'utf8' });
  assert.equal(viaHost(), 'Hello from Nimbus!\n');
  // Publishing is for one instance: a group of two is refused with a clear message.
  const two = nimbus(['up', image, '-n', '2', '--name', 'pub2', '-p', '127.0.0.1:18481:80']);
  assert.notEqual(two.code, 0);
  assert.match(two.stderr, /single instance|one instance/i);
  assert.equal(nimbus(['rm', pub[0]!.name]).code, 0);
  await until('the host port is closed', () => { try { viaHost(); return false; } catch { return true; } });
});

test('rm --all leaves nothing: no links, no supervisor, no socket; not root: a clear error', { skip, timeout: 60_000 }, async () => {
  assert.equal(nimbus(['rm', '--all']).code, 0);
  await until('the supervisor to end', () => !existsSync(path.join(stateDir, 'supervisor.sock')), 10_000);
  assert.deepEqual(links(), ['lo']);
  assert.deepEqual(ps(), []);
  const image = path.join(ROOT, 'build', 'test-images', 'fleet-hello.img');
  const userDir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-fleet-nobody-'));
  try {
    execFileSync('chown', ['65534:65534', userDir]);
    const r = nimbus(['up', image, '--name', 'u'], { as: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'], env: { NIMBUS_STATE_DIR: userDir } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /needs root \(CAP_NET_ADMIN\)/);
  } finally {
    rmSync(userDir, { recursive: true, force: true });
  }
});


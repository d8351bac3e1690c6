import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelCommandLine, parseMem, parsePort, qemuArgs, QEMU_CMDLINE_MAX, RunError, type RunOptions } from './run.ts';

const base: RunOptions = { image: 'x.img', memMiB: 64, machine: 'microvm', args: [], env: {}, ports: [], net: { kind: 'auto' } };

test('parseMem accepts K/M/G suffixes and rejects nonsense and out-of-range sizes', () => {
  assert.equal(parseMem('16M'), 16);
  assert.equal(parseMem('1G'), 1024);
  assert.equal(parseMem('256'), 256);
  assert.throws(() => parseMem('lots'), /Invalid memory size 'lots'/);
  assert.throws(() => parseMem('1M'), /out of range/);
});

test('parsePort reads HOST:GUEST with an optional address and protocol', () => {
  assert.deepEqual(parsePort('8080:80'), { hostAddress: '127.0.0.1', hostPort: 8080, guestPort: 80, proto: 'tcp' });
  assert.deepEqual(parsePort('0.0.0.0:53:53/udp'), { hostAddress: '0.0.0.0', hostPort: 53, guestPort: 53, proto: 'udp' });
  assert.throws(() => parsePort('80'), /Invalid port mapping/);
  assert.throws(() => parsePort('70000:80'), /Invalid port 70000/);
});

test('the kernel command line carries args and env as base64url JSON, and the static network', () => {
  const line = kernelCommandLine({ ...base, args: ['a b', 'ü'], env: { K: 'v=1' }, ip: '10.0.2.15/24', gateway: '10.0.2.2', dns: '10.0.2.3', cpuBudgetMs: 250 });
  const tokens = Object.fromEntries(line.split(' ').map((t) => t.split(/=(.*)/s).slice(0, 2)));
  assert.deepEqual(JSON.parse(Buffer.from(tokens['nimbus.argv'], 'base64url').toString()), ['a b', 'ü']);
  assert.deepEqual(JSON.parse(Buffer.from(tokens['nimbus.env'], 'base64url').toString()), { K: 'v=1' });
  assert.equal(tokens['nimbus.ip'], '10.0.2.15/24');
  assert.equal(tokens['nimbus.gateway'], '10.0.2.2');
  assert.equal(tokens['nimbus.dns'], '10.0.2.3');
  assert.equal(tokens['nimbus.cpu_budget_ms'], '250');
  assert.doesNotMatch(line, /[^\x21-\x7e ]/, 'printable ASCII only');
});

test('QEMU arguments: user networking with forwards when ports are published, none otherwise', () => {
  const none = qemuArgs(base).join(' ');
  assert.doesNotMatch(none, /-netdev/);
  assert.match(none, /-M microvm,.*acpi=off/);
  assert.match(none, /virtio-mmio\.force-legacy=false/);
  const user = qemuArgs({ ...base, machine: 'q35', ports: [parsePort('8080:80')] }).join(' ');
  assert.match(user, /-netdev user,id=n0,hostfwd=tcp:127\.0\.0\.1:8080-:80/);
  assert.match(user, /virtio-net-pci,disable-legacy=on,netdev=n0/);
  const tap = qemuArgs({ ...base, net: { kind: 'tap', ifname: 'tap7' } }).join(' ');
  assert.match(tap, /-netdev tap,id=n0,ifname=tap7,script=no,downscript=no/);
});

test('without QEMU, `nimbus run` says in one line which package to install', async () => {
  const { spawnSync } = await import('node:child_process');
  const path = await import('node:path');
  const cli = path.join(import.meta.dirname, 'nimbus.mjs');
  const r = spawnSync(process.execPath, [cli, 'run', path.join(import.meta.dirname, '..', 'package.json')], { env: { ...process.env, PATH: '/nonexistent', NIMBUS_CLI_FROM_SOURCE: '' }, encoding: 'utf8' });
  assert.equal(r.status, 125);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /qemu-system-x86_64 not found: install the Debian\/Ubuntu package qemu-system-x86/);
});

test('Ctrl-C (SIGINT) stops the VM and `nimbus run` exits 130', async () => {
  const { spawn } = await import('node:child_process');
  const path = await import('node:path');
  const { existsSync } = await import('node:fs');
  const image = path.join(import.meta.dirname, '..', 'build', 'test-images', 'ctrl-c.img');
  const { buildImage } = await import('./build.ts');
  await buildImage({ entry: path.join(import.meta.dirname, '..', 'test', 'boot', 'programs', 'idle.ts'), output: image });
  assert.ok(existsSync(image));
  const cli = spawn(process.execPath, [path.join(import.meta.dirname, 'nimbus.mjs'), 'run', image], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  cli.stderr.on('data', (c) => (stderr += c));
  // Wait until QEMU runs (the CLI handles SIGINT from then on; a loaded host may take seconds),
  // then interrupt as a terminal would.
  const { execFileSync: run } = await import('node:child_process');
  const qemuUp = () => run('sh', ['-c', `pgrep -f '[q]emu-system-x86_64.*${image}' || true`], { encoding: 'utf8' }).trim() !== '';
  for (const t0 = Date.now(); !qemuUp() && Date.now() - t0 < 30_000;) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 200));
  cli.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => cli.on('close', resolve));
  assert.equal(code, 130, stderr);
  const { execFileSync } = await import('node:child_process');
  const left = execFileSync('sh', ['-c', `pgrep -f '[q]emu-system-x86_64.*${image}' || true`], { encoding: 'utf8' }).trim();
  assert.equal(left, '', 'no QEMU left running');
});

test('`nimbus run` killed with SIGKILL takes its QEMU with it (setpriv\'s death signal)', async (t) => {
  const { exitWithParentPrefix } = await import('./run.ts');
  if (!exitWithParentPrefix().length) return t.skip('this machine\'s setpriv has no --pdeathsig (util-linux < 2.33)');
  const { spawn, execFileSync } = await import('node:child_process');
  const path = await import('node:path');
  const image = path.join(import.meta.dirname, '..', 'build', 'test-images', 'sigkill.img');
  const { buildImage } = await import('./build.ts');
  // A server: it runs until stopped and writes nothing that could fail on a closed pipe.
  await buildImage({ entry: path.join(import.meta.dirname, '..', 'test', 'boot', 'programs', 'soak-server.ts'), output: image });
  const qemuUp = () => execFileSync('sh', ['-c', `pgrep -f '[q]emu-system-x86_64.*${image}' || true`], { encoding: 'utf8' }).trim() !== '';
  const cli = spawn(process.execPath, [path.join(import.meta.dirname, 'nimbus.mjs'), 'run', image], { stdio: 'ignore' });
  for (const t0 = Date.now(); !qemuUp() && Date.now() - t0 < 30_000;) await new Promise((r) => setTimeout(r, 50));
  assert.ok(qemuUp(), 'QEMU started');
  cli.kill('SIGKILL');
  for (const t0 = Date.now(); qemuUp() && Date.now() - t0 < 5_000;) await new Promise((r) => setTimeout(r, 50));
  const left = qemuUp();
  if (left) execFileSync('sh', ['-c', `pkill -KILL -f '[q]emu-system-x86_64.*${image}' || true`]);
  assert.equal(left, false, 'no QEMU left running after the CLI\'s SIGKILL');
});

test('an environment too big for the QEMU command line is refused with a clear error, not cut', () => {
  const o = { image: 'x.img', memMiB: 64, machine: 'microvm' as const, args: [], ports: [], net: { kind: 'none' as const } };
  const fits = qemuArgs({ ...o, env: { K: 'v'.repeat(2000) } });
  assert.ok(Buffer.byteLength(fits[fits.indexOf('-append') + 1]!) <= QEMU_CMDLINE_MAX);
  assert.throws(() => qemuArgs({ ...o, env: { K: 'v'.repeat(4000) } }), (e: unknown) =>
    e instanceof RunError && /take \d+ bytes on the guest's command line; a QEMU image carries at most 4095/.test(e.message) && /--include \.env/.test(e.message));
});

test('a VM whose exit record was lost still ends with its code from isa-debug-exit; QEMU\'s own status 1 stays a VM failure', async () => {
  const { runImage } = await import('./run.ts');
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const dir = mkdtempSync(path.join(tmpdir(), 'nimbus-run-test-'));
  try {
    const image = path.join(dir, 'x.img');
    writeFileSync(image, '');
    // Stands in for QEMU (the launcher runs before its command line and never execs it).
    const fake = (status: number, started: boolean) => {
      const f = path.join(dir, `qemu-${status}-${started}.sh`);
      writeFileSync(f, `#!/bin/sh\nprintf '${started ? '\\020S\\0201hello\\n' : ''}'\nexit ${status}\n`, { mode: 0o755 });
      return [f];
    };
    const run = async (status: number, started: boolean) => {
      let out = '', err = '';
      const code = await runImage({ ...base, image, net: { kind: 'none' }, launcher: fake(status, started), stdout: (b) => (out += Buffer.from(b)), stderr: (b) => (err += Buffer.from(b)) });
      return { code, out, err };
    };
    const lost = await run((122 << 1) | 1, true);
    assert.equal(lost.code, 122);
    assert.equal(lost.out, 'hello\n');
    assert.match(lost.err, /the console lost output at the end .* exit code 122 from QEMU's exit status/);
    const failed = await run(1, true);
    assert.equal(failed.code, 125);
    assert.match(failed.err, /stopped without reporting an exit code \(QEMU exit status 1\)/);
    assert.equal((await run(245, false)).code, 125, 'no start marker: not our guest\'s exit');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

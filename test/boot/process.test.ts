/**
 * The process target (core/platform/process/): the same image file QEMU boots, run as a Linux
 * process confined by seccomp. Every corpus program prints what it prints under node; faults,
 * out of memory and exit codes are reported as on the VM; the filter is really installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { runImage, kernelCommandLine, type RunOptions } from '../../cli/run.ts';
import { PROCESS_RUNNER, ROOT } from '../../cli/paths.ts';
import { normaliseOutput } from '../programs/normalise.ts';
import { buildTestImage, freePort } from './vm.ts';

const CORPUS = path.join(ROOT, 'test', 'programs');
const programs = readdirSync(CORPUS).filter((f) => /^\d\d-.*\.ts$/.test(f)).sort();

async function runProcess(image: string, args: string[] = [], extra: Partial<RunOptions> = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  let stdout = '', stderr = '';
  const code = await runImage({
    image, memMiB: 64, machine: 'microvm', args, env: {}, ports: [], net: { kind: 'none' }, target: 'process',
    stdout: (b) => (stdout += Buffer.from(b).toString()), stderr: (b) => (stderr += Buffer.from(b).toString()), ...extra,
  });
  return { stdout, stderr, code };
}

test('every corpus program prints the same on the process target as under node', async () => {
  for (const p of programs) {
    const file = path.join(CORPUS, p);
    const expectExit = Number(/^\/\/ expect-exit: (\d+)/.exec(readFileSync(file, 'utf8'))![1]);
    const node = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    const image = await buildTestImage(file, `prog-${p.replace(/\.ts$/, '')}`);
    // `// nimbus-net: user` (line 2): the program uses sockets, so it gets a user-mode network
    // (the stack loops 127.0.0.0/8 back to its own address); the rest run with none.
    const needsNet = /^\/\/ nimbus-net: user$/m.test(readFileSync(file, 'utf8'));
    const r = await runProcess(image, [], needsNet ? { net: { kind: 'user' } } : {});
    assert.equal(normaliseOutput(r.stdout), normaliseOutput(node.stdout), `${p}: stdout`);
    assert.equal(normaliseOutput(r.stderr), normaliseOutput(node.stderr), `${p}: stderr`);
    assert.equal(r.code, expectExit, `${p}: exit code`);
  }
});

test('the instance runs under a seccomp filter from before the program starts', async () => {
  const image = await buildTestImage(path.join(ROOT, 'test', 'boot', 'programs', 'idle.ts'));
  const cmdline = kernelCommandLine({ image, memMiB: 16, machine: 'microvm', args: [], env: {}, ports: [], net: { kind: 'none' } });
  const child = spawn(PROCESS_RUNNER, [image, '16', cmdline], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  // The program has started (printed) before we look: the filter is on by then.
  while (!out.includes('\x10S')) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 300));
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  child.kill('SIGKILL');
  assert.match(status, /^Seccomp:\s+2$/m);
  assert.match(status, /^NoNewPrivs:\s+1$/m);
});

test('faults, out of memory and the CPU budget end with the VM\'s exit codes', async () => {
  const fault = await buildTestImage(path.join(ROOT, 'test', 'boot', 'programs', 'fault.ts'));
  const pf = await runProcess(fault, ['pf'], { testHooks: true });
  assert.equal(pf.code, 121, pf.stderr);
  assert.match(pf.stderr, /nimbus: CPU fault: page fault/);
  const oom = await buildTestImage(path.join(ROOT, 'test', 'boot', 'programs', 'oom-modes.ts'));
  const small = await runProcess(oom, ['small'], { memMiB: 16 });
  assert.equal(small.code, 122, small.stderr);
  assert.match(small.stderr, /^nimbus: out of memory: the JavaScript heap limit/);
  const spin = await buildTestImage(path.join(ROOT, 'test', 'boot', 'programs', 'spin.ts'));
  const budget = await runProcess(spin, [], { cpuBudgetMs: 300 });
  assert.equal(budget.code, 123, budget.stderr);
});

test('a forbidden system call kills the instance: exit 124, said on stderr', async () => {
  const image = await buildTestImage(path.join(ROOT, 'test', 'boot', 'programs', 'forbidden-call.ts'));
  const r = await runProcess(image, [], { testHooks: true });
  assert.equal(r.code, 124, r.stderr);
  assert.equal(r.stdout, 'calling openat\n', 'nothing runs after the call');
  assert.match(r.stderr, /killed by SIGSYS: it made a system call outside its seccomp allow-list/);
});

test('the instance holds only stdin, the console and stderr: inherited descriptors are closed', async () => {
  const image = await buildTestImage(path.join(ROOT, 'test', 'boot', 'programs', 'idle.ts'));
  const cmdline = kernelCommandLine({ image, memMiB: 16, machine: 'microvm', args: [], env: {}, ports: [], net: { kind: 'none' } });
  // A leaked descriptor (an extra pipe at fd 3) as a careless parent would pass.
  const child = spawn(PROCESS_RUNNER, [image, '16', cmdline], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  while (!out.includes('\x10S')) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 300));
  const fds = readdirSync(`/proc/${child.pid}/fd`).map(Number).sort((a, b) => a - b);
  child.kill('SIGKILL');
  assert.deepEqual(fds, [0, 1, 2]);
});

test('bad network options are refused with a clear error', async () => {
  const image = await buildTestImage(path.join(ROOT, 'test', 'boot', 'programs', 'idle.ts'));
  const tapWithPorts = { net: { kind: 'tap', ifname: 'nbx0' } as const, ports: [{ hostAddress: '127.0.0.1', hostPort: 1, guestPort: 80, proto: 'tcp' as const }] };
  await assert.rejects(runProcess(image, [], tapWithPorts), /-p publishes ports in user mode only/);
  const udp = { ports: [{ hostAddress: '127.0.0.1', hostPort: 1, guestPort: 53, proto: 'udp' as const }] };
  await assert.rejects(runProcess(image, [], { ...udp, net: { kind: 'user' } }), /publishes TCP ports only/);
  await assert.rejects(runProcess(image, [], { net: { kind: 'user' }, ip: '192.168.1.5/24' }), /in user mode the process target's address is on 10\.0\.2\.0\/24/);
  const nf = spawnSync(path.join(ROOT, 'build', 'nimbus-netfd'), ['tap:', '3', 'true'], { encoding: 'utf8' });
  assert.equal(nf.status, 2);
  assert.match(nf.stderr, /the link must be tap:IFNAME or packet:IFNAME/);
});

test('--profile samples the JS stack: the hot function is where the samples fall; without it there are none', async () => {
  const { summarize } = await import('../../bench/profile/js-samples.ts');
  const image = await buildTestImage(path.join(ROOT, 'test', 'boot', 'programs', 'hot-loop.ts'));
  const sampled = await runProcess(image, [], { profileUs: 1000 });
  assert.equal(sampled.code, 0);
  assert.equal(sampled.stdout, 'done\n');
  const s = summarize(sampled.stderr);
  // 300 ms of spinning at one sample per ms at most: well over 50 even on a loaded host.
  assert.ok(s.samples > 50, `${s.samples} samples`);
  assert.match(s.self[0]![0], /^spinForAWhile \(/, JSON.stringify(s.self.slice(0, 3)));
  assert.ok(s.inclusive.find(([f]) => f.startsWith('spinForAWhile'))![1] >= s.samples * 0.9);
  const plain = await runProcess(image);
  assert.equal(plain.stderr.includes('PROF|'), false);
});

/** Pids of running processes whose command line contains `text`. */
function pidsWith(text: string): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    try { return readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(text) ? [Number(d)] : []; } catch { return []; }
  });
}

test('`nimbus run` killed with SIGKILL takes its instance and user-mode relay with it; a runner started without it (a fleet) lives on', async () => {
  const image = await buildTestImage(path.join(ROOT, 'test', 'boot', 'programs', 'soak-server.ts'), 'exit-with-parent');
  const settle = async (ms: number) => new Promise((r) => setTimeout(r, ms));
  const until = async (f: () => boolean, ms: number) => { for (const t0 = Date.now(); !f() && Date.now() - t0 < ms;) await settle(50); return f(); };
  for (const args of [[], ['-p', `${await freePort()}:8080`]]) {
    const cli = spawn(process.execPath, [path.join(ROOT, 'cli', 'nimbus.mjs'), 'run', image, '--target', 'process', ...args], { stdio: 'ignore' });
    assert.ok(await until(() => pidsWith(PROCESS_RUNNER).some((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(image) && !readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('__usernet')), 15_000), `instance started (${args.join(' ') || 'no network'})`);
    cli.kill('SIGKILL');
    assert.ok(await until(() => pidsWith(image).length === 0, 5000), `instance and relay gone after the CLI's SIGKILL (${args.join(' ') || 'no network'}): ${pidsWith(image)}`);
  }
  // The runner itself, as a fleet supervisor starts it: its parent's death does not end it.
  const cmdline = kernelCommandLine({ image, memMiB: 16, machine: 'microvm', args: [], env: {}, ports: [], net: { kind: 'none' } });
  const log = path.join(ROOT, 'build', 'test-images', 'exit-with-parent.log');
  const parent = spawn('sh', ['-c', `"${PROCESS_RUNNER}" "${image}" 16 '${cmdline}' >"${log}" 2>&1 </dev/null & echo $!`], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = Number(await new Promise<string>((r) => parent.stdout.once('data', (b: Buffer) => r(b.toString()))));
  await new Promise((r) => parent.once('exit', r));
  await settle(500);
  const alive = existsSync(`/proc/${pid}`);
  try { process.kill(pid, 'SIGKILL'); } catch {}
  assert.ok(alive, `a runner without NIMBUS_EXIT_WITH_PARENT outlives its parent (its output: ${readFileSync(log, 'utf8')})`);
});

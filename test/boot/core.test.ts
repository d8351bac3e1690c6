/**
 * Boot tests of the core: faults, memory exhaustion, idling, both machine types.
 * Each boot costs ~0.5-3 s under TCG, so each test checks several things per boot.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { boot, buildTestImage } from './vm.ts';
import { findQemu, qemuArgs } from '../../cli/run.ts';

const programs = path.join(import.meta.dirname, 'programs');

test('a CPU fault prints the exception, registers and a backtrace, and exits 121', async () => {
  const image = await buildTestImage(path.join(programs, 'fault.ts'));
  for (const [kind, name] of [['ud', 'invalid opcode (#UD)'], ['pf', 'page fault (#PF)']] as const) {
    const r = await boot(image, { testHooks: true, args: [kind], memMiB: 32 });
    assert.equal(r.code, 121, r.stderr);
    assert.match(r.stdout, new RegExp(`raising ${kind}`));
    assert.match(r.stderr, new RegExp(`CPU exception \\d+: ${name.replace(/[()#]/g, '\\$&')}`));
    assert.match(r.stderr, /rax=[0-9a-f]{16}/);
    assert.match(r.stderr, /backtrace:\n {2}#0 0x[0-9a-f]{16}/);
    if (kind === 'pf') assert.match(r.stderr, /cr2=0x0000000000000010 \(null pointer\)/);
  }
});

test('the fault hook does not exist without --test-hooks', async () => {
  const image = await buildTestImage(path.join(programs, 'fault.ts'));
  const r = await boot(image, { args: ['ud'], memMiB: 32 });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /TypeError/);
});

test('a program exceeding the memory limit ends with a clear out-of-memory error', async () => {
  const image = await buildTestImage(path.join(programs, 'oom.ts'));
  const r = await boot(image, { memMiB: 24 });
  assert.equal(r.code, 122, r.stderr);
  assert.match(r.stderr, /out of memory/i);
  assert.match(r.stdout, /allocated 0 MB/);
});

// Out of memory is fatal as in Node (exit 122, a plain message, never a fault, even when the
// program catches the error); one impossible allocation fails alone and is catchable.
for (const [mode, code, out] of [
  ['small', 122, /^$/], ['caught', 122, /^(caught InternalError\n)?$/], ['large', 0, /caught true\nsurvived 1024/],
] as const) {
  test(`out of memory, ${mode}: exit ${code}`, async () => {
    const image = await buildTestImage(path.join(programs, 'oom-modes.ts'));
    const r = await boot(image, { args: [mode], memMiB: 16 });
    assert.equal(r.code, code, r.stderr);
    assert.match(r.stdout, out);
    if (code === 122) assert.match(r.stderr, /^nimbus: out of memory: the JavaScript heap limit \(\d+ KiB of \d+ KiB RAM\) was reached with \d+ KiB in use asking for \d+ bytes; run with a larger --mem\n(nimbus: the heap held \d+ objects \(\d+ KiB\), \d+ strings \(\d+ KiB\), \d+ arrays \(\d+ elements\), \d+ ArrayBuffers\/typed arrays \(\d+ KiB\), \d+ functions \(\d+ KiB of code\)\n)?$/);
    else assert.equal(r.stderr, '');
    if (mode === 'small') assert.match(r.stderr, /the heap held [1-9]\d{4,} objects/, 'the report names what held the memory');
  });
}

// GC pacing (issue 10): a program holding ~70% of its limit and making cyclic garbage (which
// only a collection frees) finishes; without the core collecting before the limit it exited 122.
test('the core collects garbage before the heap limit fails an allocation', async () => {
  const image = await buildTestImage(path.join(programs, 'gc-pacing.ts'));
  const r = await boot(image, { testHooks: true, memMiB: 16 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^survived \d+ paced=true pressure=true\n$/);
});

function qemuCpuSeconds(image: string, machine: 'microvm' | 'q35'): { cpu: number; wall: number; stdout: string } {
  const args = qemuArgs({ image, memMiB: 32, machine, args: [], env: {}, ports: [], net: { kind: 'none' } });
  const t0 = Date.now();
  // The shell reports its waited-for child's user+system ticks (fields 16-17 of /proc/self/stat).
  const r = spawnSync('sh', ['-c', '"$0" "$@" > /tmp/nimbus-idle-out.$$; cat /tmp/nimbus-idle-out.$$; rm -f /tmp/nimbus-idle-out.$$; echo; cat /proc/$$/stat', findQemu(), ...args], { encoding: 'latin1' });
  const wall = (Date.now() - t0) / 1000;
  const lines = r.stdout.trimEnd().split('\n');
  const stat = lines.pop()!.replace(/^.*\) /, '').split(' ');
  const ticks = Number(stat[13]) + Number(stat[14]); // cutime + cstime, after the comm field
  return { cpu: ticks / 100, wall, stdout: lines.join('\n') };
}

for (const machine of ['microvm', 'q35'] as const) {
  test(`an idle program halts the CPU instead of spinning (${machine})`, async () => {
    const image = await buildTestImage(path.join(programs, 'idle.ts'));
    const r = qemuCpuSeconds(image, machine);
    assert.match(r.stdout, /woke after 2(\.\d)? s/);
    assert.ok(r.wall >= 2, `wall ${r.wall}`);
    // Spinning would burn about as much CPU as wall time (>= 2 s); boot itself costs well under 1 s.
    assert.ok(r.cpu < 1.2, `QEMU used ${r.cpu} s of CPU over ${r.wall} s`);
  });
}

for (const machine of ['microvm', 'q35'] as const) {
  test(`virtio-net and virtio-rng are found and interrupt-driven entropy arrives (${machine})`, async () => {
    const image = await buildTestImage(path.join(programs, 'devices.ts'));
    const r = await boot(image, { machine, net: { kind: 'user' }, memMiB: 32 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`machine=${machine}`));
    assert.match(r.stdout, /net mac=52:54:00:12:34:56 mtu=1500 link=true/);
    assert.match(r.stdout, /rng=1 errors=\[\] skipped=\[\]/);
    assert.match(r.stdout, /entropy bytes=yes/);
  });
}

test('an endless loop is stopped by the CPU budget (exit 123) with a clear message', async () => {
  const image = await buildTestImage(path.join(programs, 'spin.ts'));
  const r = await boot(image, { cpuBudgetMs: 500, memMiB: 32 });
  assert.equal(r.code, 123, r.stderr);
  assert.match(r.stdout, /spinning/);
  assert.match(r.stderr, /ran for more than 500 ms without returning to the event loop/);
});

test('process.memoryUsage() reports the core heap and the JS heap limit', async () => {
  const image = await buildTestImage(path.join(programs, 'memory-usage.ts'));
  const r = await boot(image, { memMiB: 32 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'true true true 200000\n');
});

test('a kernel command line longer than the core takes is refused at boot (exit 70, a message), never cut', async () => {
  const image = await buildTestImage(path.join(programs, '..', '..', '..', 'examples', 'hello', 'main.ts'));
  const args = qemuArgs({ image, memMiB: 32, machine: 'microvm', args: [], env: {}, ports: [], net: { kind: 'none' } });
  // Another launcher (not `nimbus run`, which refuses first) passes 5 KB.
  args[args.indexOf('-append') + 1] += ` nimbus.pad=${'x'.repeat(5000)}`;
  const r = spawnSync(findQemu(), args, { encoding: 'latin1', timeout: 120_000 });
  assert.match(r.stdout, /the kernel command line is longer than 4095 bytes/);
  assert.match(r.stdout, /\x10X70\n/);
  assert.doesNotMatch(r.stdout, /\x10T/, 'no timing record before the clock is calibrated');
});

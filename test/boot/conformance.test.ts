/**
 * The hw conformance suite (os/hw/conformance.ts) inside real images: the PVH core on both
 * QEMU machines and the process core. Each must pass every check, and run the same checks the
 * fake runs in Node for the same groups (os/hw/conformance.test.ts), so the fake the unit
 * tests use and the cores agree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { runImage, type RunOptions } from '../../cli/run.ts';
import { runConformance, type CheckResult } from '../../os/hw/conformance.ts';
import { createFakeHw } from '../../os/hw/fake.ts';
import type { HwGroup, OptionalGroup } from '../../os/hw/hw.ts';
import { boot, buildTestImage } from './vm.ts';

interface Report { machine: string; groups: HwGroup[]; results: CheckResult[] }

function report(stdout: string, stderr: string): Report {
  const line = /^CONFORMANCE (.*)$/m.exec(stdout);
  assert.ok(line, `no CONFORMANCE line\n${stdout}\n${stderr}`);
  return JSON.parse(line[1]!) as Report;
}

// Every core also offers the crypto group (core/include/hw-crypto.h); its checks are the known
// answers and argument checks of test/boot/crypto.test.ts, so the fake need not offer it.
function assertConforms(r: Report, optional: OptionalGroup[]): void {
  assert.deepEqual(r.results.filter((x) => !x.ok), [], `${r.machine}: failed checks`);
  assert.deepEqual(r.groups, ['clock', 'console', 'yield', 'exit', 'entropy', 'boot', 'engine', ...optional, 'crypto']);
  const fake = runConformance(createFakeHw({ groups: optional }));
  assert.deepEqual(r.results.map((x) => x.name), fake.map((x) => x.name), 'the same checks as the fake');
}

const program = path.join(import.meta.dirname, 'programs', 'hw-conformance.ts');

test('the PVH core conforms on microvm and q35 (all PC groups)', async () => {
  const image = await buildTestImage(program);
  for (const machine of ['microvm', 'q35'] as const) {
    const r = await boot(image, { machine, memMiB: 32 });
    assert.equal(r.code, 0, r.stderr);
    const rep = report(r.stdout, r.stderr);
    assert.equal(rep.machine, machine);
    assertConforms(rep, ['pci', 'mmio', 'ports', 'irq', 'dma']);
  }
});

test('the process core conforms (no optional group but crypto)', async () => {
  const image = await buildTestImage(program);
  let stdout = '', stderr = '';
  const code = await runImage({
    image, memMiB: 32, machine: 'microvm', args: [], env: {}, ports: [], net: { kind: 'none' }, target: 'process',
    stdout: (b) => (stdout += Buffer.from(b).toString()), stderr: (b) => (stderr += Buffer.from(b).toString()),
  } satisfies RunOptions);
  assert.equal(code, 0, stderr);
  assertConforms(report(stdout, stderr), []);
});

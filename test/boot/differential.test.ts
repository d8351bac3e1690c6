/**
 * Differential boot tests: every program in test/programs runs under `node` (tsx) and in a
 * Nimbus image under QEMU; normalised stdout, stderr (test/programs/normalise.ts, rules in
 * os/runtime/README.md) and the exit code must match. A few programs also boot on q35.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { normaliseOutput } from '../programs/normalise.ts';
import { boot, buildTestImage } from './vm.ts';
import { ROOT } from '../../cli/paths.ts';

const DIR = path.join(ROOT, 'test', 'programs');
const programs = fs.readdirSync(DIR).filter((f) => /^\d\d-.*\.ts$/.test(f)).sort();
const ON_Q35 = new Set(['01-hello.ts', '04-timers.ts', '11-uncaught-throw.ts']);

for (const p of programs) {
  const machines = ON_Q35.has(p) ? (['microvm', 'q35'] as const) : (['microvm'] as const);
  test(`${p}: same output and exit code under node and in the image (${machines.join(', ')})`, async () => {
    const file = path.join(DIR, p);
    const expectExit = Number(/^\/\/ expect-exit: (\d+)/.exec(fs.readFileSync(file, 'utf8'))![1]);
    const node = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.equal(node.status, expectExit, `node exit code (stderr: ${node.stderr})`);
    // `// nimbus-net: user`: the program uses sockets over 127.0.0.1, so QEMU gets user-mode net.
    const needsNet = /^\/\/ nimbus-net: user$/m.test(fs.readFileSync(file, 'utf8'));
    const image = await buildTestImage(file, `prog-${p.replace(/\.ts$/, '')}`);
    for (const machine of machines) {
      const vm = await boot(image, { machine, memMiB: 64, ...(needsNet ? { net: { kind: 'user' as const } } : {}) });
      assert.equal(normaliseOutput(vm.stdout), normaliseOutput(node.stdout), `stdout on ${machine}`);
      assert.equal(normaliseOutput(vm.stderr), normaliseOutput(node.stderr), `stderr on ${machine}`);
      assert.equal(vm.code, expectExit, `exit code on ${machine}`);
    }
  });
}

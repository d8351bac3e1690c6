/**
 * Differential check of the corpus without a VM: each program runs under node (tsx) and
 * on the Nimbus runtime in a bare V8 context with a fake hw (os/runtime/vm-harness), and
 * the normalised stdout, stderr and exit codes must match. The lead's runner does the
 * same against the real image.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runProgram } from '../../os/runtime/vm-harness.test-helper.ts';
import { normaliseOutput } from './normalise.ts';

const DIR = import.meta.dirname;
const ROOT = path.resolve(DIR, '../..');
/**
 * Programs the V8 harness cannot reproduce: no engine rejection tracker there (18, 22); its
 * stacks name the bundle, not the program's .ts file, since only the image maps them (28);
 * a fresh V8 context lacks Node 20's Symbol.dispose/asyncDispose, which Node adds itself (25);
 * AsyncLocalStorage across await needs the image's lowered await and engine promise hook (70).
 * Programs with a `// nimbus-net: user` line use sockets: the fake hw has no network device, so
 * 127.0.0.1 is unreachable there (ENETUNREACH); the image runners give them a user-mode network.
 */
const VM_SKIP = new Set(['18-unhandled-rejection.ts', '22-error-listener.ts', '25-using.ts', '28-engine-errors.ts', '70-async-context-await.ts']);

const programs = fs.readdirSync(DIR).filter((f) => /^\d\d-.*\.ts$/.test(f)).sort();

test('the corpus has at least 18 programs, each declaring its exit code', () => {
  assert.ok(programs.length >= 18);
  for (const p of programs) assert.match(fs.readFileSync(path.join(DIR, p), 'utf8'), /^\/\/ expect-exit: \d+\n/);
});

for (const p of programs) {
  test(`${p} prints the same under node and on the Nimbus runtime`, { skip: VM_SKIP.has(p) || /^\/\/ nimbus-net: user$/m.test(fs.readFileSync(path.join(DIR, p), 'utf8')) }, () => {
    const file = path.join(DIR, p);
    const expectExit = Number(/^\/\/ expect-exit: (\d+)/.exec(fs.readFileSync(file, 'utf8'))![1]);
    const node = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.equal(node.status, expectExit, `node exit code (stderr: ${node.stderr})`);
    const ours = runProgram(file);
    assert.equal(normaliseOutput(ours.stdout), normaliseOutput(node.stdout));
    assert.equal(normaliseOutput(ours.stderr), normaliseOutput(node.stderr));
    assert.equal(ours.code, expectExit);
  });
}

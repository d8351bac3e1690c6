/**
 * Node-only test helper (never bundled into an image): runs a program on the real runtime
 * inside a fresh V8 context with only ES built-ins, a fake hw, and a context-local
 * microtask queue that `hw.runMicrotasks()` drains, which is how QuickJS behaves.
 * The program is bundled with esbuild as the image build does (prelude first; `node:*`
 * names resolved by cli/modules.ts, in a child process: vm-bundle.test-helper.ts).
 *
 * Limits: V8 writes its own stack format (so source-map rewriting is not exercised here),
 * and there is no engine rejection tracker, so unhandled rejections are not reported.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { createFakeHw, type FakeHwOptions } from '../hw/fake.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export function bundleProgram(programFile: string): { js: string; map: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'os/runtime/vm-bundle.test-helper.ts'), programFile], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`bundling ${programFile} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { js: string; map: string };
}

export interface RunResult { stdout: string; stderr: string; code: number | undefined }

export function runBundled(code: string, opts: FakeHwOptions = {}): RunResult {
  const ctx = vm.createContext({}, { microtaskMode: 'afterEvaluate' });
  const drain = new vm.Script('0');
  const hw = createFakeHw({ ...opts, runMicrotasks: () => drain.runInContext(ctx) });
  (ctx as Record<string, unknown>).__nimbus_hw = hw;
  try {
    new vm.Script(code, { filename: 'app.js' }).runInContext(ctx);
    const main = (ctx as Record<string, (p: unknown) => never>).__nimbus_main;
    main((ctx as Record<string, unknown>).__nimbus_eval);
  } catch (e) {
    if (hw.exitCode === undefined) throw e;
  }
  return { stdout: hw.stdout, stderr: hw.stderr, code: hw.exitCode };
}

/** Bundle and run a program given as source text (written to a temporary file). */
export function runSource(source: string, opts: FakeHwOptions = {}): RunResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nimbus-prog-'));
  const file = path.join(dir, 'prog.ts');
  fs.writeFileSync(file, source);
  try {
    return runProgram(file, opts);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function runProgram(programFile: string, opts: FakeHwOptions = {}): RunResult {
  const { js, map } = bundleProgram(programFile);
  return runBundled(js, { sourceMap: map, ...opts });
}

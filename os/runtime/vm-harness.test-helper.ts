/**
 * Node-only test helper (never bundled into an image): runs a program on the real runtime
 * inside a fresh V8 context with only ES built-ins, a fake hw, and a context-local
 * microtask queue that `hw.runMicrotasks()` drains, which is how QuickJS behaves.
 * The program is bundled with esbuild as the image build does (prelude first; `node:*`
 * imports resolved to os/node/*.ts).
 *
 * Limits: V8 writes its own stack format (so source-map rewriting is not exercised here),
 * and there is no engine rejection tracker, so unhandled rejections are not reported.
 */
import { buildSync } from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { createFakeHw, type FakeHwOptions } from '../hw/fake.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** `node:x` and `node:x/y` → os/node/x.ts and os/node/x-y.ts, for the modules that exist. */
export function nodeAliases(): Record<string, string> {
  const alias: Record<string, string> = {};
  for (const f of fs.readdirSync(path.join(ROOT, 'os/node'))) {
    if (!f.endsWith('.ts') || f.endsWith('.test.ts')) continue;
    const name = f.slice(0, -3);
    alias[`node:${name.replace('-', '/')}`] = path.join(ROOT, 'os/node', f);
  }
  return alias;
}

export function bundleProgram(programFile: string): { js: string; map: string } {
  const entry = `import ${JSON.stringify(path.join(ROOT, 'os/runtime/prelude.ts'))};\n` +
    `globalThis.__nimbus_eval = import(${JSON.stringify(path.resolve(programFile))});\n`;
  const out = buildSync({
    stdin: { contents: entry, resolveDir: ROOT, loader: 'ts' },
    bundle: true, format: 'iife', target: 'es2022', write: false, keepNames: true, sourcemap: 'external', outfile: path.join(ROOT, 'app.js'), alias: nodeAliases(),
    logLevel: 'silent',
  });
  const js = out.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
  const map = out.outputFiles.find((f) => f.path.endsWith('.map'))!.text;
  return { js, map };
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

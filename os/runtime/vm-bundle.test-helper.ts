/**
 * Node-only test helper, run as a child process by vm-harness.test-helper.ts: bundles a program
 * as the image build does (prelude first, built-in names resolved by cli/modules.ts, whose
 * esbuild plugin needs the asynchronous API) and prints `{ js, map }` as JSON.
 */
import { build } from 'esbuild';
import * as path from 'node:path';
import { nodeDefines, nodeModulesPlugin } from '../../cli/modules.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const programFile = process.argv[2]!;
const entry = `import ${JSON.stringify(path.join(ROOT, 'os/runtime/prelude.ts'))};\n` +
  `import ${JSON.stringify(path.join(ROOT, 'os/node/internal/capture-stack-trace.ts'))};\n` +
  // The web globals and URLPattern (the image links them when the program names them; here always).
  `import ${JSON.stringify(path.join(ROOT, 'os/boot/web-globals.ts'))};\n` +
  `import ${JSON.stringify(path.join(ROOT, 'os/boot/urlpattern-global.ts'))};\n` +
  `globalThis.__nimbus_eval = import(${JSON.stringify(path.resolve(programFile))});\n`;
const out = await build({
  stdin: { contents: entry, resolveDir: path.dirname(path.resolve(programFile)), loader: 'ts' },
  bundle: true, format: 'iife', target: 'es2022', write: false, keepNames: true, sourcemap: 'external', outfile: path.join(ROOT, 'app.js'),
  plugins: [nodeModulesPlugin()], mainFields: ['module', 'main'], conditions: ['nimbus', 'worker'],
  nodePaths: [path.join(ROOT, 'node_modules')], define: nodeDefines(), logLevel: 'silent',
});
const js = out.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
const map = out.outputFiles.find((f) => f.path.endsWith('.map'))!.text;
process.stdout.write(JSON.stringify({ js, map }));

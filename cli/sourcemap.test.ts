import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { pruneSourceMap } from './sourcemap.ts';

test('pruneSourceMap keeps the kept sources mapped exactly and drops the others', async () => {
  const r = await build({
    stdin: {
      contents: "import { helper } from './lib.ts';\nexport function main() {\n  return helper(1) + 2;\n}\nmain();\n",
      resolveDir: import.meta.dirname, sourcefile: 'app.ts', loader: 'ts',
    },
    plugins: [{
      name: 'lib',
      setup(b) {
        b.onResolve({ filter: /lib\.ts$/ }, () => ({ path: 'lib.ts', namespace: 'lib' }));
        b.onLoad({ filter: /.*/, namespace: 'lib' }, () => ({ contents: 'export function helper(x: number) {\n  return x * 3;\n}\n', loader: 'ts' }));
      },
    }],
    bundle: true, format: 'esm', write: false, sourcemap: 'external', outfile: 'out.js',
  });
  const mapText = r.outputFiles.find((f) => f.path.endsWith('.map'))!.text;
  const code = r.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
  const full = new TraceMap(mapText);
  const pruned = new TraceMap(pruneSourceMap(mapText, (s) => s.endsWith('app.ts')));
  assert.deepEqual(pruned.sources.map((s) => s?.replace(/^.*\//, '')), ['app.ts']);
  let checked = 0;
  code.split('\n').forEach((text, i) => {
    for (let column = 0; column < text.length; column++) {
      const a = originalPositionFor(full, { line: i + 1, column });
      const b = originalPositionFor(pruned, { line: i + 1, column });
      if (a.source?.endsWith('app.ts')) {
        assert.equal(b.line, a.line);
        assert.equal(b.column, a.column);
        checked++;
      } else if (a.source) {
        assert.equal(b.source, null, `column ${column} of line ${i + 1} belongs to ${a.source}`);
      }
    }
  });
  assert.ok(checked > 10, `checked ${checked} positions`);
});

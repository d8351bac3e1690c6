import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSync } from 'esbuild';
import { fixErrorStack, mapFrame, setSourceMapProvider } from './stack.ts';

function quickJsError(message: string, frames: string): Error {
  const e = new TypeError(message);
  Object.defineProperty(e, 'stack', { value: frames, writable: true, configurable: true });
  return e;
}

// A real esbuild map: app.ts line 3 holds the throw.
const built = buildSync({
  stdin: { contents: 'const a = 1;\nfunction boom(): never {\n  throw new Error("x");\n}\nboom();\n', sourcefile: 'src/app.ts', loader: 'ts' },
  write: false, sourcemap: 'external', outfile: 'app.js', format: 'esm',
});
const js = built.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
const map = built.outputFiles.find((f) => f.path.endsWith('.map'))!.text;
const throwLine = js.split('\n').findIndex((l) => l.includes('throw')) + 1;
const throwCol = js.split('\n')[throwLine - 1].indexOf('throw') + 1;

test('a raw QuickJS stack gets the Name: message header and mapped frames', () => {
  setSourceMapProvider(() => map);
  const e = quickJsError('bad', `    at boom (app.js:${throwLine}:${throwCol})\n    at <eval> (app.js:99:1)\n    at apply (native)\n`);
  fixErrorStack(e);
  const lines = e.stack!.split('\n');
  assert.equal(lines[0], 'TypeError: bad');
  assert.match(lines[1], /^ {4}at boom \(src\/app\.ts:3:3\)$/);
  assert.equal(lines[3], '    at apply (native)');
  assert.equal(lines.length, 4);
});

test('fixing is idempotent', () => {
  setSourceMapProvider(() => map);
  const e = quickJsError('once', `    at boom (app.js:${throwLine}:${throwCol})\n`);
  fixErrorStack(e);
  const first = e.stack;
  fixErrorStack(e);
  assert.equal(e.stack, first);
});

test('a missing or malformed source map leaves frames untouched', () => {
  for (const bad of [undefined, '{not json', '{"version":3,"mappings":"!!!","sources":[]}']) {
    setSourceMapProvider(() => bad);
    assert.equal(mapFrame('    at f (app.js:1:1)'), '    at f (app.js:1:1)');
    const e = quickJsError('m', '    at f (app.js:1:1)\n');
    fixErrorStack(e);
    assert.equal(e.stack, 'TypeError: m\n    at f (app.js:1:1)');
  }
});

test('an error with an empty message or a user-set stack is handled like Node', () => {
  setSourceMapProvider(() => undefined);
  const e = quickJsError('', '');
  fixErrorStack(e);
  assert.equal(e.stack, 'TypeError');
  const custom = new Error('c');
  custom.stack = 'custom stack';
  fixErrorStack(custom);
  assert.equal(custom.stack, 'custom stack');
});

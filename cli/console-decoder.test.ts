import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsoleDecoder } from './console-decoder.ts';

function decode(chunks: (string | number[])[]) {
  const out = { stdout: '', stderr: '', exit: undefined as number | undefined, timing: {} as Record<string, number> };
  const d = new ConsoleDecoder({
    stdout: (b) => (out.stdout += Buffer.from(b).toString('latin1')),
    stderr: (b) => (out.stderr += Buffer.from(b).toString('latin1')),
    exit: (c) => (out.exit = c),
    timing: (t) => (out.timing = t),
  });
  for (const c of chunks) d.push(typeof c === 'string' ? Buffer.from(c, 'latin1') : Uint8Array.from(c));
  return out;
}

test('ConsoleDecoder drops firmware output before the start marker', () => {
  const r = decode(['\x1b[2JSeaBIOS banner\r\n\x10S', 'hello\n']);
  assert.equal(r.stdout, 'hello\n');
  assert.equal(r.stderr, '');
});

test('ConsoleDecoder separates stdout and stderr and unescapes DLE', () => {
  const r = decode(['\x10Sout1 \x102err \x10\x10x\x101out2']);
  assert.equal(r.stdout, 'out1 out2');
  assert.equal(r.stderr, 'err \x10x');
});

test('ConsoleDecoder handles escapes split across chunks', () => {
  const r = decode(['\x10', 'Sa\x10', '2b\x10', '\x10', '\x10', 'X3', '\n']);
  assert.equal(r.stdout, 'a');
  assert.equal(r.stderr, 'b\x10');
  assert.equal(r.exit, 3);
});

test('ConsoleDecoder reports timing records', () => {
  const r = decode(['\x10Shi\x10Tentry_to_js_us=123 tsc_khz=2000\n\x10X0\n']);
  assert.deepEqual(r.timing, { entry_to_js_us: 123, tsc_khz: 2000 });
  assert.equal(r.exit, 0);
  assert.equal(r.stdout, 'hi');
});

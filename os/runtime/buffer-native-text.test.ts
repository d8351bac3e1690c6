import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshBufferClass } from './buffer-package.test-helper.ts';
import { addNativeTextEncoding } from './buffer-native-text.ts';
import { useNativeTextEncoder } from './encoding.ts';
import { referenceEncodeText } from '../hw/text-reference.ts';

// Two copies of the npm package: one patched, one as shipped, to compare against.
const load = freshBufferClass;
const Plain = load();
const Patched = load();
let calls = 0;
useNativeTextEncoder((s, e) => { calls++; return referenceEncodeText(s, e); });
addNativeTextEncoding(Patched as never);

const strings = ['', 'hello', 'caf\u00e9', '\u20ac\u4e2d', '\ud83d\ude00', 'lone \ud800', '\udc00 low', 'x'.repeat(5000) + '\u00ff'];

test('Buffer.from(string) and byteLength through the native encoder give the package\'s bytes', () => {
  for (const s of strings) {
    for (const enc of [undefined, 'utf8', 'utf-8', 'UTF8', 'latin1', 'binary', 'LATIN1']) {
      const before = calls;
      const got = Patched.from(s, enc as BufferEncoding), want = Plain.from(s, enc as BufferEncoding);
      assert.ok(calls > before, `${enc} went through the native encoder`);
      assert.ok(Patched.isBuffer(got) && got instanceof Patched, 'a Buffer of the patched class');
      assert.deepEqual([...got], [...want], `${JSON.stringify(s.slice(0, 12))} ${enc}`);
      assert.equal(Patched.byteLength(s, enc as BufferEncoding), Plain.byteLength(s, enc as BufferEncoding));
      assert.equal(got.toString(enc as BufferEncoding), want.toString(enc as BufferEncoding));
    }
  }
});

test('other encodings and argument shapes are the package\'s own', () => {
  const before = calls;
  assert.deepEqual([...Patched.from('00ff', 'hex')], [0, 255]);
  assert.deepEqual([...Patched.from('AQI=', 'base64')], [1, 2]);
  assert.deepEqual([...Patched.from([1, 2, 3])], [1, 2, 3]);
  assert.deepEqual([...Patched.from(new Uint8Array([4, 5]).buffer)], [4, 5]);
  assert.equal(Patched.byteLength('00ff', 'hex'), 2);
  assert.equal(Patched.byteLength(new Uint8Array(7)), 7);
  assert.equal(calls, before);
  assert.throws(() => Patched.from('x', 'nope' as BufferEncoding), /Unknown encoding/);
});

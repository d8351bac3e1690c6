import { test } from 'node:test';
import assert from 'node:assert/strict';
import { structuredClone as ours } from './clone.ts';

test('structuredClone matches Node on a rich value with cycles and shared references', () => {
  const shared = { v: 1 };
  const src: Record<string, unknown> = {
    n: -0, s: 'x', d: new Date(5), r: /ab+/gi, m: new Map<unknown, unknown>([['k', shared], [shared, 1]]), set: new Set([shared]),
    u8: new Uint8Array([1, 2, 3]), f64: new Float64Array([1.5]), dv: new DataView(new ArrayBuffer(4)), ab: new ArrayBuffer(2),
    big: 10n, boxed: Object(3), arr: [1, , 3], shared, again: shared, und: undefined,
  };
  src.self = src;
  const a = ours(src), b = structuredClone(src);
  assert.deepStrictEqual(a, b);
  assert.equal(a.self, a);
  assert.equal(a.shared, a.again);
  assert.notEqual(a.u8, src.u8);
});

test('typed array views of one buffer stay views of one cloned buffer', () => {
  const buf = new ArrayBuffer(8);
  const c = ours({ a: new Uint8Array(buf, 0, 4), b: new Uint16Array(buf, 4, 2) });
  assert.equal(c.a.buffer, c.b.buffer);
  assert.equal(c.b.byteOffset, 4);
});

test('errors keep their class, message and cause', () => {
  const e = ours(new RangeError('r', { cause: 'why' }));
  assert.ok(e instanceof RangeError);
  assert.equal(e.message, 'r');
  assert.equal(e.cause, 'why');
});

test('class instances become plain objects; functions and symbols throw DataCloneError', () => {
  class P { x = 1; }
  const p = ours(new P());
  assert.equal(Object.getPrototypeOf(p), Object.prototype);
  assert.throws(() => ours({ f() {} }), { name: 'DataCloneError' });
  assert.throws(() => ours(Symbol('s')), { name: 'DataCloneError' });
  assert.throws(() => ours(Promise.resolve()), { name: 'DataCloneError' });
  assert.throws(() => ours(new WeakMap()), { name: 'DataCloneError' });
});

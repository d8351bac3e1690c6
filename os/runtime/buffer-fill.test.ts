import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshBufferClass } from './buffer-package.test-helper.ts';
import { addNativeFill } from './buffer-fill.ts';

// Two copies of the npm package: one patched, one as shipped, to compare against.
const load = freshBufferClass;
const Plain = load();
const Patched = load();
addNativeFill(Patched as never);

const outcome = (f: () => Uint8Array) => {
  try {
    const b = f();
    return { bytes: [...b] };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
};

test('fill gives the package\'s bytes and errors for every argument shape', () => {
  const values: unknown[] = [0, 0x61, 300, -1, 1.7, NaN, true, false, 'a', 'ab', '', '\u00e9', '\u20ac', 'z', Plain.from([1, 2, 3])];
  const ranges: unknown[][] = [[], [2], [2, 7], [0, 16], [5, 5], [7, 2], [-1], [0, 17], [1.5, 6.5], ['latin1'], [3, 'latin1'], [3, 9, 'utf8'],
    [0, 16, 'ascii'], ['hex'], [2, 'bogus'], [0, 16, 7]];
  for (const v of values) {
    for (const r of ranges) {
      const value = Plain.isBuffer(v) ? Patched.from(v as Uint8Array) : v;
      const got = outcome(() => (Patched.alloc(16, 0x11) as any).fill(value, ...r));
      const want = outcome(() => (Plain.alloc(16, 0x11) as any).fill(v, ...r));
      assert.deepEqual(got, want, `fill(${JSON.stringify(v)}, ${JSON.stringify(r)})`);
    }
  }
  assert.deepEqual([...Patched.alloc(6, 'q')], [...Plain.alloc(6, 'q')]);
  assert.deepEqual([...Patched.alloc(6, 'xy', 'latin1')], [...Plain.alloc(6, 'xy', 'latin1')]);
});

test('a one-byte fill runs natively; patterns and bad ranges go to the package', () => {
  const Counted = load();
  let packageCalls = 0;
  const original = Counted.prototype.fill;
  Counted.prototype.fill = function (this: unknown, ...a: unknown[]) { packageCalls++; return (original as Function).apply(this, a); } as never;
  addNativeFill(Counted as never);
  const big = Counted.alloc(1 << 20, 0x61);
  assert.ok(big.every((b) => b === 0x61));
  (Counted.alloc(64, 'a') as any).fill(true, 3, 9).fill('z', 'latin1');
  assert.equal(packageCalls, 0, 'one-byte fills never reach the package');
  Counted.alloc(64).fill('ab');
  assert.throws(() => Counted.alloc(4).fill(1, -1), RangeError);
  assert.equal(packageCalls, 2);
});

// expect-exit: 0
// node:assert and assert/strict: passing checks stay quiet; failing ones throw AssertionError
// with Node's code, operator and message.
import assert from 'node:assert';
import strict from 'node:assert/strict';

function show(f: () => unknown): void {
  try { f(); console.log('passed'); } catch (e) {
    const x = e as { name: string; code: string; operator: string; message: string; generatedMessage: boolean };
    console.log(x.name, x.code, x.operator, x.generatedMessage, JSON.stringify(x.message));
  }
}
show(() => assert.ok(true));
show(() => assert.equal(1, '1'));
show(() => assert.strictEqual(1, 2));
show(() => strict.equal(1, '1'));
show(() => assert.deepStrictEqual({ a: [1, 2] }, { a: [1, 2] }));
show(() => assert.notStrictEqual(3, 3));
show(() => assert.ok(false, 'custom message'));
show(() => assert.throws(() => { throw new TypeError('bad'); }, TypeError));
show(() => assert.throws(() => {}, Error));
show(() => assert.match('abc', /x/));
show(() => assert.fail('failed on purpose'));
show(() => strict.deepEqual(new Map([[1, 'a']]), new Map([[1, 'a']])));
show(() => assert.notDeepStrictEqual([1], [1]));
show(() => assert.ifError(null));
assert.rejects(Promise.reject(new Error('no')), /no/).then(() => console.log('rejects ok'));
console.log(typeof assert.AssertionError, strict === assert.strict);

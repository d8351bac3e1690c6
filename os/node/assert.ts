/** node:assert: Node's assert as packaged on npm (`assert`, a port of Node's lib/assert.js). */
import impl from 'assert/build/assert.js';

type AssertModule = typeof import('node:assert');
const assert = impl as AssertModule;
export const {
  AssertionError, ok, equal, notEqual, deepEqual, notDeepEqual, deepStrictEqual, notDeepStrictEqual, strictEqual, notStrictEqual,
  throws, doesNotThrow, rejects, doesNotReject, ifError, match, doesNotMatch, fail, strict,
} = assert;
export default assert;

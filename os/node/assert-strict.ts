/** node:assert/strict: assert's strict mode object. */
import assert from './assert.ts';

const strict = assert.strict;
export const {
  AssertionError, ok, equal, notEqual, deepEqual, notDeepEqual, deepStrictEqual, notDeepStrictEqual, strictEqual, notStrictEqual,
  throws, doesNotThrow, rejects, doesNotReject, ifError, match, doesNotMatch, fail,
} = strict;
export { strict };
export default strict;

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COOKIE_STEP_MS, MSS_TABLE, SynCookies } from './syn-cookies.ts';

const L = 0x0a000002, R = 0x0a000063;
let seed = 1;
const random = (b: Uint8Array) => { for (let i = 0; i < b.length; i++) b[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24; };
const now = 10 * COOKIE_STEP_MS + 500;

test('make/check: a cookie comes back with the MSS it encodes (rounded down to the table)', () => {
  const c = new SynCookies(random);
  for (const [peer, want] of [[1460, 1460], [1459, 1452], [9000, 1460], [1400, 1400], [1000, 536], [undefined, 536]] as const) {
    const k = c.make(now, L, 80, R, 40000, 12345, peer);
    assert.equal(c.check(now + 1000, L, 80, R, 40000, 12345, k), want, `peer MSS ${peer}`);
    assert.equal(SynCookies.encodedMss(peer), want);
  }
  assert.equal(MSS_TABLE.length, 8);
});

test('check() rejects a cookie for another 4-tuple, another peer ISN, or another secret', () => {
  const c = new SynCookies(random);
  const k = c.make(now, L, 80, R, 40000, 777, 1460);
  assert.equal(c.check(now, L, 80, R, 40000, 777, k), 1460);
  assert.equal(c.check(now, L, 80, R, 40001, 777, k), undefined, 'remote port');
  assert.equal(c.check(now, L, 81, R, 40000, 777, k), undefined, 'local port');
  assert.equal(c.check(now, L, 80, R + 1, 40000, 777, k), undefined, 'remote address');
  assert.equal(c.check(now, L + 1, 80, R, 40000, 777, k), undefined, 'local address');
  assert.equal(c.check(now, L, 80, R, 40000, 778, k), undefined, 'peer ISN');
  assert.equal(new SynCookies(random).check(now, L, 80, R, 40000, 777, k), undefined, 'another secret');
});

test('check() accepts a cookie for one to two counter steps, then never (an old cookie is rejected)', () => {
  const c = new SynCookies(random);
  const k = c.make(now, L, 80, R, 40000, 1, 1460);
  assert.equal(c.check(now + COOKIE_STEP_MS, L, 80, R, 40000, 1, k), 1460, 'next step');
  assert.equal(c.check(now + 2 * COOKIE_STEP_MS, L, 80, R, 40000, 1, k), undefined, 'two steps on');
  // The 5-bit counter wraps after 32 steps: the hash over the real t still rejects it.
  assert.equal(c.check(now + 32 * COOKIE_STEP_MS, L, 80, R, 40000, 1, k), undefined, 'wrapped counter');
  assert.equal(c.check(now - COOKIE_STEP_MS, L, 80, R, 40000, 1, k), undefined, 'from the future');
});

test('forged cookies: of 200,000 guesses for one 4-tuple, at most a handful pass (2^-24 each)', () => {
  const c = new SynCookies(random);
  let passed = 0;
  let x = 0x12345678;
  for (let i = 0; i < 200_000; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    if (c.check(now, L, 80, R, 40000, 99, x) !== undefined) passed++;
  }
  assert.ok(passed <= 3, `${passed} forged cookies passed`);
});

test('cookies for different peers and ISNs differ (the hash is not constant)', () => {
  const c = new SynCookies(random);
  const seen = new Set<number>();
  for (let p = 0; p < 1000; p++) seen.add(c.make(now, L, 80, R, 30000 + p, p * 7, 1460) & 0xffffff);
  assert.ok(seen.size > 990, `${seen.size} distinct hashes of 1000`);
});

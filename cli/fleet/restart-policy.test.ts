import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKOFF_BASE_MS, BACKOFF_MAX_MS, decideRestart } from './restart-policy.ts';

test('no never restarts; on-failure only after a non-zero or unknown code; always after any', () => {
  assert.deepEqual(decideRestart('no', { exitCode: 1, ranMs: 5, streak: 0 }), { restart: false });
  assert.deepEqual(decideRestart('on-failure', { exitCode: 0, ranMs: 5, streak: 0 }), { restart: false });
  assert.equal(decideRestart('on-failure', { exitCode: 3, ranMs: 5, streak: 0 }).restart, true);
  assert.equal(decideRestart('on-failure', { exitCode: null, ranMs: 5, streak: 0 }).restart, true);
  assert.equal(decideRestart('always', { exitCode: 0, ranMs: 5, streak: 0 }).restart, true);
});

test('the delay doubles with each quick crash, up to the maximum, and a long run resets it', () => {
  const delays: number[] = [];
  let streak = 0;
  for (let i = 0; i < 10; i++) {
    const d = decideRestart('always', { exitCode: 1, ranMs: 10, streak });
    assert.ok(d.restart);
    delays.push(d.delayMs);
    streak = d.streak;
  }
  assert.deepEqual(delays.slice(0, 4), [BACKOFF_BASE_MS, 2 * BACKOFF_BASE_MS, 4 * BACKOFF_BASE_MS, 8 * BACKOFF_BASE_MS]);
  assert.equal(delays.at(-1), BACKOFF_MAX_MS);
  const after = decideRestart('always', { exitCode: 1, ranMs: 60_000, streak });
  assert.deepEqual(after, { restart: true, delayMs: BACKOFF_BASE_MS, streak: 1 });
});

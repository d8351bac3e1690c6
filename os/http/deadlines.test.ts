import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { Deadlines } from './deadlines.ts';

/**
 * A fake clock driven with Node's mock timers: `now()` is the mock's time minus `lag` ms (set
 * it to make a timer fire a little before the deadline the caller computed, as Node's cached
 * loop time allows). `arms` counts the timers Deadlines starts.
 */
function harness(slots: number) {
  mock.timers.enable({ apis: ['setTimeout'], now: 0 });
  let t = 0, lag = 0;
  const fired: number[] = [];
  let arms = 0;
  const realSetTimeout = globalThis.setTimeout;
  globalThis.setTimeout = ((fn: () => void, ms: number) => { arms++; return realSetTimeout(fn, ms); }) as typeof setTimeout;
  const d = new Deadlines(Array.from({ length: slots }, (_, i) => () => fired.push(i)), () => t - lag);
  const setLag = (ms: number) => { lag = ms; };
  return {
    d, fired, setLag,
    arms: () => arms,
    advance(ms: number) { for (let i = 0; i < ms; i++) { t++; mock.timers.tick(1); } },
    done() { globalThis.setTimeout = realSetTimeout; mock.timers.reset(); },
  };
}

test('a deadline runs its handler once, when its time has come and not before', () => {
  const h = harness(2);
  try {
    h.d.set(1, 100);
    h.advance(99);
    assert.deepEqual(h.fired, []);
    h.advance(1);
    assert.deepEqual(h.fired, [1]);
    assert.equal(h.d.isSet(1), false);
    h.advance(500);
    assert.deepEqual(h.fired, [1]);
  } finally { h.done(); }
});

test('clear() and clearAll() keep handlers from running', () => {
  const h = harness(3);
  try {
    h.d.set(0, 50);
    h.d.set(1, 60);
    h.d.set(2, 70);
    h.d.clear(0);
    h.advance(65);
    assert.deepEqual(h.fired, [1]);
    h.d.clearAll();
    h.advance(100);
    assert.deepEqual(h.fired, [1]);
  } finally { h.done(); }
});

test('moving a deadline later runs it at the new time, not the old one', () => {
  const h = harness(1);
  try {
    h.d.set(0, 100);
    h.advance(80);
    h.d.set(0, 100); // now due at 180
    h.advance(40);
    assert.deepEqual(h.fired, []);
    h.advance(59);
    assert.deepEqual(h.fired, []);
    h.advance(1);
    assert.deepEqual(h.fired, [0]);
  } finally { h.done(); }
});

test('an earlier deadline re-arms the timer; later ones and clears do not touch it', () => {
  const h = harness(3);
  try {
    h.d.set(0, 60_000);
    h.d.set(1, 300_000);
    assert.equal(h.arms(), 1);
    h.d.set(2, 5_000); // earlier: armed again
    assert.equal(h.arms(), 2);
    // A keep-alive connection's requests: set and clear, always later than the armed time.
    for (let i = 0; i < 1000; i++) {
      h.advance(1);
      h.d.clear(2);
      h.d.set(0, 60_000);
      h.d.set(1, 300_000);
      h.d.clear(0);
      h.d.clear(1);
      h.d.set(2, 5_000);
    }
    assert.equal(h.arms(), 2);
    // The timer fires at the first idle deadline, finds it moved and re-arms once for it.
    h.advance(4_000);
    assert.equal(h.arms(), 3);
    assert.deepEqual(h.fired, []);
    h.advance(1_000);
    assert.deepEqual(h.fired, [2]);
  } finally { h.done(); }
});

test('a timer that fires before the deadline (a lagging clock) waits for the rest', () => {
  const h = harness(1);
  try {
    h.d.set(0, 10); // due at 10; the timer is armed for 10 ms
    h.setLag(0.5); // when it fires the clock reads 9.5
    h.advance(10);
    assert.deepEqual(h.fired, []);
    h.advance(1);
    assert.deepEqual(h.fired, [0]);
  } finally { h.done(); }
});

test('a handler may clear the other slots that are due at the same time', () => {
  mock.timers.enable({ apis: ['setTimeout'], now: 0 });
  let t = 0;
  const fired: string[] = [];
  try {
    const d: Deadlines = new Deadlines([
      () => { fired.push('a'); d.clear(1); },
      () => fired.push('b'),
      () => { fired.push('c'); d.set(0, 5); },
    ], () => t);
    d.set(0, 10);
    d.set(1, 10);
    d.set(2, 10);
    t = 10; mock.timers.tick(10);
    assert.deepEqual(fired, ['a', 'c']);
    t = 15; mock.timers.tick(5);
    assert.deepEqual(fired, ['a', 'c', 'a']);
  } finally { mock.timers.reset(); }
});

test('a delay that is not a positive finite number sets nothing', () => {
  const h = harness(1);
  try {
    for (const ms of [0, -1, NaN, Infinity]) {
      h.d.set(0, ms);
      assert.equal(h.d.isSet(0), false);
    }
    assert.equal(h.arms(), 0);
  } finally { h.done(); }
});

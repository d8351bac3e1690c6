import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFakeHw } from '../hw/fake.ts';
import { EventLoop } from './loop.ts';

function setup() {
  const hw = createFakeHw();
  const loop = new EventLoop(hw);
  const log: string[] = [];
  return { hw, loop, log };
}

test('timers fire in due order, then ties in creation order, with the fake clock', () => {
  const { hw, loop, log } = setup();
  loop.setTimeout(() => log.push(`b@${hw.now()}`), 20);
  loop.setTimeout(() => log.push(`a@${hw.now()}`), 10);
  loop.setTimeout(() => log.push(`c@${hw.now()}`), 20);
  loop.run();
  assert.deepEqual(log, ['a@10', 'b@20', 'c@20']);
});

test('an interval cleared after three ticks runs three times, and the loop ends', () => {
  const { hw, loop, log } = setup();
  let n = 0;
  const iv = loop.setInterval(() => { log.push(`tick@${hw.now()}`); if (++n === 3) loop.clearTimer(iv); }, 5);
  loop.run();
  assert.deepEqual(log, ['tick@5', 'tick@10', 'tick@15']);
  assert.equal(loop.isAlive(), false);
});

test('nextTick callbacks run before the next timer and after the current callback', () => {
  const { loop, log } = setup();
  loop.setTimeout(() => { loop.nextTick(() => log.push('tick')); log.push('t1'); }, 1);
  loop.setTimeout(() => log.push('t2'), 1);
  loop.run();
  assert.deepEqual(log, ['t1', 'tick', 't2']);
});

test('immediates queued by an immediate run in the next iteration', () => {
  const { loop, log } = setup();
  loop.setImmediate(() => { log.push('i1'); loop.setImmediate(() => log.push('i3')); });
  loop.setImmediate(() => log.push('i2'));
  loop.run();
  assert.deepEqual(log, ['i1', 'i2', 'i3']);
});

test('unref timers do not keep the loop alive but fire while it is', () => {
  const { loop, log } = setup();
  loop.setTimeout(() => log.push('unref'), 5).unref();
  loop.setTimeout(() => log.push('ref'), 10);
  loop.setTimeout(() => log.push('late unref'), 50).unref();
  loop.run();
  assert.deepEqual(log, ['unref', 'ref']);
});

test('clearTimeout accepts the numeric id; refresh restarts the countdown', () => {
  const { hw, loop, log } = setup();
  const t = loop.setTimeout(() => log.push('cleared'), 5);
  loop.clearTimer(+t);
  const r = loop.setTimeout(() => log.push(`refreshed@${hw.now()}`), 10);
  loop.setTimeout(() => r.refresh(), 8);
  loop.run();
  assert.deepEqual(log, ['refreshed@18']);
});

test('a delay outside [1, 2^31-1] is 1 ms, as in Node', () => {
  const { hw, loop, log } = setup();
  loop.setTimeout(() => log.push(`${hw.now()}`), -5);
  loop.setTimeout(() => log.push(`${hw.now()}`), 2 ** 40);
  loop.run();
  assert.deepEqual(log, ['1', '1']);
});

test('a source runs on its IRQ and on its deadline, and keeps the loop alive while ref', () => {
  const { hw, loop, log } = setup();
  let alive = true;
  let deadline = 30;
  loop.addSource({
    irqMask: 1 << 4,
    nextDeadline: () => deadline,
    run: (now, ready) => {
      log.push(`run@${now}:${ready}`);
      if (now >= 30) { deadline = Infinity; alive = false; }
    },
    isRef: () => alive,
  });
  hw.raiseIrq(4, 12);
  loop.run();
  assert.deepEqual(log, ['run@12:16', 'run@30:0']);
});

test('an exception in a callback goes to the uncaught handler and the loop continues', () => {
  const { loop, log } = setup();
  loop.setUncaughtHandler((e) => log.push(`caught ${(e as Error).message}`));
  loop.setTimeout(() => { throw new Error('x'); }, 1);
  loop.setTimeout(() => log.push('after'), 2);
  loop.run();
  assert.deepEqual(log, ['caught x', 'after']);
});

test('setTimeout rejects a non-function callback with ERR_INVALID_ARG_TYPE', () => {
  const { loop } = setup();
  assert.throws(() => loop.setTimeout('code' as unknown, 1), { code: 'ERR_INVALID_ARG_TYPE' });
});

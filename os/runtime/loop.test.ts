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

// ---- clearing frees (issue 10) ----

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function heapAfterGc(): number { gc(); gc(); return process.memoryUsage().heapUsed; }

test('a million timers set and cleared leave the heap flat (clearing frees at once)', () => {
  const { loop } = setup();
  const before = heapAfterGc();
  // Each callback closes over an object, as the HTTP server's timers close over a connection.
  for (let i = 0; i < 1_000_000; i++) {
    const held = { n: i };
    const t = loop.setTimeout(() => held.n++, 60_000);
    loop.clearTimer(t);
  }
  const grown = heapAfterGc() - before;
  // Kept entries (the old mark-dead heap) held ~150 MB here; a freed timer holds nothing.
  assert.ok(grown < 4 * 1024 * 1024, `heap grew ${(grown / 1048576).toFixed(1)} MB`);
  assert.equal(loop.pendingTimers(), 0);
  assert.equal(loop.isAlive(), false);
});

test('a million refreshes of one timer keep one entry', () => {
  const { hw, loop, log } = setup();
  const t = loop.setTimeout(() => log.push(`fired@${hw.now()}`), 100);
  for (let i = 0; i < 1_000_000; i++) t.refresh();
  assert.equal(loop.pendingTimers(), 1);
  loop.run();
  assert.deepEqual(log, ['fired@100']);
});

test('clearing timers in the middle of the heap keeps the others in (due, creation) order', () => {
  const { hw, loop, log } = setup();
  const ts = [];
  for (let i = 0; i < 200; i++) {
    const due = (i * 37) % 50 + 1;
    ts.push(loop.setTimeout(() => log.push(`${i}@${hw.now()}`), due));
  }
  for (let i = 0; i < 200; i += 3) loop.clearTimer(ts[i]);
  const expected = [];
  for (let i = 0; i < 200; i++) if (i % 3 !== 0) expected.push({ i, due: (i * 37) % 50 + 1 });
  expected.sort((a, b) => a.due - b.due || a.i - b.i);
  loop.run();
  assert.deepEqual(log, expected.map((e) => `${e.i}@${e.due}`));
  assert.equal(loop.pendingTimers(), 0);
});

test('an interval cleared from another timer, and unref/ref of a pending timer, keep the counts right', () => {
  const { hw, loop, log } = setup();
  const iv = loop.setInterval(() => log.push(`iv@${hw.now()}`), 10);
  const u = loop.setTimeout(() => log.push(`u@${hw.now()}`), 25).unref();
  assert.equal(u.hasRef(), false);
  u.ref();
  loop.setTimeout(() => loop.clearTimer(iv), 35);
  loop.run();
  assert.deepEqual(log, ['iv@10', 'iv@20', 'u@25', 'iv@30']);
  assert.equal(loop.refTimers, 0);
});

test('random set/clear/refresh runs fire in the order a sorted model predicts', () => {
  let seed = 12345;
  const rand = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  for (let round = 0; round < 20; round++) {
    const { hw, loop, log } = setup();
    const model = new Map<number, { due: number; seq: number }>();
    const timers: ReturnType<EventLoop['setTimeout']>[] = [];
    let seq = 0;
    for (let k = 0; k < 300; k++) {
      const op = rand(10);
      if (op < 6 || timers.length === 0) {
        const id = timers.length, ms = 1 + rand(40);
        timers.push(loop.setTimeout(() => log.push(`${id}@${hw.now()}`), ms));
        model.set(id, { due: ms, seq: seq++ });
      } else if (op < 8) {
        const id = rand(timers.length);
        loop.clearTimer(timers[id]);
        model.delete(id);
      } else {
        const id = rand(timers.length);
        if (model.has(id)) { timers[id].refresh(); model.set(id, { due: timers[id]._idleTimeout, seq: seq++ }); }
      }
    }
    assert.equal(loop.pendingTimers(), model.size);
    const expected = [...model].sort((a, b) => a[1].due - b[1].due || a[1].seq - b[1].seq).map(([id, e]) => `${id}@${e.due}`);
    loop.run();
    assert.deepEqual(log, expected);
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryBudget, memoryPressureOf } from './memory.ts';
import { connectionLimitFor } from '../netservice/index.ts';

const hw = (jsUsed: number, jsLimit: number) => ({ memSize: 64 << 20, memoryUsage: () => ({ heapTotal: 0, heapUsed: 0, jsUsed, jsLimit }) });

test('memory pressure starts above 85% of the JS heap limit; without statistics there is none', () => {
  assert.equal(memoryPressureOf(hw(80, 100)), false);
  assert.equal(memoryPressureOf(hw(86, 100)), true);
  assert.equal(memoryPressureOf({}), false);
  assert.equal(memoryBudget(hw(0, 12345)), 12345);
  assert.equal(memoryBudget({ memSize: 999 }), 999);
});

test('the connection limit scales with the heap: 16 KiB a connection, 64 at least', () => {
  assert.equal(connectionLimitFor(14 << 20), 896);
  assert.equal(connectionLimitFor(58 << 20), 3712);
  assert.equal(connectionLimitFor(100_000), 64);
  assert.equal(connectionLimitFor(8 * 2 ** 30), 65_535);
});

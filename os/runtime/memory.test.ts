import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryBudget, memoryPressureOf } from './memory.ts';

const hw = (jsUsed: number, jsLimit: number) => ({ memSize: 64 << 20, memoryUsage: () => ({ heapTotal: 0, heapUsed: 0, jsUsed, jsLimit }) });

test('memory pressure starts above 85% of the JS heap limit; without statistics there is none', () => {
  assert.equal(memoryPressureOf(hw(80, 100)), false);
  assert.equal(memoryPressureOf(hw(86, 100)), true);
  assert.equal(memoryPressureOf({}), false);
  assert.equal(memoryBudget(hw(0, 12345)), 12345);
  assert.equal(memoryBudget({ memSize: 999 }), 999);
});

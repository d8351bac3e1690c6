import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryBudget, memoryPressureOf } from './memory.ts';

const hw = (jsUsed: number, jsLimit: number) => ({ memSize: 64 << 20, memoryUsage: () => ({ heapTotal: 0, heapUsed: 0, jsUsed, jsLimit }) });

test('memory pressure starts above 85% of the JS heap limit; without statistics there is none', () => {
  assert.equal(memoryPressureOf(hw(80, 100)), false);
  assert.equal(memoryPressureOf(hw(86, 100)), true);
  assert.equal(memoryPressureOf({}), false);
  assert.equal(memoryBudget(hw(0, 10000)), 8500, 'the room below the pressure line');
  assert.equal(memoryBudget(hw(6000, 10000)), 2500, 'what is held already is no room');
  assert.equal(memoryBudget(hw(9000, 10000)), 0);
  assert.equal(memoryBudget({ memSize: 999 }), 999);
});

test('the core\'s jsPressure line wins over the default share; headroom is the room below it', async () => {
  const { memoryHeadroomOf } = await import('./memory.ts');
  const at = (jsUsed: number, jsPressure?: number) => ({ memoryUsage: () => ({ heapTotal: 0, heapUsed: 0, jsUsed, jsLimit: 100, jsPressure }) });
  assert.equal(memoryPressureOf(at(80, 75)), true);
  assert.equal(memoryPressureOf(at(80, 90)), false);
  assert.equal(memoryHeadroomOf(at(60, 90)), 30);
  assert.equal(memoryHeadroomOf(at(60)), 25);
  assert.equal(memoryHeadroomOf(at(95, 90)), 0);
  assert.equal(memoryHeadroomOf({}), Infinity);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFakeHw, FakeExit } from './fake.ts';
import { hasGroup, requireGroups } from './hw.ts';

test('fake yield advances the clock to the deadline or the next scheduled IRQ', () => {
  const hw = createFakeHw();
  assert.equal(hw.yield(10), 0);
  assert.equal(hw.now(), 10);
  hw.raiseIrq(3, 15);
  assert.equal(hw.yield(100), 1 << 3);
  assert.equal(hw.now(), 15);
  assert.throws(() => hw.yield(Infinity), /would hang/);
});

test('fake captures output, records the exit code and throws FakeExit', () => {
  const hw = createFakeHw();
  hw.write(1, 'out');
  hw.write(2, new TextEncoder().encode('err'));
  assert.equal(hw.stdout, 'out');
  assert.equal(hw.stderr, 'err');
  assert.throws(() => hw.exit(300), RangeError, 'out of range, as on the core');
  assert.equal(hw.exitCode, undefined);
  assert.throws(() => hw.exit(3), FakeExit);
  assert.equal(hw.exitCode, 3);
});

test('fake entropy is deterministic per seed and can be switched off', () => {
  const a = new Uint8Array(8), b = new Uint8Array(8);
  createFakeHw({ seed: 7 }).entropy(a);
  createFakeHw({ seed: 7 }).entropy(b);
  assert.deepEqual(a, b);
  assert.equal(createFakeHw({ entropy: false }).entropy(a), 0);
});

test('fake offers the groups it is given; the members of the others are absent', () => {
  const pc = createFakeHw();
  assert.ok(hasGroup(pc, 'pci') && hasGroup(pc, 'dma'));
  assert.equal(typeof pc.pciRead, 'function');
  const bare = createFakeHw({ groups: [] });
  assert.deepEqual(bare.groups, ['clock', 'console', 'yield', 'exit', 'entropy', 'boot', 'engine']);
  assert.equal(hasGroup(bare, 'pci'), false);
  assert.equal('pciRead' in bare, false);
  assert.equal('irqLines' in bare, false);
  assert.throws(() => requireGroups(bare, ['dma', 'irq'], 'virtio-net'),
    (e: Error & { code?: string }) => e.code === 'ERR_NIMBUS_UNSUPPORTED' && /virtio-net needs the hw groups 'dma', 'irq'/.test(e.message));
});

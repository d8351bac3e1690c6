import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RingBuffer, spareBuffers } from './ring.ts';

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

test('released storage is reused by the next ring, which reads only what it wrote', () => {
  const a = new RingBuffer(65536);
  a.write(bytes(4000, 1));
  assert.equal(a.allocated, 4096);
  a.consume(4000);
  const before = spareBuffers();
  assert.equal(a.release(), true);
  assert.equal(a.allocated, 0);
  assert.equal(spareBuffers(), Math.min(before + 1, 8));
  const b = new RingBuffer(65536);
  b.write(bytes(10, 7));
  assert.equal(b.allocated, 4096);
  assert.equal(spareBuffers(), Math.min(before + 1, 8) - 1);
  assert.equal(b.length, 10);
  assert.deepEqual(b.read(), bytes(10, 7)); // none of a's old bytes
});

test('a reused buffer wraps around and grows like a fresh one', () => {
  const r = new RingBuffer(1 << 20);
  for (let round = 0; round < 50; round++) {
    const chunk = bytes(1000 + round * 37, round);
    r.write(chunk);
    r.write(chunk);
    assert.deepEqual(r.read(chunk.length), chunk);
    assert.deepEqual(r.read(chunk.length), chunk);
    assert.equal(r.length, 0);
    r.release();
  }
  // Growing past the first size keeps the bytes in order across the wrap.
  r.write(bytes(3000, 9));
  r.consume(2500);
  r.write(bytes(9000, 4));
  assert.equal(r.allocated, 16384);
  assert.deepEqual(r.read(500), bytes(3000, 9).subarray(2500));
  assert.deepEqual(r.read(), bytes(9000, 4));
});

test('at most 8 buffers wait for reuse; other sizes are not kept', () => {
  const rings = Array.from({ length: 20 }, () => new RingBuffer(65536));
  for (const r of rings) r.write(bytes(100, 3));
  for (const r of rings) { r.consume(100); r.release(); }
  assert.equal(spareBuffers(), 8);
  const big = new RingBuffer(65536, 16384);
  big.write(bytes(100, 5));
  assert.equal(big.allocated, 16384);
  assert.equal(spareBuffers(), 8); // not taken: a different size
  big.consume(100);
  big.release();
  assert.equal(spareBuffers(), 8); // not kept
});

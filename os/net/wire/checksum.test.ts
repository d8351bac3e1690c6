import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checksum, finish, pseudoHeaderSum, sumBytes, useNativeChecksum } from './checksum.ts';
import { referenceChecksum } from '../../hw/checksum-reference.ts';

/** RFC 1071 by the book: big-endian 16-bit words, odd byte padded with zero, end-around carry. */
function reference(bytes: Uint8Array, partial = 0): number {
  let sum = partial;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (i + 1 < bytes.length ? bytes[i + 1]! : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s >>> 24; };
}

test('RFC 1071 §3 example', () => {
  // 00 01 f2 03 f4 f5 f6 f7 sums to ddf2 (before the complement).
  assert.equal(checksum(new Uint8Array([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7])), ~0xddf2 & 0xffff);
});

test('every length and alignment agrees with the reference (byte loop and word path)', () => {
  const r = rng(7);
  const backing = new Uint8Array(4096 + 8);
  for (let i = 0; i < backing.length; i++) backing[i] = r();
  for (const len of [0, 1, 2, 3, 19, 20, 63, 64, 65, 66, 67, 100, 1460, 1461, 1480, 4095, 4096]) {
    for (let off = 0; off < 8; off++) {
      const view = backing.subarray(off, off + len);
      for (const partial of [0, 0x1234, 0xffff * 3, 0x7fffffff, 0x80000005]) {
        const expect = reference(view, partial > 0x7fffffff ? (partial % 0xffff) || 0xffff : partial);
        assert.equal(finish(sumBytes(view, partial)), expect, `len ${len} off ${off} partial ${partial}`);
      }
    }
  }
});

test('all-0xff data (maximal carries) and the result stays a small integer', () => {
  const big = new Uint8Array(65536).fill(0xff);
  for (const off of [0, 2, 4]) {
    const s = sumBytes(big.subarray(off), pseudoHeaderSum(0xffffffff, 0xffffffff, 6, 65535));
    assert.ok(s >= 0 && s < 2 ** 31, `partial ${s}`);
    assert.equal(finish(s), reference(big.subarray(off), pseudoHeaderSum(0xffffffff, 0xffffffff, 6, 65535)));
  }
});

test('a wrong byte changes the checksum (the word path reads the data)', () => {
  const r = rng(3);
  const buf = new Uint8Array(1500);
  for (let i = 0; i < buf.length; i++) buf[i] = r();
  const seg = buf.subarray(46);
  const before = checksum(seg);
  seg[700] ^= 0x10;
  assert.notEqual(checksum(seg), before);
  assert.equal(checksum(seg), reference(seg));
});

test('a native sum, once installed, takes inputs of 16 bytes and more; shorter ones stay in JS', () => {
  const seen: number[] = [];
  // Stands in for hw.checksum: the contract's reference, recording the lengths it is given.
  useNativeChecksum((bytes, partial) => { seen.push(bytes.length); return referenceChecksum(bytes, partial); });
  try {
    const r = rng(11);
    for (const len of [1, 15, 16, 20, 1460]) {
      const bytes = new Uint8Array(len).map(() => r());
      assert.equal(finish(sumBytes(bytes, 0x1234)), reference(bytes, 0x1234), `length ${len}`);
    }
    assert.deepEqual(seen, [16, 20, 1460]);
  } finally {
    useNativeChecksum(undefined);
  }
});

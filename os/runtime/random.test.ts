import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chacha20 } from '@noble/ciphers/chacha.js';
import { createFakeHw } from '../hw/fake.ts';
import { ChaChaRng, getRandomValues, randomUUID, reseed, setEntropySource } from './random.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('chacha20 reproduces the RFC 8439 §A.1 test vector #1 (all-zero key and nonce)', () => {
  const ks = chacha20(new Uint8Array(32), new Uint8Array(12), new Uint8Array(64));
  assert.equal(hex(ks), '76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7' +
    'da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586');
});

test('the generator is fast-key-erasure ChaCha20: deterministic for a seed, key = first 32 bytes', () => {
  const seed = new Uint8Array(32).fill(7);
  const a = new ChaChaRng(seed).fill(new Uint8Array(100));
  const b = new ChaChaRng(seed).fill(new Uint8Array(100));
  assert.deepEqual(a, b);
  // key0 = ChaCha20_{0}(fold(seed)); block = ChaCha20_{key0}(zeros); output starts at byte 32.
  const key0 = chacha20(new Uint8Array(32), new Uint8Array(12), seed);
  const block = chacha20(key0, new Uint8Array(12), new Uint8Array(512));
  assert.deepEqual(a, block.subarray(32, 132));
  // The next refill uses the erased key, not the same stream.
  const rng = new ChaChaRng(seed);
  rng.fill(new Uint8Array(480));
  const next = rng.fill(new Uint8Array(32));
  const block2 = chacha20(block.subarray(0, 32), new Uint8Array(12), new Uint8Array(512));
  assert.deepEqual(next, block2.subarray(32, 64));
});

test('reseed changes the stream', () => {
  const r1 = new ChaChaRng(new Uint8Array(32)), r2 = new ChaChaRng(new Uint8Array(32));
  r2.reseed(new Uint8Array([1]));
  assert.notDeepEqual(r1.fill(new Uint8Array(32)), r2.fill(new Uint8Array(32)));
});

test('getRandomValues fills integer arrays, refuses floats and more than 65536 bytes', () => {
  setEntropySource(createFakeHw({ seed: 3 }));
  const u32 = getRandomValues(new Uint32Array(16));
  assert.ok(u32.some((x) => x !== 0));
  assert.throws(() => getRandomValues(new Float32Array(2) as never), { name: 'TypeMismatchError' });
  assert.throws(() => getRandomValues(new Uint8Array(65537)), { name: 'QuotaExceededError' });
});

test('without hardware entropy the generator still seeds (clock jitter) and works silently', () => {
  const hw = createFakeHw({ entropy: false });
  setEntropySource(hw);
  reseed(new Uint8Array([9, 9]));
  assert.equal(getRandomValues(new Uint8Array(8)).length, 8);
  assert.equal(hw.stderr + hw.stdout, '');
});

test('randomUUID is a version 4, variant 10 UUID', () => {
  setEntropySource(createFakeHw({ seed: 5 }));
  for (let i = 0; i < 20; i++) assert.match(randomUUID(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

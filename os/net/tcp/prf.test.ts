import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { chacha20 } from '@noble/ciphers/chacha.js';
import { prf32, useNativePrf } from './prf.ts';

const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
const msg = Uint8Array.from([10, 0, 0, 1, 10, 0, 0, 2, 0, 80, 0xc3, 0x50]);
const be32 = (b: Uint8Array) => ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;

test('the default PRF is the first ChaCha20 keystream word for (key, message as nonce, counter)', () => {
  useNativePrf(null);
  for (const counter of [0, 1, 123456]) {
    const ks = chacha20(key, msg, new Uint8Array(4), new Uint8Array(4), counter);
    assert.equal(prf32(key, msg, counter), be32(ks));
  }
});

test('with the native HMAC installed, the PRF is HMAC-SHA-256(key, message || counter) truncated to 32 bits', () => {
  let calls = 0;
  useNativePrf((k, data) => { calls++; return new Uint8Array(createHmac('sha256', k).update(data).digest()); });
  try {
    for (const counter of [0, 7, 0x80000000]) {
      const data = new Uint8Array(16);
      data.set(msg);
      new DataView(data.buffer).setUint32(12, counter);
      assert.equal(prf32(key, msg, counter), be32(createHmac('sha256', key).update(data).digest()));
    }
    assert.equal(calls, 3);
    // Keyed and input-sensitive: another key, port or counter gives another word.
    const base = prf32(key, msg, 0);
    const other = new Uint8Array(msg); other[11] ^= 1;
    assert.notEqual(prf32(key, other, 0), base);
    assert.notEqual(prf32(key, msg, 1), base);
    assert.notEqual(prf32(new Uint8Array(32), msg, 0), base);
  } finally {
    useNativePrf(null);
  }
});

/**
 * node:crypto, the part Nimbus provides: randomBytes, randomUUID, randomInt,
 * getRandomValues, randomFillSync (ChaCha20 CSPRNG, os/runtime/random.ts); createHash,
 * createHmac, hash, hkdfSync, pbkdf2(Sync), timingSafeEqual, getHashes (crypto-hash.ts).
 * keys, signatures, RSA-OAEP and key agreement (crypto-keys.ts); ciphers (crypto-cipher.ts);
 * webcrypto/subtle (webcrypto.ts); X509Certificate (crypto-x509.ts).
 */
import { Buffer } from 'buffer/index.js';
import { getRandomValues, randomFill, randomUUID } from '../runtime/random.ts';

import { createHash, createHmac, getHashes, hash, hkdfSync, pbkdf2, pbkdf2Sync, timingSafeEqual } from './internal/crypto-hash.ts';

import {
  KeyObject, Sign, Verify, constants, createPrivateKey, createPublicKey, createSecretKey, createSign, createVerify, diffieHellman,
  generateKeyPair, generateKeyPairSync, generateKeySync, privateDecrypt, publicEncrypt, sign, verify,
} from './internal/crypto-keys.ts';
import { Cipher, Decipher, createCipheriv, createDecipheriv, getCiphers } from './internal/crypto-cipher.ts';
import { subtle, webcrypto as fullWebcrypto } from './internal/webcrypto.ts';
import { X509Certificate } from './internal/crypto-x509.ts';

export { getRandomValues, randomUUID };
export {
  KeyObject, Sign, Verify, constants, createPrivateKey, createPublicKey, createSecretKey, createSign, createVerify, diffieHellman,
  generateKeyPair, generateKeyPairSync, generateKeySync, privateDecrypt, publicEncrypt, sign, verify,
  Cipher, Decipher, createCipheriv, createDecipheriv, getCiphers, subtle, X509Certificate,
};
export function getCurves(): string[] { return ['prime256v1', 'secp384r1']; }
export { createHash, createHmac, getHashes, hash, hkdfSync, pbkdf2, pbkdf2Sync, timingSafeEqual };

export function randomBytes(size: number, cb?: (err: Error | null, buf: Buffer) => void): Buffer {
  if (!Number.isInteger(size) || size < 0 || size > 2 ** 31 - 1) {
    throw new RangeError(`The value of "size" is out of range. It must be >= 0 && <= 2147483647. Received ${size}`);
  }
  const buf = Buffer.alloc(size);
  randomFill(buf);
  if (cb) queueMicrotask(() => cb(null, buf));
  return buf;
}

export function randomFillSync<T extends ArrayBufferView>(buf: T, offset = 0, size?: number): T {
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  randomFill(bytes.subarray(offset, size === undefined ? undefined : offset + size));
  return buf;
}

/** Uniform integer in [min, max) by rejection sampling (no modulo bias). */
export function randomInt(min: number, max?: number): number {
  if (max === undefined) { max = min; min = 0; }
  const range = max - min;
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || range <= 0 || range > 2 ** 48) {
    throw new RangeError('The value of "max" is out of range');
  }
  const limit = 2 ** 48 - (2 ** 48 % range);
  const b = new Uint8Array(6);
  for (;;) {
    randomFill(b);
    const x = b.reduce((acc, v) => acc * 256 + v, 0);
    if (x < limit) return min + (x % range);
  }
}

export const webcrypto = fullWebcrypto;
export default {
  randomBytes, randomUUID, randomInt, randomFillSync, getRandomValues, webcrypto,
  createHash, createHmac, getHashes, hash, hkdfSync, pbkdf2, pbkdf2Sync, timingSafeEqual,
  KeyObject, Sign, Verify, constants, createPrivateKey, createPublicKey, createSecretKey, createSign, createVerify, diffieHellman,
  generateKeyPair, generateKeyPairSync, generateKeySync, privateDecrypt, publicEncrypt, sign, verify,
  Cipher, Decipher, createCipheriv, createDecipheriv, getCiphers, getCurves, subtle, X509Certificate,
};

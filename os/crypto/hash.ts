/**
 * Hashes, HMAC and HKDF (RFC 5869) by name: one-shot hashes and HMAC run in the core's BearSSL
 * when it is there (native.ts), @noble/hashes otherwise. Incremental hashing: `incremental(h)`
 * streams through the core (native-hash.ts) or @noble; `h.create()` stays @noble's, since
 * @noble's own HMAC, HKDF and curves reach into its contexts.
 */
import { sha1 as nobleSha1, md5 } from '@noble/hashes/legacy.js';
import { sha224 as nobleSha224, sha256 as nobleSha256, sha384 as nobleSha384, sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { extract, expand } from '@noble/hashes/hkdf.js';
import { pbkdf2 as noblePbkdf2 } from '@noble/hashes/pbkdf2.js';
import { HW_HASH, type HwHashId } from '../hw/hw-crypto.ts';
import { native } from './native.ts';
import { NativeHashCtx } from './native-hash.ts';

export type HashName = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512' | 'md5';

/** A hash function as @noble shapes it: one-shot call plus incremental create(). */
export interface Hash {
  (msg: Uint8Array): Uint8Array;
  outputLen: number;
  blockLen: number;
  create(): { update(b: Uint8Array): unknown; digest(): Uint8Array; clone(): any };
  /** The core's id for it (os/hw/hw-crypto.ts), when the crypto group has it. */
  hwId?: HwHashId;
}

/** @noble's hash `h`, whose one-shot call runs natively when the crypto group is there. */
function withNative(h: Hash, hwId: HwHashId): Hash {
  const f = ((msg: Uint8Array) => {
    const hw = native();
    return hw ? hw.hash(hwId, msg) : h(msg);
  }) as Hash;
  return Object.assign(f, { outputLen: h.outputLen, blockLen: h.blockLen, create: () => h.create(), hwId });
}

export const sha1 = withNative(nobleSha1 as Hash, HW_HASH.sha1);
export const sha224 = withNative(nobleSha224 as Hash, HW_HASH.sha224);
export const sha256 = withNative(nobleSha256 as Hash, HW_HASH.sha256);
export const sha384 = withNative(nobleSha384 as Hash, HW_HASH.sha384);
export const sha512 = withNative(nobleSha512 as Hash, HW_HASH.sha512);

const HASHES: Record<HashName, Hash> = {
  sha1: sha1 as Hash, sha224: sha224 as Hash, sha256: sha256 as Hash,
  sha384: sha384 as Hash, sha512: sha512 as Hash, md5: md5 as Hash,
};

/** Normalises Node/WebCrypto spellings ('SHA-256', 'sha256', 'RSA-SHA256'). */
export function hashByName(name: string): Hash | undefined {
  const n = name.toLowerCase().replace(/^rsa-/, '').replace('-', '') as HashName;
  return HASHES[n];
}

export function hash(name: HashName, data: Uint8Array): Uint8Array {
  return HASHES[name](data);
}

export function hmac(h: Hash, key: Uint8Array, data: Uint8Array): Uint8Array {
  const hw = native();
  return hw && h.hwId ? hw.hmac(h.hwId, key, data) : nobleHmac(h as any, key, data);
}

/** RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM); an empty salt is HashLen zeros. */
export function hkdfExtract(h: Hash, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  if (!native() || !h.hwId) return extract(h as any, ikm, salt);
  return hmac(h, salt.length ? salt : new Uint8Array(h.outputLen), ikm);
}

/** RFC 5869 §2.3: T(i) = HMAC-Hash(PRK, T(i-1) | info | i), L <= 255 * HashLen. */
export function hkdfExpand(h: Hash, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!native() || !h.hwId) return expand(h as any, prk, info, length);
  if (length > 255 * h.outputLen) throw new RangeError('HKDF-Expand: length is more than 255 * HashLen');
  const out = new Uint8Array(length);
  let t: Uint8Array = new Uint8Array(0);
  for (let i = 1, o = 0; o < length; i++) {
    t = hmac(h, prk, concatBytes(t, info, new Uint8Array([i])));
    out.set(t.subarray(0, Math.min(t.length, length - o)), o);
    o += t.length;
  }
  return out;
}

/**
 * RFC 8018 §5.2 PBKDF2 with HMAC-`h`: T_i = U_1 ^ ... ^ U_c, U_1 = PRF(P, S || INT(i)),
 * U_j = PRF(P, U_{j-1}). With the core's HMAC each iteration is one native call: SCRAM's 4096
 * iterations (pg's password auth) took seconds of pure JS under TCG, blocking the loop.
 * Argument errors are @noble's.
 */
export function pbkdf2Hmac(h: Hash, password: Uint8Array, salt: Uint8Array, iterations: number, dkLen: number): Uint8Array {
  if (!native() || !h.hwId || !(Number.isSafeInteger(iterations) && iterations >= 1) || !(Number.isSafeInteger(dkLen) && dkLen >= 1)) {
    return noblePbkdf2(h as any, password, salt, { c: iterations, dkLen });
  }
  const out = new Uint8Array(dkLen);
  const first = new Uint8Array(salt.length + 4);
  first.set(salt);
  for (let i = 1, o = 0; o < dkLen; i++, o += h.outputLen) {
    new DataView(first.buffer).setUint32(salt.length, i);
    let u = hmac(h, password, first);
    const t = u.slice();
    for (let j = 1; j < iterations; j++) {
      u = hmac(h, password, u);
      for (let k = 0; k < t.length; k++) t[k]! ^= u[k]!;
    }
    out.set(t.subarray(0, Math.min(t.length, dkLen - o)), o);
  }
  return out;
}

/** Constant-time equality of two byte strings (length is not secret). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** Source of cryptographic randomness, injected by the caller. */
export type Random = (n: number) => Uint8Array;

/** An incremental context for `h` (update, digest, clone): the core's streaming hash when the image has it. */
export function incremental(h: Hash): { update(b: Uint8Array): unknown; digest(): Uint8Array; clone(): any } {
  const hw = native();
  return hw && h.hwId ? new NativeHashCtx(hw, h.hwId, h.blockLen) : h.create();
}

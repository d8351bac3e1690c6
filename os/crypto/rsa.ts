/**
 * RSA (RFC 8017) over BigInt: RSASSA-PKCS1-v1_5, RSASSA-PSS and RSAES-OAEP, plus key
 * generation. Private operations use the CRT. Not constant-time (BigInt arithmetic is
 * not); blinding hides the exponentiation input from timing.
 */
import './bigint-fix.ts'; // must precede @noble/curves
import type { Hash, Random } from './hash.ts';
import { bytesEqual, concatBytes } from './hash.ts';
import { native } from './native.ts';
import { bigToBytes, bytesToBig } from './bigint-bytes.ts';

export interface RsaPublicKey { n: bigint; e: bigint }
export interface RsaPrivateKey extends RsaPublicKey {
  d: bigint; p: bigint; q: bigint; dp: bigint; dq: bigint; qi: bigint;
}

export { bytesToBig, bigToBytes } from './bigint-bytes.ts';

export function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    e >>= 1n;
    b = (b * b) % m;
  }
  return r;
}

export function modInv(a: bigint, m: bigint): bigint {
  let [r0, r1] = [((a % m) + m) % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new RangeError('not invertible');
  return ((s0 % m) + m) % m;
}

/** Bits of `n` (1 for 0, as its binary numeral), from its hexadecimal numeral: a quarter of the string. */
export function bitLength(n: bigint): number {
  if (n < 0n) n = -n;
  const h = n.toString(16);
  return n === 0n ? 1 : (h.length - 1) * 4 + (32 - Math.clz32(parseInt(h[0]!, 16)));
}
export const byteLength = (n: bigint) => Math.ceil(bitLength(n) / 8);

const NATIVE_RSA_BITS = [512, 4096];
const nativeFits = (n: bigint) => { const b = bitLength(n); return b >= NATIVE_RSA_BITS[0] && b <= NATIVE_RSA_BITS[1]; };

/**
 * A public key's modulus and exponent as the core takes them, converted once per key object;
 * null (also remembered) when the core cannot take the key: a modulus outside 512-4096 bits or
 * an exponent of 2^64 or more.
 */
const publicBytes = new WeakMap<RsaPublicKey, { n: Uint8Array; e: Uint8Array; len: number } | null>();

function nativePublic(k: RsaPublicKey) {
  let b = publicBytes.get(k);
  if (b === undefined) {
    const len = byteLength(k.n);
    b = nativeFits(k.n) && k.e < 1n << 64n ? { n: bigToBytes(k.n, len), e: bigToBytes(k.e), len } : null;
    publicBytes.set(k, b);
  }
  return b;
}

function rsaPublicOp(k: RsaPublicKey, m: bigint): bigint {
  const hw = native();
  const b = hw && nativePublic(k);
  if (hw && b && m < k.n) {
    const r = hw.rsaPublic(b.n, b.e, bigToBytes(m, b.len));
    if (r) return bytesToBig(r);
  }
  return modPow(m, k.e, k.n);
}

/** Whether big-endian `x` is below big-endian `n` of the same length. */
function lessThan(x: Uint8Array, n: Uint8Array): boolean {
  for (let i = 0; i < x.length; i++) if (x[i] !== n[i]) return x[i]! < n[i]!;
  return false;
}

/**
 * s^e mod n for a signature of exactly the modulus's length, in bytes, or null when s >= n
 * (RFC 8017 §5.2.2 RSAVP1's range check). With the core's RSA the bytes go straight to it and
 * back, no bigint in between: verifying is what a TLS client does for every RSA certificate.
 */
function rsaVerifyPrimitive(k: RsaPublicKey, sig: Uint8Array): Uint8Array | null {
  const hw = native();
  const b = hw && nativePublic(k);
  if (hw && b) {
    if (sig.length !== b.len || !lessThan(sig, b.n)) return null;
    const r = hw.rsaPublic(b.n, b.e, sig);
    if (r) return r;
  }
  const s = bytesToBig(sig);
  if (s >= k.n) return null;
  return bigToBytes(modPow(s, k.e, k.n), byteLength(k.n));
}

function rsaPrivateOp(k: RsaPrivateKey, c: bigint, random: Random): bigint {
  const hw = native();
  if (hw && nativeFits(k.n) && c < k.n) {
    // BearSSL's CRT exponentiation is constant-time; the fault check below still applies.
    const len = byteLength(k.n);
    const r = hw.rsaPrivate(bigToBytes(k.n, len), bigToBytes(k.p), bigToBytes(k.q), bigToBytes(k.dp), bigToBytes(k.dq), bigToBytes(k.qi), bigToBytes(c, len));
    if (r) {
      const m = bytesToBig(r);
      if (rsaPublicOp(k, m) !== c) throw new Error('RSA private operation failed');
      return m;
    }
  }
  return jsRsaPrivateOp(k, c, random);
}

function jsRsaPrivateOp(k: RsaPrivateKey, c: bigint, random: Random): bigint {
  // Blinding: c' = c * r^e, m = m' / r.
  const r = (bytesToBig(random(byteLength(k.n))) % (k.n - 2n)) + 2n;
  const cb = (c * modPow(r, k.e, k.n)) % k.n;
  const m1 = modPow(cb % k.p, k.dp, k.p);
  const m2 = modPow(cb % k.q, k.dq, k.q);
  const h = (k.qi * ((m1 - m2 + k.p) % k.p)) % k.p;
  const mb = m2 + h * k.q;
  const m = (mb * modInv(r, k.n)) % k.n;
  // Fault check (a wrong CRT result would leak a factor).
  if (rsaPublicOp(k, m) !== c % k.n) throw new Error('RSA private operation failed');
  return m;
}

// RFC 8017 §9.2 DigestInfo prefixes.
const DIGEST_INFO: Record<number, Record<number, string>> = {
  20: { 0: '3021300906052b0e03021a05000414' },
  28: { 0: '302d300d06096086480165030402040500041c' },
  32: { 0: '3031300d060960864801650304020105000420' },
  48: { 0: '3041300d060960864801650304020205000430' },
  64: { 0: '3051300d060960864801650304020305000440' },
};

const hex = (s: string) => new Uint8Array(s.match(/../g)!.map((h) => parseInt(h, 16)));
const prefixBytes = new Map<string, Uint8Array>();

function emsaPkcs1(h: Hash, msg: Uint8Array, k: number): Uint8Array {
  const prefix = DIGEST_INFO[h.outputLen]?.[0];
  if (!prefix) throw new Error('unsupported hash for PKCS#1 v1.5');
  let p = prefixBytes.get(prefix);
  if (!p) prefixBytes.set(prefix, p = hex(prefix));
  const t = concatBytes(p, h(msg));
  if (k < t.length + 11) throw new Error('RSA key too short');
  const em = new Uint8Array(k).fill(0xff);
  em[0] = 0; em[1] = 1;
  em[k - t.length - 1] = 0;
  em.set(t, k - t.length);
  return em;
}

export function rsaPkcs1Sign(key: RsaPrivateKey, h: Hash, msg: Uint8Array, random: Random): Uint8Array {
  const k = byteLength(key.n);
  return bigToBytes(rsaPrivateOp(key, bytesToBig(emsaPkcs1(h, msg, k)), random), k);
}

export function rsaPkcs1Verify(key: RsaPublicKey, h: Hash, msg: Uint8Array, sig: Uint8Array): boolean {
  const k = byteLength(key.n);
  if (sig.length !== k) return false;
  const m = rsaVerifyPrimitive(key, sig);
  if (!m) return false;
  try {
    return bytesEqual(m, emsaPkcs1(h, msg, k));
  } catch { return false; }
}

/** MGF1 (RFC 8017 §B.2.1). */
function mgf1(h: Hash, seed: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let c = 0, o = 0; o < len; c++) {
    const d = h(concatBytes(seed, new Uint8Array([c >>> 24, (c >>> 16) & 255, (c >>> 8) & 255, c & 255])));
    out.set(d.subarray(0, Math.min(d.length, len - o)), o);
    o += d.length;
  }
  return out;
}

/** RSASSA-PSS sign, salt length defaults to the hash length (as TLS requires). */
export function rsaPssSign(key: RsaPrivateKey, h: Hash, msg: Uint8Array, random: Random, saltLen = h.outputLen): Uint8Array {
  const modBits = bitLength(key.n);
  const emLen = Math.ceil((modBits - 1) / 8);
  const mHash = h(msg);
  if (emLen < h.outputLen + saltLen + 2) throw new Error('RSA key too short for PSS');
  const salt = random(saltLen);
  const H = h(concatBytes(new Uint8Array(8), mHash, salt));
  const db = new Uint8Array(emLen - h.outputLen - 1);
  db[db.length - saltLen - 1] = 1;
  db.set(salt, db.length - saltLen);
  const mask = mgf1(h, H, db.length);
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
  db[0] &= 0xff >> (8 * emLen - (modBits - 1));
  const em = concatBytes(db, H, new Uint8Array([0xbc]));
  return bigToBytes(rsaPrivateOp(key, bytesToBig(em), random), byteLength(key.n));
}

/** RSASSA-PSS verify; saltLen -1 accepts any salt length (RFC 8017 §9.1.2 auto-detect). */
export function rsaPssVerify(key: RsaPublicKey, h: Hash, msg: Uint8Array, sig: Uint8Array, saltLen = h.outputLen): boolean {
  const k = byteLength(key.n);
  if (sig.length !== k) return false;
  const m = rsaVerifyPrimitive(key, sig);
  if (!m) return false;
  const modBits = bitLength(key.n);
  const emLen = Math.ceil((modBits - 1) / 8);
  const em = m.subarray(k - emLen);
  if (emLen < h.outputLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLen - h.outputLen - 1);
  const H = em.subarray(emLen - h.outputLen - 1, emLen - 1);
  const topMask = 0xff >> (8 * emLen - (modBits - 1));
  if (maskedDb[0] & ~topMask & 0xff) return false;
  const mask = mgf1(h, H, maskedDb.length);
  const db = maskedDb.map((b, i) => b ^ mask[i]);
  db[0] &= topMask;
  let i = 0;
  while (i < db.length && db[i] === 0) i++;
  if (i >= db.length || db[i] !== 1) return false;
  const salt = db.subarray(i + 1);
  if (saltLen >= 0 && salt.length !== saltLen) return false;
  return bytesEqual(h(concatBytes(new Uint8Array(8), h(msg), salt)), H);
}

/** RSAES-OAEP encrypt (RFC 8017 §7.1.1). */
export function rsaOaepEncrypt(key: RsaPublicKey, h: Hash, msg: Uint8Array, random: Random, label: Uint8Array = new Uint8Array(0)): Uint8Array {
  const k = byteLength(key.n);
  const hl = h.outputLen;
  if (msg.length > k - 2 * hl - 2) throw new RangeError('data too large for key size');
  const db = new Uint8Array(k - hl - 1);
  db.set(h(label));
  db[db.length - msg.length - 1] = 1;
  db.set(msg, db.length - msg.length);
  const seed = random(hl);
  const dbMask = mgf1(h, seed, db.length);
  for (let i = 0; i < db.length; i++) db[i] ^= dbMask[i];
  const seedMask = mgf1(h, db, hl);
  for (let i = 0; i < hl; i++) seed[i] ^= seedMask[i];
  const em = concatBytes(new Uint8Array(1), seed, db);
  return bigToBytes(rsaPublicOp(key, bytesToBig(em)), k);
}

/** RSAES-OAEP decrypt; null on any decoding failure (one error for all, RFC 8017 §7.1.2). */
export function rsaOaepDecrypt(key: RsaPrivateKey, h: Hash, ct: Uint8Array, random: Random, label: Uint8Array = new Uint8Array(0)): Uint8Array | null {
  const k = byteLength(key.n);
  const hl = h.outputLen;
  if (ct.length !== k || k < 2 * hl + 2) return null;
  const c = bytesToBig(ct);
  if (c >= key.n) return null;
  const em = bigToBytes(rsaPrivateOp(key, c, random), k);
  const seed = em.slice(1, 1 + hl);
  const db = em.slice(1 + hl);
  const seedMask = mgf1(h, db, hl);
  for (let i = 0; i < hl; i++) seed[i] ^= seedMask[i];
  const dbMask = mgf1(h, seed, db.length);
  for (let i = 0; i < db.length; i++) db[i] ^= dbMask[i];
  let bad = em[0] | (bytesEqual(db.subarray(0, hl), h(label)) ? 0 : 1);
  let i = hl;
  while (i < db.length && db[i] === 0) i++;
  if (i >= db.length || db[i] !== 1) bad = 1;
  return bad ? null : db.slice(i + 1);
}

// ---- key generation ----

const SMALL_PRIMES = [3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97].map(BigInt);

function isProbablePrime(n: bigint, random: Random, rounds = 20): boolean {
  for (const p of SMALL_PRIMES) if (n % p === 0n) return n === p;
  let d = n - 1n, r = 0;
  while ((d & 1n) === 0n) { d >>= 1n; r++; }
  const len = byteLength(n);
  outer: for (let i = 0; i < rounds; i++) {
    const a = (bytesToBig(random(len)) % (n - 3n)) + 2n;
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let j = 1; j < r; j++) {
      x = (x * x) % n;
      if (x === n - 1n) continue outer;
    }
    return false;
  }
  return true;
}

function randomPrime(bits: number, e: bigint, random: Random): bigint {
  for (;;) {
    const b = random(Math.ceil(bits / 8));
    let p = bytesToBig(b) >> BigInt(b.length * 8 - bits);
    p |= (3n << BigInt(bits - 2)) | 1n; // top two bits set: the product has full length
    if ((p - 1n) % e === 0n) continue;
    if (isProbablePrime(p, random)) return p;
  }
}

export function generateRsaKey(bits: number, random: Random, e = 65537n): RsaPrivateKey {
  for (;;) {
    const p = randomPrime(bits >> 1, e, random);
    const q = randomPrime(bits - (bits >> 1), e, random);
    if (p === q) continue;
    const n = p * q;
    if (bitLength(n) !== bits) continue;
    const phi = (p - 1n) * (q - 1n);
    const d = modInv(e, phi);
    return { n, e, d, p, q, dp: d % (p - 1n), dq: d % (q - 1n), qi: modInv(q, p) };
  }
}

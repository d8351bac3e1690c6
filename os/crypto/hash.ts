/** Hashes, HMAC and HKDF (RFC 5869) by name, over @noble/hashes. */
import { sha1, md5 } from '@noble/hashes/legacy.js';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { extract, expand } from '@noble/hashes/hkdf.js';

export type HashName = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512' | 'md5';

/** A hash function as @noble shapes it: one-shot call plus incremental create(). */
export interface Hash {
  (msg: Uint8Array): Uint8Array;
  outputLen: number;
  blockLen: number;
  create(): { update(b: Uint8Array): unknown; digest(): Uint8Array; clone(): any };
}

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
  return nobleHmac(h as any, key, data);
}

export function hkdfExtract(h: Hash, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return extract(h as any, ikm, salt);
}

export function hkdfExpand(h: Hash, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return expand(h as any, prk, info, length);
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

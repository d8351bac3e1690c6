/**
 * The optional crypto group of the hw contract (core/include/hw-crypto.h, which documents every
 * member): native primitives from BearSSL in the core. Present as `hw.crypto` when `hw.groups`
 * lists 'crypto' (every platform's core has it). Byte arguments are Uint8Arrays; lengths are
 * checked by the core (RangeError naming what is wrong); results are new arrays.
 */

/** Hash ids (HW_HASH_* in hw-crypto.h). */
export const HW_HASH = { sha1: 1, sha224: 2, sha256: 3, sha384: 4, sha512: 5 } as const;
/** AEAD ids (HW_AEAD_*). */
export const HW_AEAD = { aesGcm: 1, chacha20Poly1305: 2 } as const;
/** Curves by TLS NamedGroup number (HW_EC_*). */
export const HW_EC = { p256: 23, p384: 24, x25519: 29 } as const;

export type HwHashId = (typeof HW_HASH)[keyof typeof HW_HASH];
export type HwAeadId = (typeof HW_AEAD)[keyof typeof HW_AEAD];
export type HwCurveId = (typeof HW_EC)[keyof typeof HW_EC];
export type HwNistCurveId = typeof HW_EC.p256 | typeof HW_EC.p384;

export interface HwCrypto {
  hash(alg: HwHashId, data: Uint8Array): Uint8Array;
  /** Streaming: hashes whole blocks on from state (null: fresh); the state is a plain value (copy it to fork). */
  hashUpdate(alg: HwHashId, state: Uint8Array | null, blocks: Uint8Array): Uint8Array;
  /** The digest of what state has seen, then data (any length). */
  hashFinal(alg: HwHashId, state: Uint8Array | null, data: Uint8Array): Uint8Array;
  hashStateLength(alg: HwHashId): number;
  hmac(alg: HwHashId, key: Uint8Array, data: Uint8Array): Uint8Array;
  /** ciphertext || 16-byte tag; nonce 12 bytes. */
  aeadSeal(alg: HwAeadId, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** null when the tag does not verify. */
  aeadOpen(alg: HwAeadId, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null;
  /** The public key: an uncompressed point (NIST) or the u-coordinate (X25519). */
  ecMulGen(curve: HwCurveId, scalar: Uint8Array): Uint8Array;
  /** The shared x coordinate; null for a peer that is not a point of the curve. */
  ecdh(curve: HwCurveId, scalar: Uint8Array, peer: Uint8Array): Uint8Array | null;
  /** Raw r || s (RFC 6979 k). */
  ecdsaSign(curve: HwNistCurveId, hash: HwHashId, digest: Uint8Array, scalar: Uint8Array): Uint8Array;
  ecdsaVerify(curve: HwNistCurveId, digest: Uint8Array, publicPoint: Uint8Array, rawSignature: Uint8Array): boolean;
  /** x^e mod n, x as long as n; null when x >= n. */
  rsaPublic(n: Uint8Array, e: Uint8Array, x: Uint8Array): Uint8Array | null;
  /** x^d mod n by CRT; null when x >= n or the key is inconsistent. */
  rsaPrivate(n: Uint8Array, p: Uint8Array, q: Uint8Array, dp: Uint8Array, dq: Uint8Array, qinv: Uint8Array, x: Uint8Array): Uint8Array | null;
}

/** The member names, for the conformance suite. */
export const CRYPTO_MEMBERS = ['hash', 'hashUpdate', 'hashFinal', 'hashStateLength', 'hmac', 'aeadSeal', 'aeadOpen', 'ecMulGen', 'ecdh', 'ecdsaSign', 'ecdsaVerify', 'rsaPublic', 'rsaPrivate'] as const;

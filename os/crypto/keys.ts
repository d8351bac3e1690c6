/**
 * Asymmetric keys: parsing and encoding (PKCS#8, SPKI, PKCS#1, SEC1; PEM or DER) and
 * signing/verifying by algorithm. One `SignatureAlgorithm` shape serves TLS
 * SignatureScheme values (RFC 8446 §4.2.3), X.509 signature OIDs and node:crypto.
 */
import './bigint-fix.ts'; // must precede @noble/curves
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { p256, p384 } from '@noble/curves/nist.js';
import {
  DerError, TAG, children, decodePem, derBits, derInt, derNull, derOctets, derOid, derSeq, derExplicit,
  expectTag, parseDer, readBigInt, readBitString, readOid, seq, type DerNode,
} from './der.ts';
import { hashByName, type Hash, type HashName, type Random } from './hash.ts';
import { HW_EC } from '../hw/hw-crypto.ts';
import { native } from './native.ts';
import {
  bigToBytes, bytesToBig, byteLength, modInv, rsaPkcs1Sign, rsaPkcs1Verify, rsaPssSign, rsaPssVerify,
  type RsaPrivateKey, type RsaPublicKey,
} from './rsa.ts';

export const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  ecPublicKey: '1.2.840.10045.2.1',
  p256: '1.2.840.10045.3.1.7',
  p384: '1.3.132.0.34',
  ed25519: '1.3.101.112',
  x25519: '1.3.101.110',
} as const;

export type KeyType = 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'x25519';
export type CurveName = 'P-256' | 'P-384';

export interface PublicKey {
  readonly type: KeyType;
  readonly curve?: CurveName;
  readonly rsa?: RsaPublicKey;
  /** EC point (uncompressed) or the 32-byte Ed25519/X25519 key. */
  readonly raw?: Uint8Array;
}

export interface PrivateKey {
  readonly type: KeyType;
  readonly curve?: CurveName;
  readonly rsa?: RsaPrivateKey;
  /** EC scalar or the 32-byte Ed25519/X25519 seed. */
  readonly raw?: Uint8Array;
  readonly publicKey: PublicKey;
}

export type SignatureKind = 'ecdsa' | 'rsa-pkcs1' | 'rsa-pss' | 'ed25519';
export interface SignatureAlgorithm { kind: SignatureKind; hash?: HashName }

const curveOf = (c: CurveName) => (c === 'P-256' ? p256 : p384);

function curveByOid(oid: string): CurveName {
  if (oid === OID.p256) return 'P-256';
  if (oid === OID.p384) return 'P-384';
  throw new DerError(`unsupported curve ${oid}`);
}

const curveOid = (c: CurveName) => (c === 'P-256' ? OID.p256 : OID.p384);

export function ecPublicFromPrivate(curve: CurveName, d: Uint8Array): Uint8Array {
  return curveOf(curve).getPublicKey(d, false);
}

// ---- parsing ----

export function parseRsaPublic(der: Uint8Array): RsaPublicKey {
  const [n, e] = seq(parseDer(der), 'RSAPublicKey');
  return { n: readBigInt(n), e: readBigInt(e) };
}

export function parseRsaPrivate(der: Uint8Array): RsaPrivateKey {
  const f = seq(parseDer(der), 'RSAPrivateKey').map((x) => readBigInt(x));
  if (f.length < 9) throw new DerError('RSAPrivateKey: too few fields');
  const [, n, e, d, p, q, dp, dq, qi] = f;
  return { n, e, d, p, q, dp, dq, qi };
}

/** SubjectPublicKeyInfo (RFC 5280 §4.1.2.7). */
export function parseSpki(node: DerNode): PublicKey {
  const [algId, bits] = seq(node, 'SubjectPublicKeyInfo');
  const alg = seq(algId, 'AlgorithmIdentifier');
  const oid = readOid(alg[0]);
  const key = readBitString(bits);
  switch (oid) {
    case OID.rsaEncryption: return { type: 'rsa', rsa: parseRsaPublic(key) };
    case OID.rsassaPss: return { type: 'rsa-pss', rsa: parseRsaPublic(key) };
    case OID.ecPublicKey: {
      const curve = curveByOid(readOid(alg[1]));
      const point = curveOf(curve).Point.fromBytes(key); // validates the point
      return { type: 'ec', curve, raw: point.toBytes(false) };
    }
    case OID.ed25519:
    case OID.x25519:
      if (key.length !== 32) throw new DerError('bad key length');
      return { type: oid === OID.ed25519 ? 'ed25519' : 'x25519', raw: key.slice() };
  }
  throw new DerError(`unsupported public key algorithm ${oid}`);
}

function parseSec1(der: Uint8Array, curve?: CurveName): PrivateKey {
  const f = seq(parseDer(der), 'ECPrivateKey');
  const d = expectTag(f[1], TAG.OCTET_STRING, 'privateKey').value.slice();
  for (const x of f.slice(2)) if (x.tag === 0xa0) curve = curveByOid(readOid(children(x)[0]));
  if (!curve) throw new DerError('EC key without a curve');
  return { type: 'ec', curve, raw: d, publicKey: { type: 'ec', curve, raw: ecPublicFromPrivate(curve, d) } };
}

export function rsaPrivateKey(rsa: RsaPrivateKey, type: KeyType = 'rsa'): PrivateKey {
  return { type, rsa, publicKey: { type, rsa: { n: rsa.n, e: rsa.e } } };
}

export function edPrivateKey(type: 'ed25519' | 'x25519', seed: Uint8Array): PrivateKey {
  const pub = type === 'ed25519' ? ed25519.getPublicKey(seed) : x25519.getPublicKey(seed);
  return { type, raw: seed, publicKey: { type, raw: pub } };
}

/** PKCS#8 PrivateKeyInfo (RFC 5208 / RFC 8410). */
export function parsePkcs8(der: Uint8Array): PrivateKey {
  const f = seq(parseDer(der), 'PrivateKeyInfo');
  const alg = seq(f[1], 'AlgorithmIdentifier');
  const oid = readOid(alg[0]);
  const inner = expectTag(f[2], TAG.OCTET_STRING, 'privateKey').value;
  switch (oid) {
    case OID.rsaEncryption: return rsaPrivateKey(parseRsaPrivate(inner));
    case OID.rsassaPss: return rsaPrivateKey(parseRsaPrivate(inner), 'rsa-pss');
    case OID.ecPublicKey: return parseSec1(inner, curveByOid(readOid(alg[1])));
    case OID.ed25519:
    case OID.x25519: {
      const seed = expectTag(parseDer(inner), TAG.OCTET_STRING, 'CurvePrivateKey').value.slice();
      if (seed.length !== 32) throw new DerError('bad key length');
      return edPrivateKey(oid === OID.ed25519 ? 'ed25519' : 'x25519', seed);
    }
  }
  throw new DerError(`unsupported private key algorithm ${oid}`);
}

/** A private key from PEM text (PKCS#8, PKCS#1 or SEC1) or PKCS#8 DER. */
export function parsePrivateKey(input: string | Uint8Array): PrivateKey {
  if (typeof input !== 'string') return parsePkcs8(input);
  for (const b of decodePem(input)) {
    if (b.label === 'PRIVATE KEY') return parsePkcs8(b.der);
    if (b.label === 'RSA PRIVATE KEY') return rsaPrivateKey(parseRsaPrivate(b.der));
    if (b.label === 'EC PRIVATE KEY') return parseSec1(b.der);
    if (b.label === 'ENCRYPTED PRIVATE KEY') throw new DerError('encrypted private keys are not supported');
  }
  throw new DerError('no private key found in PEM input');
}

export function parsePublicKey(input: string | Uint8Array): PublicKey {
  if (typeof input !== 'string') return parseSpki(parseDer(input));
  for (const b of decodePem(input)) {
    if (b.label === 'PUBLIC KEY') return parseSpki(parseDer(b.der));
    if (b.label === 'RSA PUBLIC KEY') return { type: 'rsa', rsa: parseRsaPublic(b.der) };
  }
  throw new DerError('no public key found in PEM input');
}

// ---- encoding ----

const rsaPub = (k: RsaPublicKey) => derSeq(derInt(k.n), derInt(k.e));

export function encodeSpki(k: PublicKey): Uint8Array {
  switch (k.type) {
    case 'rsa': return derSeq(derSeq(derOid(OID.rsaEncryption), derNull()), derBits(rsaPub(k.rsa!)));
    case 'rsa-pss': return derSeq(derSeq(derOid(OID.rsassaPss)), derBits(rsaPub(k.rsa!)));
    case 'ec': return derSeq(derSeq(derOid(OID.ecPublicKey), derOid(curveOid(k.curve!))), derBits(k.raw!));
    case 'ed25519': return derSeq(derSeq(derOid(OID.ed25519)), derBits(k.raw!));
    case 'x25519': return derSeq(derSeq(derOid(OID.x25519)), derBits(k.raw!));
  }
}

export function encodeRsaPrivate(k: RsaPrivateKey): Uint8Array {
  return derSeq(derInt(0), ...[k.n, k.e, k.d, k.p, k.q, k.dp, k.dq, k.qi].map(derInt));
}

export function encodeSec1(k: PrivateKey, withCurve = true): Uint8Array {
  const parts = [derInt(1), derOctets(k.raw!)];
  if (withCurve) parts.push(derExplicit(0, derOid(curveOid(k.curve!))));
  parts.push(derExplicit(1, derBits(k.publicKey.raw!)));
  return derSeq(...parts);
}

export function encodePkcs8(k: PrivateKey): Uint8Array {
  switch (k.type) {
    case 'rsa': return derSeq(derInt(0), derSeq(derOid(OID.rsaEncryption), derNull()), derOctets(encodeRsaPrivate(k.rsa!)));
    case 'rsa-pss': return derSeq(derInt(0), derSeq(derOid(OID.rsassaPss)), derOctets(encodeRsaPrivate(k.rsa!)));
    case 'ec': return derSeq(derInt(0), derSeq(derOid(OID.ecPublicKey), derOid(curveOid(k.curve!))), derOctets(encodeSec1(k, false)));
    case 'ed25519': return derSeq(derInt(0), derSeq(derOid(OID.ed25519)), derOctets(derOctets(k.raw!)));
    case 'x25519': return derSeq(derInt(0), derSeq(derOid(OID.x25519)), derOctets(derOctets(k.raw!)));
  }
}

/** Completes an RSA private key from n, e, d, p, q (JWK may carry all; this fills gaps). */
export function rsaFromParts(n: bigint, e: bigint, d: bigint, p: bigint, q: bigint): RsaPrivateKey {
  return { n, e, d, p, q, dp: d % (p - 1n), dq: d % (q - 1n), qi: modInv(q, p) };
}

// ---- signatures ----

function hashFor(alg: SignatureAlgorithm): Hash {
  const h = alg.hash && hashByName(alg.hash);
  if (!h) throw new TypeError(`unsupported hash ${alg.hash}`);
  return h;
}

/** Verifies; false for a wrong key type or a malformed signature (never throws on bad input). */
export function verifySignature(key: PublicKey, alg: SignatureAlgorithm, data: Uint8Array, sig: Uint8Array): boolean {
  try {
    switch (alg.kind) {
      case 'ecdsa':
        if (key.type !== 'ec') return false;
        if (native()) return nativeEcdsaVerify(key, hashFor(alg)(data), sig);
        return curveOf(key.curve!).verify(sig, hashFor(alg)(data), key.raw!, { prehash: false, lowS: false, format: 'der' });
      case 'ed25519':
        if (key.type !== 'ed25519') return false;
        return ed25519.verify(sig, data, key.raw!);
      case 'rsa-pkcs1':
        if (key.type !== 'rsa') return false;
        return rsaPkcs1Verify(key.rsa!, hashFor(alg), data, sig);
      case 'rsa-pss':
        if (key.type !== 'rsa' && key.type !== 'rsa-pss') return false;
        return rsaPssVerify(key.rsa!, hashFor(alg), data, sig);
    }
  } catch {
    return false;
  }
  return false;
}

/** ECDSA signatures are DER-encoded (as TLS and X.509 carry them). */
export function sign(key: PrivateKey, alg: SignatureAlgorithm, data: Uint8Array, random: Random): Uint8Array {
  switch (alg.kind) {
    case 'ecdsa':
      if (key.type !== 'ec') break;
      if (native()) return nativeEcdsaSign(key, hashFor(alg), data);
      return curveOf(key.curve!).sign(hashFor(alg)(data), key.raw!, { prehash: false, format: 'der', extraEntropy: random(32) });
    case 'ed25519':
      if (key.type !== 'ed25519') break;
      return ed25519.sign(data, key.raw!);
    case 'rsa-pkcs1':
      if (key.type !== 'rsa') break;
      return rsaPkcs1Sign(key.rsa!, hashFor(alg), data, random);
    case 'rsa-pss':
      if (key.type !== 'rsa' && key.type !== 'rsa-pss') break;
      return rsaPssSign(key.rsa!, hashFor(alg), data, random);
  }
  throw new TypeError(`a ${key.type} key cannot make ${alg.kind} signatures`);
}

const hwCurve = (c: CurveName) => (c === 'P-256' ? HW_EC.p256 : HW_EC.p384);
const coordLen = (c: CurveName) => (c === 'P-256' ? 32 : 48);

/** ECDSA over the core's BearSSL: k per RFC 6979 (deterministic), DER out as TLS carries it. */
function nativeEcdsaSign(key: PrivateKey, h: Hash, data: Uint8Array): Uint8Array {
  if (!h.hwId) throw new TypeError('unsupported hash for ECDSA');
  return ecdsaRawToDer(native()!.ecdsaSign(hwCurve(key.curve!), h.hwId, h(data), key.raw!));
}

/** Accepts high-S (as OpenSSL does); a malformed DER signature is false. */
function nativeEcdsaVerify(key: PublicKey, digest: Uint8Array, sig: Uint8Array): boolean {
  const raw = ecdsaDerToRaw(sig, coordLen(key.curve!));
  return native()!.ecdsaVerify(hwCurve(key.curve!), digest, key.raw!, raw);
}

export function ecdsaDerToRaw(sig: Uint8Array, size: number): Uint8Array {
  const [r, s] = seq(parseDer(sig)).map(readBigInt);
  const out = new Uint8Array(size * 2);
  out.set(bigToBytes(r, size), 0);
  out.set(bigToBytes(s, size), size);
  return out;
}

export function ecdsaRawToDer(sig: Uint8Array): Uint8Array {
  const h = sig.length / 2;
  return derSeq(derInt(bytesToBig(sig.subarray(0, h))), derInt(bytesToBig(sig.subarray(h))));
}

export const rsaModulusBytes = (k: RsaPublicKey) => byteLength(k.n);

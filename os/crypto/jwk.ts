/** JWK (RFC 7517/7518/8037) import and export of our key shapes. */
import './bigint-fix.ts'; // must precede @noble/curves
import { p256, p384 } from '@noble/curves/nist.js';
import { base64Decode, base64UrlEncode } from './der.ts';
import { edPrivateKey, ecPublicFromPrivate, rsaFromParts, type CurveName, type PrivateKey, type PublicKey } from './keys.ts';
import { bigToBytes, bytesToBig, byteLength } from './rsa.ts';

export interface Jwk {
  kty: string; crv?: string; x?: string; y?: string; d?: string;
  n?: string; e?: string; p?: string; q?: string; dp?: string; dq?: string; qi?: string;
  k?: string; [k: string]: unknown;
}

const b64 = (b: Uint8Array) => base64UrlEncode(b);
const big = (s: string | undefined) => { if (!s) throw new TypeError('Invalid JWK: missing field'); return bytesToBig(base64Decode(s)); };
const size = (c: CurveName) => (c === 'P-256' ? 32 : 48);

export function publicToJwk(k: PublicKey): Jwk {
  switch (k.type) {
    case 'rsa': case 'rsa-pss': return { kty: 'RSA', n: b64(bigToBytes(k.rsa!.n)), e: b64(bigToBytes(k.rsa!.e)) };
    case 'ec': {
      const n = size(k.curve!);
      return { kty: 'EC', crv: k.curve, x: b64(k.raw!.subarray(1, 1 + n)), y: b64(k.raw!.subarray(1 + n)) };
    }
    case 'ed25519': return { kty: 'OKP', crv: 'Ed25519', x: b64(k.raw!) };
    case 'x25519': return { kty: 'OKP', crv: 'X25519', x: b64(k.raw!) };
  }
}

export function privateToJwk(k: PrivateKey): Jwk {
  const pub = publicToJwk(k.publicKey);
  if (k.rsa) {
    const r = k.rsa;
    const l = byteLength(r.n);
    void l;
    return { ...pub, d: b64(bigToBytes(r.d)), p: b64(bigToBytes(r.p)), q: b64(bigToBytes(r.q)), dp: b64(bigToBytes(r.dp)), dq: b64(bigToBytes(r.dq)), qi: b64(bigToBytes(r.qi)) };
  }
  return { ...pub, d: b64(k.raw!) };
}

function curveOf(crv: string | undefined): CurveName {
  if (crv === 'P-256' || crv === 'P-384') return crv;
  throw new TypeError(`Unsupported JWK EC curve: ${crv}`);
}

export function jwkToPublic(j: Jwk): PublicKey {
  switch (j.kty) {
    case 'RSA': return { type: 'rsa', rsa: { n: big(j.n), e: big(j.e) } };
    case 'EC': {
      const c = curveOf(j.crv), n = size(c);
      const raw = new Uint8Array(1 + 2 * n);
      raw[0] = 4;
      raw.set(bigToBytes(big(j.x), n), 1);
      raw.set(bigToBytes(big(j.y), n), 1 + n);
      (c === 'P-256' ? p256 : p384).Point.fromBytes(raw); // validates
      return { type: 'ec', curve: c, raw };
    }
    case 'OKP':
      if (j.crv !== 'Ed25519' && j.crv !== 'X25519') throw new TypeError(`Unsupported JWK OKP curve: ${j.crv}`);
      return { type: j.crv === 'Ed25519' ? 'ed25519' : 'x25519', raw: base64Decode(j.x ?? '') };
  }
  throw new TypeError(`Unsupported JWK key type: ${j.kty}`);
}

export function jwkToPrivate(j: Jwk): PrivateKey {
  if (!j.d) throw new TypeError('Invalid JWK private key: no "d"');
  switch (j.kty) {
    case 'RSA': {
      const rsa = rsaFromParts(big(j.n), big(j.e), big(j.d), big(j.p), big(j.q));
      return { type: 'rsa', rsa, publicKey: { type: 'rsa', rsa: { n: rsa.n, e: rsa.e } } };
    }
    case 'EC': {
      const c = curveOf(j.crv);
      const d = bigToBytes(big(j.d), size(c));
      return { type: 'ec', curve: c, raw: d, publicKey: { type: 'ec', curve: c, raw: ecPublicFromPrivate(c, d) } };
    }
    case 'OKP': return edPrivateKey(j.crv === 'Ed25519' ? 'ed25519' : 'x25519', base64Decode(j.d));
  }
  throw new TypeError(`Unsupported JWK key type: ${j.kty}`);
}

/**
 * WebCrypto SubtleCrypto (W3C Web Cryptography API) over os/crypto and node:crypto's key
 * code: digest, sign/verify, encrypt/decrypt, generateKey, importKey/exportKey (raw, pkcs8,
 * spki, jwk), deriveBits/deriveKey, wrapKey/unwrapKey for HMAC, RSASSA-PKCS1-v1_5, RSA-PSS,
 * RSA-OAEP, ECDSA, ECDH, Ed25519, X25519, AES-GCM/CBC/CTR/KW, PBKDF2, HKDF, SHA-1/256/384/512.
 */
import '../../crypto/bigint-fix.ts'; // must precede @noble/curves
import { cbc, ctr, gcm, aeskw } from '@noble/ciphers/aes.js';
import { hmac } from '@noble/hashes/hmac.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { p256, p384 } from '@noble/curves/nist.js';
import { base64Decode, base64UrlEncode } from '../../crypto/der.ts';
import { bytesEqual, hashByName, pbkdf2Hmac, type Hash } from '../../crypto/hash.ts';
import {
  ecdsaDerToRaw, ecdsaRawToDer, encodePkcs8, encodeSpki, parsePkcs8, parseSpki, sign as signWith, verifySignature,
  type CurveName, type PrivateKey, type PublicKey,
} from '../../crypto/keys.ts';
import { parseDer } from '../../crypto/der.ts';
import { jwkToPrivate, jwkToPublic, privateToJwk, publicToJwk, type Jwk } from '../../crypto/jwk.ts';
import { bigToBytes, bitLength, bytesToBig, generateRsaKey, rsaOaepDecrypt, rsaOaepEncrypt, rsaPssSign, rsaPssVerify } from '../../crypto/rsa.ts';
import { rsaPrivateKey, edPrivateKey, ecPublicFromPrivate } from '../../crypto/keys.ts';
import { DOMException } from '../../runtime/dom-exception.ts';
import { getRandomValues, randomUUID } from '../../runtime/random.ts';

const random = (n: number) => getRandomValues(new Uint8Array(n));
type Bytes = ArrayBuffer | ArrayBufferView;
type AlgId = string | { name: string; [k: string]: unknown };
const u8 = (b: Bytes): Uint8Array => (b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength)).slice();
const ab = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
const fail = (name: string, msg: string) => new DOMException(msg, name);

const NAMES = ['HMAC', 'RSASSA-PKCS1-v1_5', 'RSA-PSS', 'RSA-OAEP', 'ECDSA', 'ECDH', 'Ed25519', 'X25519', 'AES-GCM', 'AES-CBC', 'AES-CTR', 'AES-KW', 'PBKDF2', 'HKDF', 'SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];
function normalize(a: AlgId): { name: string; [k: string]: unknown } {
  const o: { name: string; [k: string]: unknown } = typeof a === 'string' ? { name: a } : { ...a };
  const n = NAMES.find((x) => x.toLowerCase() === String(o.name).toLowerCase());
  if (!n) throw fail('NotSupportedError', `Unrecognized algorithm name`);
  o.name = n;
  if (o.hash) o.hash = normalize(o.hash as AlgId);
  return o;
}
function hashOf(a: Record<string, unknown>): Hash {
  const h = a.hash ? hashByName((a.hash as { name: string }).name) : undefined;
  if (!h) throw fail('NotSupportedError', 'Unrecognized hash');
  return h;
}

type KeyValue = { secret?: Uint8Array; priv?: PrivateKey; pub?: PublicKey };

export class CryptoKey {
  readonly #v: KeyValue;
  constructor(readonly type: 'secret' | 'public' | 'private', readonly extractable: boolean, readonly algorithm: Record<string, unknown>, readonly usages: string[], v: KeyValue) {
    this.#v = v;
  }
  get _v(): KeyValue { return this.#v; }
  get [Symbol.toStringTag](): string { return 'CryptoKey'; }
}

function check(key: CryptoKey, alg: string, usage: string): void {
  if (!(key instanceof CryptoKey)) throw new TypeError('key is not a CryptoKey');
  if (key.algorithm.name !== alg) throw fail('InvalidAccessError', 'The requested operation is not valid for the provided key');
  if (!key.usages.includes(usage)) throw fail('InvalidAccessError', 'The requested operation is not valid for the provided key');
}

const CURVES: Record<string, CurveName> = { 'P-256': 'P-256', 'P-384': 'P-384' };
const curveLib = (c: CurveName) => (c === 'P-256' ? p256 : p384);
const coordLen = (c: CurveName) => (c === 'P-256' ? 32 : 48);

function keyAlgorithm(a: { name: string; [k: string]: unknown }, v: KeyValue): Record<string, unknown> {
  const name = a.name;
  if (name.startsWith('RSA')) {
    const r = (v.pub ?? v.priv!.publicKey).rsa!;
    return { name, modulusLength: bitLength(r.n), publicExponent: bigToBytes(r.e), hash: { name: (a.hash as { name: string }).name } };
  }
  if (name === 'ECDSA' || name === 'ECDH') return { name, namedCurve: (v.pub ?? v.priv!.publicKey).curve };
  if (name === 'HMAC') return { name, hash: { name: (a.hash as { name: string }).name }, length: v.secret!.length * 8 };
  if (name.startsWith('AES')) return { name, length: v.secret!.length * 8 };
  return { name };
}

function split(alg: string, usages: string[]): [string[], string[]] {
  const pubUses = new Set(['verify', 'encrypt', 'wrapKey']);
  const priv = usages.filter((u) => !pubUses.has(u));
  const pub = usages.filter((u) => pubUses.has(u));
  void alg;
  return [pub, priv];
}

function publicOnly(alg: string, usages: string[]): string[] {
  return alg === 'ECDH' || alg === 'X25519' ? [] : usages;
}

export class SubtleCrypto {
  async digest(algorithm: AlgId, data: Bytes): Promise<ArrayBuffer> {
    const a = normalize(algorithm);
    const h = hashByName(a.name);
    if (!h || !a.name.startsWith('SHA')) throw fail('NotSupportedError', 'Unrecognized algorithm name');
    return ab(h(u8(data)));
  }

  async generateKey(algorithm: AlgId, extractable: boolean, usages: string[]): Promise<CryptoKey | { publicKey: CryptoKey; privateKey: CryptoKey }> {
    const a = normalize(algorithm);
    switch (a.name) {
      case 'HMAC': {
        const len = Number(a.length ?? hashOf(a).blockLen * 8);
        const v = { secret: random(len / 8) };
        return new CryptoKey('secret', extractable, keyAlgorithm(a, v), usages, v);
      }
      case 'AES-GCM': case 'AES-CBC': case 'AES-CTR': case 'AES-KW': {
        const len = Number(a.length);
        if (![128, 192, 256].includes(len)) throw fail('OperationError', 'AES key length must be 128, 192 or 256 bits');
        const v = { secret: random(len / 8) };
        return new CryptoKey('secret', extractable, keyAlgorithm(a, v), usages, v);
      }
    }
    let priv: PrivateKey;
    if (a.name.startsWith('RSA')) {
      hashOf(a);
      const e = bytesToBig(u8(a.publicExponent as Uint8Array));
      priv = rsaPrivateKey(generateRsaKey(Number(a.modulusLength), random, e));
    } else if (a.name === 'ECDSA' || a.name === 'ECDH') {
      const c = CURVES[String(a.namedCurve)];
      if (!c) throw fail('NotSupportedError', 'Unrecognized namedCurve');
      const d = curveLib(c).utils.randomSecretKey(random(curveLib(c).lengths.seed!));
      priv = { type: 'ec', curve: c, raw: d, publicKey: { type: 'ec', curve: c, raw: ecPublicFromPrivate(c, d) } };
    } else if (a.name === 'Ed25519' || a.name === 'X25519') {
      priv = edPrivateKey(a.name === 'Ed25519' ? 'ed25519' : 'x25519', random(32));
    } else throw fail('NotSupportedError', `${a.name} cannot generate keys`);
    const [pubU, privU] = split(a.name, usages);
    const v = { priv };
    const alg = keyAlgorithm(a, v);
    return {
      publicKey: new CryptoKey('public', true, alg, publicOnly(a.name, pubU), { pub: priv.publicKey }),
      privateKey: new CryptoKey('private', extractable, alg, privU, v),
    };
  }

  async importKey(format: string, keyData: Bytes | Jwk, algorithm: AlgId, extractable: boolean, usages: string[]): Promise<CryptoKey> {
    const a = normalize(algorithm);
    const secretAlg = a.name === 'HMAC' || a.name.startsWith('AES') || a.name === 'PBKDF2' || a.name === 'HKDF';
    try {
      if (secretAlg) {
        let secret: Uint8Array;
        if (format === 'raw') secret = u8(keyData as Bytes);
        else if (format === 'jwk') secret = base64Decode(String((keyData as Jwk).k ?? ''));
        else throw fail('NotSupportedError', `Unsupported key format ${format} for ${a.name}`);
        if (a.name.startsWith('AES') && ![16, 24, 32].includes(secret.length)) throw fail('DataError', 'Invalid key length');
        if (a.name === 'HMAC') hashOf(a);
        return new CryptoKey('secret', a.name === 'PBKDF2' || a.name === 'HKDF' ? false : extractable, keyAlgorithm(a, { secret }), usages, { secret });
      }
      let v: KeyValue;
      let type: 'public' | 'private';
      if (format === 'spki') { v = { pub: parseSpki(parseDer(u8(keyData as Bytes))) }; type = 'public'; }
      else if (format === 'pkcs8') { v = { priv: parsePkcs8(u8(keyData as Bytes)) }; type = 'private'; }
      else if (format === 'jwk') {
        const j = keyData as Jwk;
        if (j.d) { v = { priv: jwkToPrivate(j) }; type = 'private'; } else { v = { pub: jwkToPublic(j) }; type = 'public'; }
      } else if (format === 'raw') {
        const raw = u8(keyData as Bytes);
        if (a.name === 'Ed25519' || a.name === 'X25519') v = { pub: { type: a.name === 'Ed25519' ? 'ed25519' : 'x25519', raw } };
        else {
          const c = CURVES[String(a.namedCurve)];
          if (!c) throw fail('NotSupportedError', 'raw import needs an EC or OKP algorithm');
          v = { pub: { type: 'ec', curve: c, raw: curveLib(c).Point.fromBytes(raw).toBytes(false) } };
        }
        type = 'public';
      } else throw fail('NotSupportedError', `Unsupported key format ${format}`);
      const k = v.pub ?? v.priv!.publicKey;
      const want = a.name.startsWith('RSA') ? ['rsa', 'rsa-pss'] : a.name === 'ECDSA' || a.name === 'ECDH' ? ['ec'] : [a.name.toLowerCase()];
      if (!want.includes(k.type)) throw fail('DataError', 'Key type does not match the algorithm');
      if ((a.name === 'ECDSA' || a.name === 'ECDH') && a.namedCurve !== k.curve) throw fail('DataError', 'Named curve mismatch');
      if (a.name.startsWith('RSA')) hashOf(a);
      return new CryptoKey(type, extractable || type === 'public', keyAlgorithm(a, v), usages, v);
    } catch (e) {
      if (e instanceof DOMException) throw e;
      throw fail('DataError', `Invalid keyData: ${(e as Error).message}`);
    }
  }

  async exportKey(format: string, key: CryptoKey): Promise<ArrayBuffer | Jwk> {
    if (!key.extractable) throw fail('InvalidAccessError', 'key is not extractable');
    const v = key._v;
    if (v.secret) {
      if (format === 'raw') return ab(v.secret);
      if (format === 'jwk') {
        const a = key.algorithm as { name: string; hash?: { name: string } };
        const bits = v.secret.length * 8;
        const alg = a.name === 'HMAC' ? `HS${a.hash!.name.slice(4)}` : a.name.startsWith('AES') ? `A${bits}${a.name.slice(4)}` : undefined;
        return { key_ops: key.usages, ext: true, kty: 'oct', k: base64UrlEncode(v.secret), ...(alg ? { alg } : {}) };
      }
      throw fail('NotSupportedError', `Unsupported export format ${format}`);
    }
    switch (format) {
      case 'spki': if (!v.pub) break; return ab(encodeSpki(v.pub));
      case 'pkcs8': if (!v.priv) break; return ab(encodePkcs8(v.priv));
      case 'raw': if (!v.pub || v.pub.rsa) break; return ab(v.pub.raw!);
      case 'jwk': return { key_ops: key.usages, ext: true, ...(v.priv ? privateToJwk(v.priv) : publicToJwk(v.pub!)) };
    }
    throw fail('InvalidAccessError', `Cannot export this key as ${format}`);
  }

  async sign(algorithm: AlgId, key: CryptoKey, data: Bytes): Promise<ArrayBuffer> {
    const a = normalize(algorithm);
    check(key, a.name, 'sign');
    const d = u8(data);
    const v = key._v;
    switch (a.name) {
      case 'HMAC': return ab(hmac(hashOf(key.algorithm) as never, v.secret!, d));
      case 'ECDSA': return ab(ecdsaDerToRaw(signWith(v.priv!, { kind: 'ecdsa', hash: hashName(a) }, d, random), coordLen(v.priv!.curve!)));
      case 'Ed25519': return ab(signWith(v.priv!, { kind: 'ed25519' }, d, random));
      case 'RSASSA-PKCS1-v1_5': return ab(signWith(v.priv!, { kind: 'rsa-pkcs1', hash: hashName(key.algorithm) }, d, random));
      case 'RSA-PSS': return ab(rsaPssSign(v.priv!.rsa!, hashOf(key.algorithm), d, random, Number(a.saltLength ?? 32)));
    }
    throw fail('NotSupportedError', `${a.name} does not sign`);
  }

  async verify(algorithm: AlgId, key: CryptoKey, signature: Bytes, data: Bytes): Promise<boolean> {
    const a = normalize(algorithm);
    check(key, a.name, 'verify');
    const d = u8(data), s = u8(signature);
    const v = key._v;
    switch (a.name) {
      case 'HMAC': return bytesEqual(hmac(hashOf(key.algorithm) as never, v.secret!, d), s);
      case 'ECDSA': {
        const pub = v.pub ?? v.priv!.publicKey;
        if (s.length !== 2 * coordLen(pub.curve!)) return false;
        return verifySignature(pub, { kind: 'ecdsa', hash: hashName(a) }, d, ecdsaRawToDer(s));
      }
      case 'Ed25519': return verifySignature(v.pub!, { kind: 'ed25519' }, d, s);
      case 'RSASSA-PKCS1-v1_5': return verifySignature(v.pub!, { kind: 'rsa-pkcs1', hash: hashName(key.algorithm) }, d, s);
      case 'RSA-PSS': return rsaPssVerify(v.pub!.rsa!, hashOf(key.algorithm), d, s, Number(a.saltLength ?? 32));
    }
    throw fail('NotSupportedError', `${a.name} does not verify`);
  }

  async encrypt(algorithm: AlgId, key: CryptoKey, data: Bytes): Promise<ArrayBuffer> {
    const a = normalize(algorithm);
    check(key, a.name, 'encrypt');
    return ab(this.#cipher(a, key, u8(data), true));
  }

  async decrypt(algorithm: AlgId, key: CryptoKey, data: Bytes): Promise<ArrayBuffer> {
    const a = normalize(algorithm);
    check(key, a.name, 'decrypt');
    return ab(this.#cipher(a, key, u8(data), false));
  }

  #cipher(a: { name: string; [k: string]: unknown }, key: CryptoKey, d: Uint8Array, enc: boolean): Uint8Array {
    const k = key._v.secret!;
    try {
      switch (a.name) {
        case 'AES-GCM': {
          const tagLength = Number(a.tagLength ?? 128);
          if (tagLength !== 128) throw fail('NotSupportedError', 'only 128-bit AES-GCM tags are supported');
          const c = gcm(k, u8(a.iv as Bytes), a.additionalData ? u8(a.additionalData as Bytes) : undefined);
          return enc ? c.encrypt(d) : c.decrypt(d);
        }
        case 'AES-CBC': { const c = cbc(k, u8(a.iv as Bytes)); return enc ? c.encrypt(d) : c.decrypt(d); }
        case 'AES-CTR': { const c = ctr(k, u8(a.counter as Bytes)); return enc ? c.encrypt(d) : c.decrypt(d); }
        case 'RSA-OAEP': {
          const label = a.label ? u8(a.label as Bytes) : undefined;
          if (enc) return rsaOaepEncrypt(key._v.pub!.rsa!, hashOf(key.algorithm), d, random, label);
          const r = rsaOaepDecrypt(key._v.priv!.rsa!, hashOf(key.algorithm), d, random, label);
          if (!r) throw new Error('decryption failed');
          return r;
        }
      }
    } catch (e) {
      if (e instanceof DOMException) throw e;
      throw fail('OperationError', 'The operation failed for an operation-specific reason');
    }
    throw fail('NotSupportedError', `${a.name} does not encrypt`);
  }

  async deriveBits(algorithm: AlgId, baseKey: CryptoKey, length: number | null): Promise<ArrayBuffer> {
    const a = normalize(algorithm);
    check(baseKey, a.name, 'deriveBits');
    let out: Uint8Array;
    switch (a.name) {
      case 'ECDH': {
        const pub = (a.public as CryptoKey)._v.pub!, priv = baseKey._v.priv!;
        out = curveLib(priv.curve!).getSharedSecret(priv.raw!, pub.raw!, true).subarray(1);
        break;
      }
      case 'X25519': out = x25519.getSharedSecret(baseKey._v.priv!.raw!, (a.public as CryptoKey)._v.pub!.raw!); break;
      case 'HKDF': out = hkdf(hashOf(a) as never, baseKey._v.secret!, u8(a.salt as Bytes), u8(a.info as Bytes), Number(length) / 8); break;
      case 'PBKDF2': out = pbkdf2Hmac(hashOf(a), baseKey._v.secret!, u8(a.salt as Bytes), Number(a.iterations), Number(length) / 8); break;
      default: throw fail('NotSupportedError', `${a.name} does not derive`);
    }
    if (length !== null && length !== undefined) {
      if (length / 8 > out.length) throw fail('OperationError', 'derived length too long');
      out = out.subarray(0, length / 8);
    }
    return ab(out);
  }

  async deriveKey(algorithm: AlgId, baseKey: CryptoKey, derivedKeyType: AlgId, extractable: boolean, usages: string[]): Promise<CryptoKey> {
    const t = normalize(derivedKeyType);
    const length = t.name === 'HMAC' ? Number(t.length ?? hashOf(t).blockLen * 8) : Number(t.length);
    const a = normalize(algorithm);
    const fake = new CryptoKey(baseKey.type, baseKey.extractable, baseKey.algorithm, [...baseKey.usages, 'deriveBits'], baseKey._v);
    if (!baseKey.usages.includes('deriveKey')) throw fail('InvalidAccessError', 'key does not allow deriveKey');
    const bits = await this.deriveBits(a, fake, length);
    return this.importKey('raw', bits, t, extractable, usages) as Promise<CryptoKey>;
  }

  async wrapKey(format: string, key: CryptoKey, wrappingKey: CryptoKey, wrapAlgorithm: AlgId): Promise<ArrayBuffer> {
    const a = normalize(wrapAlgorithm);
    check(wrappingKey, a.name, 'wrapKey');
    const exported = await this.exportKey(format, key);
    const data = format === 'jwk' ? new TextEncoder().encode(JSON.stringify(exported)) : new Uint8Array(exported as ArrayBuffer);
    if (a.name === 'AES-KW') return ab(aeskw(wrappingKey._v.secret!).encrypt(data));
    return ab(this.#cipher(a, wrappingKey, data, true));
  }

  async unwrapKey(format: string, wrapped: Bytes, unwrappingKey: CryptoKey, unwrapAlgorithm: AlgId, keyAlgorithm: AlgId, extractable: boolean, usages: string[]): Promise<CryptoKey> {
    const a = normalize(unwrapAlgorithm);
    check(unwrappingKey, a.name, 'unwrapKey');
    let data: Uint8Array;
    try {
      data = a.name === 'AES-KW' ? aeskw(unwrappingKey._v.secret!).decrypt(u8(wrapped)) : this.#cipher(a, unwrappingKey, u8(wrapped), false);
    } catch (e) {
      if (e instanceof DOMException) throw e;
      throw fail('OperationError', 'unwrap failed');
    }
    const keyData = format === 'jwk' ? JSON.parse(new TextDecoder().decode(data)) as Jwk : ab(data);
    return this.importKey(format, keyData, keyAlgorithm, extractable, usages);
  }
}

function hashName(a: Record<string, unknown>): 'sha1' | 'sha256' | 'sha384' | 'sha512' {
  const n = (a.hash as { name?: string } | undefined)?.name;
  const m: Record<string, 'sha1' | 'sha256' | 'sha384' | 'sha512'> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
  if (!n || !m[n]) throw fail('NotSupportedError', 'Unrecognized hash');
  return m[n];
}

export const subtle = new SubtleCrypto();
export const webcrypto = { subtle, getRandomValues, randomUUID, CryptoKey, SubtleCrypto };

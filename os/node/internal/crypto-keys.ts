/**
 * node:crypto keys and signatures: KeyObject, createPrivateKey/createPublicKey/
 * createSecretKey (PEM, DER, JWK), generateKeyPair(Sync) (rsa, ec, ed25519, x25519),
 * sign/verify, createSign/createVerify, publicEncrypt/privateDecrypt (OAEP),
 * diffieHellman — over os/crypto.
 */
import { Buffer } from 'buffer/index.js';
import '../../crypto/bigint-fix.ts'; // must precede @noble/curves
import { x25519 } from '@noble/curves/ed25519.js';
import { p256, p384 } from '@noble/curves/nist.js';
import { decodePem, derInt, derSeq, encodePem } from '../../crypto/der.ts';
import { hashByName, type HashName } from '../../crypto/hash.ts';
import {
  edPrivateKey, ecPublicFromPrivate, ecdsaDerToRaw, ecdsaRawToDer, encodePkcs8, encodeRsaPrivate, encodeSec1, encodeSpki,
  parsePkcs8, parsePrivateKey, parsePublicKey, parseRsaPrivate, parseRsaPublic, rsaPrivateKey, sign as signWith,
  verifySignature, type PrivateKey, type PublicKey, type SignatureAlgorithm,
} from '../../crypto/keys.ts';
import { jwkToPrivate, jwkToPublic, privateToJwk, publicToJwk, type Jwk } from '../../crypto/jwk.ts';
import { bitLength, generateRsaKey, rsaOaepDecrypt, rsaOaepEncrypt, rsaPssSign, rsaPssVerify } from '../../crypto/rsa.ts';
import { parseCertificate } from '../../tls/x509/certificate.ts';
import { getRandomValues } from '../../runtime/random.ts';

const random = (n: number) => getRandomValues(new Uint8Array(n));
type Data = string | ArrayBufferView;
const bytes = (d: Data, enc?: string): Uint8Array => typeof d === 'string'
  ? new Uint8Array(Buffer.from(d, (enc ?? 'utf8') as BufferEncoding))
  : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

function err(code: string, message: string, Base: ErrorConstructor = Error): Error {
  return Object.assign(new Base(message), { code });
}

export const constants = {
  RSA_PKCS1_PADDING: 1, RSA_NO_PADDING: 3, RSA_PKCS1_OAEP_PADDING: 4, RSA_PKCS1_PSS_PADDING: 6,
  RSA_PSS_SALTLEN_DIGEST: -1, RSA_PSS_SALTLEN_MAX_SIGN: -2, RSA_PSS_SALTLEN_AUTO: -2,
};

const CURVE_NAMES: Record<string, 'P-256' | 'P-384'> = { 'P-256': 'P-256', prime256v1: 'P-256', secp256r1: 'P-256', 'P-384': 'P-384', secp384r1: 'P-384' };
const NODE_CURVE = { 'P-256': 'prime256v1', 'P-384': 'secp384r1' } as const;

export class KeyObject {
  readonly type: 'secret' | 'public' | 'private';
  readonly #priv?: PrivateKey;
  readonly #pub?: PublicKey;
  readonly #secret?: Uint8Array;
  constructor(type: 'secret' | 'public' | 'private', value: PrivateKey | PublicKey | Uint8Array) {
    this.type = type;
    if (type === 'secret') this.#secret = (value as Uint8Array).slice();
    else if (type === 'private') { this.#priv = value as PrivateKey; this.#pub = (value as PrivateKey).publicKey; }
    else this.#pub = value as PublicKey;
  }
  /** Internal accessors for os/node modules. */
  get _private(): PrivateKey | undefined { return this.#priv; }
  get _public(): PublicKey | undefined { return this.#pub; }
  get _secret(): Uint8Array | undefined { return this.#secret; }
  get asymmetricKeyType(): string | undefined { return this.#pub?.type; }
  get symmetricKeySize(): number | undefined { return this.#secret?.length; }
  get asymmetricKeyDetails(): Record<string, unknown> | undefined {
    const p = this.#pub;
    if (!p) return undefined;
    if (p.rsa) return { modulusLength: bitLength(p.rsa.n), publicExponent: p.rsa.e };
    if (p.type === 'ec') return { namedCurve: NODE_CURVE[p.curve!] };
    return {};
  }
  export(options: { format?: 'pem' | 'der' | 'jwk'; type?: string } = {}): Buffer | string | Jwk {
    const format = options.format ?? 'pem';
    if (this.type === 'secret') {
      if (format === 'jwk') return { kty: 'oct', k: Buffer.from(this.#secret!).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') };
      return Buffer.from(this.#secret!);
    }
    if (format === 'jwk') return this.type === 'private' ? privateToJwk(this.#priv!) : publicToJwk(this.#pub!);
    let der: Uint8Array, label: string;
    if (this.type === 'public') {
      if (options.type === 'pkcs1') { der = encodeRsaPublicDer(this.#pub!); label = 'RSA PUBLIC KEY'; }
      else { der = encodeSpki(this.#pub!); label = 'PUBLIC KEY'; }
    } else if (options.type === 'pkcs1') { der = encodeRsaPrivate(this.#priv!.rsa!); label = 'RSA PRIVATE KEY'; }
    else if (options.type === 'sec1') { der = encodeSec1(this.#priv!); label = 'EC PRIVATE KEY'; }
    else { der = encodePkcs8(this.#priv!); label = 'PRIVATE KEY'; }
    return format === 'der' ? Buffer.from(der) : encodePem(label, der);
  }
  equals(other: KeyObject): boolean {
    if (this.type !== other.type) return false;
    const a = this.export({ format: 'der', type: this.type === 'public' ? 'spki' : 'pkcs8' }) as Buffer;
    return a.equals(other.export({ format: 'der', type: other.type === 'public' ? 'spki' : 'pkcs8' }) as Buffer);
  }
}

function encodeRsaPublicDer(k: PublicKey): Uint8Array {
  if (!k.rsa) throw err('ERR_CRYPTO_INCOMPATIBLE_KEY_OPTIONS', 'pkcs1 is only for RSA keys', TypeError);
  return derSeq(derInt(k.rsa.n), derInt(k.rsa.e));
}

type KeyInput = string | ArrayBufferView | KeyObject | { key: unknown; format?: string; type?: string; encoding?: string; passphrase?: string; padding?: number; saltLength?: number; dsaEncoding?: string; oaepHash?: string };

function keyMaterial(input: KeyInput): { key: unknown; format?: string; type?: string; encoding?: string } {
  if (typeof input === 'string' || ArrayBuffer.isView(input) || input instanceof KeyObject) return { key: input };
  return input as { key: unknown; format?: string; type?: string };
}

export function createPrivateKey(input: KeyInput): KeyObject {
  if (input instanceof KeyObject) {
    if (input.type !== 'private') throw err('ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE', `Invalid key object type ${input.type}, expected private.`, TypeError);
    return input;
  }
  const { key, format, type } = keyMaterial(input);
  if (key instanceof KeyObject) return createPrivateKey(key);
  try {
    if (format === 'jwk') return new KeyObject('private', jwkToPrivate(key as Jwk));
    if (format === 'der') {
      const der = bytes(key as ArrayBufferView);
      if (type === 'pkcs1') return new KeyObject('private', rsaPrivateKey(parseRsaPrivate(der)));
      if (type === 'sec1') return new KeyObject('private', parsePrivateKey(encodePem('EC PRIVATE KEY', der)));
      return new KeyObject('private', parsePkcs8(der));
    }
    const text = typeof key === 'string' ? key : Buffer.from(bytes(key as ArrayBufferView)).toString('utf8');
    return new KeyObject('private', parsePrivateKey(text));
  } catch (e) {
    if ((e as { code?: string }).code) throw e;
    throw err('ERR_OSSL_UNSUPPORTED', `error:1E08010C:DECODER routines::unsupported (${(e as Error).message})`);
  }
}

export function createPublicKey(input: KeyInput): KeyObject {
  if (input instanceof KeyObject) {
    if (input.type === 'private') return new KeyObject('public', input._public!);
    if (input.type === 'public') return input;
    throw err('ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE', 'Invalid key object type secret, expected private or public.', TypeError);
  }
  const { key, format, type } = keyMaterial(input);
  if (key instanceof KeyObject) return createPublicKey(key);
  try {
    if (format === 'jwk') return new KeyObject('public', jwkToPublic(key as Jwk));
    if (format === 'der') {
      const der = bytes(key as ArrayBufferView);
      if (type === 'pkcs1') return new KeyObject('public', { type: 'rsa', rsa: parseRsaPublic(der) });
      return new KeyObject('public', parsePublicKey(der));
    }
    const text = typeof key === 'string' ? key : Buffer.from(bytes(key as ArrayBufferView)).toString('utf8');
    const blocks = decodePem(text);
    for (const b of blocks) {
      if (b.label === 'CERTIFICATE') {
        const pk = parseCertificate(b.der).publicKey;
        if (pk) return new KeyObject('public', pk);
      }
      if (b.label.endsWith('PRIVATE KEY')) return new KeyObject('public', parsePrivateKey(text).publicKey);
    }
    return new KeyObject('public', parsePublicKey(text));
  } catch (e) {
    if ((e as { code?: string }).code) throw e;
    throw err('ERR_OSSL_UNSUPPORTED', `error:1E08010C:DECODER routines::unsupported (${(e as Error).message})`);
  }
}

export function createSecretKey(key: Data, encoding?: string): KeyObject {
  return new KeyObject('secret', bytes(key, encoding));
}

// ---- signatures ----

function signatureAlgorithm(algorithm: string | null | undefined, key: PublicKey, opts: { padding?: number }): SignatureAlgorithm {
  const hash = algorithm ? (algorithm.toLowerCase().replace(/^rsa-/, '').replace('-', '') as HashName) : undefined;
  if (hash && !hashByName(hash)) throw err('ERR_OSSL_EVP_INVALID_DIGEST', 'Invalid digest', TypeError);
  switch (key.type) {
    case 'ed25519': return { kind: 'ed25519' };
    case 'ec': return { kind: 'ecdsa', hash: hash ?? 'sha256' };
    case 'rsa-pss': return { kind: 'rsa-pss', hash: hash ?? 'sha256' };
    case 'rsa': return { kind: opts.padding === constants.RSA_PKCS1_PSS_PADDING ? 'rsa-pss' : 'rsa-pkcs1', hash: hash ?? 'sha256' };
  }
  throw err('ERR_OSSL_EVP_OPERATION_NOT_SUPPORTED_FOR_THIS_KEYTYPE', 'operation not supported for this keytype');
}

const ecSize = (k: PublicKey) => (k.curve === 'P-256' ? 32 : 48);

export function sign(algorithm: string | null | undefined, data: ArrayBufferView, key: KeyInput): Buffer {
  const opts = (typeof key === 'object' && !ArrayBuffer.isView(key) && !(key instanceof KeyObject) ? key : {}) as { padding?: number; saltLength?: number; dsaEncoding?: string };
  const k = createPrivateKey(key)._private!;
  const alg = signatureAlgorithm(algorithm, k.publicKey, opts);
  let sig: Uint8Array;
  if (alg.kind === 'rsa-pss') {
    const h = hashByName(alg.hash!)!;
    const emLen = Math.ceil((bitLength(k.rsa!.n) - 1) / 8);
    const salt = opts.saltLength === undefined || opts.saltLength === -2 ? emLen - h.outputLen - 2 : opts.saltLength === -1 ? h.outputLen : opts.saltLength;
    sig = signWithSalt(k, alg, bytes(data), salt);
  } else sig = signWith(k, alg, bytes(data), random);
  if (alg.kind === 'ecdsa' && opts.dsaEncoding === 'ieee-p1363') sig = ecdsaDerToRaw(sig, ecSize(k.publicKey));
  return Buffer.from(sig);
}

function signWithSalt(k: PrivateKey, alg: SignatureAlgorithm, data: Uint8Array, saltLen: number): Uint8Array {
  return rsaPssSign(k.rsa!, hashByName(alg.hash!)!, data, random, saltLen);
}

export function verify(algorithm: string | null | undefined, data: ArrayBufferView, key: KeyInput, signature: ArrayBufferView): boolean {
  const opts = (typeof key === 'object' && !ArrayBuffer.isView(key) && !(key instanceof KeyObject) ? key : {}) as { padding?: number; saltLength?: number; dsaEncoding?: string };
  const k = createPublicKey(key)._public!;
  const alg = signatureAlgorithm(algorithm, k, opts);
  let sig = bytes(signature);
  if (alg.kind === 'ecdsa' && opts.dsaEncoding === 'ieee-p1363') {
    if (sig.length !== 2 * ecSize(k)) return false;
    sig = ecdsaRawToDer(sig);
  }
  if (alg.kind === 'rsa-pss') {
    const h = hashByName(alg.hash!)!;
    const salt = opts.saltLength === undefined || opts.saltLength === -2 ? -1 : opts.saltLength === -1 ? h.outputLen : opts.saltLength;
    return rsaPssVerify(k.rsa!, h, bytes(data), sig, salt);
  }
  return verifySignature(k, alg, bytes(data), sig);
}

class Accumulator {
  protected parts: Uint8Array[] = [];
  constructor(readonly algorithm: string) {
    if (!hashByName(algorithm)) throw err('ERR_OSSL_EVP_INVALID_DIGEST', 'Invalid digest', TypeError);
  }
  update(data: Data, enc?: string): this { this.parts.push(bytes(data, enc).slice()); return this; }
  protected get data(): Buffer { return Buffer.concat(this.parts); }
}

export class Sign extends Accumulator {
  sign(key: KeyInput, enc?: string): Buffer | string {
    const s = sign(this.algorithm, this.data, key);
    return enc ? s.toString(enc as BufferEncoding) : s;
  }
}
export class Verify extends Accumulator {
  verify(key: KeyInput, signature: Data, enc?: string): boolean {
    return verify(this.algorithm, this.data, key, bytes(signature, enc));
  }
}
export const createSign = (algorithm: string) => new Sign(algorithm);
export const createVerify = (algorithm: string) => new Verify(algorithm);

// ---- key generation ----

interface GenOptions {
  modulusLength?: number; publicExponent?: number; namedCurve?: string;
  publicKeyEncoding?: { type: string; format: 'pem' | 'der' | 'jwk' };
  privateKeyEncoding?: { type: string; format: 'pem' | 'der' | 'jwk' };
}

function generate(type: string, o: GenOptions): PrivateKey {
  switch (type) {
    case 'rsa': {
      if (!o.modulusLength) throw err('ERR_INVALID_ARG_TYPE', 'The "options.modulusLength" property must be of type number. Received undefined', TypeError);
      return rsaPrivateKey(generateRsaKey(o.modulusLength, random, BigInt(o.publicExponent ?? 65537)));
    }
    case 'ec': {
      const c = CURVE_NAMES[o.namedCurve ?? ''];
      if (!c) throw err('ERR_CRYPTO_INVALID_CURVE', 'Invalid EC curve name', TypeError);
      const curve = c === 'P-256' ? p256 : p384;
      const d = curve.utils.randomSecretKey(random(curve.lengths.seed!));
      return { type: 'ec', curve: c, raw: d, publicKey: { type: 'ec', curve: c, raw: ecPublicFromPrivate(c, d) } };
    }
    case 'ed25519': return edPrivateKey('ed25519', random(32));
    case 'x25519': return edPrivateKey('x25519', random(32));
  }
  throw err('ERR_INVALID_ARG_VALUE', `The argument 'type' must be a supported key type. Received '${type}'`, TypeError);
}

export function generateKeyPairSync(type: string, options: GenOptions = {}): { publicKey: unknown; privateKey: unknown } {
  const priv = new KeyObject('private', generate(type, options));
  const pub = new KeyObject('public', priv._public!);
  return {
    publicKey: options.publicKeyEncoding ? pub.export(options.publicKeyEncoding) : pub,
    privateKey: options.privateKeyEncoding ? priv.export(options.privateKeyEncoding) : priv,
  };
}

export function generateKeyPair(type: string, options: GenOptions, cb: (err: Error | null, publicKey?: unknown, privateKey?: unknown) => void): void {
  setTimeout(() => {
    let r;
    try { r = generateKeyPairSync(type, options); } catch (e) { cb(e as Error); return; }
    cb(null, r.publicKey, r.privateKey);
  }, 0);
}

export function generateKeySync(type: 'hmac' | 'aes', options: { length: number }): KeyObject {
  return new KeyObject('secret', random(Math.floor(options.length / 8)));
}

// ---- RSA encryption, key agreement ----

export function publicEncrypt(key: KeyInput, data: ArrayBufferView): Buffer {
  const o = (typeof key === 'object' && !ArrayBuffer.isView(key) && !(key instanceof KeyObject) ? key : {}) as { padding?: number; oaepHash?: string };
  if (o.padding !== undefined && o.padding !== constants.RSA_PKCS1_OAEP_PADDING) throw err('ERR_FEATURE_UNAVAILABLE_ON_PLATFORM', 'only OAEP padding is supported');
  const k = createPublicKey(key)._public!;
  return Buffer.from(rsaOaepEncrypt(k.rsa!, hashByName(o.oaepHash ?? 'sha1')!, bytes(data), random));
}

export function privateDecrypt(key: KeyInput, data: ArrayBufferView): Buffer {
  const o = (typeof key === 'object' && !ArrayBuffer.isView(key) && !(key instanceof KeyObject) ? key : {}) as { padding?: number; oaepHash?: string };
  if (o.padding !== undefined && o.padding !== constants.RSA_PKCS1_OAEP_PADDING) throw err('ERR_FEATURE_UNAVAILABLE_ON_PLATFORM', 'only OAEP padding is supported');
  const k = createPrivateKey(key)._private!;
  const r = rsaOaepDecrypt(k.rsa!, hashByName(o.oaepHash ?? 'sha1')!, bytes(data), random);
  if (!r) throw err('ERR_OSSL_RSA_OAEP_DECODING_ERROR', 'error:02000079:rsa routines::oaep decoding error');
  return Buffer.from(r);
}

export function diffieHellman(options: { privateKey: KeyObject; publicKey: KeyObject }): Buffer {
  const priv = options.privateKey._private!, pub = options.publicKey._public!;
  if (priv.type === 'x25519' && pub.type === 'x25519') return Buffer.from(x25519.getSharedSecret(priv.raw!, pub.raw!));
  if (priv.type === 'ec' && pub.type === 'ec' && priv.curve === pub.curve) {
    return Buffer.from((priv.curve === 'P-256' ? p256 : p384).getSharedSecret(priv.raw!, pub.raw!, true).subarray(1));
  }
  throw err('ERR_CRYPTO_INCOMPATIBLE_KEY', 'Incompatible key types for Diffie-Hellman');
}


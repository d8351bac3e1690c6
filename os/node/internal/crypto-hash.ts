/**
 * node:crypto hashing: createHash, createHmac, hash digests in Node's encodings,
 * timingSafeEqual, hkdfSync, pbkdf2Sync, getHashes — over @noble/hashes (os/crypto).
 */
import { Buffer } from 'buffer/index.js';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { hkdf as nobleHkdf } from '@noble/hashes/hkdf.js';
import { concatBytes, hashByName, incremental, pbkdf2Hmac, type Hash } from '../../crypto/hash.ts';
import type { HwCrypto, HwHashId } from '../../hw/hw-crypto.ts';
import { NATIVE_CHUNK, NativeHashCtx } from '../../crypto/native-hash.ts';
import { native } from '../../crypto/native.ts';
import { receivedText } from '../../netservice/errors.ts';

type Encoding = 'hex' | 'base64' | 'base64url' | 'latin1' | 'binary' | 'utf8';
type Data = string | ArrayBufferView;

function codeError(code: string, message: string, Base: ErrorConstructor = Error): Error {
  const e = new Base(message) as Error & { code: string };
  e.code = code;
  return e;
}

function toBytes(data: Data, enc?: string): Uint8Array {
  if (typeof data === 'string') return new Uint8Array(Buffer.from(data, (enc ?? 'utf8') as BufferEncoding));
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw codeError('ERR_INVALID_ARG_TYPE', `The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received ${data === null ? 'null' : typeof data}`, TypeError);
}

const received = receivedText;

/** A secret KeyObject (crypto-keys.ts), known by its shape so that hashing does not link the key code. */
interface KeyObjectLike { type: string; _secret?: Uint8Array; symmetricKeySize?: number }
const isKeyObject = (k: unknown): k is KeyObjectLike =>
  typeof k === 'object' && k !== null && !ArrayBuffer.isView(k) && 'symmetricKeySize' in k && 'asymmetricKeyType' in k;

/** An HMAC or HKDF key: a string, bytes, an ArrayBuffer or a secret KeyObject, as Node takes them. */
function keyBytes(key: Data | ArrayBuffer | KeyObjectLike, name: string): Uint8Array {
  if (typeof key === 'string' || ArrayBuffer.isView(key)) return toBytes(key);
  if (key instanceof ArrayBuffer) return new Uint8Array(key);
  if (isKeyObject(key)) {
    if (key.type !== 'secret') throw codeError('ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE', `Invalid key object type ${key.type}, expected secret.`, TypeError);
    return key._secret!;
  }
  throw codeError('ERR_INVALID_ARG_TYPE', `The "${name}" argument must be of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, KeyObject, or CryptoKey. Received ${received(key)}`, TypeError);
}

function getHash(name: string): Hash {
  const h = typeof name === 'string' ? hashByName(name) : undefined;
  if (!h) throw codeError('ERR_OSSL_EVP_UNSUPPORTED', 'Digest method not supported');
  return h;
}

function out(bytes: Uint8Array, enc?: Encoding): Buffer | string {
  const b = Buffer.from(bytes);
  // The npm buffer package has no base64url.
  if (enc === 'base64url') return b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return enc ? b.toString(enc) : b;
}

interface Ctx { update(b: Uint8Array): unknown; digest(): Uint8Array; clone?(): Ctx }

class Digest {
  #ctx: Ctx;
  #done = false;
  constructor(ctx: Ctx) { this.#ctx = ctx; }
  update(data: Data, enc?: string): this {
    if (this.#done) throw codeError('ERR_CRYPTO_HASH_FINALIZED', 'Digest already called');
    this.#ctx.update(toBytes(data, enc));
    return this;
  }
  digest(): Buffer;
  digest(enc: Encoding): string;
  digest(enc?: Encoding): Buffer | string {
    if (this.#done) throw codeError('ERR_CRYPTO_HASH_FINALIZED', 'Digest already called');
    this.#done = true;
    return out(this.#ctx.digest(), enc);
  }
  protected get ctx(): Ctx { return this.#ctx; }
}

/**
 * HMAC over the core: a message shorter than one chunk is kept and MACed in one hw.crypto.hmac
 * call at digest() (most are: JWT signatures, cookies); a longer one streams RFC 2104 §2's
 * H((K ^ opad) || H((K ^ ipad) || text)) through the streaming hash.
 */
class NativeHmacCtx implements Ctx {
  #key: Uint8Array;
  #parts: Uint8Array[] = [];
  #length = 0;
  #inner: NativeHashCtx | undefined;
  #outerKey: Uint8Array | undefined;
  constructor(private readonly hw: HwCrypto, private readonly alg: HwHashId, private readonly blockLen: number, key: Uint8Array) {
    this.#key = key.slice(); // the caller may change its buffer before digest()
  }
  update(b: Uint8Array): void {
    if (this.#inner) { this.#inner.update(b); return; }
    this.#parts.push(b.slice());
    this.#length += b.length;
    if (this.#length >= NATIVE_CHUNK) this.#stream();
  }
  #stream(): void {
    const k = new Uint8Array(this.blockLen);
    k.set(this.#key.length > this.blockLen ? this.hw.hash(this.alg, this.#key) : this.#key);
    const innerKey = k.map((x) => x ^ 0x36);
    this.#outerKey = k.map((x) => x ^ 0x5c);
    this.#inner = new NativeHashCtx(this.hw, this.alg, this.blockLen);
    this.#inner.update(innerKey);
    for (const p of this.#parts) this.#inner.update(p);
    this.#parts = [];
    k.fill(0);
    innerKey.fill(0);
    this.#key.fill(0);
  }
  digest(): Uint8Array {
    if (!this.#inner) {
      const d = this.hw.hmac(this.alg, this.#key, this.#parts.length === 1 ? this.#parts[0]! : concatBytes(...this.#parts));
      this.#key.fill(0);
      return d;
    }
    const d = this.hw.hash(this.alg, concatBytes(this.#outerKey!, this.#inner.digest()));
    this.#outerKey!.fill(0);
    return d;
  }
}

export class Hash_ extends Digest {
  copy(): Hash_ { return new Hash_(this.ctx.clone!()); }
}

export class Hmac extends Digest {}

export function createHash(algorithm: string): Hash_ {
  const h = getHash(algorithm);
  return new Hash_(incremental(h));
}

export function createHmac(algorithm: string, key: Data | ArrayBuffer | KeyObjectLike): Hmac {
  const h = getHash(algorithm);
  const k = keyBytes(key, 'key');
  const hw = native();
  if (hw && h.hwId) return new Hmac(new NativeHmacCtx(hw, h.hwId, h.blockLen, k));
  return new Hmac(nobleHmac.create(h as never, k.slice()) as unknown as Ctx);
}

/** crypto.hash(algorithm, data, outputEncoding = 'hex') (Node 20.12+). */
export function hash(algorithm: string, data: Data, enc: Encoding | 'buffer' = 'hex'): Buffer | string {
  const d = getHash(algorithm)(toBytes(data));
  return enc === 'buffer' ? Buffer.from(d) : out(d, enc);
}

export function timingSafeEqual(a: ArrayBufferView, b: ArrayBufferView): boolean {
  const x = toBytes(a), y = toBytes(b);
  if (x.length !== y.length) throw codeError('ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH', 'Input buffers must have the same byte length', RangeError);
  let d = 0;
  for (let i = 0; i < x.length; i++) d |= x[i] ^ y[i];
  return d === 0;
}

export function hkdfSync(digest: string, ikm: Data | ArrayBuffer | KeyObjectLike, salt: Data, info: Data, keylen: number): ArrayBuffer {
  const r = nobleHkdf(getHash(digest) as never, keyBytes(ikm, 'ikm'), toBytes(salt), toBytes(info), keylen);
  return r.buffer.slice(r.byteOffset, r.byteOffset + r.byteLength) as ArrayBuffer;
}

export function pbkdf2Sync(password: Data, salt: Data, iterations: number, keylen: number, digest: string): Buffer {
  return Buffer.from(pbkdf2Hmac(getHash(digest), toBytes(password), toBytes(salt), iterations, keylen));
}

export function pbkdf2(password: Data, salt: Data, iterations: number, keylen: number, digest: string, cb: (err: Error | null, key?: Buffer) => void): void {
  let key: Buffer;
  try { key = pbkdf2Sync(password, salt, iterations, keylen, digest); } catch (e) { throw e; }
  setTimeout(() => cb(null, key), 0);
}

export function getHashes(): string[] {
  return ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];
}

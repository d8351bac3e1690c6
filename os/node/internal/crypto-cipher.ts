/**
 * node:crypto createCipheriv/createDecipheriv for aes-128/192/256-gcm/-cbc/-ctr and
 * chacha20-poly1305, over @noble/ciphers. The @noble ciphers are one-shot, so update()
 * returns an empty Buffer and final() returns the whole output (concatenating update()
 * and final() outputs, as nearly every program does, gives Node's bytes).
 */
import { Buffer } from 'buffer/index.js';
import { cbc, ctr, gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { KeyObject } from './crypto-keys.ts';

type Data = string | ArrayBufferView;
const bytes = (d: Data, enc?: string): Uint8Array => typeof d === 'string'
  ? new Uint8Array(Buffer.from(d, (enc ?? 'utf8') as BufferEncoding))
  : new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice();
const err = (code: string, message: string, Base: ErrorConstructor = Error) => Object.assign(new Base(message), { code });

interface Spec { mode: 'gcm' | 'cbc' | 'ctr' | 'chacha'; keyLen: number; ivLen: number }

function spec(name: string): Spec {
  const n = name.toLowerCase();
  if (n === 'chacha20-poly1305') return { mode: 'chacha', keyLen: 32, ivLen: 12 };
  const m = /^aes-(128|192|256)-(gcm|cbc|ctr)$/.exec(n);
  if (!m) throw err('ERR_CRYPTO_UNKNOWN_CIPHER', 'Unknown cipher', TypeError);
  return { mode: m[2] as Spec['mode'], keyLen: Number(m[1]) / 8, ivLen: m[2] === 'gcm' ? 12 : 16 };
}

export function getCiphers(): string[] {
  return ['aes-128-cbc', 'aes-128-ctr', 'aes-128-gcm', 'aes-192-cbc', 'aes-192-ctr', 'aes-192-gcm', 'aes-256-cbc', 'aes-256-ctr', 'aes-256-gcm', 'chacha20-poly1305'];
}

class CipherBase {
  protected parts: Uint8Array[] = [];
  protected aad: Uint8Array = new Uint8Array(0);
  protected tag: Uint8Array | null = null;
  protected done = false;
  protected autoPadding = true;
  protected readonly spec: Spec;
  protected readonly key: Uint8Array;
  protected readonly iv: Uint8Array;
  protected readonly tagLen: number;
  #outEnc: string | undefined;
  constructor(algorithm: string, key: Data | KeyObject, iv: Data | null, options: { authTagLength?: number } = {}) {
    this.spec = spec(algorithm);
    this.key = key instanceof KeyObject ? key._secret!.slice() : bytes(key);
    if (this.key.length !== this.spec.keyLen) throw err('ERR_CRYPTO_INVALID_KEYLEN', 'Invalid key length', RangeError);
    this.iv = iv === null ? new Uint8Array(0) : bytes(iv);
    const aead = this.spec.mode === 'gcm' || this.spec.mode === 'chacha';
    if ((!aead && this.iv.length !== this.spec.ivLen) || (aead && (this.iv.length === 0 || (this.spec.mode === 'chacha' && this.iv.length !== 12)))) {
      throw err('ERR_CRYPTO_INVALID_IV', 'Invalid initialization vector', TypeError);
    }
    this.tagLen = options.authTagLength ?? 16;
  }
  setAAD(aad: ArrayBufferView): this { this.aad = bytes(aad); return this; }
  setAutoPadding(v = true): this { this.autoPadding = v; return this; }
  update(data: Data, inEnc?: string, outEnc?: string): Buffer | string {
    if (this.done) throw err('ERR_CRYPTO_INVALID_STATE', 'Invalid state for operation update');
    this.parts.push(bytes(data, inEnc));
    this.#outEnc = outEnc;
    return outEnc ? '' : Buffer.alloc(0);
  }
  protected input(): Uint8Array { return new Uint8Array(Buffer.concat(this.parts)); }
  protected engine(): { encrypt(p: Uint8Array): Uint8Array; decrypt(c: Uint8Array): Uint8Array } {
    const { mode } = this.spec;
    if (mode === 'gcm') return gcm(this.key, this.iv, this.aad) as never;
    if (mode === 'chacha') return chacha20poly1305(this.key, this.iv, this.aad) as never;
    if (mode === 'ctr') return ctr(this.key, this.iv) as never;
    return cbc(this.key, this.iv, { disablePadding: !this.autoPadding }) as never;
  }
  protected out(b: Uint8Array, enc?: string): Buffer | string {
    const buf = Buffer.from(b);
    const e = enc ?? this.#outEnc;
    return e ? buf.toString(e as BufferEncoding) : buf;
  }
  protected get aead(): boolean { return this.spec.mode === 'gcm' || this.spec.mode === 'chacha'; }
}

export class Cipher extends CipherBase {
  final(enc?: string): Buffer | string {
    if (this.done) throw err('ERR_CRYPTO_INVALID_STATE', 'Invalid state for operation final');
    this.done = true;
    const r = this.engine().encrypt(this.input());
    if (this.aead) {
      this.tag = r.slice(r.length - 16, r.length - 16 + this.tagLen);
      return this.out(r.subarray(0, r.length - 16), enc);
    }
    return this.out(r, enc);
  }
  getAuthTag(): Buffer {
    if (!this.tag) throw err('ERR_CRYPTO_INVALID_STATE', 'Invalid state for operation getAuthTag');
    return Buffer.from(this.tag);
  }
}

export class Decipher extends CipherBase {
  setAuthTag(tag: ArrayBufferView): this { this.tag = bytes(tag); return this; }
  final(enc?: string): Buffer | string {
    if (this.done) throw err('ERR_CRYPTO_INVALID_STATE', 'Invalid state for operation final');
    this.done = true;
    let input = this.input();
    if (this.aead) {
      if (!this.tag || this.tag.length !== 16) throw new Error('Unsupported state or unable to authenticate data');
      input = new Uint8Array(Buffer.concat([input, this.tag]));
    }
    try {
      return this.out(this.engine().decrypt(input), enc);
    } catch {
      if (this.aead) throw new Error('Unsupported state or unable to authenticate data');
      throw err('ERR_OSSL_BAD_DECRYPT', 'error:1C800064:Provider routines::bad decrypt');
    }
  }
}

export const createCipheriv = (algorithm: string, key: Data | KeyObject, iv: Data | null, options?: { authTagLength?: number }) => new Cipher(algorithm, key, iv, options);
export const createDecipheriv = (algorithm: string, key: Data | KeyObject, iv: Data | null, options?: { authTagLength?: number }) => new Decipher(algorithm, key, iv, options);

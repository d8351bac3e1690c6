/** AEADs by TLS name (RFC 5116 interface), over @noble/ciphers. */
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';

export interface Aead {
  readonly keyLen: number;
  readonly nonceLen: number;
  readonly tagLen: number;
  seal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** Returns null when the tag does not verify (never throws on bad input). */
  open(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null;
}

function make(keyLen: number, ctor: (k: Uint8Array, n: Uint8Array, aad: Uint8Array) => { encrypt(p: Uint8Array): Uint8Array; decrypt(c: Uint8Array): Uint8Array }): Aead {
  return {
    keyLen, nonceLen: 12, tagLen: 16,
    seal: (k, n, aad, p) => ctor(k, n, aad).encrypt(p),
    open: (k, n, aad, c) => {
      if (c.length < 16) return null;
      try { return ctor(k, n, aad).decrypt(c); } catch { return null; }
    },
  };
}

export const AES_128_GCM: Aead = make(16, gcm as any);
export const AES_256_GCM: Aead = make(32, gcm as any);
export const CHACHA20_POLY1305: Aead = make(32, chacha20poly1305 as any);

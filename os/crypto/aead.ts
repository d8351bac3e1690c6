/** AEADs by TLS name (RFC 5116 interface): the core's BearSSL when present (native.ts), else @noble/ciphers. */
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { HW_AEAD, type HwAeadId } from '../hw/hw-crypto.ts';
import { native } from './native.ts';

export interface Aead {
  readonly keyLen: number;
  readonly nonceLen: number;
  readonly tagLen: number;
  seal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** Returns null when the tag does not verify (never throws on bad input). */
  open(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array | null;
}

type NobleAead = (k: Uint8Array, n: Uint8Array, aad: Uint8Array) => { encrypt(p: Uint8Array): Uint8Array; decrypt(c: Uint8Array): Uint8Array };

function make(keyLen: number, id: HwAeadId, ctor: NobleAead): Aead {
  return {
    keyLen, nonceLen: 12, tagLen: 16,
    seal: (k, n, aad, p) => {
      const hw = native();
      return hw ? hw.aeadSeal(id, k, n, aad, p) : ctor(k, n, aad).encrypt(p);
    },
    open: (k, n, aad, c) => {
      if (c.length < 16) return null;
      try {
        const hw = native();
        return hw ? hw.aeadOpen(id, k, n, aad, c) : ctor(k, n, aad).decrypt(c);
      } catch { return null; }
    },
  };
}

export const AES_128_GCM: Aead = make(16, HW_AEAD.aesGcm, gcm as NobleAead);
export const AES_256_GCM: Aead = make(32, HW_AEAD.aesGcm, gcm as NobleAead);
export const CHACHA20_POLY1305: Aead = make(32, HW_AEAD.chacha20Poly1305, chacha20poly1305 as NobleAead);

/**
 * Incremental hashing on the core's crypto group (hw.crypto.hashUpdate/hashFinal,
 * core/include/hw-crypto.h), shaped as @noble's incremental contexts (update, digest, clone), so
 * os/crypto/hash.ts hands it out from `create()` when the image has the group: node:crypto's
 * createHash and the TLS transcript use it without knowing.
 */
import { concatBytes } from '@noble/hashes/utils.js';
import type { HwCrypto, HwHashId } from '../hw/hw-crypto.ts';

/** Bytes gathered before they go to the core in one hashUpdate call (one call per chunk). */
export const NATIVE_CHUNK = 64 << 10;

/**
 * A digest context over the core's streaming hash (hw.crypto.hashUpdate/hashFinal): updates are
 * gathered (copied, as the caller may reuse its buffer) and hashed a chunk at a time, the
 * chaining state kept as a value, so memory stays bounded at any input length and copy() is a
 * copy of that value. @noble's incremental code runs in the interpreter at ~2 MB/s under TCG.
 */
export class NativeHashCtx {
  #state: Uint8Array | null = null;
  #pending: Uint8Array[] = [];
  #pendingLength = 0;
  constructor(private readonly hw: HwCrypto, private readonly alg: HwHashId, private readonly blockLen: number) {}
  update(b: Uint8Array): this {
    if (this.#pendingLength === 0 && b.length >= NATIVE_CHUNK) {
      // A large update is hashed where it lies; only its last partial block is kept.
      const whole = b.length - (b.length % this.blockLen);
      this.#state = this.hw.hashUpdate(this.alg, this.#state, b.subarray(0, whole));
      if (whole < b.length) { this.#pending.push(b.slice(whole)); this.#pendingLength = b.length - whole; }
      return this;
    }
    this.#pending.push(b.slice());
    this.#pendingLength += b.length;
    if (this.#pendingLength >= NATIVE_CHUNK) {
      const all = concatBytes(...this.#pending);
      const whole = all.length - (all.length % this.blockLen);
      this.#state = this.hw.hashUpdate(this.alg, this.#state, all.subarray(0, whole));
      this.#pending = whole < all.length ? [all.slice(whole)] : [];
      this.#pendingLength = all.length - whole;
    }
    return this;
  }
  digest(): Uint8Array {
    const rest = this.#pending.length === 1 ? this.#pending[0]! : concatBytes(...this.#pending);
    return this.hw.hashFinal(this.alg, this.#state, rest);
  }
  clone(): NativeHashCtx {
    const c = new NativeHashCtx(this.hw, this.alg, this.blockLen);
    c.#state = this.#state; // never written: each update returns a new state
    c.#pending = [...this.#pending];
    c.#pendingLength = this.#pendingLength;
    return c;
  }
}

/**
 * The CSPRNG behind crypto.getRandomValues/randomUUID/randomBytes: ChaCha20 (RFC 8439,
 * via @noble/ciphers) used as a "fast key erasure" generator: each refill encrypts
 * zeros into a 512-byte buffer with the current key; its first 32 bytes become the next
 * key and are wiped, the rest is handed out. A later compromise of the state thus
 * reveals nothing already handed out.
 *
 * Seeding is lazy (first use): 32 bytes from `hw.entropy` (RDSEED/RDRAND). If the CPU
 * gives none, timing jitter of `hw.now()` is mixed in instead, silently. `reseed(bytes)`
 * (virtio-rng) mixes new entropy into the key: key' = ChaCha20_key(fold32(bytes)).
 */
import { chacha20 } from '@noble/ciphers/chacha.js';
import type { Hw } from '../hw/hw.ts';
import { DOMException } from './dom-exception.ts';

const BLOCK = 512;
const NONCE = new Uint8Array(12);

export class ChaChaRng {
  #key = new Uint8Array(32);
  #buf = new Uint8Array(BLOCK);
  #pos = BLOCK;
  constructor(seed: Uint8Array) {
    this.reseed(seed);
  }
  /** Mix `bytes` into the key (any length). */
  reseed(bytes: Uint8Array): void {
    const fold = new Uint8Array(32);
    for (let i = 0; i < bytes.length; i++) fold[i & 31] ^= bytes[i];
    this.#key = chacha20(this.#key, NONCE, fold);
    this.#pos = BLOCK; // discard output derived from the old key
  }
  fill(dest: Uint8Array): Uint8Array {
    let off = 0;
    while (off < dest.length) {
      if (this.#pos === BLOCK) this.#refill();
      const n = Math.min(dest.length - off, BLOCK - this.#pos);
      dest.set(this.#buf.subarray(this.#pos, this.#pos + n), off);
      this.#buf.fill(0, this.#pos, this.#pos + n);
      this.#pos += n;
      off += n;
    }
    return dest;
  }
  #refill(): void {
    this.#buf.fill(0);
    chacha20(this.#key, NONCE, this.#buf, this.#buf);
    this.#key = this.#buf.slice(0, 32);
    this.#buf.fill(0, 0, 32);
    this.#pos = 32;
  }
}

let source: Hw | undefined;
let rng: ChaChaRng | undefined;
const early: Uint8Array[] = [];

/** Where seed entropy comes from (the prelude passes the real hw). */
export function setEntropySource(hw: Hw): void {
  source = hw;
  rng = undefined;
}

/** Seed bytes: hardware entropy, else clock jitter (never fails, never prints). */
function seed(hw: Hw): Uint8Array {
  const s = new Uint8Array(32);
  let got = 0;
  try { got = hw.entropy(s); } catch { got = 0; }
  if (got >= 32) return s;
  const jitter = new Uint8Array(256);
  for (let i = 0; i < jitter.length; i++) {
    const t0 = hw.now();
    let spins = 0;
    while (hw.now() === t0 && spins < 1000) spins++;
    const t = hw.now() * 1e6 + spins;
    jitter[i] = (t ^ (t / 256) ^ spins) & 0xff;
  }
  const w = hw.wallClock();
  for (let i = 0; i < 8; i++) jitter[i] ^= (w / 2 ** (8 * i)) & 0xff;
  return jitter;
}

function getRng(): ChaChaRng {
  if (!rng) {
    if (!source) throw new Error('Nimbus runtime: no entropy source installed');
    rng = new ChaChaRng(seed(source));
    for (const b of early.splice(0)) rng.reseed(b);
  }
  return rng;
}

/** Mix fresh entropy (e.g. from virtio-rng) into the generator. */
export function reseed(bytes: Uint8Array): void {
  if (rng) rng.reseed(bytes);
  else early.push(bytes.slice());
}

export function randomFill(dest: Uint8Array): Uint8Array {
  return getRng().fill(dest);
}

/** Web Crypto getRandomValues: integer typed arrays up to 65536 bytes. */
export function getRandomValues<T extends ArrayBufferView | null>(array: T): T {
  const tag = array === null || typeof array !== 'object' ? '' : Object.prototype.toString.call(array).slice(8, -1);
  if (!/^(?:Big)?(?:Ui|I)nt(?:8|16|32|64)(?:Clamped)?Array$/.test(tag) || !ArrayBuffer.isView(array)) {
    throw new DOMException('The data argument must be an integer-type TypedArray', 'TypeMismatchError');
  }
  if (array.byteLength > 65536) {
    throw new DOMException(`The ArrayBufferView's byte length (${array.byteLength}) exceeds the number of bytes of entropy available via this API (65536)`, 'QuotaExceededError');
  }
  randomFill(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  return array;
}

/** RFC 9562 §5.4 version 4 UUID. */
export function randomUUID(): string {
  const b = randomFill(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

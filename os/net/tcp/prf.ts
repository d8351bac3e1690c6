/**
 * The keyed pseudorandom function behind initial sequence numbers (RFC 6528 §3, isn.ts) and
 * SYN cookies (RFC 4987 §3.6, syn-cookies.ts): 32 bits from a 32-byte secret, a 12-byte message
 * (the 4-tuple) and a counter. The default is ChaCha20 (RFC 8439) as a PRF, the first keystream
 * word, from @noble in JS: in the interpreter that was ~8% of the CPU of a new connection. An
 * image with the core's crypto group installs HMAC-SHA-256 (RFC 2104) over message || counter
 * (os/boot/devices.ts); both are PRFs keyed by the secret, and nothing depends on which is used.
 */
import { chacha20 } from '@noble/ciphers/chacha.js';

export type Prf32 = (key: Uint8Array, message: Uint8Array, counter: number) => number;

const zero = new Uint8Array(4), out = new Uint8Array(4);

const chachaPrf: Prf32 = (key, message, counter) => {
  chacha20(key, message, zero, out, counter >>> 0);
  return ((out[0]! << 24) | (out[1]! << 16) | (out[2]! << 8) | out[3]!) >>> 0;
};

let current: Prf32 = chachaPrf;

/** The PRF in use (tests compare both). */
export function prf32(key: Uint8Array, message: Uint8Array, counter: number): number {
  return current(key, message, counter);
}

/** From now on `hmacSha256(key, data)` (the core's) is the PRF; null returns to ChaCha20. */
export function useNativePrf(hmacSha256: ((key: Uint8Array, data: Uint8Array) => Uint8Array) | null): void {
  if (!hmacSha256) { current = chachaPrf; return; }
  const input = new Uint8Array(16), view = new DataView(input.buffer);
  current = (key, message, counter) => {
    input.set(message.subarray(0, 12));
    view.setUint32(12, counter >>> 0);
    const mac = hmacSha256(key, input);
    return ((mac[0]! << 24) | (mac[1]! << 16) | (mac[2]! << 8) | mac[3]!) >>> 0;
  };
}

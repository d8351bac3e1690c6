/**
 * SYN cookies (RFC 4987 §3.6): when a listener's SYN queue is full, the SYN-ACK's sequence
 * number carries what the handshake needs, so the listener keeps no state for it; the ACK
 * that completes the handshake proves the peer saw the SYN-ACK (its acknowledgment number is
 * the cookie + 1, RFC 9293 §3.5) and the connection is created then.
 *
 * The classic encoding (D. J. Bernstein's, as in Linux and the BSDs):
 *
 *     bits 31..27  t mod 32, t = floor(now / 64 s), a slowly increasing counter
 *     bits 26..24  index of the peer's MSS in MSS_TABLE (the largest entry not above it)
 *     bits 23..0   a keyed hash of (t, the 4-tuple, the peer's ISN), 24 bits
 *
 * A cookie is accepted for COOKIE_LIFETIME_STEPS + 1 counter values (64 to 128 s after it was
 * issued) and only with the hash over the same 4-tuple and peer ISN: a forged cookie passes one
 * time in 2^24, an old one never. The hash is the stack's keyed PRF (prf.ts), as for ISNs
 * (isn.ts): the key is a random secret, the message the 4-tuple, the counter t, and the
 * peer's ISN is mixed into the keystream word (Linux adds it), so a cookie answers one SYN.
 * The cost RFC 4987 names: options that do not fit (window scale, SACK, timestamps) are not
 * offered on a cookie handshake, and the MSS is rounded down to the table. Time is an argument.
 */
import { prf32 } from './prf.ts';

/** MSS values a cookie can carry (3 bits); common path MSSs, so rounding down loses little. */
export const MSS_TABLE: readonly number[] = [536, 1220, 1300, 1360, 1400, 1440, 1452, 1460];
/** Length of one counter step (ms). */
export const COOKIE_STEP_MS = 64_000;
/** A cookie is valid while the counter has moved on by at most this many steps. */
export const COOKIE_LIFETIME_STEPS = 1;

const HASH_MASK = 0xffffff;

export class SynCookies {
  readonly #key = new Uint8Array(32);
  readonly #nonce = new Uint8Array(12);
  readonly #nonceView = new DataView(this.#nonce.buffer);

  /** `random` fills a buffer with cryptographically secure random bytes (the secret). */
  constructor(random: (buf: Uint8Array) => void) {
    random(this.#key);
  }

  #hash(t: number, localAddr: number, localPort: number, remoteAddr: number, remotePort: number, peerIsn: number): number {
    const v = this.#nonceView;
    v.setUint32(0, localAddr >>> 0);
    v.setUint32(4, remoteAddr >>> 0);
    v.setUint16(8, localPort);
    v.setUint16(10, remotePort);
    const word = prf32(this.#key, this.#nonce, t);
    // Mix the peer's ISN in after a multiply, so nearby ISNs give unrelated hashes.
    return ((word ^ Math.imul(peerIsn >>> 0, 0x9e3779b1)) >>> 8) & HASH_MASK;
  }

  /** The MSS a cookie for `peerMss` carries: the largest table entry not above it (536 at least). */
  static encodedMss(peerMss: number | undefined): number {
    return MSS_TABLE[mssIndex(peerMss)]!;
  }

  /**
   * The initial sequence number of a stateless SYN-ACK answering a SYN (sequence number
   * `peerIsn`, MSS option `peerMss`) from remote to local at time `now` (ms).
   */
  make(now: number, localAddr: number, localPort: number, remoteAddr: number, remotePort: number, peerIsn: number, peerMss: number | undefined): number {
    const t = Math.floor(now / COOKIE_STEP_MS);
    const h = this.#hash(t, localAddr, localPort, remoteAddr, remotePort, peerIsn);
    return (((t & 31) << 27) | (mssIndex(peerMss) << 24) | h) >>> 0;
  }

  /**
   * Checks the ACK that completes a cookie handshake: `peerIsn` is its SEG.SEQ - 1 and `cookie`
   * its SEG.ACK - 1. Returns the MSS the cookie carries, or undefined when the cookie is forged,
   * for another 4-tuple or peer ISN, or older than its lifetime.
   */
  check(now: number, localAddr: number, localPort: number, remoteAddr: number, remotePort: number, peerIsn: number, cookie: number): number | undefined {
    const tNow = Math.floor(now / COOKIE_STEP_MS);
    const age = (tNow - (cookie >>> 27)) & 31;
    if (age > COOKIE_LIFETIME_STEPS) return undefined;
    const t = tNow - age;
    if (t < 0) return undefined;
    if (this.#hash(t, localAddr, localPort, remoteAddr, remotePort, peerIsn) !== (cookie & HASH_MASK)) return undefined;
    return MSS_TABLE[(cookie >>> 24) & 7]!;
  }
}

function mssIndex(peerMss: number | undefined): number {
  const m = peerMss ?? 536; // RFC 9293 §3.7.1: no MSS option means 536
  let i = 0;
  while (i + 1 < MSS_TABLE.length && MSS_TABLE[i + 1]! <= m) i++;
  return i;
}

/**
 * Initial sequence numbers per RFC 6528 §3: ISN = M + F(localip, localport, remoteip,
 * remoteport, secretkey), M a 4-microsecond clock and F a keyed pseudorandom function.
 * F is the stack's keyed PRF (prf.ts) over the 4-tuple, keyed by a random secret.
 */
import { prf32 } from './prf.ts';

export class IsnGenerator {
  readonly #key: Uint8Array;
  readonly #nonce = new Uint8Array(12);

  /** `random` fills a buffer with cryptographically secure random bytes. */
  constructor(random: (buf: Uint8Array) => void) {
    this.#key = new Uint8Array(32);
    random(this.#key);
  }

  /** The keyed hash F of the 4-tuple (uint32). */
  hash(localAddr: number, localPort: number, remoteAddr: number, remotePort: number): number {
    const n = this.#nonce;
    const dv = new DataView(n.buffer);
    dv.setUint32(0, localAddr >>> 0);
    dv.setUint32(4, remoteAddr >>> 0);
    dv.setUint16(8, localPort);
    dv.setUint16(10, remotePort);
    return prf32(this.#key, n, 0);
  }

  /** ISN at time `now` (ms): the 4 µs clock is floor(now * 250). */
  isn(now: number, localAddr: number, localPort: number, remoteAddr: number, remotePort: number): number {
    const m = Math.floor(now * 250) % 0x100000000;
    return (m + this.hash(localAddr, localPort, remoteAddr, remotePort)) >>> 0;
  }
}

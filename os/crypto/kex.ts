/** Ephemeral key exchange groups (RFC 8446 §4.2.7 names), over @noble/curves. */
import './bigint-fix.ts'; // must precede @noble/curves
import { x25519 } from '@noble/curves/ed25519.js';
import { p256, p384 } from '@noble/curves/nist.js';
import type { Random } from './hash.ts';
import { HW_EC } from '../hw/hw-crypto.ts';
import { native } from './native.ts';

export type GroupName = 'x25519' | 'secp256r1' | 'secp384r1';

export interface KeyShare {
  readonly group: GroupName;
  readonly publicKey: Uint8Array;
  /** Shared secret with the peer's public key, or null if the key is invalid. */
  agree(peer: Uint8Array): Uint8Array | null;
}

/** RFC 8446 §4.2.7 NamedGroup code points. */
export const GROUP_CODES: Record<GroupName, number> = { secp256r1: 0x0017, secp384r1: 0x0018, x25519: 0x001d };

export function groupByCode(code: number): GroupName | undefined {
  for (const [n, c] of Object.entries(GROUP_CODES)) if (c === code) return n as GroupName;
  return undefined;
}

/** The same shares over the core's BearSSL (native.ts). */
function nativeKeyShare(group: GroupName, random: Random): KeyShare | null {
  const hw = native();
  if (!hw) return null;
  const id = group === 'x25519' ? HW_EC.x25519 : group === 'secp256r1' ? HW_EC.p256 : HW_EC.p384;
  let sk: Uint8Array;
  if (group === 'x25519') sk = random(32);
  else {
    const curve = group === 'secp256r1' ? p256 : p384;
    sk = curve.utils.randomSecretKey(random(curve.lengths.seed!)); // uniform in [1, n - 1]
  }
  const publicKey = hw.ecMulGen(id, sk);
  const pointLen = publicKey.length;
  return {
    group, publicKey,
    agree(peer) {
      // RFC 8446 §4.2.8.2: uncompressed form only (the core also checks the point is on the curve).
      if (peer.length !== pointLen || (group !== 'x25519' && peer[0] !== 4)) return null;
      const s = hw.ecdh(id, sk, peer);
      // RFC 8446 §7.4.2: an all-zero X25519 result must be rejected.
      return s && s.some((b) => b !== 0) ? s : null;
    },
  };
}

export function generateKeyShare(group: GroupName, random: Random): KeyShare {
  const n = nativeKeyShare(group, random);
  if (n) return n;
  if (group === 'x25519') {
    const sk = random(32);
    return {
      group, publicKey: x25519.getPublicKey(sk),
      agree(peer) {
        if (peer.length !== 32) return null;
        try {
          const s = x25519.getSharedSecret(sk, peer);
          // RFC 8446 §7.4.2: an all-zero result must be rejected.
          return s.some((b) => b !== 0) ? s : null;
        } catch { return null; }
      },
    };
  }
  const curve = group === 'secp256r1' ? p256 : p384;
  const sk = curve.utils.randomSecretKey(random(curve.lengths.seed!));
  const coord = curve.lengths.secretKey!;
  return {
    group, publicKey: curve.getPublicKey(sk, false),
    agree(peer) {
      // RFC 8446 §4.2.8.2: uncompressed form only.
      if (peer.length !== 1 + 2 * coord || peer[0] !== 4) return null;
      try {
        // x coordinate of the shared point (RFC 8446 §7.4.1).
        return curve.getSharedSecret(sk, peer, true).subarray(1);
      } catch { return null; }
    },
  };
}

/**
 * `crypto.subtle` and `CryptoKey` for images whose program or npm dependencies mention
 * `subtle` (jose, hono/jwt): WebCrypto over os/crypto (os/node/internal/webcrypto.ts).
 */
import { CryptoKey, SubtleCrypto, subtle } from '../node/internal/webcrypto.ts';

const g = globalThis as unknown as { crypto: Record<string, unknown> };
Object.defineProperty(g.crypto, 'subtle', { value: subtle, enumerable: true, configurable: true });
for (const [k, v] of Object.entries({ CryptoKey, SubtleCrypto })) {
  Object.defineProperty(globalThis, k, { value: v, writable: true, configurable: true, enumerable: false });
}

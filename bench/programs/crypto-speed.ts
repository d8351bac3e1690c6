// Raw primitive speeds inside the image through os/crypto, with the core's BearSSL and with @noble
// (bench/tls.ts; the baseline's Node crypto runs bench/baseline/crypto-speed.mjs, the same
// operations on the same sizes). Prints one SPEED line per backend.
import { AES_128_GCM, AES_256_GCM, CHACHA20_POLY1305, type Aead } from '../../os/crypto/aead.ts';
import { hashByName } from '../../os/crypto/hash.ts';
import { generateKeyShare } from '../../os/crypto/kex.ts';
import { parsePrivateKey, sign, verifySignature, type PrivateKey } from '../../os/crypto/keys.ts';
import { P256_KEY, RSA_KEY } from '../../test/boot/programs/crypto-kat-keys.ts';
import { setCryptoBackend, type CryptoBackend } from '../../os/crypto/native.ts';
import { randomBytes } from 'node:crypto';

const RUN_MS = Number(process.env.RUN_MS ?? 1000);
const record = new Uint8Array(16384).fill(0x61);
const aad = new Uint8Array(5).fill(0x17);
const iv = new Uint8Array(12).fill(1);
const msg = new Uint8Array(200).fill(0x62);
const random = (n: number) => new Uint8Array(randomBytes(n));

function rate(fn: () => unknown): number {
  fn();
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < RUN_MS) { fn(); n++; t = performance.now(); }
  return n / ((t - t0) / 1000);
}
const aead = (a: Aead, keyLen: number) => { const key = new Uint8Array(keyLen).fill(2); return (rate(() => a.seal(key, iv, aad, record)) * record.length) / 1e6; };

// Test keys (the crypto known-answer test's).
const p256: PrivateKey = parsePrivateKey(P256_KEY);
const rsa: PrivateKey = parsePrivateKey(RSA_KEY);

for (const b of ['native', 'js'] as CryptoBackend[]) {
  setCryptoBackend(b);
  const ec = { kind: 'ecdsa', hash: 'sha256' } as const, pk = { kind: 'rsa-pkcs1', hash: 'sha256' } as const;
  const p256sig = sign(p256, ec, msg, random), rsasig = sign(rsa, pk, msg, random);
  const x25519peer = generateKeyShare('x25519', random).publicKey, p256peer = generateKeyShare('secp256r1', random).publicKey;
  const sha256 = hashByName('sha256')!;
  const result = {
    'aes-128-gcm MB/s': aead(AES_128_GCM, 16),
    'aes-256-gcm MB/s': aead(AES_256_GCM, 32),
    'chacha20-poly1305 MB/s': aead(CHACHA20_POLY1305, 32),
    'sha256 MB/s': (rate(() => sha256(record)) * record.length) / 1e6,
    'ecdsa-p256 sign/s': rate(() => sign(p256, ec, msg, random)),
    'ecdsa-p256 verify/s': rate(() => verifySignature(p256.publicKey, ec, msg, p256sig)),
    'x25519 keygen+derive/s': rate(() => generateKeyShare('x25519', random).agree(x25519peer)),
    'p256 ecdh keygen+derive/s': rate(() => generateKeyShare('secp256r1', random).agree(p256peer)),
    'rsa-2048 pkcs1 sign/s': rate(() => sign(rsa, pk, msg, random)),
    'rsa-2048 pkcs1 verify/s': rate(() => verifySignature(rsa.publicKey, pk, msg, rsasig)),
  };
  console.log(`SPEED ${b} ${JSON.stringify(result)}`);
}

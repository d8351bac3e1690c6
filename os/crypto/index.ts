/**
 * os/crypto: the primitives layer under TLS, X.509 and node:crypto. It owns the glue to
 * @noble (hashes, curves, ciphers), RSA over BigInt (no maintained npm library offers
 * RSA with PSS/OAEP and no dependencies), DER encoding and key formats (PEM, PKCS#8,
 * SPKI, PKCS#1, SEC1, JWK). Nothing here reads a clock or the global RNG: every function
 * that needs randomness takes a `Random` argument.
 */
export * from './hash.ts';
export * from './aead.ts';
export * from './kex.ts';
export * from './der.ts';
export * from './rsa.ts';
export * from './keys.ts';

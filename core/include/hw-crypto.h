/*
 * hw-crypto.h: the optional crypto group of the hw contract (hw.h): native primitives for TLS
 * and node:crypto, from BearSSL 0.6 (Debian's source package, fetched by tools/fetch-bearssl.sh,
 * built freestanding into the core; core/crypto/crypto.c). The group is offered on every
 * platform (pvh and process); os/crypto uses it when `hw.groups` lists "crypto" and the command
 * line does not say `nimbus.crypto=js`, @noble otherwise (os/hw/hw-crypto.ts types it).
 *
 * In JavaScript the group is one nested object, `hw.crypto`. Every byte argument is a Uint8Array
 * (any view of an ArrayBuffer; TypeError otherwise); every length is checked (RangeError naming
 * what is wrong). Results are new Uint8Arrays; inputs are never written. BearSSL's code is
 * constant-time (no secret-dependent branches or memory indices) and allocates nothing.
 *
 *  [crypto, optional]  hw.crypto = {
 *  hash(alg, data) -> Uint8Array
 *      alg: HW_HASH_* below. The digest of data.
 *  hashUpdate(alg, state | null, blocks) -> Uint8Array
 *      Streaming: hashes blocks (a whole number of the hash's blocks: 64 bytes for SHA-1/224/256,
 *      128 for SHA-384/512) on from state (null: a fresh hash) and returns the new state, which
 *      is the chaining value followed by the byte count so far, 64-bit little-endian
 *      (hashStateLength bytes; the count MUST be a whole number of blocks). A state is a plain
 *      value: copying it forks the hash.
 *  hashFinal(alg, state | null, data) -> Uint8Array
 *      The digest of everything state has seen followed by data (any length).
 *  hashStateLength(alg) -> number
 *      The state's length: 28 for SHA-1, 40 for SHA-224/256, 72 for SHA-384/512.
 *  hmac(alg, key, data) -> Uint8Array
 *      HMAC (RFC 2104) with hash alg; any key length.
 *  aeadSeal(alg, key, nonce, aad, plaintext) -> Uint8Array
 *      alg HW_AEAD_AES_GCM (key 16, 24 or 32 bytes) or HW_AEAD_CHACHA20_POLY1305 (key 32,
 *      RFC 8439); nonce 12 bytes; plaintext up to 16 MiB. Returns ciphertext || 16-byte tag.
 *  aeadOpen(alg, key, nonce, aad, ciphertext) -> Uint8Array | null
 *      The reverse: ciphertext || tag (at least 16 bytes); null when the tag does not verify.
 *  ecMulGen(curve, scalar) -> Uint8Array
 *      curve HW_EC_P256 / HW_EC_P384 (scalar 32 / 48 bytes, 0 < scalar < order, else RangeError):
 *      the public point, uncompressed (0x04 || x || y). HW_EC_X25519 (scalar 32 bytes, clamped
 *      as RFC 7748 §5 says): the public u-coordinate.
 *  ecdh(curve, scalar, peer) -> Uint8Array | null
 *      scalar * peer. NIST curves: peer uncompressed (65 / 97 bytes), result the x coordinate
 *      (RFC 8446 §7.4.1); X25519: peer 32 bytes, result 32 bytes (the caller rejects all-zero,
 *      RFC 8446 §7.4.2). null when peer is not a valid point.
 *  ecdsaSign(curve, hashAlg, digest, scalar) -> Uint8Array
 *      NIST curves only: the raw signature r || s of digest (hashAlg names the hash that made it;
 *      its length must match; k per RFC 6979).
 *  ecdsaVerify(curve, digest, publicPoint, rawSignature) -> boolean
 *      NIST curves only: r || s against an uncompressed public point.
 *  rsaPublic(n, e, x) -> Uint8Array | null
 *      x^e mod n (512..4096-bit n, x as long as n); null when x >= n.
 *  rsaPrivate(n, p, q, dp, dq, qinv, x) -> Uint8Array | null
 *      x^d mod n by CRT (n = p*q, 512..4096 bits, x as long as n); null when x >= n or the
 *      key is inconsistent.
 *  }
 */
#ifndef NIMBUS_HW_CRYPTO_H
#define NIMBUS_HW_CRYPTO_H
#include <stddef.h>
#include <stdint.h>
#include "hw.h"

/* Hash ids (the same numbers as os/hw/hw-crypto.ts). */
enum hw_hash { HW_HASH_SHA1 = 1, HW_HASH_SHA224 = 2, HW_HASH_SHA256 = 3, HW_HASH_SHA384 = 4, HW_HASH_SHA512 = 5 };
/* AEAD ids. */
enum hw_aead { HW_AEAD_AES_GCM = 1, HW_AEAD_CHACHA20_POLY1305 = 2 };
/* Curves, by their TLS NamedGroup numbers (RFC 8446 §4.2.7). */
enum hw_curve { HW_EC_P256 = 23, HW_EC_P384 = 24, HW_EC_X25519 = 29 };

#define HW_AEAD_TAG 16
#define HW_AEAD_NONCE 12
#define HW_AEAD_MAX (16u << 20)
#define HW_HASH_MAX_OUT 64
#define HW_HASH_MAX_STATE 72 /* SHA-384/512: a 64-byte chaining value + the count */
#define HW_EC_MAX_POINT 133   /* uncompressed P-521 would be; we offer up to P-384 (97) */
#define HW_RSA_MAX_BYTES 512  /* 4096 bits */

/* The C side: each returns HW_OK, or HW_EINVAL for an argument outside what is documented above
 * (the bindings check first and say which), or HW_AGAIN where the JavaScript result is null
 * (tag mismatch, invalid point, x >= n). Output buffers are the caller's, of the stated size. */
size_t hw_hash_len(int alg); /* 0 for an unknown id */
hw_result hw_crypto_hash(int alg, const uint8_t *data, size_t len, uint8_t *out);
size_t hw_hash_block_len(int alg); /* 0 for an unknown id */
size_t hw_hash_state_len(int alg); /* the streaming state: chaining value + 8 count bytes; 0 for an unknown id */
/* state: NULL or hw_hash_state_len bytes whose count is a whole number of blocks (the bindings
 * check); len: a whole number of blocks; out_state: hw_hash_state_len bytes. */
hw_result hw_crypto_hash_update(int alg, const uint8_t *state, const uint8_t *blocks, size_t len, uint8_t *out_state);
hw_result hw_crypto_hash_final(int alg, const uint8_t *state, const uint8_t *data, size_t len, uint8_t *out);
hw_result hw_crypto_hmac(int alg, const uint8_t *key, size_t key_len, const uint8_t *data, size_t len, uint8_t *out);
/* buf holds len bytes of plaintext (seal: encrypted in place, tag written to tag) or ciphertext
 * (open: decrypted in place when tag verifies; HW_AGAIN and buf zeroed otherwise). */
hw_result hw_crypto_aead(int alg, int seal, const uint8_t *key, size_t key_len, const uint8_t *nonce,
                         const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len, uint8_t *tag);
size_t hw_ec_scalar_len(int curve);  /* 0 for an unknown id */
size_t hw_ec_point_len(int curve);   /* the encoded public key's length */
hw_result hw_crypto_ec_mulgen(int curve, const uint8_t *scalar, uint8_t *out);
/* point: hw_ec_point_len bytes, replaced by the product; out_x receives the shared secret. */
hw_result hw_crypto_ecdh(int curve, const uint8_t *scalar, uint8_t *point, uint8_t *out_x, size_t *out_len);
hw_result hw_crypto_ecdsa_sign(int curve, int hash_alg, const uint8_t *digest, const uint8_t *scalar, uint8_t *sig, size_t *sig_len);
hw_result hw_crypto_ecdsa_verify(int curve, const uint8_t *digest, size_t digest_len, const uint8_t *point, size_t point_len,
                                 const uint8_t *sig, size_t sig_len);
/* x (as long as n) is replaced by the result. */
hw_result hw_crypto_rsa_public(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len, uint8_t *x);
hw_result hw_crypto_rsa_private(uint32_t n_bitlen, const uint8_t *p, size_t p_len, const uint8_t *q, size_t q_len, const uint8_t *dp, size_t dp_len,
                                const uint8_t *dq, size_t dq_len, const uint8_t *qinv, size_t qinv_len, uint8_t *x, size_t x_len);
#endif

/* The crypto group's C side (core/include/hw-crypto.h) over BearSSL 0.6: each primitive picks
 * BearSSL's fastest constant-time implementation the CPU supports (AES-NI and PCLMULQDQ when
 * CPUID says so, else the 64-bit bitsliced AES and GHASH; ChaCha20 with SSE2; Poly1305 and RSA
 * with 64x64->128 multiplies; EC with 31-bit limbs). Knows no JavaScript: crypto-js.c binds it. */
#include <string.h>
#include "hw-crypto.h"
#include "bearssl.h"

static const br_hash_class *hash_class(int alg) {
  switch (alg) {
  case HW_HASH_SHA1: return &br_sha1_vtable;
  case HW_HASH_SHA224: return &br_sha224_vtable;
  case HW_HASH_SHA256: return &br_sha256_vtable;
  case HW_HASH_SHA384: return &br_sha384_vtable;
  case HW_HASH_SHA512: return &br_sha512_vtable;
  default: return NULL;
  }
}

size_t hw_hash_len(int alg) {
  const br_hash_class *h = hash_class(alg);
  return h ? (size_t)((h->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK) : 0;
}

hw_result hw_crypto_hash(int alg, const uint8_t *data, size_t len, uint8_t *out) {
  const br_hash_class *h = hash_class(alg);
  if (!h) return HW_EINVAL;
  br_hash_compat_context hc;
  h->init(&hc.vtable);
  h->update(&hc.vtable, data, len);
  h->out(&hc.vtable, out);
  return HW_OK;
}

size_t hw_hash_block_len(int alg) {
  const br_hash_class *h = hash_class(alg);
  return h ? (size_t)1 << ((h->desc >> BR_HASHDESC_LBLEN_OFF) & BR_HASHDESC_LBLEN_MASK) : 0;
}

size_t hw_hash_state_len(int alg) {
  const br_hash_class *h = hash_class(alg);
  return h ? (size_t)((h->desc >> BR_HASHDESC_STATE_OFF) & BR_HASHDESC_STATE_MASK) + 8 : 0;
}

/* A hash context from a state (chaining value || 64-bit little-endian count), or fresh for NULL. */
static void hash_resume(const br_hash_class *h, br_hash_compat_context *hc, const uint8_t *state) {
  h->init(&hc->vtable);
  if (!state) return;
  size_t value_len = (h->desc >> BR_HASHDESC_STATE_OFF) & BR_HASHDESC_STATE_MASK;
  uint64_t count = 0;
  for (int i = 7; i >= 0; i--) count = count << 8 | state[value_len + (size_t)i];
  h->set_state(&hc->vtable, state, count);
}

hw_result hw_crypto_hash_update(int alg, const uint8_t *state, const uint8_t *blocks, size_t len, uint8_t *out_state) {
  const br_hash_class *h = hash_class(alg);
  if (!h || len % hw_hash_block_len(alg)) return HW_EINVAL;
  br_hash_compat_context hc;
  hash_resume(h, &hc, state);
  h->update(&hc.vtable, blocks, len);
  size_t value_len = (h->desc >> BR_HASHDESC_STATE_OFF) & BR_HASHDESC_STATE_MASK;
  uint64_t count = h->state(&hc.vtable, out_state);
  for (int i = 0; i < 8; i++) out_state[value_len + (size_t)i] = (uint8_t)(count >> (8 * i));
  return HW_OK;
}

hw_result hw_crypto_hash_final(int alg, const uint8_t *state, const uint8_t *data, size_t len, uint8_t *out) {
  const br_hash_class *h = hash_class(alg);
  if (!h) return HW_EINVAL;
  br_hash_compat_context hc;
  hash_resume(h, &hc, state);
  h->update(&hc.vtable, data, len);
  h->out(&hc.vtable, out);
  return HW_OK;
}

hw_result hw_crypto_hmac(int alg, const uint8_t *key, size_t key_len, const uint8_t *data, size_t len, uint8_t *out) {
  const br_hash_class *h = hash_class(alg);
  if (!h) return HW_EINVAL;
  br_hmac_key_context kc;
  br_hmac_context mc;
  br_hmac_key_init(&kc, h, key, key_len);
  br_hmac_init(&mc, &kc, 0);
  br_hmac_update(&mc, data, len);
  br_hmac_out(&mc, out);
  memset(&kc, 0, sizeof kc);
  return HW_OK;
}

/* Constant-time comparison of two tags. */
static int tags_equal(const uint8_t *a, const uint8_t *b, size_t n) {
  uint8_t d = 0;
  for (size_t i = 0; i < n; i++) d |= a[i] ^ b[i];
  return d == 0;
}

static hw_result aes_gcm(int seal, const uint8_t *key, size_t key_len, const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
                         uint8_t *buf, size_t len, uint8_t *tag) {
  const br_block_ctr_class *ctr = br_aes_x86ni_ctr_get_vtable();
  if (!ctr) ctr = &br_aes_ct64_ctr_vtable;
  br_ghash gh = br_ghash_pclmul_get();
  if (!gh) gh = br_ghash_ctmul64;
  br_aes_gen_ctr_keys keys;
  br_gcm_context gc;
  ctr->init(&keys.vtable, key, key_len);
  br_gcm_init(&gc, &keys.vtable, gh);
  br_gcm_reset(&gc, nonce, HW_AEAD_NONCE);
  br_gcm_aad_inject(&gc, aad, aad_len);
  br_gcm_flip(&gc);
  br_gcm_run(&gc, seal, buf, len);
  hw_result r = HW_OK;
  if (seal) br_gcm_get_tag(&gc, tag);
  else if (!br_gcm_check_tag(&gc, tag)) r = HW_AGAIN;
  memset(&keys, 0, sizeof keys);
  memset(&gc, 0, sizeof gc);
  return r;
}

static hw_result chacha_poly(int seal, const uint8_t *key, const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
                             uint8_t *buf, size_t len, uint8_t *tag) {
  br_chacha20_run chacha = br_chacha20_sse2_get();
  if (!chacha) chacha = br_chacha20_ct_run;
  br_poly1305_run poly = br_poly1305_ctmulq_get();
  if (!poly) poly = br_poly1305_ctmul_run;
  uint8_t computed[HW_AEAD_TAG];
  poly(key, nonce, buf, len, aad, aad_len, seal ? tag : computed, chacha, seal);
  if (seal) return HW_OK;
  /* BearSSL decrypts in place while it authenticates; the caller zeroes on a mismatch. */
  return tags_equal(computed, tag, HW_AEAD_TAG) ? HW_OK : HW_AGAIN;
}

hw_result hw_crypto_aead(int alg, int seal, const uint8_t *key, size_t key_len, const uint8_t *nonce,
                         const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len, uint8_t *tag) {
  hw_result r;
  if (len > HW_AEAD_MAX) return HW_EINVAL;
  if (alg == HW_AEAD_AES_GCM) {
    if (key_len != 16 && key_len != 24 && key_len != 32) return HW_EINVAL;
    r = aes_gcm(seal, key, key_len, nonce, aad, aad_len, buf, len, tag);
  } else if (alg == HW_AEAD_CHACHA20_POLY1305) {
    if (key_len != 32) return HW_EINVAL;
    r = chacha_poly(seal, key, nonce, aad, aad_len, buf, len, tag);
  } else {
    return HW_EINVAL;
  }
  if (r == HW_AGAIN) memset(buf, 0, len); /* never hand out unauthenticated plaintext */
  return r;
}

/* ---- elliptic curves ---- */

static int bearssl_curve(int curve) {
  switch (curve) {
  case HW_EC_P256: return BR_EC_secp256r1;
  case HW_EC_P384: return BR_EC_secp384r1;
  case HW_EC_X25519: return BR_EC_curve25519;
  default: return -1;
  }
}

size_t hw_ec_scalar_len(int curve) {
  return curve == HW_EC_P256 || curve == HW_EC_X25519 ? 32 : curve == HW_EC_P384 ? 48 : 0;
}
size_t hw_ec_point_len(int curve) {
  return curve == HW_EC_P256 ? 65 : curve == HW_EC_P384 ? 97 : curve == HW_EC_X25519 ? 32 : 0;
}

/* A NIST scalar must be in [1, order - 1]: BearSSL's results are undefined otherwise. Compared
 * in constant time against the order (big-endian). */
static int scalar_in_range(int curve, const uint8_t *x) {
  size_t olen;
  const uint8_t *order = br_ec_get_default()->order(bearssl_curve(curve), &olen);
  uint32_t borrow = 0, nonzero = 0;
  for (size_t i = olen; i-- > 0;) {
    uint32_t d = (uint32_t)x[i] - order[i] - borrow;
    borrow = (d >> 8) & 1;
    nonzero |= x[i];
  }
  return borrow && nonzero; /* x < order and x != 0 */
}

hw_result hw_crypto_ec_mulgen(int curve, const uint8_t *scalar, uint8_t *out) {
  const br_ec_impl *ec = br_ec_get_default();
  if (curve == HW_EC_X25519) {
    /* RFC 7748 §5: X25519(k, 9). BearSSL clamps the scalar itself. */
    static const uint8_t nine[32] = {9};
    memcpy(out, nine, sizeof nine);
    return ec->mul(out, 32, scalar, 32, BR_EC_curve25519) ? HW_OK : HW_AGAIN;
  }
  if (bearssl_curve(curve) < 0) return HW_EINVAL;
  if (!scalar_in_range(curve, scalar)) return HW_EINVAL;
  return ec->mulgen(out, scalar, hw_ec_scalar_len(curve), bearssl_curve(curve)) == hw_ec_point_len(curve) ? HW_OK : HW_EINVAL;
}

hw_result hw_crypto_ecdh(int curve, const uint8_t *scalar, uint8_t *point, uint8_t *out_x, size_t *out_len) {
  const br_ec_impl *ec = br_ec_get_default();
  int id = bearssl_curve(curve);
  if (id < 0) return HW_EINVAL;
  if (curve != HW_EC_X25519 && !scalar_in_range(curve, scalar)) return HW_EINVAL;
  size_t plen = hw_ec_point_len(curve), slen = hw_ec_scalar_len(curve);
  if (!ec->mul(point, plen, scalar, slen, id)) return HW_AGAIN;
  size_t xlen, off = ec->xoff(id, &xlen);
  memcpy(out_x, point + off, xlen);
  *out_len = xlen;
  return HW_OK;
}

hw_result hw_crypto_ecdsa_sign(int curve, int hash_alg, const uint8_t *digest, const uint8_t *scalar, uint8_t *sig, size_t *sig_len) {
  const br_hash_class *h = hash_class(hash_alg);
  if (!h || (curve != HW_EC_P256 && curve != HW_EC_P384) || !scalar_in_range(curve, scalar)) return HW_EINVAL;
  br_ec_private_key sk = {bearssl_curve(curve), (unsigned char *)scalar, hw_ec_scalar_len(curve)};
  size_t n = br_ecdsa_i31_sign_raw(br_ec_get_default(), h, digest, &sk, sig);
  if (n == 0) return HW_EINVAL;
  *sig_len = n;
  return HW_OK;
}

hw_result hw_crypto_ecdsa_verify(int curve, const uint8_t *digest, size_t digest_len, const uint8_t *point, size_t point_len,
                                 const uint8_t *sig, size_t sig_len) {
  if ((curve != HW_EC_P256 && curve != HW_EC_P384) || point_len != hw_ec_point_len(curve)) return HW_EINVAL;
  br_ec_public_key pk = {bearssl_curve(curve), (unsigned char *)point, point_len};
  return br_ecdsa_i31_vrfy_raw(br_ec_get_default(), digest, digest_len, &pk, sig, sig_len) ? HW_OK : HW_AGAIN;
}

/* ---- RSA ---- */

hw_result hw_crypto_rsa_public(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len, uint8_t *x) {
  if (n_len > HW_RSA_MAX_BYTES || n_len < 64 || e_len == 0 || e_len > 8) return HW_EINVAL;
  br_rsa_public_key pk = {(unsigned char *)n, n_len, (unsigned char *)e, e_len};
  br_rsa_public op = br_rsa_i62_public_get();
  if (!op) op = br_rsa_i31_public;
  return op(x, n_len, &pk) ? HW_OK : HW_AGAIN;
}

hw_result hw_crypto_rsa_private(uint32_t n_bitlen, const uint8_t *p, size_t p_len, const uint8_t *q, size_t q_len, const uint8_t *dp, size_t dp_len,
                                const uint8_t *dq, size_t dq_len, const uint8_t *qinv, size_t qinv_len, uint8_t *x, size_t x_len) {
  if (n_bitlen < 512 || n_bitlen > 8 * HW_RSA_MAX_BYTES || x_len != (n_bitlen + 7) / 8) return HW_EINVAL;
  br_rsa_private_key sk = {n_bitlen, (unsigned char *)p, p_len, (unsigned char *)q, q_len, (unsigned char *)dp, dp_len,
                           (unsigned char *)dq, dq_len, (unsigned char *)qinv, qinv_len};
  br_rsa_private op = br_rsa_i62_private_get();
  if (!op) op = br_rsa_i31_private;
  return op(x, &sk) ? HW_OK : HW_AGAIN;
}

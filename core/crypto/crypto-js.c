/* JavaScript bindings of the crypto group (core/include/hw-crypto.h): hw.crypto. Every argument
 * is checked here before the C side sees it; results are new Uint8Arrays. */
#include <string.h>
#include "hw-crypto.h"
#include "quickjs.h"
#include "bindings.h"

static int arg_int(JSContext *c, int *out, JSValueConst v) {
  int32_t i;
  if (JS_ToInt32(c, &i, v)) return -1;
  *out = i;
  return 0;
}

/* The bytes of a Uint8Array argument, NULL with a TypeError/RangeError thrown otherwise. */
static const uint8_t *arg_bytes(JSContext *c, JSValueConst v, size_t *len, const char *what) {
  if (JS_GetTypedArrayType(v) != JS_TYPED_ARRAY_UINT8) {
    JS_ThrowTypeError(c, "hw.crypto: %s must be a Uint8Array", what);
    return NULL;
  }
  return engine_typed_array_bytes(c, v, len, what);
}

static int arg_exact(JSContext *c, const uint8_t **out, JSValueConst v, size_t want, const char *what) {
  size_t len;
  if (!(*out = arg_bytes(c, v, &len, what))) return -1;
  if (len != want) { JS_ThrowRangeError(c, "hw.crypto: %s must be %zu bytes, not %zu", what, want, len); return -1; }
  return 0;
}

/* A new zeroed Uint8Array of len bytes and its storage. */
static JSValue new_bytes(JSContext *c, size_t len, uint8_t **p) {
  JSValue n = JS_NewInt64(c, (int64_t)len);
  JSValue a = JS_NewTypedArray(c, 1, &n, JS_TYPED_ARRAY_UINT8);
  if (JS_IsException(a)) return a;
  size_t got;
  *p = JS_GetUint8Array(c, &got, a);
  if (!*p && len) { JS_FreeValue(c, a); return JS_ThrowRangeError(c, "hw.crypto: cannot allocate %zu bytes", len); }
  return a;
}

static JSValue js_hash(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  int alg;
  size_t len, out_len;
  const uint8_t *data;
  if (arg_int(c, &alg, argv[0])) return JS_EXCEPTION;
  if (!(out_len = hw_hash_len(alg))) return JS_ThrowRangeError(c, "hw.crypto.hash: unknown hash %d", alg);
  if (!(data = arg_bytes(c, argv[1], &len, "data"))) return JS_EXCEPTION;
  uint8_t out[HW_HASH_MAX_OUT];
  hw_crypto_hash(alg, data, len, out);
  return JS_NewUint8ArrayCopy(c, out, out_len);
}

/* A streaming state argument: null, or hashStateLength bytes whose count is whole blocks. */
static int arg_hash_state(JSContext *c, int alg, JSValueConst v, const uint8_t **state, const char *fn) {
  if (JS_IsNull(v)) { *state = NULL; return 0; }
  size_t len, want = hw_hash_state_len(alg), block = hw_hash_block_len(alg);
  if (!(*state = arg_bytes(c, v, &len, "state"))) return -1;
  if (len != want) { JS_ThrowRangeError(c, "hw.crypto.%s: state must be %zu bytes, not %zu", fn, want, len); return -1; }
  uint64_t count = 0;
  for (int i = 7; i >= 0; i--) count = count << 8 | (*state)[want - 8 + (size_t)i];
  if (count % block) { JS_ThrowRangeError(c, "hw.crypto.%s: the state's count is not a whole number of %zu-byte blocks", fn, block); return -1; }
  return 0;
}

static JSValue js_hash_update(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  int alg;
  size_t len;
  const uint8_t *state, *blocks;
  if (arg_int(c, &alg, argv[0])) return JS_EXCEPTION;
  if (!hw_hash_len(alg)) return JS_ThrowRangeError(c, "hw.crypto.hashUpdate: unknown hash %d", alg);
  if (arg_hash_state(c, alg, argv[1], &state, "hashUpdate") || !(blocks = arg_bytes(c, argv[2], &len, "blocks"))) return JS_EXCEPTION;
  size_t block = hw_hash_block_len(alg);
  if (len % block) return JS_ThrowRangeError(c, "hw.crypto.hashUpdate: blocks must be a whole number of %zu-byte blocks, not %zu bytes", block, len);
  uint8_t out[HW_HASH_MAX_STATE];
  hw_crypto_hash_update(alg, state, blocks, len, out);
  return JS_NewUint8ArrayCopy(c, out, hw_hash_state_len(alg));
}

static JSValue js_hash_final(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  int alg;
  size_t len;
  const uint8_t *state, *data;
  if (arg_int(c, &alg, argv[0])) return JS_EXCEPTION;
  size_t out_len = hw_hash_len(alg);
  if (!out_len) return JS_ThrowRangeError(c, "hw.crypto.hashFinal: unknown hash %d", alg);
  if (arg_hash_state(c, alg, argv[1], &state, "hashFinal") || !(data = arg_bytes(c, argv[2], &len, "data"))) return JS_EXCEPTION;
  uint8_t out[HW_HASH_MAX_OUT];
  hw_crypto_hash_final(alg, state, data, len, out);
  return JS_NewUint8ArrayCopy(c, out, out_len);
}

static JSValue js_hash_state_length(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  int alg;
  if (arg_int(c, &alg, argv[0])) return JS_EXCEPTION;
  if (!hw_hash_len(alg)) return JS_ThrowRangeError(c, "hw.crypto.hashStateLength: unknown hash %d", alg);
  return JS_NewInt32(c, (int32_t)hw_hash_state_len(alg));
}

static JSValue js_hmac(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  int alg;
  size_t klen, len, out_len;
  const uint8_t *key, *data;
  if (arg_int(c, &alg, argv[0])) return JS_EXCEPTION;
  if (!(out_len = hw_hash_len(alg))) return JS_ThrowRangeError(c, "hw.crypto.hmac: unknown hash %d", alg);
  if (!(key = arg_bytes(c, argv[1], &klen, "key")) || !(data = arg_bytes(c, argv[2], &len, "data"))) return JS_EXCEPTION;
  uint8_t out[HW_HASH_MAX_OUT];
  hw_crypto_hmac(alg, key, klen, data, len, out);
  return JS_NewUint8ArrayCopy(c, out, out_len);
}

/* aeadSeal / aeadOpen: magic = 1 seals, 0 opens. */
static JSValue js_aead(JSContext *c, JSValueConst this, int argc, JSValueConst *argv, int seal) {
  int alg;
  size_t klen, aad_len, len;
  const uint8_t *key, *nonce, *aad, *in;
  if (arg_int(c, &alg, argv[0])) return JS_EXCEPTION;
  if (alg != HW_AEAD_AES_GCM && alg != HW_AEAD_CHACHA20_POLY1305) return JS_ThrowRangeError(c, "hw.crypto: unknown AEAD %d", alg);
  if (!(key = arg_bytes(c, argv[1], &klen, "key"))) return JS_EXCEPTION;
  if (alg == HW_AEAD_AES_GCM ? klen != 16 && klen != 24 && klen != 32 : klen != 32)
    return JS_ThrowRangeError(c, "hw.crypto: a %s key must be %s bytes, not %zu", alg == HW_AEAD_AES_GCM ? "AES-GCM" : "ChaCha20-Poly1305",
                              alg == HW_AEAD_AES_GCM ? "16, 24 or 32" : "32", klen);
  if (arg_exact(c, &nonce, argv[2], HW_AEAD_NONCE, "nonce") || !(aad = arg_bytes(c, argv[3], &aad_len, "aad")) ||
      !(in = arg_bytes(c, argv[4], &len, seal ? "plaintext" : "ciphertext")))
    return JS_EXCEPTION;
  if (!seal && len < HW_AEAD_TAG) return JS_NULL;
  size_t body = seal ? len : len - HW_AEAD_TAG;
  if (body > HW_AEAD_MAX) return JS_ThrowRangeError(c, "hw.crypto: at most %u bytes per AEAD call", HW_AEAD_MAX);
  uint8_t *out;
  JSValue res = new_bytes(c, seal ? len + HW_AEAD_TAG : body, &out);
  if (JS_IsException(res)) return res;
  /* The allocation may have run the collector; re-read the inputs' storage (argv keeps them alive). */
  size_t ignored;
  key = arg_bytes(c, argv[1], &klen, "key");
  nonce = arg_bytes(c, argv[2], &ignored, "nonce");
  aad = arg_bytes(c, argv[3], &aad_len, "aad");
  in = arg_bytes(c, argv[4], &ignored, "input");
  if (!key || !nonce || !aad || !in) { JS_FreeValue(c, res); return JS_EXCEPTION; }
  memcpy(out, in, body);
  uint8_t tag[HW_AEAD_TAG];
  if (!seal) memcpy(tag, in + body, HW_AEAD_TAG);
  hw_result r = hw_crypto_aead(alg, seal, key, klen, nonce, aad, aad_len, out, body, seal ? out + body : tag);
  if (r == HW_AGAIN) { JS_FreeValue(c, res); return JS_NULL; }
  if (r != HW_OK) { JS_FreeValue(c, res); return JS_ThrowRangeError(c, "hw.crypto: invalid AEAD arguments"); }
  return res;
}
static JSValue js_aead_seal(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) { return js_aead(c, this, argc, argv, 1); }
static JSValue js_aead_open(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) { return js_aead(c, this, argc, argv, 0); }

static int arg_curve(JSContext *c, int *curve, JSValueConst v, bool nist_only) {
  if (arg_int(c, curve, v)) return -1;
  if (!hw_ec_scalar_len(*curve) || (nist_only && *curve == HW_EC_X25519)) {
    JS_ThrowRangeError(c, "hw.crypto: unknown curve %d (23 = P-256, 24 = P-384%s)", *curve, nist_only ? "" : ", 29 = X25519");
    return -1;
  }
  return 0;
}

static JSValue js_ec_mulgen(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  int curve;
  const uint8_t *scalar;
  if (arg_curve(c, &curve, argv[0], false) || arg_exact(c, &scalar, argv[1], hw_ec_scalar_len(curve), "scalar")) return JS_EXCEPTION;
  uint8_t out[HW_EC_MAX_POINT];
  if (hw_crypto_ec_mulgen(curve, scalar, out) != HW_OK) return JS_ThrowRangeError(c, "hw.crypto.ecMulGen: the scalar is not in [1, order - 1]");
  return JS_NewUint8ArrayCopy(c, out, hw_ec_point_len(curve));
}

static JSValue js_ecdh(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  int curve;
  const uint8_t *scalar, *peer;
  size_t peer_len;
  if (arg_curve(c, &curve, argv[0], false) || arg_exact(c, &scalar, argv[1], hw_ec_scalar_len(curve), "scalar") ||
      !(peer = arg_bytes(c, argv[2], &peer_len, "peer")))
    return JS_EXCEPTION;
  if (peer_len != hw_ec_point_len(curve)) return JS_NULL; /* not a point of this curve */
  uint8_t point[HW_EC_MAX_POINT], x[HW_EC_MAX_POINT];
  size_t xlen;
  memcpy(point, peer, peer_len);
  hw_result r = hw_crypto_ecdh(curve, scalar, point, x, &xlen);
  if (r == HW_EINVAL) return JS_ThrowRangeError(c, "hw.crypto.ecdh: the scalar is not in [1, order - 1]");
  if (r != HW_OK) return JS_NULL;
  return JS_NewUint8ArrayCopy(c, x, xlen);
}

static JSValue js_ecdsa_sign(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  int curve, hash;
  const uint8_t *digest, *scalar;
  if (arg_curve(c, &curve, argv[0], true) || arg_int(c, &hash, argv[1])) return JS_EXCEPTION;
  if (!hw_hash_len(hash)) return JS_ThrowRangeError(c, "hw.crypto.ecdsaSign: unknown hash %d", hash);
  if (arg_exact(c, &digest, argv[2], hw_hash_len(hash), "digest") || arg_exact(c, &scalar, argv[3], hw_ec_scalar_len(curve), "scalar"))
    return JS_EXCEPTION;
  uint8_t sig[2 * 66];
  size_t sig_len;
  if (hw_crypto_ecdsa_sign(curve, hash, digest, scalar, sig, &sig_len) != HW_OK)
    return JS_ThrowRangeError(c, "hw.crypto.ecdsaSign: the scalar is not in [1, order - 1]");
  return JS_NewUint8ArrayCopy(c, sig, sig_len);
}

static JSValue js_ecdsa_verify(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  int curve;
  const uint8_t *digest, *point, *sig;
  size_t dlen, plen, slen;
  if (arg_curve(c, &curve, argv[0], true) || !(digest = arg_bytes(c, argv[1], &dlen, "digest")) ||
      !(point = arg_bytes(c, argv[2], &plen, "publicPoint")) || !(sig = arg_bytes(c, argv[3], &slen, "signature")))
    return JS_EXCEPTION;
  if (dlen == 0 || dlen > HW_HASH_MAX_OUT) return JS_ThrowRangeError(c, "hw.crypto.ecdsaVerify: digest must be 1 to 64 bytes");
  if (plen != hw_ec_point_len(curve) || slen != 2 * hw_ec_scalar_len(curve)) return JS_FALSE;
  return JS_NewBool(c, hw_crypto_ecdsa_verify(curve, digest, dlen, point, plen, sig, slen) == HW_OK);
}

/* An unsigned big-endian integer argument without its leading zero bytes. */
static const uint8_t *arg_int_bytes(JSContext *c, JSValueConst v, size_t *len, size_t max, const char *what) {
  const uint8_t *p = arg_bytes(c, v, len, what);
  if (!p) return NULL;
  while (*len > 0 && *p == 0) { p++; (*len)--; }
  if (*len == 0 || *len > max) { JS_ThrowRangeError(c, "hw.crypto: %s must be a non-zero integer of at most %zu bytes", what, max); return NULL; }
  return p;
}

static unsigned bit_length(const uint8_t *p, size_t len) {
  unsigned top = p[0], bits = 0;
  while (top) { bits++; top >>= 1; }
  return (unsigned)(len - 1) * 8 + bits;
}

static JSValue js_rsa_public(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  const uint8_t *n, *e, *x;
  size_t nlen, elen, xlen;
  if (!(n = arg_int_bytes(c, argv[0], &nlen, HW_RSA_MAX_BYTES, "n")) || !(e = arg_int_bytes(c, argv[1], &elen, 8, "e")) ||
      !(x = arg_bytes(c, argv[2], &xlen, "x")))
    return JS_EXCEPTION;
  if (nlen < 64) return JS_ThrowRangeError(c, "hw.crypto.rsaPublic: n must be 512 to 4096 bits");
  if (xlen != nlen) return JS_ThrowRangeError(c, "hw.crypto.rsaPublic: x must be %zu bytes (as long as n), not %zu", nlen, xlen);
  uint8_t buf[HW_RSA_MAX_BYTES];
  memcpy(buf, x, xlen);
  if (hw_crypto_rsa_public(n, nlen, e, elen, buf) != HW_OK) return JS_NULL;
  return JS_NewUint8ArrayCopy(c, buf, xlen);
}

static JSValue js_rsa_private(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  const uint8_t *n, *p, *q, *dp, *dq, *qi, *x;
  size_t nlen, plen, qlen, dplen, dqlen, qilen, xlen;
  const size_t half = HW_RSA_MAX_BYTES / 2 + 1;
  if (!(n = arg_int_bytes(c, argv[0], &nlen, HW_RSA_MAX_BYTES, "n")) || !(p = arg_int_bytes(c, argv[1], &plen, half, "p")) ||
      !(q = arg_int_bytes(c, argv[2], &qlen, half, "q")) || !(dp = arg_int_bytes(c, argv[3], &dplen, half, "dp")) ||
      !(dq = arg_int_bytes(c, argv[4], &dqlen, half, "dq")) || !(qi = arg_int_bytes(c, argv[5], &qilen, half, "qinv")) ||
      !(x = arg_bytes(c, argv[6], &xlen, "x")))
    return JS_EXCEPTION;
  if (nlen < 64) return JS_ThrowRangeError(c, "hw.crypto.rsaPrivate: n must be 512 to 4096 bits");
  if (xlen != nlen) return JS_ThrowRangeError(c, "hw.crypto.rsaPrivate: x must be %zu bytes (as long as n), not %zu", nlen, xlen);
  uint8_t buf[HW_RSA_MAX_BYTES];
  memcpy(buf, x, xlen);
  hw_result r = hw_crypto_rsa_private(bit_length(n, nlen), p, plen, q, qlen, dp, dplen, dq, dqlen, qi, qilen, buf, xlen);
  if (r != HW_OK) { memset(buf, 0, sizeof buf); return JS_NULL; }
  JSValue res = JS_NewUint8ArrayCopy(c, buf, xlen);
  memset(buf, 0, sizeof buf);
  return res;
}

static const JSCFunctionListEntry crypto_funcs[] = {
  JS_CFUNC_DEF("hash", 2, js_hash),
  JS_CFUNC_DEF("hashUpdate", 3, js_hash_update),
  JS_CFUNC_DEF("hashFinal", 3, js_hash_final),
  JS_CFUNC_DEF("hashStateLength", 1, js_hash_state_length),
  JS_CFUNC_DEF("hmac", 3, js_hmac),
  JS_CFUNC_DEF("aeadSeal", 5, js_aead_seal),
  JS_CFUNC_DEF("aeadOpen", 5, js_aead_open),
  JS_CFUNC_DEF("ecMulGen", 2, js_ec_mulgen),
  JS_CFUNC_DEF("ecdh", 3, js_ecdh),
  JS_CFUNC_DEF("ecdsaSign", 4, js_ecdsa_sign),
  JS_CFUNC_DEF("ecdsaVerify", 4, js_ecdsa_verify),
  JS_CFUNC_DEF("rsaPublic", 3, js_rsa_public),
  JS_CFUNC_DEF("rsaPrivate", 7, js_rsa_private),
};

bool crypto_group_install(JSContext *c, JSValueConst hw) {
  JSValue crypto = JS_NewObject(c);
  JS_SetPropertyFunctionList(c, crypto, crypto_funcs, sizeof crypto_funcs / sizeof crypto_funcs[0]);
  JS_SetPropertyStr(c, hw, "crypto", crypto);
  return true;
}

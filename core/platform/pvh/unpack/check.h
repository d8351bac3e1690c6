/*
 * The packed core's check value: FNV-1a over 64-bit little-endian words, then the tail bytes.
 * One definition for both sides: tools/pack-core.c computes it at set-up, core_unpack
 * (unpack.c) checks it at boot. Freestanding: the 8-byte copy is inlined, never a memcpy call.
 */
#ifndef NIMBUS_PACKED_CHECK_H
#define NIMBUS_PACKED_CHECK_H
#include <stddef.h>
#include <stdint.h>

static inline uint64_t packed_check_value(const unsigned char *p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull, w;
  for (; n >= 8; n -= 8, p += 8) { __builtin_memcpy(&w, p, 8); h = (h ^ w) * 0x100000001b3ull; }
  for (; n; n--) h = (h ^ *p++) * 0x100000001b3ull;
  return h;
}
#endif

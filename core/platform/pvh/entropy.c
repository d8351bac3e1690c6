/* Hardware entropy: RDSEED, else RDRAND (checked with CPUID; retried a bounded number of times). */
#include "pvh.h"

static int has_rdrand = -1, has_rdseed = -1;

static void detect(void) {
  uint32_t a, b, c, d;
  cpuid(1, 0, &a, &b, &c, &d);
  has_rdrand = (c >> 30) & 1;
  cpuid(0, 0, &a, &b, &c, &d);
  if (a >= 7) {
    cpuid(7, 0, &a, &b, &c, &d);
    has_rdseed = (b >> 18) & 1;
  } else {
    has_rdseed = 0;
  }
}

bool entropy_available(void) {
  if (has_rdrand < 0) detect();
  return has_rdrand || has_rdseed;
}

static bool rdseed64(uint64_t *v) {
  for (int i = 0; i < 32; i++) {
    uint8_t ok;
    __asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
    if (ok) return true;
  }
  return false;
}

static bool rdrand64(uint64_t *v) {
  for (int i = 0; i < 32; i++) {
    uint8_t ok;
    __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
    if (ok) return true;
  }
  return false;
}

size_t entropy_fill(uint8_t *dst, size_t len) {
  if (!entropy_available()) return 0;
  size_t done = 0;
  while (done < len) {
    uint64_t v;
    bool ok = (has_rdseed && rdseed64(&v)) || (has_rdrand && rdrand64(&v));
    if (!ok) break;
    for (int i = 0; i < 8 && done < len; i++) dst[done++] = (uint8_t)(v >> (8 * i));
  }
  return done;
}

#pragma once
#include <stddef.h>
#include <stdint.h>

/* RFC 1071 partial sum of big-endian 16-bit words of p[0..n) (a zero byte pads an odd length),
 * added to `partial` and folded to 16 bits (not complemented). 0 only when all are zero. */
uint32_t checksum_partial(const uint8_t *p, size_t n, uint32_t partial);

#pragma once
#include <stddef.h>
#include <stdint.h>

/*
 * Software segmentation of one TCP super-segment (what a TSO device does, Linux's GSO): writes
 * segment `index` of `frame` (Ethernet + IPv4 + TCP + payload, IP total length = all of it) into
 * `out`, with finished IPv4 and TCP checksums. Returns the bytes written, or 0 with *err set
 * (a static message) when the frame, the index or the output's size is not acceptable.
 */
size_t tcp_segment(const uint8_t *frame, size_t len, uint32_t index, uint32_t seg_size, uint8_t *out, size_t out_len,
                   const char **err);

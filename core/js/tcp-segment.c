/*
 * Software TSO, a compute primitive the engine offers as hw.segmentTcp (os/hw/hw.ts, EngineHw).
 * A virtio-net device without HOST_TSO4 and CSUM (QEMU's user network) still gets the stack's
 * super-segments: the driver cuts them here, one call per segment, instead of the stack building
 * every 1448-byte segment in the interpreter. The rules are a TSO device's (virtio 1.x §5.1.6.2,
 * GSO_TCPV4; Linux's tcp_gso_segment):
 * - every segment carries the super-segment's Ethernet, IPv4 and TCP headers (options too);
 * - segment k holds payload bytes [k * seg_size, (k + 1) * seg_size), the last one the rest;
 * - IPv4: total length per segment, identification + k (mod 2^16), header checksum recomputed;
 * - TCP: sequence number + k * seg_size; FIN and PSH only on the last segment, CWR only on the
 *   first (RFC 3168 §6.1.2: CWR is set once per window reduction); the checksum over the RFC 9293
 *   §3.1 pseudo-header, the header and the segment's payload.
 * A frame of one segment (payload ≤ seg_size) comes out whole with its checksums finished: the
 * driver's software checksum offload.
 */
#include "tcp-segment.h"

#include <string.h>

#include "checksum.h"

#define ETH_LEN 14
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

static uint16_t be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

size_t tcp_segment(const uint8_t *frame, size_t len, uint32_t index, uint32_t seg_size, uint8_t *out, size_t out_len,
                   const char **err) {
  if (len < ETH_LEN + 20 + 20 || be16(frame + 12) != 0x0800) { *err = "not an IPv4 frame"; return 0; }
  const uint8_t *ip = frame + ETH_LEN;
  size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
  if ((ip[0] >> 4) != 4 || ihl < 20 || ip[9] != 6) { *err = "not an IPv4 TCP packet"; return 0; }
  if (be16(ip + 2) != len - ETH_LEN) { *err = "IPv4 total length is not the frame's length"; return 0; }
  if ((be16(ip + 6) & 0x3fff) != 0) { *err = "a fragment cannot be segmented"; return 0; }
  if (ETH_LEN + ihl + 20 > len) { *err = "truncated TCP header"; return 0; }
  const uint8_t *tcp = ip + ihl;
  size_t thl = (size_t)(tcp[12] >> 4) * 4;
  size_t hdr = ETH_LEN + ihl + thl;
  if (thl < 20 || hdr > len) { *err = "truncated TCP header"; return 0; }
  if (seg_size == 0) { *err = "segment size must be at least 1"; return 0; }
  size_t payload = len - hdr;
  size_t count = payload == 0 ? 1 : (payload + seg_size - 1) / seg_size;
  if (index >= count) { *err = "segment index past the last segment"; return 0; }
  size_t start = (size_t)index * seg_size;
  size_t n = payload - start < seg_size ? payload - start : seg_size;
  if (hdr + n > out_len) { *err = "output too small for the segment"; return 0; }

  memcpy(out, frame, hdr);
  memcpy(out + hdr, frame + hdr + start, n);
  uint8_t *oip = out + ETH_LEN, *otcp = oip + ihl;
  put16(oip + 2, (uint32_t)(ihl + thl + n));
  put16(oip + 4, be16(ip + 4) + index);
  put16(oip + 10, 0);
  put16(oip + 10, ~checksum_partial(oip, ihl, 0));

  uint32_t seq = ((uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 | (uint32_t)tcp[6] << 8 | tcp[7]) + (uint32_t)start;
  otcp[4] = (uint8_t)(seq >> 24); otcp[5] = (uint8_t)(seq >> 16); otcp[6] = (uint8_t)(seq >> 8); otcp[7] = (uint8_t)seq;
  if (index + 1 < count) otcp[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
  if (index > 0) otcp[13] &= (uint8_t)~TCP_CWR;
  /* Pseudo-header: source, destination, zero + protocol, TCP length (RFC 9293 §3.1). */
  uint8_t pseudo[12];
  memcpy(pseudo, ip + 12, 8);
  pseudo[8] = 0; pseudo[9] = 6;
  put16(pseudo + 10, (uint32_t)(thl + n));
  put16(otcp + 16, 0);
  uint32_t sum = checksum_partial(pseudo, sizeof pseudo, 0);
  sum = checksum_partial(otcp, thl + n, sum);
  put16(otcp + 16, ~sum);
  return hdr + n;
}

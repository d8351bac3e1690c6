/*
 * Text encoders, a compute primitive the engine offers as hw.encodeText (os/hw/hw.ts,
 * EngineHw). Every HTTP head, header value and string body is encoded on its way to the
 * wire; in the interpreter a per-character loop cost ~16% of a keep-alive request at native
 * speed (measured with nimbus.profile_us), here a copy.
 *
 * The engine hands us its UTF-8 form of the string (quickjs-ng keeps Latin-1 and UTF-16
 * strings; for an ASCII string that form is the string's own bytes).
 */
#include "text.h"

#include <string.h>

void text_utf8_from_wtf8(const uint8_t *in, size_t len, uint8_t *out) {
  if (out != in) memcpy(out, in, len);
  /* A lead byte ED followed by A0..BF encodes U+D800..U+DFFF: only a lone surrogate can, since
   * a valid pair arrives as one 4-byte sequence. */
  uint8_t *p = out, *end = out + len;
  while ((p = memchr(p, 0xed, (size_t)(end - p))) != NULL) {
    if (end - p >= 3 && (p[1] & 0xe0) == 0xa0) {
      p[0] = 0xef, p[1] = 0xbf, p[2] = 0xbd;
      p += 3;
    } else {
      p++;
    }
  }
}

size_t text_latin1_from_wtf8(const uint8_t *in, size_t len, uint8_t *out) {
  size_t n = 0;
  for (size_t i = 0; i < len;) {
    uint8_t b = in[i];
    uint32_t cp;
    size_t step;
    if (b < 0x80) cp = b, step = 1;
    else if (b < 0xe0) cp = ((uint32_t)(b & 0x1f) << 6) | (in[i + 1] & 0x3f), step = 2;
    else if (b < 0xf0) cp = ((uint32_t)(b & 0x0f) << 12) | ((uint32_t)(in[i + 1] & 0x3f) << 6) | (in[i + 2] & 0x3f), step = 3;
    else cp = ((uint32_t)(b & 0x07) << 18) | ((uint32_t)(in[i + 1] & 0x3f) << 12) | ((uint32_t)(in[i + 2] & 0x3f) << 6) | (in[i + 3] & 0x3f), step = 4;
    if (i + step > len) break; /* cannot happen with the engine's own output */
    i += step;
    if (cp >= 0x10000) { /* a surrogate pair: two code units, two bytes */
      cp -= 0x10000;
      if (out) out[n] = (uint8_t)(0xd800 + (cp >> 10)), out[n + 1] = (uint8_t)(0xdc00 + (cp & 0x3ff));
      n += 2;
    } else {
      if (out) out[n] = (uint8_t)cp;
      n++;
    }
  }
  return n;
}

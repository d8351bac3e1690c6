#pragma once
#include <stddef.h>
#include <stdint.h>

/* String encoders behind hw.encodeText (core/js/text.c). Their input is what the engine's
 * JS_ToCStringLen2(..., cesu8 = false) gives: UTF-8, except that a lone surrogate is kept as
 * its 3-byte sequence (ED A0..BF xx), as WTF-8 does. */

/* UTF-8 as the WHATWG Encoding Standard writes a USVString: each lone surrogate becomes
 * U+FFFD (EF BF BD). Same length as the input; `out` may be `in`. */
void text_utf8_from_wtf8(const uint8_t *in, size_t len, uint8_t *out);

/* Node's 'latin1' (and 'binary', 'ascii' for writing): the low byte of each UTF-16 code unit.
 * Returns the number of bytes written to `out` (at most len); a NULL `out` only counts. */
size_t text_latin1_from_wtf8(const uint8_t *in, size_t len, uint8_t *out);

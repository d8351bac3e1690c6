/* Seams between the engine's hw object (core/js/engine.c) and bindings kept in their own files. */
#ifndef NIMBUS_BINDINGS_H
#define NIMBUS_BINDINGS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "quickjs.h"
/* The bytes a typed array views, bounds-checked; NULL with an exception thrown otherwise. */
uint8_t *engine_typed_array_bytes(JSContext *c, JSValueConst v, size_t *len, const char *type_error);
/* Installs the crypto group (core/include/hw-crypto.h, core/crypto/crypto-js.c) as hw.crypto;
 * true when installed. */
bool crypto_group_install(JSContext *c, JSValueConst hw);
#endif

/* nimbus-qjsc: compile one bundled ES module to QuickJS bytecode on the host (used by `nimbus build`). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "quickjs.h"

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) { fclose(f); free(buf); return NULL; }
  buf[n] = 0;
  fclose(f);
  *len = (size_t)n;
  return buf;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: nimbus-qjsc <input.js> <output.bc> <module-name> [--strip-debug]\n");
    return 2;
  }
  size_t len;
  char *src = read_file(argv[1], &len);
  if (!src) { fprintf(stderr, "nimbus-qjsc: cannot read %s\n", argv[1]); return 1; }
  JSRuntime *rt = JS_NewRuntime();
  JS_SetMaxStackSize(rt, 0);
  JSContext *ctx = JS_NewContext(rt);
  JSValue obj = JS_Eval(ctx, src, len, argv[3], JS_EVAL_TYPE_MODULE | JS_EVAL_FLAG_COMPILE_ONLY);
  if (JS_IsException(obj)) {
    JSValue e = JS_GetException(ctx);
    const char *s = JS_ToCString(ctx, e);
    fprintf(stderr, "nimbus-qjsc: %s: %s\n", argv[3], s ? s : "compile error");
    return 1;
  }
  size_t out_len;
  /* Keep line numbers for stack traces; drop the source text itself. */
  int strip = argc > 4 && !strcmp(argv[4], "--strip-debug") ? JS_WRITE_OBJ_STRIP_DEBUG | JS_WRITE_OBJ_STRIP_SOURCE
                                                            : JS_WRITE_OBJ_STRIP_SOURCE;
  uint8_t *out = JS_WriteObject(ctx, &out_len, obj, JS_WRITE_OBJ_BYTECODE | strip);
  if (!out) { fprintf(stderr, "nimbus-qjsc: cannot serialise bytecode\n"); return 1; }
  FILE *f = fopen(argv[2], "wb");
  if (!f || fwrite(out, 1, out_len, f) != out_len || fclose(f)) {
    fprintf(stderr, "nimbus-qjsc: cannot write %s\n", argv[2]);
    return 1;
  }
  return 0;
}

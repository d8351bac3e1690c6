/*
 * Sampling profiler (nimbus.profile_us=N, a diagnosis tool; profile.h): at most every N us, from the
 * interrupt handler (the engine calls it every 10,000 operations), the JS stack is printed on
 * stderr as one line, "PROF|frame|frame|...". The engine's own Error.prototype.stack getter,
 * kept before the runtime replaces it, builds the trace in C: no JS runs inside a sample.
 */
#include <stdbool.h>
#include <stddef.h>
#include "hw.h"
#include "profile.h"

static JSContext *ctx;
static uint64_t profile_ns, profile_last_ns;
static JSValue profile_stack_getter;
static bool profile_in_sample;

void profile_sample(void) {
  if (!profile_ns) return;
  uint64_t now = hw_clock_monotonic_ns();
  if (profile_in_sample || now - profile_last_ns < profile_ns) return;
  profile_in_sample = true;
  profile_last_ns = now;
  JSValue err = JS_NewError(ctx);
  JSValue stack = JS_Call(ctx, profile_stack_getter, err, 0, NULL);
  const char *text = JS_IsString(stack) ? JS_ToCString(ctx, stack) : NULL;
  if (text) {
    char line[2048];
    size_t n = 0;
    for (const char *c = text; *c && n < sizeof line - 2; c++) {
      if (*c == '\n') line[n++] = '|';
      else if (*c != ' ' || (n && line[n - 1] != '|')) line[n++] = *c;
    }
    line[n++] = '\n';
    hw_console_write(2, "PROF|", 5);
    hw_console_write(2, line, n);
    JS_FreeCString(ctx, text);
  }
  JS_FreeValue(ctx, stack);
  JS_FreeValue(ctx, err);
  profile_in_sample = false;
}

void profile_start(JSContext *c, uint64_t interval_ns) {
  ctx = c;
  profile_ns = interval_ns;
  profile_stack_getter = JS_UNDEFINED;
  if (!profile_ns) return;
  JSValue global = JS_GetGlobalObject(ctx);
  JSValue error = JS_GetPropertyStr(ctx, global, "Error");
  JS_FreeValue(ctx, global);
  JSValue proto = JS_GetPropertyStr(ctx, error, "prototype");
  JSPropertyDescriptor desc;
  JSAtom atom = JS_NewAtom(ctx, "stack");
  if (JS_GetOwnProperty(ctx, &desc, proto, atom) == 1) {
    profile_stack_getter = desc.getter;
    JS_FreeValue(ctx, desc.setter);
    JS_FreeValue(ctx, desc.value);
  }
  JS_FreeAtom(ctx, atom);
  JS_FreeValue(ctx, proto);
  JS_FreeValue(ctx, error);
  if (!JS_IsFunction(ctx, profile_stack_getter)) profile_ns = 0;
}


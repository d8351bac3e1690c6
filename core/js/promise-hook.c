/* The engine's promise hook for node:async_hooks (hw.setPromiseHook), off until a program asks. */
#include <quickjs.h>
#include "promise-hook.h"

/* The JS function the hook calls. quickjs-ng 0.16.2 reports INIT when a promise
 * is made (with the promise `then` was called on as parent, else undefined), RESOLVE when one
 * fulfils, and BEFORE/AFTER only around the job that resolves a promise with a thenable (it
 * calls the thenable's `then`); reaction jobs, and so the resumption of an async function after
 * `await`, run without a hook (cli/async-context.ts says what the builder does about that).
 * RESOLVE is not forwarded: AsyncLocalStorage does not need it. */
static JSValue hook_fn; /* valid while hook_set */
static bool hook_set, in_hook;

static void promise_hook(JSContext *c, JSPromiseHookType type, JSValueConst promise, JSValueConst parent, void *opaque) {
  if (type == JS_PROMISE_HOOK_RESOLVE || in_hook || !hook_set) return;
  /* A promise made by the hook itself must not re-enter it. */
  in_hook = true;
  JSValue args[3] = {JS_NewInt32(c, (int32_t)type), JS_DupValue(c, promise), JS_DupValue(c, parent)};
  JSValue r = JS_Call(c, hook_fn, JS_UNDEFINED, 3, args);
  in_hook = false;
  JS_FreeValue(c, args[1]);
  JS_FreeValue(c, args[2]);
  /* The engine cannot take an error from a hook: one thrown is dropped (the runtime's handler
   * throws none). The CPU budget and out of memory stay set, so the interrupt handler stops the
   * program again at its next check (engine.c). */
  if (JS_IsException(r)) JS_FreeValue(c, JS_GetException(c));
  JS_FreeValue(c, r);
}

/* hw.setPromiseHook(fn(type, promise, parent)): installs the engine's hook on first use (type
 * 0 INIT, 1 BEFORE, 2 AFTER); hw.setPromiseHook(null) turns it off again. */
JSValue js_set_promise_hook(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  bool off = JS_IsNull(argv[0]) || JS_IsUndefined(argv[0]);
  if (!off && !JS_IsFunction(c, argv[0])) return JS_ThrowTypeError(c, "setPromiseHook takes a function or null");
  if (hook_set) JS_FreeValue(c, hook_fn);
  hook_set = !off;
  if (hook_set) hook_fn = JS_DupValue(c, argv[0]);
  JS_SetPromiseHook(JS_GetRuntime(c), off ? NULL : promise_hook, NULL);
  return JS_UNDEFINED;
}

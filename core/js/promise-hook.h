/* The engine's promise hook (core/js/promise-hook.c), a member of the hw engine group. */
#ifndef NIMBUS_PROMISE_HOOK_H
#define NIMBUS_PROMISE_HOOK_H
#include <quickjs.h>
JSValue js_set_promise_hook(JSContext *c, JSValueConst this, int argc, JSValueConst *argv);
#endif

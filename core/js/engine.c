/* The engine: quickjs-ng set-up, the hw object (JavaScript bindings of the hw contract) and the
 * program start. Knows no platform: it reaches the machine only through hw.h. */
#include <string.h>
#include <stdio.h>
#include "hw.h"
#include "mm.h"
#include "engine.h"
#include "checksum.h"
#include "text.h"
#include "quickjs.h"
#include "bindings.h"
#include "promise-hook.h"

struct payload_header {
  uint32_t magic;       /* "NBPL" */
  uint32_t version;     /* 1 */
  uint32_t bytecode_len;
  uint32_t sourcemap_len;
};
#define PAYLOAD_MAGIC 0x4c50424e

static JSRuntime *rt;
static JSContext *ctx;
static JSValue rejection_tracker;
static bool test_hooks;
/* Interrupt budget: the longest JS may run without coming back to the event loop
 * (runMicrotasks or yield), in ns; 0 = no limit. Set by nimbus.cpu_budget_ms=N. */
static uint64_t budget_ns, last_progress_ns, budget_ms;
static bool budget_exceeded;
bool js_oom_hit; /* a fatal allocation failure happened: the program is being stopped */

static void report_budget_exceeded(void) {
  hw_console_printf(2, "nimbus: interrupted: the program ran for more than %llu ms without returning to the "
                   "event loop (--cpu-budget)\n", (unsigned long long)budget_ms);
}

static void js_gc_if_asked(void);

/* Sampling profiler (nimbus.profile_us=N, a diagnosis tool): at most every N us, from the
 * interrupt handler (the engine calls it every 10,000 operations), the JS stack is printed on
 * stderr as one line, "PROF|frame|frame|...". The engine's own Error.prototype.stack getter,
 * kept before the runtime replaces it, builds the trace in C: no JS runs inside a sample. */
static uint64_t profile_ns, profile_last_ns;
static JSValue profile_stack_getter;
static bool profile_in_sample;

static void profile_sample(void) {
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

static void profile_start(void) {
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

static int interrupt_handler(JSRuntime *r, void *opaque) {
  if (js_oom_hit) return 1; /* out of memory is fatal, as in Node: unwind to the core's report */
  js_gc_if_asked();
  if (profile_ns) profile_sample();
  if (!budget_ns || budget_exceeded) return budget_exceeded;
  if (hw_clock_monotonic_ns() - last_progress_ns > budget_ns) budget_exceeded = true;
  return budget_exceeded;
}

/* ---- allocator hooks: the JS heap limit and a readable out-of-memory ----
 *
 * The limit is enforced here, not by the engine, so that every allocation (quickjs-ng's small
 * blocks come from 4 KiB arenas it takes from us) is seen:
 * - A request larger than a quarter of the limit that does not fit fails alone (NULL): the
 *   engine throws a catchable error, as Node's RangeError for an impossible ArrayBuffer.
 * - Any other failure is fatal, as in Node: a reserve is opened so the engine can still build
 *   and unwind its "out of memory" error, and the interrupt handler stops the program at its next
 *   check; the exit is 122 with a plain message (js_report_oom). If even the reserve runs out,
 *   the core reports and exits from here: never a NULL into a path that cannot take it.
 *
 * Garbage is collected before the limit is reached (GC pacing). The engine collects on its own
 * schedule (every 1.5x growth of its heap), which near the limit comes too late: a program
 * holding 70% of the limit would fail an allocation with collectable garbage in the heap.
 * Collecting inside malloc is not safe (the caller may be half-way through a change), so the
 * hook only asks: once js_used passes js_gc_at it drops the engine's threshold to 0, so the
 * engine's next object allocation collects (its own safe point), and the interrupt handler and
 * the loop boundaries (yield, runMicrotasks) collect if nothing did before (string and buffer
 * loops allocate no objects). After a collection the next line is half of the room left, at
 * least 1/32 of the limit, and never past the pressure line while the live heap is below it, so
 * that memoryUsage().jsUsed above jsPressure means live memory, not garbage. */
/* Memory pressure: above this share of the limit the runtime refuses new work (os/runtime/memory.ts
 * reads the line from memoryUsage().jsPressure). */
#define JS_PRESSURE_PERCENT 85
static size_t js_limit, js_used, js_reserve;
static size_t js_gc_at, js_pressure;
static bool js_gc_asked;
static uint64_t js_gc_count; /* collections the pacing ran or asked for (memoryUsage().gcPaced) */
static uint64_t js_gc_last_ns; /* when memoryUsage() last collected above the pressure line */

/* The next collection line, from the heap in use right after a collection. */
static void js_gc_pace(void) {
  size_t live = js_used, step = js_limit / 32;
  size_t room = js_limit > live ? js_limit - live : 0;
  size_t at = live + (room / 2 > step ? room / 2 : step);
  if (live + step <= js_pressure && at > js_pressure) at = js_pressure;
  js_gc_at = at;
}

/* Called by the allocator hooks after js_used grew: ask the engine for a collection. */
static void js_gc_note_growth(void) {
  if (js_gc_asked) {
    /* The engine resets its threshold after it collects: the asked-for collection happened. */
    if (JS_GetGCThreshold(rt) != 0) { js_gc_asked = false; js_gc_pace(); }
    return;
  }
  if (js_used < js_gc_at || !rt) return;
  js_gc_asked = true;
  js_gc_count++;
  JS_SetGCThreshold(rt, 0); /* a field store: the collection itself runs at the engine's next object */
}

/* At a safe point (interrupt check, loop boundary): collect if a collection was asked for and
 * the engine has not run it yet. */
static void js_gc_if_asked(void) {
  if (!js_gc_asked) return;
  if (JS_GetGCThreshold(rt) == 0) JS_RunGC(rt);
  js_gc_asked = false;
  JS_SetGCThreshold(rt, js_used + (js_used >> 1));
  js_gc_pace();
}

static void js_report_oom(void) {
  hw_console_printf(2, "nimbus: out of memory: the JavaScript heap limit (%llu KiB of %llu KiB RAM) was reached with "
                 "%llu KiB in use; run with a larger --mem\n", (unsigned long long)(js_limit >> 10),
                 (unsigned long long)(hw_boot()->mem_size >> 10), (unsigned long long)(js_used >> 10));
}

/* What held the heap, for the out-of-memory report. Only at safe points (the program has
 * unwound to the runtime or the core): it walks the engine's lists and allocates nothing. */
static void js_report_oom_holders(void) {
  JSMemoryUsage u;
  JS_ComputeMemoryUsage(rt, &u);
  hw_console_printf(2, "nimbus: the heap held %lld objects (%lld KiB), %lld strings (%lld KiB), %lld arrays "
                 "(%lld elements), %lld ArrayBuffers/typed arrays (%lld KiB), %lld functions (%lld KiB of code)\n",
                 (long long)u.obj_count, (long long)(u.obj_size + u.prop_size) >> 10, (long long)u.str_count,
                 (long long)u.str_size >> 10, (long long)u.array_count, (long long)u.fast_array_elements,
                 (long long)u.binary_object_count, (long long)u.binary_object_size >> 10,
                 (long long)u.js_func_count, (long long)(u.js_func_size + u.js_func_code_size) >> 10);
}

static bool js_heap_admits(size_t size) {
  if (js_used + size <= js_limit) return true;
  if (size > js_limit / 4) return false; /* an impossible request on its own: catchable */
  if (!js_oom_hit) {
    js_oom_hit = true;
    js_limit += js_reserve;
    return js_used + size <= js_limit;
  }
  js_report_oom();
  hw_exit(EXIT_OUT_OF_MEMORY);
}

static void *js_heap_alloc(size_t size) {
  if (!js_heap_admits(size + 8)) return NULL;
  void *p = heap_alloc(size);
  if (!p) {
    /* The core heap itself is exhausted (DMA buffers, fragmentation): fatal as above. */
    if (!js_oom_hit && size <= js_limit / 4) { js_oom_hit = true; return NULL; }
    if (size > js_limit / 4) return NULL;
    js_report_oom();
    hw_exit(EXIT_OUT_OF_MEMORY);
  }
  js_used += heap_usable_size(p) + 8;
  js_gc_note_growth();
  return p;
}
static void *nb_malloc(void *opaque, size_t size) { return js_heap_alloc(size); }
static void *nb_calloc(void *opaque, size_t count, size_t size) {
  size_t n;
  if (__builtin_mul_overflow(count, size, &n)) return NULL;
  void *p = js_heap_alloc(n);
  if (p) memset(p, 0, n);
  return p;
}
static void nb_free(void *opaque, void *p) {
  if (!p) return;
  js_used -= heap_usable_size(p) + 8;
  heap_free(p);
}
static void *nb_realloc(void *opaque, void *p, size_t size) {
  if (!p) return size ? js_heap_alloc(size) : NULL;
  if (size == 0) { nb_free(opaque, p); return NULL; }
  size_t old = heap_usable_size(p);
  if (size > old && !js_heap_admits(size - old)) return NULL;
  void *q = heap_realloc(p, size);
  if (!q) {
    if (size > js_limit / 4) return NULL;
    js_report_oom();
    hw_exit(EXIT_OUT_OF_MEMORY);
  }
  js_used = js_used - old + heap_usable_size(q);
  if (size > old) js_gc_note_growth();
  return q;
}
static size_t nb_usable(const void *p) { return heap_usable_size(p); }
static const JSMallocFunctions malloc_functions = {nb_calloc, nb_malloc, nb_free, nb_realloc, nb_usable};

/* ---- argument helpers ---- */

static int arg_u64(JSContext *c, uint64_t *out, JSValueConst v, uint64_t max, const char *what) {
  double d;
  if (JS_ToFloat64(c, &d, v)) return -1;
  if (!(d >= 0) || d > (double)max || d != (double)(uint64_t)d) {
    JS_ThrowRangeError(c, "%s out of range", what);
    return -1;
  }
  *out = (uint64_t)d;
  return 0;
}

static int arg_width(JSContext *c, int *out, JSValueConst v) {
  int32_t w;
  if (JS_ToInt32(c, &w, v)) return -1;
  if (w != 1 && w != 2 && w != 4) { JS_ThrowRangeError(c, "access width must be 1, 2 or 4"); return -1; }
  *out = w;
  return 0;
}

/* The bytes a typed array views, bounds-checked; NULL with an exception thrown otherwise. */
static uint8_t *typed_array_bytes(JSContext *c, JSValueConst v, size_t *len, const char *type_error) {
  size_t off, bpe, size;
  JSValue ab = JS_GetTypedArrayBuffer(c, v, &off, len, &bpe);
  if (JS_IsException(ab)) {
    JS_FreeValue(c, JS_GetException(c));
    JS_ThrowTypeError(c, "%s", type_error);
    return NULL;
  }
  uint8_t *base = JS_GetArrayBuffer(c, &size, ab);
  JS_FreeValue(c, ab);
  if (!base || off + *len > size) {
    JS_ThrowRangeError(c, "detached or out-of-bounds buffer");
    return NULL;
  }
  return base + off;
}

uint8_t *engine_typed_array_bytes(JSContext *c, JSValueConst v, size_t *len, const char *type_error) {
  return typed_array_bytes(c, v, len, type_error);
}

/* ---- hw functions ---- */

static JSValue js_now(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  return JS_NewFloat64(c, (double)hw_clock_monotonic_ns() / 1e6);
}
static JSValue js_now_ns(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  return JS_NewBigUint64(c, hw_clock_monotonic_ns());
}
static JSValue js_wall_clock(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  return JS_NewFloat64(c, (double)hw_clock_wall_ns() / 1e6);
}

static JSValue js_yield(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  double deadline_ms;
  if (JS_ToFloat64(c, &deadline_ms, argv[0])) return JS_EXCEPTION;
  uint64_t deadline_ns;
  if (deadline_ms != deadline_ms) return JS_ThrowRangeError(c, "deadline is NaN");
  if (deadline_ms >= 1.8e13) deadline_ns = UINT64_MAX;          /* Infinity or far future */
  else if (deadline_ms <= 0) deadline_ns = 0;
  else deadline_ns = (uint64_t)(deadline_ms * 1e6);
  js_gc_if_asked();
  uint32_t ready = hw_yield(deadline_ns);
  last_progress_ns = hw_clock_monotonic_ns();
  return JS_NewUint32(c, ready);
}

static JSValue js_write(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  int32_t fd;
  if (JS_ToInt32(c, &fd, argv[0])) return JS_EXCEPTION;
  if (fd != 1 && fd != 2) return JS_ThrowRangeError(c, "fd must be 1 or 2");
  if (JS_IsString(argv[1])) {
    size_t len;
    const char *s = JS_ToCStringLen(c, &len, argv[1]);
    if (!s) return JS_EXCEPTION;
    hw_console_write(fd, s, len);
    JS_FreeCString(c, s);
    return JS_UNDEFINED;
  }
  size_t len;
  uint8_t *bytes = typed_array_bytes(c, argv[1], &len, "write() takes a string or a Uint8Array");
  if (!bytes) return JS_EXCEPTION;
  hw_console_write(fd, (const char *)bytes, len);
  return JS_UNDEFINED;
}

/* A refused hw call as the RangeError the contract promises. */
static JSValue throw_refused(JSContext *c, hw_result r, const char *what) {
  return JS_ThrowRangeError(c, "%s: %s", what, r == HW_AGAIN ? "no resource left" : r == HW_EUNSPEC ? "not offered by this platform" : "invalid argument");
}

static JSValue js_pci_read(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t bdf, off;
  int w;
  if (arg_u64(c, &bdf, argv[0], 0xffff, "bdf") || arg_u64(c, &off, argv[1], 255, "offset") || arg_width(c, &w, argv[2]))
    return JS_EXCEPTION;
  if (off % (uint64_t)w) return JS_ThrowRangeError(c, "unaligned PCI config access");
  uint32_t v;
  hw_result r = hw_pci_read((uint32_t)bdf, (uint32_t)off, w, &v);
  return r == HW_OK ? JS_NewUint32(c, v) : throw_refused(c, r, "pciRead");
}
static JSValue js_pci_write(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t bdf, off, v;
  int w;
  if (arg_u64(c, &bdf, argv[0], 0xffff, "bdf") || arg_u64(c, &off, argv[1], 255, "offset") || arg_width(c, &w, argv[2]) ||
      arg_u64(c, &v, argv[3], 0xffffffff, "value"))
    return JS_EXCEPTION;
  if (off % (uint64_t)w) return JS_ThrowRangeError(c, "unaligned PCI config access");
  hw_result r = hw_pci_write((uint32_t)bdf, (uint32_t)off, w, (uint32_t)v);
  return r == HW_OK ? JS_UNDEFINED : throw_refused(c, r, "pciWrite");
}

static JSValue js_mmio_map(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t phys, size;
  if (arg_u64(c, &phys, argv[0], 1ull << 46, "address") || arg_u64(c, &size, argv[1], 1ull << 28, "size")) return JS_EXCEPTION;
  hw_result r = hw_mmio_map(phys, size);
  if (r == HW_EINVAL) return JS_ThrowRangeError(c, "mmioMap: 0x%llx is guest RAM, not a device", (unsigned long long)phys);
  if (r != HW_OK) return JS_ThrowRangeError(c, "mmioMap: cannot map 0x%llx (+0x%llx)", (unsigned long long)phys, (unsigned long long)size);
  return JS_UNDEFINED;
}
static JSValue js_mmio_read(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t a;
  int w;
  if (arg_u64(c, &a, argv[0], 1ull << 46, "address") || arg_width(c, &w, argv[1])) return JS_EXCEPTION;
  uint32_t v;
  if (hw_mmio_read(a, w, &v) != HW_OK) return JS_ThrowRangeError(c, "mmioRead: 0x%llx is not in a mapped MMIO window", (unsigned long long)a);
  return JS_NewUint32(c, v);
}
static JSValue js_mmio_write(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t a, v;
  int w;
  if (arg_u64(c, &a, argv[0], 1ull << 46, "address") || arg_width(c, &w, argv[1]) || arg_u64(c, &v, argv[2], 0xffffffff, "value"))
    return JS_EXCEPTION;
  if (hw_mmio_write(a, w, (uint32_t)v) != HW_OK) return JS_ThrowRangeError(c, "mmioWrite: 0x%llx is not in a mapped MMIO window", (unsigned long long)a);
  return JS_UNDEFINED;
}

static JSValue js_port_read(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t p;
  int w;
  if (arg_u64(c, &p, argv[0], 0xffff, "port") || arg_width(c, &w, argv[1])) return JS_EXCEPTION;
  uint32_t v;
  if (hw_port_read((uint16_t)p, w, &v) != HW_OK) return JS_ThrowRangeError(c, "port 0x%llx belongs to the core", (unsigned long long)p);
  return JS_NewUint32(c, v);
}
static JSValue js_port_write(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t p, v;
  int w;
  if (arg_u64(c, &p, argv[0], 0xffff, "port") || arg_width(c, &w, argv[1]) || arg_u64(c, &v, argv[2], 0xffffffff, "value"))
    return JS_EXCEPTION;
  if (hw_port_write((uint16_t)p, w, (uint32_t)v) != HW_OK) return JS_ThrowRangeError(c, "port 0x%llx belongs to the core", (unsigned long long)p);
  return JS_UNDEFINED;
}

static JSValue js_dma_alloc(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t size;
  if (arg_u64(c, &size, argv[0], 64ull << 20, "size")) return JS_EXCEPTION;
  if (size == 0) return JS_ThrowRangeError(c, "dmaAlloc: size must be positive");
  uint8_t *p;
  uint64_t phys;
  if (hw_dma_alloc(size, &p, &phys) != HW_OK) return JS_ThrowRangeError(c, "dmaAlloc: out of memory for %llu bytes", (unsigned long long)size);
  /* DMA memory lives as long as the instance: no free function. */
  JSValue buf = JS_NewArrayBuffer(c, p, size, 0, NULL, NULL, false);
  if (JS_IsException(buf)) return buf;
  JSValue obj = JS_NewObject(c);
  JS_SetPropertyStr(c, obj, "buffer", buf);
  JS_SetPropertyStr(c, obj, "phys", JS_NewFloat64(c, (double)phys));
  return obj;
}

static JSValue js_irq_attach_gsi(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t gsi;
  if (arg_u64(c, &gsi, argv[0], 47, "gsi")) return JS_EXCEPTION;
  int line;
  hw_result r = hw_irq_attach_gsi((unsigned)gsi, &line);
  if (r == HW_AGAIN) return JS_ThrowRangeError(c, "irqAttachGsi: no free IRQ line");
  if (r != HW_OK) return JS_ThrowRangeError(c, "irqAttachGsi: no IO-APIC pin for GSI %llu", (unsigned long long)gsi);
  return JS_NewInt32(c, line);
}
static JSValue js_irq_attach_msi(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t addr;
  uint32_t data;
  int line;
  if (hw_irq_attach_msi(&line, &addr, &data) != HW_OK) return JS_ThrowRangeError(c, "irqAttachMsi: no free IRQ line");
  JSValue obj = JS_NewObject(c);
  JS_SetPropertyStr(c, obj, "line", JS_NewInt32(c, line));
  JS_SetPropertyStr(c, obj, "address", JS_NewFloat64(c, (double)addr));
  JS_SetPropertyStr(c, obj, "data", JS_NewUint32(c, data));
  return obj;
}
static JSValue js_irq_ack(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t line;
  if (arg_u64(c, &line, argv[0], HW_IRQ_LINES - 1, "line")) return JS_EXCEPTION;
  hw_irq_ack((int)line);
  return JS_UNDEFINED;
}

static JSValue js_entropy_fill(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  size_t len;
  uint8_t *bytes = typed_array_bytes(c, argv[0], &len, "entropy() takes a Uint8Array");
  if (!bytes) return JS_EXCEPTION;
  return JS_NewInt64(c, (int64_t)hw_entropy(bytes, len));
}

static JSValue js_exit_program(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  int32_t code;
  if (JS_ToInt32(c, &code, argv[0])) return JS_EXCEPTION;
  if (code < 0 || code > 255) return JS_ThrowRangeError(c, "exit code must be 0-255");
  if (code == 1 && budget_exceeded) {
    report_budget_exceeded();
    code = EXIT_CPU_BUDGET;
  } else if (code == 1 && js_oom_hit) {
    /* The uncaught error was (or followed) the engine's "out of memory": say so plainly. */
    js_report_oom();
    js_report_oom_holders();
    code = EXIT_OUT_OF_MEMORY;
  }
  hw_exit(code);
}

static void rejection_tracker_cb(JSContext *c, JSValueConst promise, JSValueConst reason, bool handled, void *opaque) {
  if (!JS_IsFunction(c, rejection_tracker)) return;
  JSValue args[3] = {JS_DupValue(c, promise), JS_DupValue(c, reason), JS_NewBool(c, handled)};
  JSValue r = JS_Call(c, rejection_tracker, JS_UNDEFINED, 3, args);
  for (int i = 0; i < 3; i++) JS_FreeValue(c, args[i]);
  JS_FreeValue(c, r);
}
static JSValue js_set_rejection_tracker(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  if (!JS_IsFunction(c, argv[0])) return JS_ThrowTypeError(c, "setRejectionTracker takes a function");
  JS_FreeValue(c, rejection_tracker);
  rejection_tracker = JS_DupValue(c, argv[0]);
  return JS_UNDEFINED;
}

static JSValue js_source_map(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  const struct payload_header *h = (const struct payload_header *)hw_boot()->payload;
  if (!h || h->sourcemap_len == 0) return JS_UNDEFINED;
  return JS_NewStringLen(c, (const char *)(h + 1) + h->bytecode_len, h->sourcemap_len);
}

static JSValue js_run_microtasks(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  last_progress_ns = hw_clock_monotonic_ns();
  js_gc_if_asked();
  for (;;) {
    JSContext *jc;
    int r = JS_ExecutePendingJob(rt, &jc);
    if (r == 0) return JS_UNDEFINED;
    if (r < 0) return JS_Throw(c, JS_GetException(jc));
  }
}

static JSValue js_test_fault(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  const char *kind = JS_ToCString(c, argv[0]);
  if (!kind) return JS_EXCEPTION;
  hw_test_fault(kind); /* returns only for an unknown kind */
  JS_FreeCString(c, kind);
  return JS_ThrowRangeError(c, "unknown fault kind");
}

/* Test hook: a full collection (cycles included), so tests measure live memory, not garbage the
 * collector has not reached yet. Safe here: called from JS, between engine operations. */
static JSValue js_collect_garbage(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  JS_RunGC(rt);
  return JS_UNDEFINED;
}

/* Test hook: a system call the confinement forbids; returns only where there is none. */
static JSValue js_test_forbidden_call(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  hw_test_forbidden_call();
  return JS_ThrowRangeError(c, "this platform has no system-call confinement");
}

/* ---- the optional net group (hw.h: hw_net_*), installed as hw.net where the platform has it ---- */

static JSValue js_net_receive(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  size_t cap, len = 0;
  uint8_t *buf = typed_array_bytes(c, argv[0], &cap, "net.receive() takes a Uint8Array");
  if (!buf) return JS_EXCEPTION;
  hw_result r = hw_net_receive(buf, cap, &len);
  if (r == HW_AGAIN) return JS_NewInt32(c, 0);
  if (r != HW_OK) return throw_refused(c, r, "net.receive");
  return JS_NewInt64(c, (int64_t)len);
}

static JSValue js_net_transmit(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  size_t len;
  uint8_t *frame = typed_array_bytes(c, argv[0], &len, "net.transmit() takes a Uint8Array");
  if (!frame) return JS_EXCEPTION;
  hw_result r = hw_net_transmit(frame, len);
  if (r == HW_AGAIN) return JS_FALSE;
  if (r != HW_OK) return throw_refused(c, r, "net.transmit (a frame is 14 to mtu + 18 bytes)");
  return JS_TRUE;
}

static JSValue js_net_dropped_rx(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  struct hw_net_info info;
  if (hw_net_info(&info) != HW_OK) return JS_NewInt32(c, 0);
  return JS_NewFloat64(c, (double)info.dropped_rx);
}

static const JSCFunctionListEntry net_funcs[] = {
  JS_CFUNC_DEF("receive", 1, js_net_receive),
  JS_CFUNC_DEF("transmit", 1, js_net_transmit),
  JS_CFUNC_DEF("droppedRx", 0, js_net_dropped_rx),
};

/* The net group is one nested object (hw.net); true when the platform offers a link. */
static bool install_net_group(JSContext *c, JSValue hw) {
  struct hw_net_info info;
  if (!hw_has(HW_GROUP_NET) || hw_net_info(&info) != HW_OK) return false;
  JSValue net = JS_NewObject(c);
  JS_SetPropertyFunctionList(c, net, net_funcs, sizeof net_funcs / sizeof net_funcs[0]);
  JSValue mac = JS_NewUint8ArrayCopy(c, info.mac, sizeof info.mac);
  JS_SetPropertyStr(c, net, "mac", mac);
  JS_SetPropertyStr(c, net, "mtu", JS_NewUint32(c, info.mtu));
  JS_SetPropertyStr(c, net, "line", JS_NewInt32(c, info.line));
  JS_SetPropertyStr(c, hw, "net", net);
  return true;
}

static JSValue js_memory_usage(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  /* Above the pressure line the runtime refuses work, so the number must be live memory: a
   * heap that filled under load and then went idle allocates nothing, and its cyclic garbage
   * would keep the guest "under pressure" for ever. Collect here (a call from JS: a safe
   * point), at most every 100 ms, so a caller polling under real pressure stays cheap. */
  uint64_t now = hw_clock_monotonic_ns();
  if (js_used > js_pressure && now - js_gc_last_ns >= 100000000u) {
    JS_RunGC(rt);
    js_gc_last_ns = now;
    js_gc_asked = false;
    js_gc_pace();
  }
  JSValue obj = JS_NewObject(c);
  JS_SetPropertyStr(c, obj, "heapTotal", JS_NewFloat64(c, (double)heap_total()));
  JS_SetPropertyStr(c, obj, "heapUsed", JS_NewFloat64(c, (double)heap_used()));
  JS_SetPropertyStr(c, obj, "jsUsed", JS_NewFloat64(c, (double)js_used));
  JS_SetPropertyStr(c, obj, "jsLimit", JS_NewFloat64(c, (double)js_limit));
  JS_SetPropertyStr(c, obj, "jsPressure", JS_NewFloat64(c, (double)js_pressure));
  JS_SetPropertyStr(c, obj, "gcPaced", JS_NewFloat64(c, (double)js_gc_count));
  return obj;
}

/* engine: hw.encodeText(string, 'utf8' | 'latin1'): a new Uint8Array, see text.c. */
static JSValue js_encode_text(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  if (argc < 2 || !JS_IsString(argv[0])) return JS_ThrowTypeError(c, "encodeText() takes a string");
  const char *encoding = JS_IsString(argv[1]) ? JS_ToCString(c, argv[1]) : NULL;
  int latin1 = encoding && !strcmp(encoding, "latin1") ? 1 : encoding && !strcmp(encoding, "utf8") ? 0 : -1;
  JS_FreeCString(c, encoding);
  if (latin1 < 0) return JS_ThrowTypeError(c, "encodeText() encodes 'utf8' or 'latin1'");
  size_t len;
  const char *wtf8 = JS_ToCStringLen2(c, &len, argv[0], false);
  if (!wtf8) return JS_EXCEPTION;
  const uint8_t *in = (const uint8_t *)wtf8;
  size_t n = latin1 ? text_latin1_from_wtf8(in, len, NULL) : len;
  JSValue array = JS_NewUint8ArrayCopy(c, in, n); /* for latin1, overwritten below */
  if (!JS_IsException(array)) {
    size_t got;
    uint8_t *out = engine_typed_array_bytes(c, array, &got, "encodeText");
    if (latin1) text_latin1_from_wtf8(in, len, out);
    else text_utf8_from_wtf8(out, n, out);
  }
  JS_FreeCString(c, wtf8);
  return array;
}

/* engine: hw.checksum(bytes[, partial]): the RFC 1071 partial sum, see checksum.c. */
static JSValue js_checksum(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  size_t len;
  uint8_t *bytes = typed_array_bytes(c, argv[0], &len, "checksum() takes a Uint8Array");
  if (!bytes) return JS_EXCEPTION;
  uint32_t partial = 0;
  if (argc > 1 && !JS_IsUndefined(argv[1]) && JS_ToUint32(c, &partial, argv[1])) return JS_EXCEPTION;
  return JS_NewUint32(c, checksum_partial(bytes, len, partial));
}

static JSValue js_dma_fence(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  hw_dma_fence();
  return JS_UNDEFINED;
}

/* The hw object's members, by group (os/hw/hw.ts names the same groups and members). Required
 * groups are always installed; an optional group only when the platform offers it (hw_has), so
 * its members are absent otherwise and `groups` lists what is there. */
static const JSCFunctionListEntry required_funcs[] = {
  /* clock */
  JS_CFUNC_DEF("now", 0, js_now),
  JS_CFUNC_DEF("nowNs", 0, js_now_ns),
  JS_CFUNC_DEF("wallClock", 0, js_wall_clock),
  /* console */
  JS_CFUNC_DEF("write", 2, js_write),
  /* yield */
  JS_CFUNC_DEF("yield", 1, js_yield),
  /* exit */
  JS_CFUNC_DEF("exit", 1, js_exit_program),
  /* entropy */
  JS_CFUNC_DEF("entropy", 1, js_entropy_fill),
  /* boot (cmdline, memSize and machine are set in js_run) */
  JS_CFUNC_DEF("sourceMap", 0, js_source_map),
  /* engine */
  JS_CFUNC_DEF("setRejectionTracker", 1, js_set_rejection_tracker),
  JS_CFUNC_DEF("runMicrotasks", 0, js_run_microtasks),
  JS_CFUNC_DEF("memoryUsage", 0, js_memory_usage),
  JS_CFUNC_DEF("checksum", 2, js_checksum),
  JS_CFUNC_DEF("encodeText", 2, js_encode_text),
  JS_CFUNC_DEF("setPromiseHook", 1, js_set_promise_hook),
};
static const char *const required_groups[] = {"clock", "console", "yield", "exit", "entropy", "boot", "engine"};

static const JSCFunctionListEntry pci_funcs[] = {
  JS_CFUNC_DEF("pciRead", 3, js_pci_read),
  JS_CFUNC_DEF("pciWrite", 4, js_pci_write),
};
static const JSCFunctionListEntry mmio_funcs[] = {
  JS_CFUNC_DEF("mmioMap", 2, js_mmio_map),
  JS_CFUNC_DEF("mmioRead", 2, js_mmio_read),
  JS_CFUNC_DEF("mmioWrite", 3, js_mmio_write),
};
static const JSCFunctionListEntry ports_funcs[] = {
  JS_CFUNC_DEF("portRead", 2, js_port_read),
  JS_CFUNC_DEF("portWrite", 3, js_port_write),
};
static const JSCFunctionListEntry irq_funcs[] = {
  JS_PROP_INT32_DEF("irqLines", HW_IRQ_LINES, JS_PROP_ENUMERABLE),
  JS_CFUNC_DEF("irqAttachGsi", 1, js_irq_attach_gsi),
  JS_CFUNC_DEF("irqAttachMsi", 0, js_irq_attach_msi),
  JS_CFUNC_DEF("irqAck", 1, js_irq_ack),
};
static const JSCFunctionListEntry dma_funcs[] = {
  JS_CFUNC_DEF("dmaAlloc", 1, js_dma_alloc),
  JS_CFUNC_DEF("dmaFence", 0, js_dma_fence),
};

#define GROUP(name, flag, funcs) {name, flag, funcs, sizeof funcs / sizeof funcs[0]}
static const struct optional_group {
  const char *name;
  enum hw_group flag;
  const JSCFunctionListEntry *funcs;
  size_t count;
} optional_groups[] = {
  GROUP("pci", HW_GROUP_PCI, pci_funcs),
  GROUP("mmio", HW_GROUP_MMIO, mmio_funcs),
  GROUP("ports", HW_GROUP_PORTS, ports_funcs),
  GROUP("irq", HW_GROUP_IRQ, irq_funcs),
  GROUP("dma", HW_GROUP_DMA, dma_funcs),
};

/* The hw object: every required group, the offered optional ones, and `groups` naming them. */
static JSValue new_hw_object(JSContext *c, const struct hw_boot_info *boot) {
  JSValue hw = JS_NewObject(c);
  JSValue groups = JS_NewArray(c);
  uint32_t n = 0;
  JS_SetPropertyFunctionList(c, hw, required_funcs, sizeof required_funcs / sizeof required_funcs[0]);
  for (size_t i = 0; i < sizeof required_groups / sizeof required_groups[0]; i++)
    JS_SetPropertyUint32(c, groups, n++, JS_NewString(c, required_groups[i]));
  for (size_t i = 0; i < sizeof optional_groups / sizeof optional_groups[0]; i++) {
    const struct optional_group *g = &optional_groups[i];
    if (!hw_has(g->flag)) continue;
    JS_SetPropertyFunctionList(c, hw, g->funcs, (int)g->count);
    JS_SetPropertyUint32(c, groups, n++, JS_NewString(c, g->name));
  }
  if (install_net_group(c, hw)) JS_SetPropertyUint32(c, groups, n++, JS_NewString(c, "net"));
  if (crypto_group_install(c, hw)) JS_SetPropertyUint32(c, groups, n++, JS_NewString(c, "crypto"));
  JS_SetPropertyStr(c, hw, "groups", groups);
  JS_SetPropertyStr(c, hw, "cmdline", JS_NewString(c, boot->cmdline));
  JS_SetPropertyStr(c, hw, "memSize", JS_NewFloat64(c, (double)boot->mem_size));
  JS_SetPropertyStr(c, hw, "machine", JS_NewString(c, boot->machine));
  if (test_hooks) {
    JS_SetPropertyStr(c, hw, "testFault", JS_NewCFunction(c, js_test_fault, "testFault", 1));
    JS_SetPropertyStr(c, hw, "collectGarbage", JS_NewCFunction(c, js_collect_garbage, "collectGarbage", 0));
    JS_SetPropertyStr(c, hw, "testForbiddenCall", JS_NewCFunction(c, js_test_forbidden_call, "testForbiddenCall", 0));
  }
  return hw;
}

static void print_exception(JSContext *c, const char *what) {
  JSValue e = JS_GetException(c);
  const char *s = JS_ToCString(c, e);
  hw_console_printf(2, "nimbus: %s: %s\n", what, s ? s : "(unprintable)");
  if (s) JS_FreeCString(c, s);
  if (JS_IsObject(e)) {
    JSValue st = JS_GetPropertyStr(c, e, "stack");
    const char *ss = JS_ToCString(c, st);
    if (ss) { hw_console_write(2, ss, strlen(ss)); JS_FreeCString(c, ss); }
    JS_FreeValue(c, st);
  }
  JS_FreeValue(c, e);
}

static bool cmdline_has(const char *token) {
  const char *s = hw_boot()->cmdline;
  size_t n = strlen(token);
  while (s && *s) {
    while (*s == ' ') s++;
    if (!strncmp(s, token, n) && (s[n] == ' ' || s[n] == 0)) return true;
    while (*s && *s != ' ') s++;
  }
  return false;
}

/* The number after `prefix` on the command line, or 0. */
static uint64_t cmdline_number(const char *prefix) {
  const char *cmdline = hw_boot()->cmdline;
  const char *p = strstr(cmdline, prefix);
  if (!p || (p != cmdline && p[-1] != ' ')) return 0;
  uint64_t v = 0;
  for (p += strlen(prefix); *p >= '0' && *p <= '9' && v < 1000000000ull; p++) v = v * 10 + (uint64_t)(*p - '0');
  return v;
}

void js_run(void) {
  const struct hw_boot_info *boot = hw_boot();
  const struct payload_header *h = (const struct payload_header *)boot->payload;
  if (!h || boot->payload_size < sizeof *h || h->magic != PAYLOAD_MAGIC ||
      sizeof *h + (uint64_t)h->bytecode_len + h->sourcemap_len > boot->payload_size) {
    hw_console_printf(2, "nimbus: this core image holds no program (build one with `nimbus build app.ts`)\n");
    hw_exit(EXIT_JS_BOOT);
  }
  rejection_tracker = JS_UNDEFINED;
  budget_ms = cmdline_number("nimbus.cpu_budget_ms=");
  budget_ns = budget_ms * 1000000u;
  profile_ns = cmdline_number("nimbus.profile_us=") * 1000u;
  test_hooks = cmdline_has("nimbus.testhooks=1");

  /* Leave room for DMA buffers and the engine's own bookkeeping outside the JS limit, and keep
   * a reserve inside it for the out-of-memory report (see the allocator hooks). */
  size_t total = heap_total();
  size_t outside = (1u << 20) + total / 16;
  size_t limit = total > 2 * outside ? total - outside : total / 2;
  js_reserve = 64 * 1024 + limit / 32;
  js_limit = limit - js_reserve;
  js_pressure = js_limit / 100 * JS_PRESSURE_PERCENT;
  js_gc_at = js_limit / 2;
  rt = JS_NewRuntime2(&malloc_functions, NULL);
  if (!rt) panic("cannot create the JS runtime");
  /* The JS stack limit sits 64 KiB above the guard page so C code below JS keeps room. */
  JS_SetMaxStackSize(rt, (size_t)(boot->stack_high - boot->stack_low) - 64 * 1024);
  JS_SetHostPromiseRejectionTracker(rt, rejection_tracker_cb, NULL);
  JS_SetInterruptHandler(rt, interrupt_handler, NULL);
  last_progress_ns = hw_clock_monotonic_ns();
  ctx = JS_NewContext(rt);
  if (!ctx) panic("cannot create the JS context");
  profile_stack_getter = JS_UNDEFINED;
  if (profile_ns) profile_start();

  JSValue global = JS_GetGlobalObject(ctx);
  JS_SetPropertyStr(ctx, global, "__nimbus_hw", new_hw_object(ctx, boot));

  hw_timing_mark(HW_MARK_ENGINE_START);
  JSValue fn = JS_ReadObject(ctx, (const uint8_t *)(h + 1), h->bytecode_len, JS_READ_OBJ_BYTECODE);
  if (JS_IsException(fn)) {
    print_exception(ctx, "cannot load the program's bytecode");
    hw_exit(EXIT_JS_BOOT);
  }
  hw_timing_mark(HW_MARK_BYTECODE_LOADED);
  JSValue evaluation = JS_EvalFunction(ctx, fn);
  hw_timing_mark(HW_MARK_MODULE_EVALUATED);
  if (JS_IsException(evaluation)) {
    /* Only scripts land here; a module's errors reject its evaluation promise. */
    print_exception(ctx, "uncaught exception");
    hw_exit(1);
  }
  JSValue main = JS_GetPropertyStr(ctx, global, "__nimbus_main");
  if (!JS_IsFunction(ctx, main)) {
    hw_console_printf(2, "nimbus: the image has no runtime (__nimbus_main is missing)\n");
    hw_exit(EXIT_JS_BOOT);
  }
  JSValue r = JS_Call(ctx, main, JS_UNDEFINED, 1, &evaluation);
  if (JS_IsException(r)) {
    if (budget_exceeded) {
      /* QuickJS's "interrupted" error cannot be caught, so it unwinds through the runtime. */
      report_budget_exceeded();
      hw_exit(EXIT_CPU_BUDGET);
    }
    if (js_oom_hit) {
      js_report_oom();
      js_report_oom_holders();
      hw_exit(EXIT_OUT_OF_MEMORY);
    }
    print_exception(ctx, "the runtime failed");
    hw_exit(EXIT_JS_BOOT);
  }
  hw_console_printf(2, "nimbus: __nimbus_main returned without exiting\n");
  hw_exit(EXIT_JS_BOOT);
}

#include <string.h>
#include "hw.h"
#include "mm.h"
#include "js-heap.h"

bool js_oom_hit;
static JSRuntime *rt;

/*
 * The JS heap: its limit, garbage-collection pacing and a readable out-of-memory (js-heap.h),
 * behind the allocator hooks the engine is created with.
 *
 * The limit is enforced here, not by the engine, so that every allocation (quickjs-ng's small
 * blocks come from 4 KiB arenas it takes from us) is seen:
 * - A request larger than a quarter of the limit that does not fit fails alone (NULL): the
 *   engine throws a catchable error, as Node's RangeError for an impossible ArrayBuffer.
 * - Any other failure is fatal, as in Node: a reserve is opened so the engine can still build
 *   and unwind its "out of memory" error, and the interrupt handler stops the program at its next
 *   check; the exit is 122 with a plain message (js_heap_report_oom). Until then a big request
 *   (over 1/8 of the reserve) that does not fit fails alone; if a small one does not fit, the
 *   reserve is gone and the core reports and exits from here: never a NULL into a path that
 *   cannot take it.
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
void js_gc_if_asked(void) {
  if (!js_gc_asked) return;
  if (JS_GetGCThreshold(rt) == 0) JS_RunGC(rt);
  js_gc_asked = false;
  JS_SetGCThreshold(rt, js_used + (js_used >> 1));
  js_gc_pace();
}

static bool core_heap_failed; /* the last fatal failure came from the core heap, not the limit */
static size_t failed_size, failed_used; /* the failing request and the heap in use then */

static void report_oom(void) {
  if (core_heap_failed)
    hw_console_printf(2, "nimbus: out of memory: the core heap (%llu KiB, %llu KiB in use, largest free block %llu KiB) "
                   "could not give %llu bytes with the JavaScript heap at %llu KiB of its %llu KiB limit; run with a larger --mem\n",
                   (unsigned long long)(heap_total() >> 10), (unsigned long long)(heap_used() >> 10),
                   (unsigned long long)(heap_largest_free() >> 10), (unsigned long long)failed_size,
                   (unsigned long long)(failed_used >> 10), (unsigned long long)(js_limit >> 10));
  else
    hw_console_printf(2, "nimbus: out of memory: the JavaScript heap limit (%llu KiB of %llu KiB RAM) was reached with "
                   "%llu KiB in use asking for %llu bytes; run with a larger --mem\n", (unsigned long long)(js_limit >> 10),
                   (unsigned long long)(hw_boot()->mem_size >> 10), (unsigned long long)(failed_used >> 10),
                   (unsigned long long)failed_size);
}

/* What held the heap, for the out-of-memory report. Only at safe points (the program has
 * unwound to the runtime or the core): it walks the engine's lists and allocates nothing. */
static void report_oom_holders(void) {
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
  failed_size = size;
  failed_used = js_used;
  core_heap_failed = false;
  if (size > js_limit / 4) return false; /* an impossible request on its own: catchable */
  if (!js_oom_hit) {
    js_oom_hit = true;
    js_limit += js_reserve;
    return js_used + size <= js_limit;
  }
  /* The program is being stopped (the interrupt handler's next check) and runs on the reserve
   * until then. A big request (a growing array) fails alone so the engine throws and unwinds to
   * the safe point that reports what held the heap; only small ones mean the reserve is gone. */
  if (size > js_reserve / 8) return false;
  report_oom();
  hw_exit(EXIT_OUT_OF_MEMORY);
}

static void *js_heap_alloc(size_t size) {
  if (!js_heap_admits(size + 8)) return NULL;
  void *p = heap_alloc(size);
  if (!p) {
    failed_size = size;
    failed_used = js_used;
    core_heap_failed = true;
    /* The core heap itself is exhausted (DMA buffers, fragmentation): fatal as above. */
    if (!js_oom_hit && size <= js_limit / 4) { js_oom_hit = true; return NULL; }
    if (size > js_limit / 4) return NULL;
    report_oom();
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
    failed_size = size;
    failed_used = js_used;
    core_heap_failed = true;
    if (size > js_limit / 4) return NULL;
    report_oom();
    hw_exit(EXIT_OUT_OF_MEMORY);
  }
  js_used = js_used - old + heap_usable_size(q);
  if (size > old) js_gc_note_growth();
  return q;
}
static size_t nb_usable(const void *p) { return heap_usable_size(p); }
static const JSMallocFunctions malloc_functions = {nb_calloc, nb_malloc, nb_free, nb_realloc, nb_usable};


void js_heap_set_total(size_t total) {
  /* Leave room for DMA buffers and the engine's own bookkeeping outside the JS limit, and keep
   * a reserve inside it for the out-of-memory report (see the allocator hooks). */
  size_t outside = (1u << 20) + total / 16;
  size_t limit = total > 2 * outside ? total - outside : total / 2;
  js_reserve = 64 * 1024 + limit / 32;
  js_limit = limit - js_reserve;
  js_pressure = js_limit / 100 * JS_PRESSURE_PERCENT;
  if (!rt) js_gc_at = js_limit / 2;
  else js_gc_pace();
}

JSRuntime *js_heap_new_runtime(size_t total) {
  js_heap_set_total(total);
  rt = JS_NewRuntime2(&malloc_functions, NULL);
  return rt;
}

void js_heap_usage(struct js_heap_usage *u) {
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
  u->used = js_used;
  u->limit = js_limit;
  u->pressure = js_pressure;
  u->paced = js_gc_count;
}

void js_heap_report_oom(bool holders) {
  report_oom();
  if (holders) report_oom_holders();
}

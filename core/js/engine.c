/* QuickJS runtime set-up, the hw object (the hw contract's bindings), and the program start. */
#include <string.h>
#include <stdio.h>
#include "kernel.h"
#include "quickjs.h"

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
 * (runMicrotasks or yield), in TSC cycles; 0 = no limit. Set by nimbus.cpu_budget_ms=N. */
static uint64_t budget_cycles, last_progress_tsc, budget_ms;
static bool budget_exceeded;
bool js_oom_hit; /* a fatal allocation failure happened: the program is being stopped */

static void report_budget_exceeded(void) {
  console_printf(2, "nimbus: interrupted: the program ran for more than %llu ms without returning to the "
                   "event loop (--cpu-budget)\n", (unsigned long long)budget_ms);
}

static int interrupt_handler(JSRuntime *r, void *opaque) {
  if (js_oom_hit) return 1; /* out of memory is fatal, as in Node: unwind to the core's report */
  if (!budget_cycles || budget_exceeded) return budget_exceeded;
  if (tsc_read() - last_progress_tsc > budget_cycles) budget_exceeded = true;
  return budget_exceeded;
}
uint64_t first_output_tsc;

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
 * The engine collects garbage on its own schedule (every 1.5x growth of its heap); collecting
 * inside malloc is not safe, as the caller may be half-way through a change. */
static size_t js_limit, js_used, js_reserve;

static void js_report_oom(void) {
  console_printf(2, "nimbus: out of memory: the JavaScript heap limit (%llu KiB of %llu KiB RAM) was reached with "
                 "%llu KiB in use; run with a larger --mem\n", (unsigned long long)(js_limit >> 10),
                 (unsigned long long)(boot_info.mem_size >> 10), (unsigned long long)(js_used >> 10));
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
  vm_exit(EXIT_OUT_OF_MEMORY);
}

static void *js_heap_alloc(size_t size) {
  if (!js_heap_admits(size + 8)) return NULL;
  void *p = heap_alloc(size);
  if (!p) {
    /* The core heap itself is exhausted (DMA buffers, fragmentation): fatal as above. */
    if (!js_oom_hit && size <= js_limit / 4) { js_oom_hit = true; return NULL; }
    if (size > js_limit / 4) return NULL;
    js_report_oom();
    vm_exit(EXIT_OUT_OF_MEMORY);
  }
  js_used += heap_usable_size(p) + 8;
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
    vm_exit(EXIT_OUT_OF_MEMORY);
  }
  js_used = js_used - old + heap_usable_size(q);
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

/* ---- hw functions ---- */

static JSValue hw_now(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  return JS_NewFloat64(c, (double)clock_monotonic_ns() / 1e6);
}
static JSValue hw_now_ns(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  return JS_NewBigUint64(c, clock_monotonic_ns());
}
static JSValue hw_wall_clock(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  return JS_NewFloat64(c, (double)(clock_wall_ns_at_boot() + clock_monotonic_ns()) / 1e6);
}

static JSValue hw_js_yield(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  double deadline_ms;
  if (JS_ToFloat64(c, &deadline_ms, argv[0])) return JS_EXCEPTION;
  uint64_t deadline_ns;
  if (deadline_ms != deadline_ms) return JS_ThrowRangeError(c, "deadline is NaN");
  if (deadline_ms >= 1.8e13) deadline_ns = UINT64_MAX;          /* Infinity or far future */
  else if (deadline_ms <= 0) deadline_ns = 0;
  else deadline_ns = (uint64_t)(deadline_ms * 1e6);
  uint32_t ready = hw_yield(deadline_ns);
  last_progress_tsc = tsc_read();
  return JS_NewUint32(c, ready);
}

static JSValue hw_write(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  int32_t fd;
  if (JS_ToInt32(c, &fd, argv[0])) return JS_EXCEPTION;
  if (fd != 1 && fd != 2) return JS_ThrowRangeError(c, "fd must be 1 or 2");
  if (!first_output_tsc) first_output_tsc = tsc_read();
  if (JS_IsString(argv[1])) {
    size_t len;
    const char *s = JS_ToCStringLen(c, &len, argv[1]);
    if (!s) return JS_EXCEPTION;
    console_write(fd, s, len);
    JS_FreeCString(c, s);
    return JS_UNDEFINED;
  }
  size_t len;
  uint8_t *bytes = typed_array_bytes(c, argv[1], &len, "write() takes a string or a Uint8Array");
  if (!bytes) return JS_EXCEPTION;
  console_write(fd, (const char *)bytes, len);
  return JS_UNDEFINED;
}

static JSValue hw_pci_read(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t bdf, off;
  int w;
  if (arg_u64(c, &bdf, argv[0], 0xffff, "bdf") || arg_u64(c, &off, argv[1], 255, "offset") || arg_width(c, &w, argv[2]))
    return JS_EXCEPTION;
  if (off % (uint64_t)w) return JS_ThrowRangeError(c, "unaligned PCI config access");
  return JS_NewUint32(c, pci_read((uint32_t)bdf, (uint32_t)off, w));
}
static JSValue hw_pci_write(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t bdf, off, v;
  int w;
  if (arg_u64(c, &bdf, argv[0], 0xffff, "bdf") || arg_u64(c, &off, argv[1], 255, "offset") || arg_width(c, &w, argv[2]) ||
      arg_u64(c, &v, argv[3], 0xffffffff, "value"))
    return JS_EXCEPTION;
  if (off % (uint64_t)w) return JS_ThrowRangeError(c, "unaligned PCI config access");
  pci_write((uint32_t)bdf, (uint32_t)off, w, (uint32_t)v);
  return JS_UNDEFINED;
}

static JSValue hw_mmio_map(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t phys, size;
  if (arg_u64(c, &phys, argv[0], 1ull << 46, "address") || arg_u64(c, &size, argv[1], 1ull << 28, "size")) return JS_EXCEPTION;
  int r = paging_map_mmio(phys, size);
  if (r == -2) return JS_ThrowRangeError(c, "mmioMap: 0x%llx is guest RAM, not a device", (unsigned long long)phys);
  if (r < 0) return JS_ThrowRangeError(c, "mmioMap: cannot map 0x%llx (+0x%llx)", (unsigned long long)phys, (unsigned long long)size);
  return JS_UNDEFINED;
}
static JSValue hw_mmio_read(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t a;
  int w;
  if (arg_u64(c, &a, argv[0], 1ull << 46, "address") || arg_width(c, &w, argv[1])) return JS_EXCEPTION;
  if (a % (uint64_t)w || !paging_is_mmio(a, (uint64_t)w)) return JS_ThrowRangeError(c, "mmioRead: 0x%llx is not in a mapped MMIO window", (unsigned long long)a);
  uint32_t v = w == 1 ? *(volatile uint8_t *)a : w == 2 ? *(volatile uint16_t *)a : *(volatile uint32_t *)a;
  return JS_NewUint32(c, v);
}
static JSValue hw_mmio_write(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t a, v;
  int w;
  if (arg_u64(c, &a, argv[0], 1ull << 46, "address") || arg_width(c, &w, argv[1]) || arg_u64(c, &v, argv[2], 0xffffffff, "value"))
    return JS_EXCEPTION;
  if (a % (uint64_t)w || !paging_is_mmio(a, (uint64_t)w)) return JS_ThrowRangeError(c, "mmioWrite: 0x%llx is not in a mapped MMIO window", (unsigned long long)a);
  if (w == 1) *(volatile uint8_t *)a = (uint8_t)v;
  else if (w == 2) *(volatile uint16_t *)a = (uint16_t)v;
  else *(volatile uint32_t *)a = (uint32_t)v;
  return JS_UNDEFINED;
}

static bool port_owned_by_core(uint64_t p, int w) {
  static const uint16_t ranges[][2] = {
    {0x20, 0x21}, {0xa0, 0xa1}, {0x40, 0x43}, {0x61, 0x61}, {0x70, 0x71},
    {0x3f8, 0x3ff}, {0xcf8, 0xcff}, {0xf4, 0xf7},
  };
  for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
    if (p <= ranges[i][1] && p + (uint64_t)w - 1 >= ranges[i][0]) return true;
  return false;
}
static JSValue hw_port_read(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t p;
  int w;
  if (arg_u64(c, &p, argv[0], 0xffff, "port") || arg_width(c, &w, argv[1])) return JS_EXCEPTION;
  if (port_owned_by_core(p, w)) return JS_ThrowRangeError(c, "port 0x%llx belongs to the core", (unsigned long long)p);
  return JS_NewUint32(c, w == 1 ? inb((uint16_t)p) : w == 2 ? inw((uint16_t)p) : inl((uint16_t)p));
}
static JSValue hw_port_write(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t p, v;
  int w;
  if (arg_u64(c, &p, argv[0], 0xffff, "port") || arg_width(c, &w, argv[1]) || arg_u64(c, &v, argv[2], 0xffffffff, "value"))
    return JS_EXCEPTION;
  if (port_owned_by_core(p, w)) return JS_ThrowRangeError(c, "port 0x%llx belongs to the core", (unsigned long long)p);
  if (w == 1) outb((uint16_t)p, (uint8_t)v); else if (w == 2) outw((uint16_t)p, (uint16_t)v); else outl((uint16_t)p, (uint32_t)v);
  return JS_UNDEFINED;
}

static JSValue hw_dma_alloc(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t size;
  if (arg_u64(c, &size, argv[0], 64ull << 20, "size")) return JS_EXCEPTION;
  if (size == 0) return JS_ThrowRangeError(c, "dmaAlloc: size must be positive");
  uint64_t rounded = ALIGN_UP(size, PAGE_SIZE);
  uint8_t *p = heap_alloc_aligned(rounded, PAGE_SIZE);
  if (!p) return JS_ThrowRangeError(c, "dmaAlloc: out of memory for %llu bytes", (unsigned long long)size);
  memset(p, 0, rounded);
  /* DMA memory lives as long as the VM: no free function. */
  JSValue buf = JS_NewArrayBuffer(c, p, size, 0, NULL, NULL, false);
  if (JS_IsException(buf)) return buf;
  JSValue obj = JS_NewObject(c);
  JS_SetPropertyStr(c, obj, "buffer", buf);
  JS_SetPropertyStr(c, obj, "phys", JS_NewFloat64(c, (double)(uint64_t)p));
  return obj;
}

static JSValue hw_irq_attach_gsi(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t gsi;
  if (arg_u64(c, &gsi, argv[0], 47, "gsi")) return JS_EXCEPTION;
  int line = irq_attach_gsi((unsigned)gsi);
  if (line == -1) return JS_ThrowRangeError(c, "irqAttachGsi: no free IRQ line");
  if (line < 0) return JS_ThrowRangeError(c, "irqAttachGsi: no IO-APIC pin for GSI %llu", (unsigned long long)gsi);
  return JS_NewInt32(c, line);
}
static JSValue hw_irq_attach_msi(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t addr;
  uint32_t data;
  int line = irq_attach_msi(&addr, &data);
  if (line < 0) return JS_ThrowRangeError(c, "irqAttachMsi: no free IRQ line");
  JSValue obj = JS_NewObject(c);
  JS_SetPropertyStr(c, obj, "line", JS_NewInt32(c, line));
  JS_SetPropertyStr(c, obj, "address", JS_NewFloat64(c, (double)addr));
  JS_SetPropertyStr(c, obj, "data", JS_NewUint32(c, data));
  return obj;
}
static JSValue hw_irq_ack(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  uint64_t line;
  if (arg_u64(c, &line, argv[0], IRQ_LINES - 1, "line")) return JS_EXCEPTION;
  irq_ack((int)line);
  return JS_UNDEFINED;
}

static JSValue hw_entropy(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  size_t len;
  uint8_t *bytes = typed_array_bytes(c, argv[0], &len, "entropy() takes a Uint8Array");
  if (!bytes) return JS_EXCEPTION;
  return JS_NewInt64(c, (int64_t)entropy_fill(bytes, len));
}

static void print_timing_record(void);

static JSValue hw_exit(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  int32_t code;
  if (JS_ToInt32(c, &code, argv[0])) return JS_EXCEPTION;
  if (code < 0 || code > 255) return JS_ThrowRangeError(c, "exit code must be 0-255");
  if (code == 1 && budget_exceeded) {
    report_budget_exceeded();
    code = EXIT_CPU_BUDGET;
  } else if (code == 1 && js_oom_hit) {
    /* The uncaught error was (or followed) the engine's "out of memory": say so plainly. */
    js_report_oom();
    code = EXIT_OUT_OF_MEMORY;
  }
  print_timing_record();
  vm_exit(code);
}

static void rejection_tracker_cb(JSContext *c, JSValueConst promise, JSValueConst reason, bool handled, void *opaque) {
  if (!JS_IsFunction(c, rejection_tracker)) return;
  JSValue args[3] = {JS_DupValue(c, promise), JS_DupValue(c, reason), JS_NewBool(c, handled)};
  JSValue r = JS_Call(c, rejection_tracker, JS_UNDEFINED, 3, args);
  for (int i = 0; i < 3; i++) JS_FreeValue(c, args[i]);
  JS_FreeValue(c, r);
}
static JSValue hw_set_rejection_tracker(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  if (!JS_IsFunction(c, argv[0])) return JS_ThrowTypeError(c, "setRejectionTracker takes a function");
  JS_FreeValue(c, rejection_tracker);
  rejection_tracker = JS_DupValue(c, argv[0]);
  return JS_UNDEFINED;
}

static JSValue hw_source_map(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  const struct payload_header *h = (const struct payload_header *)boot_info.payload;
  if (!h || h->sourcemap_len == 0) return JS_UNDEFINED;
  return JS_NewStringLen(c, (const char *)(h + 1) + h->bytecode_len, h->sourcemap_len);
}

static JSValue hw_run_microtasks(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  last_progress_tsc = tsc_read();
  for (;;) {
    JSContext *jc;
    int r = JS_ExecutePendingJob(rt, &jc);
    if (r == 0) return JS_UNDEFINED;
    if (r < 0) return JS_Throw(c, JS_GetException(jc));
  }
}

static JSValue hw_test_fault(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  const char *kind = JS_ToCString(c, argv[0]);
  if (!kind) return JS_EXCEPTION;
  if (!strcmp(kind, "ud")) __asm__ volatile("ud2");
  /* Non-canonical and null-page addresses, hidden from the optimiser. */
  volatile uint64_t bad_gp = 0x8000000000000000ull, bad_pf = 0x10;
  if (!strcmp(kind, "gp")) { uint64_t v; __asm__ volatile("mov (%1), %0" : "=r"(v) : "r"(bad_gp)); }
  if (!strcmp(kind, "pf")) { uint64_t v; __asm__ volatile("mov (%1), %0" : "=r"(v) : "r"(bad_pf)); }
  if (!strcmp(kind, "de")) { volatile int z = 0; volatile int x = 1 / z; (void)x; }
  JS_FreeCString(c, kind);
  return JS_ThrowRangeError(c, "unknown fault kind");
}

static JSValue hw_memory_usage(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  JSValue obj = JS_NewObject(c);
  JS_SetPropertyStr(c, obj, "heapTotal", JS_NewFloat64(c, (double)heap_total()));
  JS_SetPropertyStr(c, obj, "heapUsed", JS_NewFloat64(c, (double)heap_used()));
  JS_SetPropertyStr(c, obj, "jsUsed", JS_NewFloat64(c, (double)js_used));
  JS_SetPropertyStr(c, obj, "jsLimit", JS_NewFloat64(c, (double)js_limit));
  return obj;
}

static const JSCFunctionListEntry hw_funcs[] = {
  JS_CFUNC_DEF("memoryUsage", 0, hw_memory_usage),
  JS_CFUNC_DEF("now", 0, hw_now),
  JS_CFUNC_DEF("nowNs", 0, hw_now_ns),
  JS_CFUNC_DEF("wallClock", 0, hw_wall_clock),
  JS_CFUNC_DEF("yield", 1, hw_js_yield),
  JS_CFUNC_DEF("write", 2, hw_write),
  JS_CFUNC_DEF("pciRead", 3, hw_pci_read),
  JS_CFUNC_DEF("pciWrite", 4, hw_pci_write),
  JS_CFUNC_DEF("mmioMap", 2, hw_mmio_map),
  JS_CFUNC_DEF("mmioRead", 2, hw_mmio_read),
  JS_CFUNC_DEF("mmioWrite", 3, hw_mmio_write),
  JS_CFUNC_DEF("portRead", 2, hw_port_read),
  JS_CFUNC_DEF("portWrite", 3, hw_port_write),
  JS_CFUNC_DEF("dmaAlloc", 1, hw_dma_alloc),
  JS_CFUNC_DEF("irqAttachGsi", 1, hw_irq_attach_gsi),
  JS_CFUNC_DEF("irqAttachMsi", 0, hw_irq_attach_msi),
  JS_CFUNC_DEF("irqAck", 1, hw_irq_ack),
  JS_CFUNC_DEF("entropy", 1, hw_entropy),
  JS_CFUNC_DEF("exit", 1, hw_exit),
  JS_CFUNC_DEF("setRejectionTracker", 1, hw_set_rejection_tracker),
  JS_CFUNC_DEF("sourceMap", 0, hw_source_map),
  JS_CFUNC_DEF("runMicrotasks", 0, hw_run_microtasks),
};

extern uint64_t boot_entry_tsc, js_start_tsc;
static uint64_t js_loaded_tsc, js_evaluated_tsc;

static void print_timing_record(void) {
  char buf[160];
  uint64_t k = tsc_khz ? tsc_khz : 1;
  uint64_t first = first_output_tsc ? first_output_tsc : tsc_read();
  snprintf(buf, sizeof buf, "entry_to_js_us=%llu bytecode_load_us=%llu module_eval_us=%llu entry_to_first_output_us=%llu tsc_khz=%llu",
           (unsigned long long)((js_start_tsc - boot_entry_tsc) * 1000 / k),
           (unsigned long long)((js_loaded_tsc - js_start_tsc) * 1000 / k),
           (unsigned long long)((js_evaluated_tsc - js_loaded_tsc) * 1000 / k),
           (unsigned long long)((first - boot_entry_tsc) * 1000 / k), (unsigned long long)tsc_khz);
  extern void console_record(char kind, const char *text);
  console_record('T', buf);
}

static void print_exception(JSContext *c, const char *what) {
  JSValue e = JS_GetException(c);
  const char *s = JS_ToCString(c, e);
  console_printf(2, "nimbus: %s: %s\n", what, s ? s : "(unprintable)");
  if (s) JS_FreeCString(c, s);
  if (JS_IsObject(e)) {
    JSValue st = JS_GetPropertyStr(c, e, "stack");
    const char *ss = JS_ToCString(c, st);
    if (ss) { console_write(2, ss, strlen(ss)); JS_FreeCString(c, ss); }
    JS_FreeValue(c, st);
  }
  JS_FreeValue(c, e);
}

static bool cmdline_has(const char *token) {
  const char *s = boot_info.cmdline;
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
  const char *p = strstr(boot_info.cmdline, prefix);
  if (!p || (p != boot_info.cmdline && p[-1] != ' ')) return 0;
  uint64_t v = 0;
  for (p += strlen(prefix); *p >= '0' && *p <= '9' && v < 1000000000ull; p++) v = v * 10 + (uint64_t)(*p - '0');
  return v;
}

void js_run(void) {
  const struct payload_header *h = (const struct payload_header *)boot_info.payload;
  if (!h || boot_info.payload_size < sizeof *h || h->magic != PAYLOAD_MAGIC ||
      sizeof *h + (uint64_t)h->bytecode_len + h->sourcemap_len > boot_info.payload_size) {
    console_printf(2, "nimbus: this core image holds no program (build one with `nimbus build app.ts`)\n");
    vm_exit(EXIT_JS_BOOT);
  }
  rejection_tracker = JS_UNDEFINED;
  budget_ms = cmdline_number("nimbus.cpu_budget_ms=");
  budget_cycles = budget_ms * tsc_khz;
  test_hooks = cmdline_has("nimbus.testhooks=1");

  /* Leave room for DMA buffers and the engine's own bookkeeping outside the JS limit, and keep
   * a reserve inside it for the out-of-memory report (see the allocator hooks). */
  size_t total = heap_total();
  size_t outside = (1u << 20) + total / 16;
  size_t limit = total > 2 * outside ? total - outside : total / 2;
  js_reserve = 64 * 1024 + limit / 32;
  js_limit = limit - js_reserve;
  rt = JS_NewRuntime2(&malloc_functions, NULL);
  if (!rt) panic("cannot create the JS runtime");
  /* The JS stack limit sits 64 KiB above the guard page so C code below JS keeps room. */
  JS_SetMaxStackSize(rt, (size_t)(boot_stack_top - boot_stack_guard) - PAGE_SIZE - 64 * 1024);
  JS_SetHostPromiseRejectionTracker(rt, rejection_tracker_cb, NULL);
  JS_SetInterruptHandler(rt, interrupt_handler, NULL);
  last_progress_tsc = tsc_read();
  ctx = JS_NewContext(rt);
  if (!ctx) panic("cannot create the JS context");

  JSValue global = JS_GetGlobalObject(ctx);
  JSValue hw = JS_NewObject(ctx);
  JS_SetPropertyFunctionList(ctx, hw, hw_funcs, sizeof hw_funcs / sizeof hw_funcs[0]);
  JS_SetPropertyStr(ctx, hw, "cmdline", JS_NewString(ctx, boot_info.cmdline));
  JS_SetPropertyStr(ctx, hw, "memSize", JS_NewFloat64(ctx, (double)boot_info.mem_size));
  JS_SetPropertyStr(ctx, hw, "machine", JS_NewString(ctx, boot_info.machine));
  if (test_hooks) JS_SetPropertyStr(ctx, hw, "testFault", JS_NewCFunction(ctx, hw_test_fault, "testFault", 1));
  JS_SetPropertyStr(ctx, global, "__nimbus_hw", hw);

  js_start_tsc = tsc_read();
  JSValue fn = JS_ReadObject(ctx, (const uint8_t *)(h + 1), h->bytecode_len, JS_READ_OBJ_BYTECODE);
  if (JS_IsException(fn)) {
    print_exception(ctx, "cannot load the program's bytecode");
    vm_exit(EXIT_JS_BOOT);
  }
  js_loaded_tsc = tsc_read();
  JSValue evaluation = JS_EvalFunction(ctx, fn);
  js_evaluated_tsc = tsc_read();
  if (JS_IsException(evaluation)) {
    /* Only scripts land here; a module's errors reject its evaluation promise. */
    print_exception(ctx, "uncaught exception");
    vm_exit(1);
  }
  JSValue main = JS_GetPropertyStr(ctx, global, "__nimbus_main");
  if (!JS_IsFunction(ctx, main)) {
    console_printf(2, "nimbus: the image has no runtime (__nimbus_main is missing)\n");
    vm_exit(EXIT_JS_BOOT);
  }
  JSValue r = JS_Call(ctx, main, JS_UNDEFINED, 1, &evaluation);
  if (JS_IsException(r)) {
    if (budget_exceeded) {
      /* QuickJS's "interrupted" error cannot be caught, so it unwinds through the runtime. */
      report_budget_exceeded();
      vm_exit(EXIT_CPU_BUDGET);
    }
    if (js_oom_hit) {
      js_report_oom();
      vm_exit(EXIT_OUT_OF_MEMORY);
    }
    print_exception(ctx, "the runtime failed");
    vm_exit(EXIT_JS_BOOT);
  }
  console_printf(2, "nimbus: __nimbus_main returned without exiting\n");
  vm_exit(EXIT_JS_BOOT);
}

/* The engine: quickjs-ng set-up, the hw object (JavaScript bindings of the hw contract) and the
 * program start. Knows no platform: it reaches the machine only through hw.h. */
#include <string.h>
#include <stdio.h>
#include "hw.h"
#include "mm.h"
#include "engine.h"
#include "checksum.h"
#include "tcp-segment.h"
#include "text.h"
#include "quickjs.h"
#include "bindings.h"
#include "promise-hook.h"
#include "js-heap.h"
#include "profile.h"

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

static void report_budget_exceeded(void) {
  hw_console_printf(2, "nimbus: interrupted: the program ran for more than %llu ms without returning to the "
                   "event loop (--cpu-budget)\n", (unsigned long long)budget_ms);
}

static int interrupt_handler(JSRuntime *r, void *opaque) {
  if (js_oom_hit) return 1; /* out of memory is fatal, as in Node: unwind to the core's report */
  js_gc_if_asked();
  profile_sample();
  if (!budget_ns || budget_exceeded) return budget_exceeded;
  if (hw_clock_monotonic_ns() - last_progress_ns > budget_ns) budget_exceeded = true;
  return budget_exceeded;
}

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
    js_heap_report_oom(true);
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
  if (r != HW_OK) return throw_refused(c, r, "net.transmit (a frame is 14 to mtu + 18 bytes after its header, and the header asks only for the offloads offered)");
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
  JS_SetPropertyStr(c, net, "offloads", JS_NewUint32(c, info.offloads));
  JS_SetPropertyStr(c, net, "headerLength", JS_NewUint32(c, info.header_len));
  JS_SetPropertyStr(c, hw, "net", net);
  return true;
}

static JSValue js_memory_usage(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  struct js_heap_usage u;
  js_heap_usage(&u);
  JSValue obj = JS_NewObject(c);
  JS_SetPropertyStr(c, obj, "heapTotal", JS_NewFloat64(c, (double)heap_total()));
  JS_SetPropertyStr(c, obj, "heapUsed", JS_NewFloat64(c, (double)heap_used()));
  JS_SetPropertyStr(c, obj, "jsUsed", JS_NewFloat64(c, (double)u.used));
  JS_SetPropertyStr(c, obj, "jsLimit", JS_NewFloat64(c, (double)u.limit));
  JS_SetPropertyStr(c, obj, "jsPressure", JS_NewFloat64(c, (double)u.pressure));
  JS_SetPropertyStr(c, obj, "gcPaced", JS_NewFloat64(c, (double)u.paced));
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

/* engine: hw.segmentTcp(frame, index, segmentSize, out): software TSO, see tcp-segment.c. */
static JSValue js_segment_tcp(JSContext *c, JSValueConst this, int argc, JSValueConst *argv) {
  if (argc < 4) return JS_ThrowTypeError(c, "segmentTcp(frame, index, segmentSize, out)");
  size_t len, out_len;
  uint8_t *frame = typed_array_bytes(c, argv[0], &len, "segmentTcp() takes a Uint8Array frame");
  if (!frame) return JS_EXCEPTION;
  uint8_t *out = typed_array_bytes(c, argv[3], &out_len, "segmentTcp() writes into a Uint8Array");
  if (!out) return JS_EXCEPTION;
  double index, seg_size;
  if (JS_ToFloat64(c, &index, argv[1]) || JS_ToFloat64(c, &seg_size, argv[2])) return JS_EXCEPTION;
  if (!(index >= 0 && index <= 0xffff && index == (uint32_t)index)) return JS_ThrowRangeError(c, "segmentTcp(): index must be an integer 0..65535");
  if (!(seg_size >= 1 && seg_size <= 0xffff && seg_size == (uint32_t)seg_size)) return JS_ThrowRangeError(c, "segmentTcp(): segmentSize must be an integer 1..65535");
  /* The output may not overlap the frame: the headers are copied before the payload. */
  if (out < frame + len && frame < out + out_len) return JS_ThrowRangeError(c, "segmentTcp(): out overlaps the frame");
  const char *err = NULL;
  size_t n = tcp_segment(frame, len, (uint32_t)index, (uint32_t)seg_size, out, out_len, &err);
  if (n == 0) return JS_ThrowRangeError(c, "segmentTcp(): %s", err);
  return JS_NewUint32(c, (uint32_t)n);
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
  JS_CFUNC_DEF("segmentTcp", 4, js_segment_tcp),
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
  hw_timing_mark(HW_MARK_JS_RUN);
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
  test_hooks = cmdline_has("nimbus.testhooks=1");

  rt = js_heap_new_runtime(heap_total());
  if (!rt) panic("cannot create the JS runtime");
  /* The JS stack limit sits 64 KiB above the guard page so C code below JS keeps room. */
  JS_SetMaxStackSize(rt, (size_t)(boot->stack_high - boot->stack_low) - 64 * 1024);
  JS_SetHostPromiseRejectionTracker(rt, rejection_tracker_cb, NULL);
  JS_SetInterruptHandler(rt, interrupt_handler, NULL);
  last_progress_ns = hw_clock_monotonic_ns();
  ctx = JS_NewContext(rt);
  if (!ctx) panic("cannot create the JS context");
  profile_start(ctx, cmdline_number("nimbus.profile_us=") * 1000u);

  JSValue global = JS_GetGlobalObject(ctx);
  JS_SetPropertyStr(ctx, global, "__nimbus_hw", new_hw_object(ctx, boot));

  hw_timing_mark(HW_MARK_ENGINE_START);
  JSValue fn = JS_ReadObject(ctx, (const uint8_t *)(h + 1), h->bytecode_len, JS_READ_OBJ_BYTECODE);
  if (JS_IsException(fn)) {
    print_exception(ctx, "cannot load the program's bytecode");
    hw_exit(EXIT_JS_BOOT);
  }
  hw_timing_mark(HW_MARK_BYTECODE_LOADED);
  /* The engine copied what it keeps: the bytecode's pages can serve the heap (a 612 KiB OS
   * library is 14% of an 8 MB guest's heap). The header and the source map stay. */
  if (hw_boot_release_payload(sizeof *h, h->bytecode_len)) js_heap_set_total(heap_total());
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
      js_heap_report_oom(true);
      hw_exit(EXIT_OUT_OF_MEMORY);
    }
    print_exception(ctx, "the runtime failed");
    hw_exit(EXIT_JS_BOOT);
  }
  hw_console_printf(2, "nimbus: __nimbus_main returned without exiting\n");
  hw_exit(EXIT_JS_BOOT);
}

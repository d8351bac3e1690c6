#pragma once
/* The JS heap (core/js/js-heap.c): the limit every engine allocation is held to, collection
 * before the limit (GC pacing), the memory-pressure line and the out-of-memory report. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "quickjs.h"

/* A fatal allocation failure happened: the program is being stopped (exit 122). */
extern bool js_oom_hit;

/* The engine's runtime, allocating through the heap's hooks, with the limit derived from the
 * core heap's `total` bytes; NULL if the engine could not start. */
JSRuntime *js_heap_new_runtime(size_t total);

/* The core heap grew to `total` bytes (memory released at boot, before the program runs):
 * the limit, reserve and pressure line follow. */
void js_heap_set_total(size_t total);

/* At a safe point (interrupt check, loop boundary): run a collection the pacing asked for. */
void js_gc_if_asked(void);

struct js_heap_usage {
  size_t used, limit, pressure; /* bytes */
  uint64_t paced;               /* collections the pacing ran or asked for */
};
/* The heap's figures, live memory above the pressure line (collects first, at most every 100 ms). */
void js_heap_usage(struct js_heap_usage *u);

/* Prints the out-of-memory message and, at a safe point only, what held the heap. */
void js_heap_report_oom(bool holders);

#pragma once
/* The engine's sampling profiler (core/js/profile.c): JS stacks printed as "PROF|..." lines. */
#include <stdint.h>
#include "quickjs.h"

/* Starts sampling c's JS stack at most every interval_ns (0: off). Call before any JS runs. */
void profile_start(JSContext *c, uint64_t interval_ns);
/* From the interrupt handler: takes a sample if one is due. */
void profile_sample(void);

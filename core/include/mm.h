/* The core's heap (core/mm/alloc.c): boundary tags, segregated free lists, coalescing. Platform
 * neutral: a platform hands it one range of memory at boot (heap_init) and MAY add a few more
 * later (heap_add returns the bytes added, 0 if the range is too small or the table is full);
 * the engine's allocator hooks, the C library stubs and the platform's DMA buffers take from it. */
#ifndef NIMBUS_MM_H
#define NIMBUS_MM_H
#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE 4096UL
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))

void heap_init(uint64_t start, uint64_t end);
size_t heap_add(uint64_t start, uint64_t end);
void *heap_alloc(size_t size);
void *heap_alloc_aligned(size_t size, size_t align);
void heap_free(void *p);
void *heap_realloc(void *p, size_t size);
size_t heap_usable_size(const void *p);
size_t heap_total(void);
size_t heap_used(void);
/* The largest allocation that would succeed now (for out-of-memory reports; walks one bin). */
size_t heap_largest_free(void);

#endif

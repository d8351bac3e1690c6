/*
 * The core's memory allocator: boundary tags with segregated free lists (exact 16-byte
 * classes below 1 KiB, four classes per power of two above), immediate coalescing.
 * One heap serves QuickJS (malloc/free/realloc) and DMA buffers (page-aligned, never freed).
 * It spans up to MAX_REGIONS ranges: the one the platform hands over at boot (heap_init) and
 * memory freed later (heap_add: the bytecode pages once the engine has read them, low memory).
 * Each range ends in an in-use sentinel, so blocks never coalesce across ranges.
 */
#include <string.h>
#include "hw.h"
#include "mm.h"

#define INUSE 1ull
#define PREV_INUSE 2ull
#define FLAGS 15ull
#define HDR 16ull
#define MIN_BLOCK 32ull

typedef struct block {
  uint64_t prev_size;     /* size of the previous block; valid only when it is free */
  uint64_t size_flags;    /* size of this block incl. header | INUSE | PREV_INUSE */
  struct block *next, *prev;  /* free-list links, only while free */
} block_t;

#define SMALL_BINS 64
#define NBINS (SMALL_BINS + 4 * 40)
static block_t *bins[NBINS];
static uint64_t bin_map[(NBINS + 63) / 64];
#define MAX_REGIONS 4
static struct { uint64_t lo, hi; } regions[MAX_REGIONS];
static int region_count;
static size_t used_bytes, total_bytes;

static inline uint64_t bsize(const block_t *b) { return b->size_flags & ~FLAGS; }
static inline block_t *next_block(block_t *b) { return (block_t *)((char *)b + bsize(b)); }
static inline block_t *prev_block(block_t *b) { return (block_t *)((char *)b - b->prev_size); }

static int bin_index(uint64_t size) {
  if (size < SMALL_BINS * 16) return (int)(size / 16);
  int log = 63 - __builtin_clzll(size);            /* >= 10 */
  int sub = (int)((size >> (log - 2)) & 3);
  int idx = SMALL_BINS + (log - 10) * 4 + sub;
  return idx < NBINS ? idx : NBINS - 1;
}

static void bin_insert(block_t *b) {
  int i = bin_index(bsize(b));
  b->prev = NULL;
  b->next = bins[i];
  if (bins[i]) bins[i]->prev = b;
  bins[i] = b;
  bin_map[i / 64] |= 1ull << (i % 64);
}

static void bin_remove(block_t *b) {
  int i = bin_index(bsize(b));
  if (b->prev) b->prev->next = b->next; else bins[i] = b->next;
  if (b->next) b->next->prev = b->prev;
  if (!bins[i]) bin_map[i / 64] &= ~(1ull << (i % 64));
}

/* Mark b free with the given size, fix the next block's tags, and put b in a bin. */
static void make_free(block_t *b, uint64_t size) {
  b->size_flags = size | (b->size_flags & PREV_INUSE);
  block_t *n = next_block(b);
  n->prev_size = size;
  n->size_flags &= ~PREV_INUSE;
  bin_insert(b);
}

/* One free block over [start, end) and an in-use sentinel at its end; returns the bytes added. */
static size_t add_region(uint64_t start, uint64_t end) {
  start = ALIGN_UP(start, 16);
  end = ALIGN_DOWN(end, 16);
  if (end <= start + 4 * MIN_BLOCK || region_count == MAX_REGIONS) return 0;
  regions[region_count].lo = start;
  regions[region_count].hi = end;
  region_count++;
  block_t *first = (block_t *)start;
  block_t *sentinel = (block_t *)(end - HDR);
  sentinel->size_flags = INUSE; /* size 0, in use: stops coalescing */
  first->size_flags = PREV_INUSE;
  make_free(first, (end - HDR) - start);
  total_bytes += (end - HDR) - start;
  return (end - HDR) - start;
}

void heap_init(uint64_t start, uint64_t end) {
  if (!add_region(start, end)) panic("no memory for the heap");
}

size_t heap_add(uint64_t start, uint64_t end) { return add_region(start, end); }

static bool in_heap(uint64_t a) {
  for (int i = 0; i < region_count; i++)
    if (a >= regions[i].lo && a < regions[i].hi) return true;
  return false;
}

static block_t *find_block(uint64_t size) {
  int i = bin_index(size);
  /* The request's own bin may hold smaller blocks (ranged bins): first fit in it. */
  for (block_t *b = bins[i]; b; b = b->next)
    if (bsize(b) >= size) return b;
  for (int w = (i + 1) / 64; w < (int)(sizeof bin_map / 8); w++) {
    uint64_t m = bin_map[w];
    if (w == (i + 1) / 64) m &= ~0ull << ((i + 1) % 64);
    if (m) return bins[w * 64 + __builtin_ctzll(m)];
  }
  return NULL;
}

/* Take `size` bytes from free block b (already removed from its bin), splitting the rest. */
static void *carve(block_t *b, uint64_t size) {
  uint64_t have = bsize(b);
  if (have - size >= MIN_BLOCK) {
    b->size_flags = size | INUSE | (b->size_flags & PREV_INUSE);
    block_t *rest = next_block(b);
    rest->size_flags = PREV_INUSE;
    make_free(rest, have - size);
  } else {
    b->size_flags |= INUSE;
    next_block(b)->size_flags |= PREV_INUSE;
    size = have;
  }
  used_bytes += bsize(b);
  return (char *)b + HDR;
}

static uint64_t request_size(size_t n) {
  if (n > (1ull << 40)) return 0;
  uint64_t size = ALIGN_UP((uint64_t)n + HDR, 16);
  return size < MIN_BLOCK ? MIN_BLOCK : size;
}

void *heap_alloc(size_t n) {
  uint64_t size = request_size(n);
  if (!size) return NULL;
  block_t *b = find_block(size);
  if (!b) return NULL;
  bin_remove(b);
  return carve(b, size);
}

void heap_free(void *p) {
  if (!p) return;
  block_t *b = (block_t *)((char *)p - HDR);
  if (!in_heap((uint64_t)b) || !(b->size_flags & INUSE))
    panic("heap_free of an invalid pointer %p", p);
  uint64_t size = bsize(b);
  used_bytes -= size;
  block_t *n = next_block(b);
  if (!(n->size_flags & INUSE)) {
    bin_remove(n);
    size += bsize(n);
  }
  if (!(b->size_flags & PREV_INUSE)) {
    block_t *pb = prev_block(b);
    bin_remove(pb);
    size += bsize(pb);
    b = pb;
  }
  b->size_flags &= ~INUSE;
  make_free(b, size);
}

size_t heap_usable_size(const void *p) {
  if (!p) return 0;
  const block_t *b = (const block_t *)((const char *)p - HDR);
  return bsize(b) - HDR;
}

void *heap_realloc(void *p, size_t n) {
  if (!p) return heap_alloc(n);
  if (n == 0) { heap_free(p); return NULL; }
  uint64_t size = request_size(n);
  if (!size) return NULL;
  block_t *b = (block_t *)((char *)p - HDR);
  uint64_t have = bsize(b);
  if (have >= size) return p;  /* shrinking in place: keep it simple */
  block_t *nb = next_block(b);
  if (!(nb->size_flags & INUSE) && have + bsize(nb) >= size) {
    /* Grow into the free neighbour. */
    bin_remove(nb);
    uint64_t total = have + bsize(nb);
    used_bytes -= have;
    b->size_flags = total | (b->size_flags & PREV_INUSE); /* temporarily free-sized */
    return carve(b, size);
  }
  void *q = heap_alloc(n);
  if (!q) return NULL;
  memcpy(q, p, have - HDR);
  heap_free(p);
  return q;
}

void *heap_alloc_aligned(size_t n, size_t align) {
  if (align <= 16) return heap_alloc(n);
  void *raw = heap_alloc(n + align + MIN_BLOCK);
  if (!raw) return NULL;
  uint64_t addr = (uint64_t)raw;
  uint64_t aligned = ALIGN_UP(addr + MIN_BLOCK, align); /* leave room for a free lead block */
  if (aligned == addr) return raw;
  block_t *b = (block_t *)(addr - HDR);
  uint64_t lead = aligned - addr;
  uint64_t total = bsize(b);
  /* Split b into a free lead block [b, b+lead) and the aligned block. */
  used_bytes -= total;
  block_t *a = (block_t *)(aligned - HDR);
  a->size_flags = (total - lead) | INUSE;  /* prev (lead) is free */
  used_bytes += total - lead;
  next_block(a)->size_flags |= PREV_INUSE;
  b->size_flags = lead | (b->size_flags & PREV_INUSE);
  a->prev_size = lead;
  bin_insert(b);
  /* Coalescing the lead with a free predecessor is not needed for correctness. */
  return (void *)aligned;
}

size_t heap_total(void) { return total_bytes; }

size_t heap_largest_free(void) {
  for (int i = NBINS - 1; i >= 0; i--) {
    uint64_t best = 0;
    for (block_t *b = bins[i]; b; b = b->next)
      if (bsize(b) > best) best = bsize(b);
    if (best) return best - HDR;
  }
  return 0;
}
size_t heap_used(void) { return used_bytes; }

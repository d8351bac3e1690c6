/* Final page tables: W^X kernel image, no page 0, guard pages under stacks, uncached MMIO windows. */
#include "pvh.h"

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_PS (1ull << 7)
#define PTE_NX (1ull << 63)
#define ADDR_MASK 0x000ffffffffff000ull
#define TWO_MB (2ull << 20)

#define POOL_PAGES 48
static uint64_t pool[POOL_PAGES][512] __attribute__((aligned(4096)));
static int pool_used;
static uint64_t *pml4;

#define MAX_RAM_REGIONS 16
static struct { uint64_t start, end; } ram[MAX_RAM_REGIONS];
static int ram_count;
#define MAX_MMIO 32
static struct { uint64_t start, end; } mmio[MAX_MMIO];
static int mmio_count;

void paging_add_ram(uint64_t start, uint64_t end) {
  if (ram_count < MAX_RAM_REGIONS && end > start) {
    ram[ram_count].start = start;
    ram[ram_count].end = end;
    ram_count++;
  }
}

static uint64_t *new_table(void) {
  if (pool_used >= POOL_PAGES) panic("page table pool exhausted");
  return pool[pool_used++];
}

/* Returns the entry slot for `va` at the given level (1 = PT, 2 = PD), creating tables. */
static uint64_t *walk(uint64_t va, int level) {
  uint64_t *table = pml4;
  for (int shift = 39; shift > 12 + 9 * (level - 1); shift -= 9) {
    uint64_t *e = &table[(va >> shift) & 511];
    if (!(*e & PTE_P)) {
      uint64_t *t = new_table();
      *e = (uint64_t)t | PTE_P | PTE_W;
    } else if (*e & PTE_PS) {
      panic("remapping inside a large page at 0x%llx", (unsigned long long)va);
    }
    table = (uint64_t *)(*e & ADDR_MASK);
  }
  return &table[(va >> (12 + 9 * (level - 1))) & 511];
}

static bool in_range(uint64_t a, const void *lo, const void *hi) { return a >= (uint64_t)lo && a < (uint64_t)hi; }

static uint64_t payload_lo, payload_hi;
void paging_set_payload(uint64_t lo, uint64_t hi) { payload_lo = lo; payload_hi = hi; }
/* Pages of the payload the engine released (the bytecode once read): ordinary RAM again. */
static uint64_t released_lo, released_hi;

static uint64_t flags_for(uint64_t pa) {
  if (pa < PAGE_SIZE) return 0;                                    /* page 0: unmapped */
  if (in_range(pa, boot_stack_guard, boot_stack_guard + PAGE_SIZE)) return 0;
  if (in_range(pa, ist_stack_guard, ist_stack_guard + PAGE_SIZE)) return 0;
  if (in_range(pa, __text_start, __text_end)) return PTE_P;         /* R-X */
  if (in_range(pa, __rodata_start, __rodata_end)) return PTE_P | PTE_NX;
  if (pa >= released_lo && pa < released_hi) return PTE_P | PTE_W | PTE_NX;
  if (pa >= payload_lo && pa < payload_hi) return PTE_P | PTE_NX;  /* bytecode: read-only */
  return PTE_P | PTE_W | PTE_NX;
}

bool mem_is_ram(uint64_t addr, uint64_t size) {
  for (int i = 0; i < ram_count; i++)
    if (addr >= ram[i].start && addr + size <= ram[i].end && addr + size >= addr)
      return flags_for(ALIGN_DOWN(addr, PAGE_SIZE)) != 0;
  return false;
}

static bool overlaps_ram(uint64_t start, uint64_t end) {
  for (int i = 0; i < ram_count; i++)
    if (start < ram[i].end && end > ram[i].start) return true;
  return false;
}

bool paging_is_mmio(uint64_t addr, uint64_t size) {
  for (int i = 0; i < mmio_count; i++)
    if (addr >= mmio[i].start && addr + size <= mmio[i].end && addr + size >= addr) return true;
  return false;
}

int paging_map_mmio(uint64_t phys, uint64_t size) {
  uint64_t start = ALIGN_DOWN(phys, PAGE_SIZE), end = ALIGN_UP(phys + size, PAGE_SIZE);
  if (size == 0 || end <= start || end > (1ull << 46)) return -1;
  if (overlaps_ram(start, end)) return -2;
  if (paging_is_mmio(start, end - start)) return 0;
  if (mmio_count >= MAX_MMIO || (end - start) > (256ull << 20)) return -3;
  for (uint64_t pa = start; pa < end; pa += PAGE_SIZE)
    *walk(pa, 1) = pa | PTE_P | PTE_W | PTE_PCD | PTE_PWT | PTE_NX;
  mmio[mmio_count].start = start;
  mmio[mmio_count].end = end;
  mmio_count++;
  __asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" ::: "rax", "memory");
  return 0;
}

void paging_init(void) {
  pml4 = new_table();
  /* 4 KiB pages where permissions change (the image, payload, low memory), 2 MiB elsewhere. */
  uint64_t fine_end = ALIGN_UP(payload_hi > (uint64_t)__image_end ? payload_hi : (uint64_t)__image_end, TWO_MB);
  for (int i = 0; i < ram_count; i++) {
    uint64_t pa = ALIGN_DOWN(ram[i].start, PAGE_SIZE);
    uint64_t end = ALIGN_DOWN(ram[i].end, PAGE_SIZE);
    while (pa < end) {
      if (pa >= fine_end && (pa & (TWO_MB - 1)) == 0 && pa + TWO_MB <= end) {
        *walk(pa, 2) = pa | PTE_P | PTE_W | PTE_PS | PTE_NX;
        pa += TWO_MB;
      } else {
        uint64_t f = flags_for(pa);
        *walk(pa, 1) = f ? (pa | f) : 0;
        pa += PAGE_SIZE;
      }
    }
  }
  __asm__ volatile("mov %0, %%cr3" ::"r"(pml4) : "memory");
  /* The local APIC and the IO-APICs. */
  paging_map_mmio(0xfee00000ull, PAGE_SIZE);
  paging_map_mmio(0xfec00000ull, PAGE_SIZE);
  paging_map_mmio(0xfec10000ull, PAGE_SIZE);
}

/* Makes the payload's pages [lo, hi) (page-aligned, inside the payload) writable RAM, for the
 * heap. They are 4 KiB pages (paging_init maps the payload finely). */
void paging_release_payload(uint64_t lo, uint64_t hi) {
  if (lo < payload_lo || hi > payload_hi || lo >= hi || (lo | hi) & (PAGE_SIZE - 1)) panic("bad payload release");
  released_lo = lo;
  released_hi = hi;
  for (uint64_t pa = lo; pa < hi; pa += PAGE_SIZE) {
    *walk(pa, 1) = pa | flags_for(pa);
    __asm__ volatile("invlpg (%0)" ::"r"(pa) : "memory");
  }
}

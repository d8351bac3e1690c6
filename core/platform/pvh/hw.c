/* The hw contract (core/include/hw.h) on the PVH platform: thin wrappers over this folder's
 * devices, with the argument checks the contract promises. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "pvh.h"

/* ---- required groups ---- */

const struct hw_boot_info *hw_boot(void) {
  static struct hw_boot_info info;
  if (!info.cmdline) {
    info.cmdline = boot_info.cmdline;
    info.machine = boot_info.machine;
    info.mem_size = boot_info.mem_size;
    info.payload = boot_info.payload;
    info.payload_size = boot_info.payload_size;
    info.stack_low = (uintptr_t)boot_stack_guard + PAGE_SIZE;
    info.stack_high = (uintptr_t)boot_stack_top;
  }
  return &info;
}

size_t hw_boot_release_payload(size_t offset, size_t len) {
  uint64_t base = (uint64_t)boot_info.payload;
  if (!base || offset > boot_info.payload_size || len > boot_info.payload_size - offset) return 0;
  uint64_t lo = ALIGN_UP(base + offset, PAGE_SIZE), hi = ALIGN_DOWN(base + offset + len, PAGE_SIZE);
  if (hi <= lo) return 0;
  paging_release_payload(lo, hi);
  return heap_add(lo, hi);
}

uint64_t hw_clock_monotonic_ns(void) { return clock_monotonic_ns(); }
uint64_t hw_clock_wall_ns(void) { return clock_wall_ns_at_boot() + clock_monotonic_ns(); }

/* Boot timing, in TSC cycles: marks from the engine, the first console write. */
static uint64_t marks[HW_MARK_COUNT], first_output;

void hw_timing_mark(enum hw_mark mark) {
  if (mark < HW_MARK_COUNT) marks[mark] = tsc_read();
}

void hw_console_write(int fd, const char *buf, size_t len) {
  if (!first_output) first_output = tsc_read();
  console_write(fd, buf, len);
}


/*
 * The T record (docs/console-protocol.md), in microseconds: entry_to_js_us and
 * entry_to_first_output_us count from the PVH entry; the phases between are unpack (the core's
 * code), platform_init (page tables, heap, IDT, APIC), calibrate (TSC against the PIT),
 * engine_init (QuickJS runtime, context and the hw object), then bytecode_load and module_eval.
 */
uint64_t boot_platform_ready_tsc;

static void print_timing_record(void) {
  if (!tsc_khz) return; /* an exit before the clock was calibrated has no timing to report */
  clock_calibration_finish();
  char buf[320];
  uint64_t k = tsc_khz, now = tsc_read();
#define MARK(m) (marks[m] ? marks[m] : now)
#define US(from, to) (unsigned long long)(((to) - (from)) * 1000 / k)
  snprintf(buf, sizeof buf, "entry_to_js_us=%llu unpack_us=%llu platform_init_us=%llu calibrate_us=%llu engine_init_us=%llu "
           "bytecode_load_us=%llu module_eval_us=%llu entry_to_first_output_us=%llu tsc_khz=%llu",
           US(boot_entry_tsc, MARK(HW_MARK_ENGINE_START)), US(boot_entry_tsc, boot_unpacked_tsc),
           US(boot_unpacked_tsc, boot_platform_ready_tsc), US(boot_platform_ready_tsc, clock_calibrated_tsc),
           US(MARK(HW_MARK_JS_RUN), MARK(HW_MARK_ENGINE_START)), US(MARK(HW_MARK_ENGINE_START), MARK(HW_MARK_BYTECODE_LOADED)),
           US(MARK(HW_MARK_BYTECODE_LOADED), MARK(HW_MARK_MODULE_EVALUATED)), US(boot_entry_tsc, first_output ? first_output : now),
           (unsigned long long)tsc_khz);
#undef US
#undef MARK
  extern void console_record(char kind, const char *text);
  console_record('T', buf);
}

__attribute__((noreturn)) void hw_exit(int code) {
  print_timing_record();
  vm_exit(code);
}

size_t hw_entropy(uint8_t *dst, size_t len) { return entropy_fill(dst, len); }

/* ---- optional groups: PVH offers all of them ---- */

bool hw_has(enum hw_group group) {
  return (group & (HW_GROUP_PCI | HW_GROUP_MMIO | HW_GROUP_PORTS | HW_GROUP_IRQ | HW_GROUP_DMA)) == group;
}

static bool width_ok(int w) { return w == 1 || w == 2 || w == 4; }

hw_result hw_pci_read(uint32_t bdf, uint32_t offset, int width, uint32_t *value) {
  if (bdf > 0xffff || offset > 255 || !width_ok(width) || offset % (uint32_t)width) return HW_EINVAL;
  *value = pci_read(bdf, offset, width);
  return HW_OK;
}
hw_result hw_pci_write(uint32_t bdf, uint32_t offset, int width, uint32_t value) {
  if (bdf > 0xffff || offset > 255 || !width_ok(width) || offset % (uint32_t)width) return HW_EINVAL;
  pci_write(bdf, offset, width, value);
  return HW_OK;
}

hw_result hw_mmio_map(uint64_t phys, uint64_t size) {
  int r = paging_map_mmio(phys, size);
  return r == 0 ? HW_OK : r == -2 ? HW_EINVAL : HW_AGAIN;
}
hw_result hw_mmio_read(uint64_t a, int w, uint32_t *value) {
  if (!width_ok(w) || a % (uint64_t)w || !paging_is_mmio(a, (uint64_t)w)) return HW_EINVAL;
  *value = w == 1 ? *(volatile uint8_t *)a : w == 2 ? *(volatile uint16_t *)a : *(volatile uint32_t *)a;
  return HW_OK;
}
hw_result hw_mmio_write(uint64_t a, int w, uint32_t v) {
  if (!width_ok(w) || a % (uint64_t)w || !paging_is_mmio(a, (uint64_t)w)) return HW_EINVAL;
  if (w == 1) *(volatile uint8_t *)a = (uint8_t)v;
  else if (w == 2) *(volatile uint16_t *)a = (uint16_t)v;
  else *(volatile uint32_t *)a = v;
  return HW_OK;
}

/* Ports this platform drives itself: PICs, PIT, speaker, CMOS, COM1, PCI config, debug exit. */
static bool port_owned_by_platform(uint32_t p, int w) {
  static const uint16_t ranges[][2] = {
    {0x20, 0x21}, {0xa0, 0xa1}, {0x40, 0x43}, {0x61, 0x61}, {0x70, 0x71},
    {0x3f8, 0x3ff}, {0xcf8, 0xcff}, {0xf4, 0xf7},
  };
  for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
    if (p <= ranges[i][1] && p + (uint32_t)w - 1 >= ranges[i][0]) return true;
  return false;
}
hw_result hw_port_read(uint16_t p, int w, uint32_t *value) {
  if (!width_ok(w) || port_owned_by_platform(p, w)) return HW_EINVAL;
  *value = w == 1 ? inb(p) : w == 2 ? inw(p) : inl(p);
  return HW_OK;
}
hw_result hw_port_write(uint16_t p, int w, uint32_t v) {
  if (!width_ok(w) || port_owned_by_platform(p, w)) return HW_EINVAL;
  if (w == 1) outb(p, (uint8_t)v); else if (w == 2) outw(p, (uint16_t)v); else outl(p, v);
  return HW_OK;
}

hw_result hw_irq_attach_gsi(unsigned gsi, int *line) {
  if (gsi > 47) return HW_EINVAL;
  int r = irq_attach_gsi(gsi);
  if (r == -1) return HW_AGAIN;
  if (r < 0) return HW_EINVAL;
  *line = r;
  return HW_OK;
}
hw_result hw_irq_attach_msi(int *line, uint64_t *address, uint32_t *data) {
  int r = irq_attach_msi(address, data);
  if (r < 0) return HW_AGAIN;
  *line = r;
  return HW_OK;
}
void hw_irq_ack(int line) {
  if (line >= 0 && line < IRQ_LINES) irq_ack(line);
}

void hw_dma_fence(void) { __asm__ volatile("mfence" ::: "memory"); }

hw_result hw_dma_alloc(size_t size, uint8_t **mem, uint64_t *phys) {
  if (size == 0 || size > (64u << 20)) return HW_EINVAL;
  uint64_t rounded = ALIGN_UP(size, PAGE_SIZE);
  uint8_t *p = heap_alloc_aligned(rounded, PAGE_SIZE);
  if (!p) return HW_AGAIN;
  memset(p, 0, rounded);
  *mem = p;
  *phys = (uint64_t)p; /* identity-mapped */
  return HW_OK;
}

hw_result hw_test_fault(const char *kind) {
  if (!strcmp(kind, "ud")) __asm__ volatile("ud2");
  /* Non-canonical and null-page addresses, hidden from the optimiser. */
  volatile uint64_t bad_gp = 0x8000000000000000ull, bad_pf = 0x10;
  if (!strcmp(kind, "gp")) { uint64_t v; __asm__ volatile("mov (%1), %0" : "=r"(v) : "r"(bad_gp)); }
  if (!strcmp(kind, "pf")) { uint64_t v; __asm__ volatile("mov (%1), %0" : "=r"(v) : "r"(bad_pf)); }
  if (!strcmp(kind, "de")) { volatile int z = 0; volatile int x = 1 / z; (void)x; }
  return HW_EINVAL;
}

/* ---- the net group and the confinement test hook: not on this platform (virtio-net is a PCI/MMIO device) ---- */

hw_result hw_net_info(struct hw_net_info *info) { (void)info; return HW_EUNSPEC; }
hw_result hw_net_receive(uint8_t *buf, size_t cap, size_t *len) { (void)buf; (void)cap; (void)len; return HW_EUNSPEC; }
hw_result hw_net_transmit(const uint8_t *frame, size_t len) { (void)frame; (void)len; return HW_EUNSPEC; }
hw_result hw_test_forbidden_call(void) { return HW_EUNSPEC; }

/* boot_main: from the PVH start info to the JavaScript program. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "pvh.h"

struct hvm_start_info {
  uint32_t magic, version, flags, nr_modules;
  uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
  uint32_t memmap_entries, reserved;
};
struct hvm_memmap_entry { uint64_t addr, size; uint32_t type, reserved; };
#define HVM_START_MAGIC 0x336ec578

/* Patched by `nimbus build` (cli/image.ts finds it by its magic): where the payload was loaded. */
struct payload_desc { char magic[16]; uint64_t phys, size; };
__attribute__((used, aligned(16))) const volatile struct payload_desc nimbus_payload = {
  "NIMBUS-PAYLOAD1", 0, 0,
};

struct boot_info boot_info;
static char cmdline_copy[4096];
#define LOW_RAM_FLOOR 0x10000ull

/* musl reaches errno and the stack-protector canary through %fs (struct pthread). */
static uint64_t thread_block[64] __attribute__((aligned(64)));

void paging_add_ram(uint64_t start, uint64_t end);
void paging_set_payload(uint64_t lo, uint64_t hi);

void cpu_set_fs_base(uint64_t base) { wrmsr(0xc0000100, base); }

static const char *detect_machine(void) {
  uint32_t id = pci_read(0, 0, 4);
  if (id == 0xffffffff || id == 0) return "microvm";
  if (id == 0x29c08086) return "q35";
  if (id == 0x12378086) return "pc";
  return "unknown";
}

__attribute__((noreturn)) void vm_exit(int code) {
  console_flush_marker_exit(code);
  /* QEMU's isa-debug-exit turns v into exit status (v << 1) | 1. */
  outl(0xf4, (uint32_t)(code & 0x7f));
  /* Firecracker and others: an i8042 reset request ends the VM. */
  outb(0x64, 0xfe);
  for (;;) __asm__ volatile("cli; hlt");
}

__attribute__((noreturn)) void hw_panic(const char *file, int line, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  hw_console_printf(2, "\nnimbus: core panic at %s:%d: %s\n", file, line, msg);
  backtrace_from((uint64_t)__builtin_frame_address(0));
  vm_exit(EXIT_CORE_PANIC);
}

void __stack_chk_fail(void) { panic("stack smashing detected"); }

__attribute__((noreturn, optimize("no-stack-protector"))) void boot_main(uint64_t start_info_pa) {
  /* Thread block first: musl's errno and the canary at %fs:0x28 must be reachable. */
  thread_block[0] = (uint64_t)thread_block;
  uint64_t canary = 0;
  if (!entropy_fill((uint8_t *)&canary, sizeof canary)) canary = boot_entry_tsc * 0x9e3779b97f4a7c15ull;
  canary &= ~0xffull; /* a zero low byte stops string overflows from reading it */
  thread_block[5] = canary;
  cpu_set_fs_base((uint64_t)thread_block);

  serial_init();
  const struct hvm_start_info *si = (const struct hvm_start_info *)start_info_pa;
  if (!si || si->magic != HVM_START_MAGIC) panic("not started through PVH (bad hvm_start_info magic)");
  if (si->cmdline_paddr) {
    const char *given = (const char *)si->cmdline_paddr;
    size_t len = strnlen(given, sizeof cmdline_copy);
    /* Cutting it would lose part of the environment or arguments without a word: refuse. */
    if (len == sizeof cmdline_copy) {
      hw_console_printf(2, "nimbus: the kernel command line is longer than %u bytes (the program's arguments and environment); "
                           "put the configuration in a file built into the image\n", (unsigned)(sizeof cmdline_copy - 1));
      hw_exit(EXIT_JS_BOOT);
    }
    memcpy(cmdline_copy, given, len);
  }
  boot_info.cmdline = cmdline_copy;

  uint64_t main_ram_end = 0, low_ram_start = 0, low_ram_end = 0;
  if (si->version >= 1 && si->memmap_paddr) {
    const struct hvm_memmap_entry *mm = (const struct hvm_memmap_entry *)si->memmap_paddr;
    for (uint32_t i = 0; i < si->memmap_entries; i++) {
      if (mm[i].type != 1) continue;
      paging_add_ram(mm[i].addr, mm[i].addr + mm[i].size);
      boot_info.mem_size += mm[i].size;
      if (mm[i].addr <= 0x100000 && mm[i].addr + mm[i].size > 0x100000) main_ram_end = mm[i].addr + mm[i].size;
      else if (mm[i].addr + mm[i].size <= 0x100000) { low_ram_start = mm[i].addr; low_ram_end = mm[i].addr + mm[i].size; }
    }
  }
  if (!main_ram_end) panic("no RAM at 1 MiB in the PVH memory map");
  if (main_ram_end > (4ull << 30)) main_ram_end = 4ull << 30;

  uint64_t used_end = ALIGN_UP((uint64_t)__image_end, PAGE_SIZE);
  if (nimbus_payload.size) {
    boot_info.payload = (const uint8_t *)nimbus_payload.phys;
    boot_info.payload_size = nimbus_payload.size;
    uint64_t pend = ALIGN_UP(nimbus_payload.phys + nimbus_payload.size, PAGE_SIZE);
    paging_set_payload(nimbus_payload.phys, pend);
    if (pend > used_end) used_end = pend;
  }
  if (used_end + (1u << 20) > main_ram_end) panic("not enough memory: %llu KiB of RAM", (unsigned long long)(boot_info.mem_size >> 10));

  idt_init();
  paging_init();
  heap_init(used_end, main_ram_end);
  /* Conventional memory below 640 KiB held only the start info, memory map and command line,
   * all read by now: it serves the heap too (the first 64 KiB stay out, below the heap). */
  if (low_ram_end > LOW_RAM_FLOOR) heap_add(low_ram_start > LOW_RAM_FLOOR ? low_ram_start : LOW_RAM_FLOOR, ALIGN_DOWN(low_ram_end, PAGE_SIZE));
  apic_init();
  boot_platform_ready_tsc = tsc_read();
  clock_init();
  __asm__ volatile("sti");
  boot_info.machine = detect_machine();
  js_run();
}

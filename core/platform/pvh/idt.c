/* GDT with a TSS (IST stack for faults), IDT, and the CPU fault reporter. */
#include <stdio.h>
#include "pvh.h"

struct frame {
  uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
  uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

struct __attribute__((packed)) idt_entry {
  uint16_t off0, sel;
  uint8_t ist, attr;
  uint16_t off1;
  uint32_t off2, zero;
};

struct __attribute__((packed)) tss {
  uint32_t reserved0;
  uint64_t rsp[3];
  uint64_t reserved1;
  uint64_t ist[7];
  uint64_t reserved2;
  uint16_t reserved3, iomap;
};

static struct idt_entry idt[256] __attribute__((aligned(16)));
static struct tss tss __attribute__((aligned(16)));
static uint64_t gdt[7] __attribute__((aligned(16)));
extern const uint64_t isr_table[256];

static const char *const exception_names[32] = {
  "divide error (#DE)", "debug (#DB)", "NMI", "breakpoint (#BP)", "overflow (#OF)",
  "bound range (#BR)", "invalid opcode (#UD)", "device not available (#NM)", "double fault (#DF)",
  "coprocessor overrun", "invalid TSS (#TS)", "segment not present (#NP)", "stack fault (#SS)",
  "general protection fault (#GP)", "page fault (#PF)", "reserved", "x87 error (#MF)",
  "alignment check (#AC)", "machine check (#MC)", "SIMD error (#XM)", "virtualization (#VE)",
  "control protection (#CP)", "reserved", "reserved", "reserved", "reserved", "reserved",
  "reserved", "hypervisor injection", "VMM communication (#VC)", "security (#SX)", "reserved",
};

void idt_init(void) {
  gdt[0] = 0;
  gdt[1] = 0x00af9a000000ffffull; /* 0x08 code64 */
  gdt[2] = 0x00cf92000000ffffull; /* 0x10 data */
  uint64_t base = (uint64_t)&tss, limit = sizeof tss - 1;
  gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
           (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
  gdt[4] = base >> 32; /* 0x18: 64-bit TSS takes two slots */
  tss.ist[0] = (uint64_t)ist_stack_top;
  tss.iomap = sizeof tss;
  struct __attribute__((packed)) { uint16_t limit; uint64_t base; } gdtr = {sizeof gdt - 1, (uint64_t)gdt};
  __asm__ volatile(
      "lgdt %0\n"
      "pushq $0x08\n"
      "leaq 1f(%%rip), %%rax\n"
      "pushq %%rax\n"
      "lretq\n"
      "1: movw $0x10, %%ax\n"
      "movw %%ax, %%ds\n movw %%ax, %%es\n movw %%ax, %%ss\n"
      "movw $0x18, %%ax\n ltr %%ax\n"
      :: "m"(gdtr) : "rax", "memory");

  for (int v = 0; v < 256; v++) {
    uint64_t h = isr_table[v];
    idt[v].off0 = h & 0xffff;
    idt[v].sel = 0x08;
    /* Faults that may come from a blown stack (#DF, #PF, #SS, #GP, NMI, #MC) use IST1. */
    idt[v].ist = (v == 2 || v == 8 || v == 12 || v == 13 || v == 14 || v == 18) ? 1 : 0;
    idt[v].attr = 0x8e;
    idt[v].off1 = (h >> 16) & 0xffff;
    idt[v].off2 = h >> 32;
    idt[v].zero = 0;
  }
  struct __attribute__((packed)) { uint16_t limit; uint64_t base; } idtr = {sizeof idt - 1, (uint64_t)idt};
  __asm__ volatile("lidt %0" :: "m"(idtr));
}

/* Walk the frame-pointer chain (the core is built with -fno-omit-frame-pointer). */
void backtrace_from(uint64_t rbp) {
  hw_console_printf(2, "backtrace:\n");
  for (int depth = 0; depth < 32 && rbp; depth++) {
    if (rbp & 7 || !mem_is_ram(rbp, 16)) break;
    uint64_t ret = ((uint64_t *)rbp)[1];
    if (ret < (uint64_t)__text_start || ret >= (uint64_t)__text_end) break;
    hw_console_printf(2, "  #%d 0x%016llx\n", depth, (unsigned long long)ret);
    rbp = ((uint64_t *)rbp)[0];
  }
}

static void fault(struct frame *f) {
  uint64_t cr2;
  __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
  hw_console_printf(2, "\nnimbus: CPU exception %llu: %s at rip=0x%016llx error=0x%llx\n",
                 (unsigned long long)f->vector, exception_names[f->vector],
                 (unsigned long long)f->rip, (unsigned long long)f->error);
  if (f->vector == 14) {
    const char *why = cr2 < 4096 ? " (null pointer)"
                    : (cr2 >= (uint64_t)boot_stack_guard && cr2 < (uint64_t)boot_stack_guard + 4096) ? " (stack overflow: guard page)"
                    : "";
    hw_console_printf(2, "  page fault address cr2=0x%016llx%s, %s, %s\n", (unsigned long long)cr2, why,
                   f->error & 2 ? "write" : "read", f->error & 16 ? "instruction fetch" : "data");
  }
  hw_console_printf(2, "  rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx\n", (unsigned long long)f->rax,
                 (unsigned long long)f->rbx, (unsigned long long)f->rcx, (unsigned long long)f->rdx);
  hw_console_printf(2, "  rsi=%016llx rdi=%016llx rbp=%016llx rsp=%016llx\n", (unsigned long long)f->rsi,
                 (unsigned long long)f->rdi, (unsigned long long)f->rbp, (unsigned long long)f->rsp);
  hw_console_printf(2, "  r8 =%016llx r9 =%016llx r10=%016llx r11=%016llx\n", (unsigned long long)f->r8,
                 (unsigned long long)f->r9, (unsigned long long)f->r10, (unsigned long long)f->r11);
  hw_console_printf(2, "  r12=%016llx r13=%016llx r14=%016llx r15=%016llx\n", (unsigned long long)f->r12,
                 (unsigned long long)f->r13, (unsigned long long)f->r14, (unsigned long long)f->r15);
  hw_console_printf(2, "  rflags=%016llx cs=%llx ss=%llx\n", (unsigned long long)f->rflags,
                 (unsigned long long)f->cs, (unsigned long long)f->ss);
  backtrace_from(f->rbp);
  vm_exit(EXIT_CPU_FAULT);
}

void interrupt_handler(struct frame *f) {
  if (f->vector < 32) fault(f);
  irq_dispatch((unsigned)f->vector);
}

/* Internal interfaces of the PVH platform (QEMU microvm/q35, Firecracker, Cloud Hypervisor):
 * what its files share. The engine never includes this; it sees only hw.h (implemented in hw.c). */
#ifndef NIMBUS_PVH_H
#define NIMBUS_PVH_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "hw.h"
#include "mm.h"


/* Linker-script symbols. */
extern char __image_start[], __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __bss_start[], __bss_end[], __image_end[];
extern char boot_stack_guard[], boot_stack_top[], ist_stack_guard[], ist_stack_top[];

/* boot/ */
struct boot_info {
  const char *cmdline;
  uint64_t mem_size;          /* bytes of RAM */
  uint64_t heap_start, heap_end;
  const uint8_t *payload; uint64_t payload_size;
  const char *machine;
};
extern struct boot_info boot_info;
void idt_init(void);
void cpu_set_fs_base(uint64_t base);
__attribute__((noreturn)) void vm_exit(int code);
void backtrace_from(uint64_t rbp);

/* dev/serial.c: console. Stream framing is described in docs/console-protocol.md. */
void serial_init(void);
void console_write(int fd, const char *buf, size_t len);
void console_flush_marker_exit(int code);

/* dev/clock.c */
void clock_init(void);
/* Closes the calibration window clock_init opened (once; later calls do nothing). Before the LAPIC timer is armed. */
void clock_calibration_finish(void);
uint64_t clock_monotonic_ns(void);
uint64_t clock_wall_ns_at_boot(void);
uint64_t tsc_read(void);
extern uint64_t tsc_khz;

/* dev/apic.c */
void apic_init(void);
void apic_eoi(void);
void apic_timer_oneshot_ns(uint64_t ns);   /* 0 = cancel */
int ioapic_route(unsigned gsi, unsigned vector, bool level);
void ioapic_mask(unsigned gsi, bool masked);
uint32_t apic_id(void);

/* dev/pci.c */
uint32_t pci_read(uint32_t bdf, uint32_t off, int width);
void pci_write(uint32_t bdf, uint32_t off, int width, uint32_t value);

/* dev/entropy.c */
size_t entropy_fill(uint8_t *dst, size_t len);
bool entropy_available(void);

/* dev/irq.c: lines are what the hw contract calls IRQs. */
#define IRQ_LINES HW_IRQ_LINES
#define IRQ_VECTOR_BASE 48
#define TIMER_VECTOR 32
#define SPURIOUS_VECTOR 255
int irq_attach_gsi(unsigned gsi);
int irq_attach_msi(uint64_t *address, uint32_t *data);
void irq_ack(int line);
void irq_dispatch(unsigned vector);
uint32_t irq_take_pending(void);

/* mm/ */
void paging_init(void);
void paging_release_payload(uint64_t lo, uint64_t hi);
int paging_map_mmio(uint64_t phys, uint64_t size);
bool paging_is_mmio(uint64_t addr, uint64_t size);
bool mem_is_ram(uint64_t addr, uint64_t size);
#include "engine.h"

/* hw.c */
extern uint64_t boot_entry_tsc, boot_unpacked_tsc; /* set by core_unpack (unpack/unpack.c) */
extern uint64_t clock_calibrated_tsc;    /* clock.c: the end of clock_init */
extern uint64_t boot_platform_ready_tsc; /* boot_main: memory, interrupts and APIC set up, before the clock calibration */
void timing_note_output(void);

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint64_t rdmsr(uint32_t msr) { uint32_t lo, hi; __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr)); return ((uint64_t)hi << 32) | lo; }
static inline void wrmsr(uint32_t msr, uint64_t v) { __asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))); }
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d) {
  __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}
static inline uint32_t mmio_read32(uint64_t a) { return *(volatile uint32_t *)a; }
static inline void mmio_write32(uint64_t a, uint32_t v) { *(volatile uint32_t *)a = v; }

#endif

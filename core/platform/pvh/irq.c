/* IRQ lines: interrupt handlers only record readiness and acknowledge; JS does the work. */
#include "pvh.h"

enum line_kind { LINE_FREE, LINE_GSI, LINE_MSI };
static struct { enum line_kind kind; unsigned gsi; } lines[IRQ_LINES];
static volatile uint32_t pending;
static volatile bool timer_fired;

static int alloc_line(void) {
  for (int i = 0; i < IRQ_LINES; i++)
    if (lines[i].kind == LINE_FREE) return i;
  return -1;
}

int irq_attach_gsi(unsigned gsi) {
  for (int i = 0; i < IRQ_LINES; i++)
    if (lines[i].kind == LINE_GSI && lines[i].gsi == gsi) return i; /* shared pin */
  int line = alloc_line();
  if (line < 0) return -1;
  if (ioapic_route(gsi, IRQ_VECTOR_BASE + (unsigned)line, true) < 0) return -2;
  lines[line].kind = LINE_GSI;
  lines[line].gsi = gsi;
  return line;
}

int irq_attach_msi(uint64_t *address, uint32_t *data) {
  int line = alloc_line();
  if (line < 0) return -1;
  lines[line].kind = LINE_MSI;
  *address = 0xfee00000ull | ((uint64_t)apic_id() << 12);
  *data = IRQ_VECTOR_BASE + (unsigned)line; /* fixed delivery, edge */
  return line;
}

void irq_ack(int line) {
  if (line < 0 || line >= IRQ_LINES) return;
  if (lines[line].kind == LINE_GSI) ioapic_mask(lines[line].gsi, false);
}

/* Called from the interrupt stub with interrupts off. */
void irq_dispatch(unsigned vector) {
  if (vector == TIMER_VECTOR) {
    timer_fired = true;
  } else if (vector >= IRQ_VECTOR_BASE && vector < IRQ_VECTOR_BASE + IRQ_LINES) {
    unsigned line = vector - IRQ_VECTOR_BASE;
    /* Level-triggered pins stay masked until the driver has serviced the device. */
    if (lines[line].kind == LINE_GSI) ioapic_mask(lines[line].gsi, true);
    pending |= 1u << line;
  } else if (vector == SPURIOUS_VECTOR) {
    return; /* no EOI for spurious interrupts */
  }
  apic_eoi();
}

uint32_t irq_take_pending(void) {
  __asm__ volatile("cli");
  uint32_t p = pending;
  pending = 0;
  __asm__ volatile("sti");
  return p;
}

/* Halt until an interrupt line is ready or the monotonic clock reaches deadline_ns. */
uint32_t hw_yield(uint64_t deadline_ns) {
  clock_calibration_finish(); /* the LAPIC timer is the calibration's until then */
  for (;;) {
    __asm__ volatile("cli");
    uint32_t p = pending;
    if (p) {
      pending = 0;
      __asm__ volatile("sti");
      return p;
    }
    uint64_t now = clock_monotonic_ns();
    if (now >= deadline_ns) {
      __asm__ volatile("sti");
      return 0;
    }
    uint64_t wait = deadline_ns - now;
    if (wait > 1000000000ull) wait = 1000000000ull; /* re-arm at least every second */
    timer_fired = false;
    apic_timer_oneshot_ns(wait);
    /* sti takes effect after the next instruction, so no interrupt slips in before hlt. */
    __asm__ volatile("sti; hlt" ::: "memory");
  }
}

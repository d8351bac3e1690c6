/* Local APIC (xAPIC, MMIO) and IO-APICs: interrupt delivery and the one-shot timer. */
#include "pvh.h"

#define LAPIC_BASE 0xfee00000ull
#define LAPIC_ID 0x20
#define LAPIC_TPR 0x80
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0
#define LVT_MASKED (1u << 16)

/* QEMU's microvm puts a second IO-APIC (GSIs 24..) at 0xfec10000. */
static const uint64_t ioapic_bases[2] = {0xfec00000ull, 0xfec10000ull};
static unsigned ioapic_count[2];

extern uint64_t lapic_timer_khz;

static uint32_t lapic_read(uint32_t reg) { return mmio_read32(LAPIC_BASE + reg); }
static void lapic_write(uint32_t reg, uint32_t v) { mmio_write32(LAPIC_BASE + reg, v); }

static uint32_t ioapic_read(int i, uint32_t reg) {
  mmio_write32(ioapic_bases[i], reg);
  return mmio_read32(ioapic_bases[i] + 0x10);
}
static void ioapic_write(int i, uint32_t reg, uint32_t v) {
  mmio_write32(ioapic_bases[i], reg);
  mmio_write32(ioapic_bases[i] + 0x10, v);
}

uint32_t apic_id(void) { return lapic_read(LAPIC_ID) >> 24; }

void apic_init(void) {
  /* Mask the legacy 8259 PICs: everything goes through the APICs. */
  outb(0x21, 0xff);
  outb(0xa1, 0xff);
  uint64_t base = rdmsr(0x1b);
  wrmsr(0x1b, (base & 0xfff) | LAPIC_BASE | (1 << 11));
  lapic_write(LAPIC_TPR, 0);
  lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
  lapic_write(LAPIC_LVT_LINT1, LVT_MASKED);
  lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
  lapic_write(LAPIC_SVR, 0x100 | SPURIOUS_VECTOR);
  lapic_write(LAPIC_TIMER_DIV, 0xb); /* divide by 1 */
  lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | TIMER_VECTOR);
  for (int i = 0; i < 2; i++) {
    if (!paging_is_mmio(ioapic_bases[i], 4096)) continue;
    uint32_t ver = ioapic_read(i, 1);
    if (ver == 0xffffffff || ver == 0) continue;
    ioapic_count[i] = ((ver >> 16) & 0xff) + 1;
    for (unsigned pin = 0; pin < ioapic_count[i]; pin++) {
      ioapic_write(i, 0x10 + 2 * pin, 1u << 16);
      ioapic_write(i, 0x11 + 2 * pin, 0);
    }
  }
}

void apic_eoi(void) { lapic_write(LAPIC_EOI, 0); }

/* Free-running countdown used only during calibration. */
void lapic_timer_start_free(void) {
  lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | TIMER_VECTOR);
  lapic_write(LAPIC_TIMER_INIT, 0xffffffff);
}
uint32_t lapic_timer_current(void) { return lapic_read(LAPIC_TIMER_CUR); }

void apic_timer_oneshot_ns(uint64_t ns) {
  if (ns == 0) {
    lapic_write(LAPIC_TIMER_INIT, 0);
    return;
  }
  uint64_t ticks = (ns * lapic_timer_khz) / 1000000;
  if (ticks == 0) ticks = 1;
  if (ticks > 0xffffffffull) ticks = 0xffffffffull;
  lapic_write(LAPIC_LVT_TIMER, TIMER_VECTOR); /* one-shot, unmasked */
  lapic_write(LAPIC_TIMER_INIT, (uint32_t)ticks);
}

static bool locate(unsigned gsi, int *chip, unsigned *pin) {
  unsigned first = 0;
  for (int i = 0; i < 2; i++) {
    unsigned base_gsi = i == 0 ? 0 : 24;
    (void)first;
    if (gsi >= base_gsi && gsi < base_gsi + ioapic_count[i]) {
      *chip = i;
      *pin = gsi - base_gsi;
      return true;
    }
  }
  return false;
}

int ioapic_route(unsigned gsi, unsigned vector, bool level) {
  int chip;
  unsigned pin;
  if (!locate(gsi, &chip, &pin)) return -1;
  uint32_t low = vector | (level ? (1u << 15) : 0); /* fixed, physical, active high */
  ioapic_write(chip, 0x11 + 2 * pin, apic_id() << 24);
  ioapic_write(chip, 0x10 + 2 * pin, low);
  return 0;
}

void ioapic_mask(unsigned gsi, bool masked) {
  int chip;
  unsigned pin;
  if (!locate(gsi, &chip, &pin)) return;
  uint32_t low = ioapic_read(chip, 0x10 + 2 * pin);
  low = masked ? (low | (1u << 16)) : (low & ~(1u << 16));
  ioapic_write(chip, 0x10 + 2 * pin, low);
}

/* Clocks: TSC calibrated against the PIT (cross-checked, bounded), wall time from the CMOS RTC. */
#include <string.h>
#include "pvh.h"

uint64_t tsc_khz;
uint64_t lapic_timer_khz;   /* LAPIC timer ticks per ms at divide-by-1, measured in the same window */
static uint64_t tsc_base; /* the TSC when the current rate took effect (at boot, then at calibration_finish) */
uint64_t clock_calibrated_tsc; /* when clock_init finished: the end of calibrate_us in the boot timing */
static uint64_t wall_ns_at_boot;
/* ns = base_ns + ((tsc - tsc_base) * ns_mult >> 32) */
static uint64_t ns_mult;
/* The monotonic time at tsc_base: it keeps counting from where it is when the rate changes, never steps. */
static uint64_t base_ns;

uint64_t tsc_read(void) {
  uint32_t lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return ((uint64_t)hi << 32) | lo;
}

extern uint32_t lapic_timer_current(void);
extern void lapic_timer_start_free(void);

#define PIT_HZ 1193182u

static uint16_t pit_read_ch0(void) {
  outb(0x43, 0x00); /* latch channel 0 */
  uint8_t lo = inb(0x40);
  uint8_t hi = inb(0x40);
  return (uint16_t)(lo | (hi << 8));
}

/*
 * One window of `ms` milliseconds measured on PIT channel 0 (mode 2, free-running over 65536
 * counts; its IRQ is masked). Channel 0 is used because channel 2's gate and output live in
 * the PC speaker port, which QEMU's microvm does not have. Returns false if the PIT does not
 * count (absent or broken).
 */
static bool measure_window(unsigned ms, uint64_t *tsc_delta, uint64_t *lapic_delta) {
  uint32_t target = PIT_HZ * ms / 1000;
  outb(0x43, 0x34);  /* channel 0, lo/hi, mode 2 */
  outb(0x40, 0);
  outb(0x40, 0);     /* reload 65536 */
  lapic_timer_start_free();
  uint32_t l0 = lapic_timer_current();
  uint16_t prev = pit_read_ch0();
  uint64_t t0 = tsc_read(), t1 = t0;
  uint32_t elapsed = 0;
  while (elapsed < target) {
    uint16_t cur = pit_read_ch0();
    elapsed += (uint16_t)(prev - cur);
    prev = cur;
    t1 = tsc_read();
    /* Bounded: ~4e9 TSC cycles is over a second on any host; a PIT that never moves fails. */
    if (t1 - t0 > 4000000000ull) return false;
  }
  uint32_t l1 = lapic_timer_current();
  /* Scale for the overshoot of the last poll. */
  *tsc_delta = (t1 - t0) * target / elapsed;
  *lapic_delta = (uint64_t)(l0 - l1) * target / elapsed;
  return *tsc_delta > 0;
}

static int cmp_u64(uint64_t a, uint64_t b) { return a < b ? -1 : a > b; }

static uint8_t cmos_read(uint8_t reg) {
  outb(0x70, reg);
  return inb(0x71);
}

static unsigned bcd(uint8_t v, bool is_bcd) { return is_bcd ? (v & 0x0f) + (v >> 4) * 10 : v; }

static uint64_t days_from_civil(int y, unsigned m, unsigned d) {
  /* Howard Hinnant's algorithm: days since 1970-01-01. */
  y -= m <= 2;
  int era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (uint64_t)(era * 146097 + (int)doe - 719468);
}

static uint64_t rtc_read_ns(void) {
  if (cmos_read(0x0a) == 0xff) return 0; /* no RTC */
  for (int i = 0; i < 100000 && (cmos_read(0x0a) & 0x80); i++) {}
  uint8_t s = cmos_read(0x00), mi = cmos_read(0x02), h = cmos_read(0x04);
  uint8_t d = cmos_read(0x07), mo = cmos_read(0x08), y = cmos_read(0x09), cent = cmos_read(0x32);
  uint8_t b = cmos_read(0x0b);
  bool is_bcd = !(b & 0x04);
  unsigned hour = bcd(h & 0x7f, is_bcd);
  if (!(b & 0x02) && (h & 0x80)) hour = (hour % 12) + 12;
  unsigned year = bcd(y, is_bcd) + (cent && cent != 0xff ? bcd(cent, is_bcd) * 100 : 2000);
  uint64_t days = days_from_civil((int)year, bcd(mo, is_bcd), bcd(d, is_bcd));
  return ((days * 86400) + hour * 3600 + bcd(mi, is_bcd) * 60 + bcd(s, is_bcd)) * 1000000000ull;
}

/* The rates from a window of `ms` ms: TSC and LAPIC ticks per ms, and the monotonic scale. */
static void set_rates(uint64_t tsc_delta, uint64_t lapic_delta, unsigned ms) {
  tsc_khz = tsc_delta / ms;
  lapic_timer_khz = lapic_delta / ms;
  if (lapic_timer_khz == 0) lapic_timer_khz = 1000000;
  ns_mult = (uint64_t)(((unsigned __int128)1000000 << 32) / tsc_khz);
}

/*
 * The full calibration, for when the long window below cannot be used. Under TCG the TSC runs
 * at the host's rate and the host may preempt us mid-window, so take two 3 ms windows and
 * accept them only if they agree within 0.5%; otherwise take the median of several longer
 * ones. Never loops forever.
 */
static void calibrate_in_windows(void) {
  uint64_t tsc[5], lap[5];
  int n = 0;
  bool agreed = false;
  uint64_t warm_t, warm_l;
  measure_window(1, &warm_t, &warm_l); /* warm-up: the emulator translates this code once */
  for (int i = 0; i < 2; i++)
    if (measure_window(3, &tsc[n], &lap[n])) n++;
  if (n == 2) {
    uint64_t a = tsc[0], b = tsc[1];
    uint64_t diff = a > b ? a - b : b - a;
    agreed = diff * 200 < a;
  }
  if (agreed) {
    set_rates(tsc[0] + tsc[1], lap[0] + lap[1], 6);
    return;
  }
  n = 0;
  for (int i = 0; i < 5; i++) {
    uint64_t t, l;
    if (measure_window(10, &t, &l)) { tsc[n] = t; lap[n] = l; n++; }
  }
  if (n == 0) {
    hw_console_printf(2, "nimbus: no PIT to calibrate the clock; assuming a 2 GHz TSC\n");
    tsc[0] = 20000000; lap[0] = 10000000; n = 1;
  }
  /* insertion sort, then median */
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && cmp_u64(tsc[j - 1], tsc[j]) > 0; j--) {
      uint64_t t = tsc[j]; tsc[j] = tsc[j - 1]; tsc[j - 1] = t;
      t = lap[j]; lap[j] = lap[j - 1]; lap[j - 1] = t;
    }
  set_rates(tsc[n / 2], lap[n / 2], 10);
}

/*
 * The long window. clock_init measures a rough rate over 1 ms, then leaves the PIT (mode 2,
 * wrapping every 65536 counts, ~55 ms) and the LAPIC timer (one-shot from 2^32 - 1) counting,
 * and boot goes on: the engine is created and the program loaded meanwhile. The first hw_yield
 * (before it arms the LAPIC timer) or the exit closes the window, which by then is tens of ms
 * under TCG: more precise than the 6 ms this replaces, and ~6 ms less boot. The PIT's wraps in
 * the window are counted with the rough rate, which must agree with the result within 2%
 * (a wrong wrap count is off by 27 ms or more in a window of at most 1 s).
 */
#define LONG_WINDOW_MIN_MS 10u
#define LONG_WINDOW_MAX_MS 1000u
static struct { bool open; uint64_t tsc; uint32_t lapic; uint16_t pit; } window;

/* `nimbus.clock=windowed` on the command line: the windowed calibration only (tests, diagnosis). */
static bool windowed_asked(void) {
  const char *p = boot_info.cmdline ? strstr(boot_info.cmdline, "nimbus.clock=windowed") : NULL;
  return p && (p == boot_info.cmdline || p[-1] == ' ') && (p[21] == ' ' || p[21] == 0);
}

void clock_init(void) {
  uint64_t t, l;
  if (!windowed_asked() && measure_window(1, &t, &l)) {
    set_rates(t, l, 1);
    window.pit = pit_read_ch0();
    window.tsc = tsc_read();
    window.lapic = lapic_timer_current();
    window.open = true;
  } else {
    calibrate_in_windows();
  }
  tsc_base = tsc_read();
  clock_calibrated_tsc = tsc_base;
  wall_ns_at_boot = rtc_read_ns();
}

/* Applies `calibrate`'s rates from now on, the monotonic clock going on from its value now. */
static void rebase_rates(void (*calibrate)(void)) {
  uint64_t now_tsc = tsc_read();
  uint64_t now_ns = base_ns + (uint64_t)(((unsigned __int128)(now_tsc - tsc_base) * ns_mult) >> 32);
  calibrate();
  base_ns = now_ns;
  tsc_base = now_tsc;
}

/* The long window's result, applied through rebase_rates. */
static uint64_t long_tsc_khz, long_lapic_khz;
static void apply_long_window(void) { set_rates(long_tsc_khz, long_lapic_khz, 1); }

void clock_calibration_finish(void) {
  if (!window.open) return;
  window.open = false;
  uint64_t rough_khz = tsc_khz, rough_lapic_khz = lapic_timer_khz;
  for (;;) {
    uint64_t before = tsc_read();
    uint16_t pit = pit_read_ch0();
    uint64_t tsc = tsc_read();
    uint32_t lapic = lapic_timer_current();
    if (tsc - before > rough_khz / 20) continue; /* preempted mid-read (> 50 µs): read again */
    uint64_t elapsed = tsc - window.tsc;
    uint64_t rough_pit = (uint64_t)((unsigned __int128)elapsed * PIT_HZ / (rough_khz * 1000));
    if (rough_pit > (uint64_t)PIT_HZ * LONG_WINDOW_MAX_MS / 1000) break;
    if (rough_pit < (uint64_t)PIT_HZ * LONG_WINDOW_MIN_MS / 1000) continue;
    /* Whole wraps: the count nearest the rough estimate. */
    uint64_t counted = (uint16_t)(window.pit - pit);
    uint64_t wraps = rough_pit > counted ? (rough_pit - counted + 32768) / 65536 : 0;
    uint64_t pit_ticks = counted + wraps * 65536;
    uint64_t diff = pit_ticks > rough_pit ? pit_ticks - rough_pit : rough_pit - pit_ticks;
    if (diff * 50 > pit_ticks) break;
    /* Per ms over the window: ticks * PIT_HZ / PIT ticks / 1000. */
    long_tsc_khz = (uint64_t)((unsigned __int128)elapsed * PIT_HZ / pit_ticks / 1000);
    /* The LAPIC timer counts down and stops at 0: a zero means the window outlived it. */
    long_lapic_khz = lapic != 0 ? (uint64_t)(window.lapic - lapic) * PIT_HZ / pit_ticks / 1000 : rough_lapic_khz;
    rebase_rates(apply_long_window);
    return;
  }
  rebase_rates(calibrate_in_windows);
}

uint64_t clock_monotonic_ns(void) {
  uint64_t delta = tsc_read() - tsc_base;
  return base_ns + (uint64_t)(((unsigned __int128)delta * ns_mult) >> 32);
}

uint64_t clock_wall_ns_at_boot(void) { return wall_ns_at_boot; }

/* The hw contract (core/include/hw.h) in a Linux process: clocks, a wait, console writes,
 * exit and entropy are system calls (the only ones seccomp.c allows); the net group and the wait
 * are in net.c. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "process.h"

#define DLE 0x10

static uint64_t start_ns, marks[HW_MARK_COUNT], first_output;

static uint64_t clock_ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void process_clock_start(void) { start_ns = clock_ns(CLOCK_MONOTONIC); }
const struct hw_boot_info *hw_boot(void) { return &process_boot; }
/* The payload is the image file mapped shared (a fleet pays for it once), and the heap is its own
 * mapping of --mem bytes: giving the bytecode's pages back would not grow it. */
size_t hw_boot_release_payload(size_t offset, size_t len) { (void)offset; (void)len; return 0; }
uint64_t hw_clock_monotonic_ns(void) { return clock_ns(CLOCK_MONOTONIC) - start_ns; }
uint64_t hw_clock_wall_ns(void) { return clock_ns(CLOCK_REALTIME); }

/* hw_yield, the one wait, is in net.c: it waits on the network link too. */

/* ---- console: the serial console's protocol on stdout (docs/console-protocol.md) ---- */

static int current_fd = 1;

static void out(const void *buf, size_t len) {
  const char *p = buf;
  while (len) {
    ssize_t n = write(1, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return; /* the reader is gone: output is lost, the program goes on */
    p += n;
    len -= (size_t)n;
  }
}

void process_console_start(void) { out("\x10S", 2); }

void hw_console_write(int fd, const char *buf, size_t len) {
  if (!first_output) first_output = hw_clock_monotonic_ns() + start_ns;
  if (fd != current_fd) {
    char sw[2] = {DLE, fd == 2 ? '2' : '1'};
    out(sw, 2);
    current_fd = fd == 2 ? 2 : 1;
  }
  /* Escape DLE by doubling it; write runs between escapes whole. */
  size_t from = 0;
  for (size_t i = 0; i < len; i++) {
    if (buf[i] != DLE) continue;
    out(buf + from, i + 1 - from);
    out("\x10", 1);
    from = i + 1;
  }
  out(buf + from, len - from);
}


static void record(char kind, const char *text) {
  char head[2] = {DLE, kind};
  out(head, 2);
  out(text, strlen(text));
  out("\n", 1);
}

void hw_timing_mark(enum hw_mark mark) {
  if (mark < HW_MARK_COUNT) marks[mark] = clock_ns(CLOCK_MONOTONIC);
}

/* Records the exit (and, for an orderly exit, the boot timing) and ends the process. */
static __attribute__((noreturn)) void finish(int code, bool timing) {
  char buf[192];
  if (timing) {
    uint64_t now = clock_ns(CLOCK_MONOTONIC);
#define MARK(m) (marks[m] ? marks[m] : now)
    snprintf(buf, sizeof buf, "entry_to_js_us=%llu engine_init_us=%llu bytecode_load_us=%llu module_eval_us=%llu entry_to_first_output_us=%llu",
             (unsigned long long)((MARK(HW_MARK_ENGINE_START) - start_ns) / 1000),
             (unsigned long long)((MARK(HW_MARK_ENGINE_START) - MARK(HW_MARK_JS_RUN)) / 1000),
             (unsigned long long)((MARK(HW_MARK_BYTECODE_LOADED) - MARK(HW_MARK_ENGINE_START)) / 1000),
             (unsigned long long)((MARK(HW_MARK_MODULE_EVALUATED) - MARK(HW_MARK_BYTECODE_LOADED)) / 1000),
             (unsigned long long)(((first_output ? first_output : now) - start_ns) / 1000));
#undef MARK
    record('T', buf);
  }
  snprintf(buf, sizeof buf, "%d", code);
  record('X', buf);
  _exit(code);
}

__attribute__((noreturn)) void hw_exit(int code) { finish(code, true); }

__attribute__((noreturn)) void hw_panic(const char *file, int line, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  hw_console_printf(2, "\nnimbus: core panic at %s:%d: %s\n", file, line, msg);
  finish(EXIT_CORE_PANIC, false);
}

void __stack_chk_fail(void) { panic("stack smashing detected"); }

size_t hw_entropy(uint8_t *dst, size_t len) {
  size_t got = 0;
  while (got < len) {
    ssize_t n = getrandom(dst + got, len - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += (size_t)n;
  }
  return got;
}

/* A CPU fault in the process arrives as a signal: report it as the VM does (exit 121). */
static void on_fault(int sig, siginfo_t *si, void *ctx) {
  (void)ctx;
  char buf[160];
  int n = snprintf(buf, sizeof buf, "\nnimbus: CPU fault: %s at address %p\n", sig == SIGSEGV ? "page fault" : sig == SIGILL ? "invalid opcode" : sig == SIGFPE ? "divide error" : "bus error", si->si_addr);
  if (n > 0) hw_console_write(2, buf, (size_t)n);
  finish(EXIT_CPU_FAULT, false);
}

void process_install_fault_handlers(void) {
  /* Faults run on their own stack, so a blown JS stack still reports. */
  static uint8_t alt[64 * 1024];
  stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt};
  sigaltstack(&ss, NULL);
  struct sigaction sa = {.sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_ONSTACK};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGILL, &sa, NULL);
  sigaction(SIGFPE, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
}

/* ---- optional groups: only net (net.c); no bus, no interrupts, no DMA in a process ---- */

hw_result hw_pci_read(uint32_t bdf, uint32_t offset, int width, uint32_t *value) { return HW_EUNSPEC; }
hw_result hw_pci_write(uint32_t bdf, uint32_t offset, int width, uint32_t value) { return HW_EUNSPEC; }
hw_result hw_mmio_map(uint64_t phys, uint64_t size) { return HW_EUNSPEC; }
hw_result hw_mmio_read(uint64_t addr, int width, uint32_t *value) { return HW_EUNSPEC; }
hw_result hw_mmio_write(uint64_t addr, int width, uint32_t value) { return HW_EUNSPEC; }
hw_result hw_port_read(uint16_t port, int width, uint32_t *value) { return HW_EUNSPEC; }
hw_result hw_port_write(uint16_t port, int width, uint32_t value) { return HW_EUNSPEC; }
hw_result hw_irq_attach_gsi(unsigned gsi, int *line) { return HW_EUNSPEC; }
hw_result hw_irq_attach_msi(int *line, uint64_t *address, uint32_t *data) { return HW_EUNSPEC; }
void hw_irq_ack(int line) { (void)line; }
hw_result hw_dma_alloc(size_t size, uint8_t **mem, uint64_t *phys) { return HW_EUNSPEC; }
void hw_dma_fence(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

hw_result hw_test_fault(const char *kind) {
  if (!strcmp(kind, "ud")) __asm__ volatile("ud2");
  volatile uint64_t bad_pf = 0x10;
  if (!strcmp(kind, "pf") || !strcmp(kind, "gp")) { uint64_t v; __asm__ volatile("mov (%1), %0" : "=r"(v) : "r"(bad_pf)); }
  if (!strcmp(kind, "de")) { volatile int z = 0; volatile int x = 1 / z; (void)x; }
  return HW_EINVAL;
}

/* openat is outside the allow-list: the filter kills the process here (SIGSYS). */
hw_result hw_test_forbidden_call(void) {
  syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
  return HW_EINVAL; /* not reached under the filter */
}

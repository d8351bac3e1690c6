/* The few C library symbols the core provides itself: musl's would make system calls. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>
#include "hw.h"
#include "mm.h"

void *malloc(size_t n) { return heap_alloc(n); }
void free(void *p) { heap_free(p); }
void *realloc(void *p, size_t n) { return heap_realloc(p, n); }
void *calloc(size_t a, size_t b) {
  size_t n;
  if (__builtin_mul_overflow(a, b, &n)) return NULL;
  void *p = heap_alloc(n);
  if (p) memset(p, 0, n);
  return p;
}
size_t malloc_usable_size(void *p) { return heap_usable_size(p); }

void abort(void) { panic("abort() called"); }
void __assert_fail(const char *expr, const char *file, int line, const char *func) {
  hw_panic(file, line, "assertion failed in %s: %s", func, expr);
}
void exit(int code) { hw_exit(code); }

int clock_gettime(clockid_t id, struct timespec *ts) {
  uint64_t ns = id == CLOCK_REALTIME ? hw_clock_wall_ns() : hw_clock_monotonic_ns();
  ts->tv_sec = (time_t)(ns / 1000000000u);
  ts->tv_nsec = (long)(ns % 1000000000u);
  return 0;
}
int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
  (void)tz;
  uint64_t ns = hw_clock_wall_ns();
  tv->tv_sec = (time_t)(ns / 1000000000u);
  tv->tv_usec = (suseconds_t)((ns / 1000u) % 1000000u);
  return 0;
}
time_t time(time_t *t) {
  time_t v = (time_t)(hw_clock_wall_ns() / 1000000000u);
  if (t) *t = v;
  return v;
}

/* Our own stdout/stderr handles: musl's would pull in its write(2)-based stdio. */
static char stdout_tag, stderr_tag;
FILE *const stdout = (FILE *)&stdout_tag;
FILE *const stderr = (FILE *)&stderr_tag;

/* stdio: QuickJS reports internal errors with fprintf(stderr, ...); send them to the console. */
/* Not named vfprintf: musl's vsnprintf is built on its own vfprintf, which must stay. */
static int console_vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap) {
  char buf[1024];
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  if (n > 0) hw_console_write(f == stdout ? 1 : 2, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
  return n;
}
int fprintf(FILE *restrict f, const char *restrict fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = console_vfprintf(f, fmt, ap);
  va_end(ap);
  return n;
}
int printf(const char *restrict fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = console_vfprintf(stdout, fmt, ap);
  va_end(ap);
  return n;
}
int fputs(const char *restrict s, FILE *restrict f) { hw_console_write(f == stdout ? 1 : 2, s, strlen(s)); return 0; }
int puts(const char *s) { hw_console_write(1, s, strlen(s)); hw_console_write(1, "\n", 1); return 0; }
int fputc(int c, FILE *f) { char ch = (char)c; hw_console_write(f == stdout ? 1 : 2, &ch, 1); return c; }
int putchar(int c) { return fputc(c, stdout); }
int putc(int c, FILE *f) { return fputc(c, f); }
int fflush(FILE *f) { (void)f; return 0; }

/* Single thread: the pthread calls of QuickJS's Atomics support never contend. */
int pthread_mutex_lock(void *m) { (void)m; return 0; }
int pthread_mutex_unlock(void *m) { (void)m; return 0; }
int pthread_mutex_init(void *m, const void *a) { (void)m; (void)a; return 0; }
int pthread_mutex_destroy(void *m) { (void)m; return 0; }
int pthread_cond_init(void *c, const void *a) { (void)c; (void)a; return 0; }
int pthread_cond_destroy(void *c) { (void)c; return 0; }
int pthread_cond_signal(void *c) { (void)c; return 0; }
int pthread_cond_broadcast(void *c) { (void)c; return 0; }
int pthread_cond_wait(void *c, void *m) { (void)c; (void)m; panic("Atomics.wait would block forever"); }
int pthread_cond_timedwait(void *c, void *m, const void *t) { (void)c; (void)m; (void)t; return ETIMEDOUT; }
/* quickjs-ng's condition variables ask for CLOCK_MONOTONIC; musl's version probes with a syscall. */
int pthread_condattr_init(void *a) { (void)a; return 0; }
int pthread_condattr_destroy(void *a) { (void)a; return 0; }
int pthread_condattr_setclock(void *a, int clock) { (void)a; (void)clock; return 0; }
/* One thread: run the initialiser the first time (musl's version waits on a futex). */
int pthread_once(int *once, void (*init)(void)) {
  if (*once == 0) { *once = 1; init(); }
  return 0;
}

/* musl's FILE locks: one thread, nothing to lock (its versions carry a futex system call). */
int __lockfile(FILE *f) { (void)f; return 0; }
void __unlockfile(FILE *f) { (void)f; }

/* hw_console_printf for every platform: format into a bounded buffer, write with hw_console_write. */
#include <stdarg.h>
#include <stdio.h>
#include "hw.h"

void hw_console_printf(int fd, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n > 0) hw_console_write(fd, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

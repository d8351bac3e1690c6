/* 16550 UART console on COM1, carrying stdout and stderr multiplexed (docs/console-protocol.md). */
#include <stdarg.h>
#include <stdio.h>
#include "pvh.h"

#define COM1 0x3f8
#define DLE 0x10

static int current_fd = 1;
static bool serial_ready;

void serial_init(void) {
  outb(COM1 + 1, 0x00);   /* no UART interrupts: output is polled */
  outb(COM1 + 3, 0x80);   /* DLAB */
  outb(COM1 + 0, 0x01);   /* 115200 baud (ignored by emulators) */
  outb(COM1 + 1, 0x00);
  outb(COM1 + 3, 0x03);   /* 8N1 */
  outb(COM1 + 2, 0xc7);   /* FIFO on */
  serial_ready = true;
  /* Start marker: the host discards everything before it (e.g. firmware banners). */
  outb(COM1, DLE);
  outb(COM1, 'S');
}

static void serial_putc(uint8_t c) {
  /* Bounded wait for the transmit holding register: never hang on a stuck UART. */
  for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++) __asm__ volatile("pause");
  outb(COM1, c);
}

void console_write(int fd, const char *buf, size_t len) {
  if (!serial_ready) return;
  if (fd != current_fd) {
    serial_putc(DLE);
    serial_putc(fd == 2 ? '2' : '1');
    current_fd = fd == 2 ? 2 : 1;
  }
  for (size_t i = 0; i < len; i++) {
    uint8_t c = (uint8_t)buf[i];
    if (c == DLE) serial_putc(DLE);
    serial_putc(c);
  }
}


/* A record the host reads: DLE <kind> <text> '\n'. */
void console_record(char kind, const char *text) {
  serial_putc(DLE);
  serial_putc((uint8_t)kind);
  while (*text) serial_putc((uint8_t)*text++);
  serial_putc('\n');
}

void console_flush_marker_exit(int code) {
  char buf[16];
  snprintf(buf, sizeof buf, "%d", code);
  console_record('X', buf);
  /* The exit that follows ends QEMU at once: let the UART report its transmitter empty (LSR
   * TEMT) first, so bytes QEMU still holds for a host that is slow to read (a full pipe) go
   * out. Bounded, longer than a character's wait: a clean-clone run lost the X record here. */
  if (serial_ready)
    for (int i = 0; i < 2000000 && !(inb(COM1 + 5) & 0x40); i++) __asm__ volatile("pause");
}

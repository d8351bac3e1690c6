/*
 * The core unpacks itself: the first C the PVH entry runs (core/platform/pvh/entry.S), before
 * anything in the packed region exists.
 *
 * The image holds the core's .text and .rodata (all but this file and the entry) as one LZ4 block
 * (tools/pack-core.c, at set-up). The compressed bytes are loaded at the end of the region they
 * unpack into, plus a small slack before .data, and LZ4 decompresses in place from the front
 * (lz4.h: LZ4_DECOMPRESS_INPLACE_MARGIN), so the packing costs no guest memory.
 *
 * This translation unit MUST NOT reach anything outside itself: no C library, no stack
 * protector, no call the compiler invents (memcpy for a loop). core/core.mk checks that its
 * object has no undefined symbol but the linker script's.
 */
#include <stddef.h>
#include <stdint.h>

/* Copies go by 8-byte words: under software emulation (TCG) `rep movsb` costs a loop turn per
 * byte. Constant sizes (LZ4's 8-, 16- and 32-byte wild copies) are inlined as moves; anything the
 * compiler would turn into a call fails core.mk's undefined-symbol check. */
static inline void unpack_copy_words(unsigned char *d, const unsigned char *s, size_t n) {
  for (; n >= 8; n -= 8, d += 8, s += 8) __builtin_memcpy(d, s, 8);
  for (; n; n--) *d++ = *s++;
}
#define unpack_memcpy(d, s, n) \
  (__builtin_constant_p(n) && (n) <= 32 ? __builtin_memcpy((d), (s), (n)) : (unpack_copy_words((unsigned char *)(d), (const unsigned char *)(s), (n)), (d)))
/* LZ4 moves overlapping bytes only forward (dst below src) in the in-place case; the other
 * direction is covered anyway. */
static inline void *unpack_memmove(void *dst, const void *src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  if (d <= s || d >= s + n) { for (; n; n--) *d++ = *s++; return dst; }
  for (d += n, s += n; n; n--) *--d = *--s;
  return dst;
}
static inline void *unpack_memset(void *dst, int v, size_t n) {
  unsigned char *d = dst;
  for (; n; n--) *d++ = (unsigned char)v;
  return dst;
}

#define LZ4_FREESTANDING 1
#define LZ4_memcpy(d, s, n) unpack_memcpy((d), (s), (n))
#define LZ4_memmove(d, s, n) unpack_memmove((d), (s), (n))
#define LZ4_memset(p, v, n) unpack_memset((p), (v), (n))
#define LZ4_HEAPMODE 0
#include "lz4.c" /* LZ4 1.9.4 from Debian's source package (tools/fetch-lz4.sh), unmodified */
#include "check.h"

/* Patched by tools/pack-core.c (found by its magic): where the compressed block was loaded, both
 * sizes and the unpacked bytes' check value. All zero in an unpacked core (build/core-unpacked.elf),
 * which then boots as it is. */
struct packed_desc { char magic[16]; uint64_t src, packed_size, unpacked_size, check; };
__attribute__((used, aligned(16))) volatile struct packed_desc nimbus_packed = {
  "NIMBUS-PACKED01", 0, 0, 0, 0,
};

extern char __packed_start[], __packed_end[];

/* When the guest started, and when the core was unpacked (TSC cycles; the T record reports both). */
uint64_t boot_entry_tsc, boot_unpacked_tsc;

static inline uint64_t unpack_rdtsc(void) {
  uint32_t lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return ((uint64_t)hi << 32) | lo;
}

static inline void unpack_outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint8_t unpack_inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static void unpack_puts(const char *s) {
  for (; *s; s++) unpack_outb(0x3f8, (uint8_t)*s);
}

/* A broken image: say so on COM1 in the console protocol (docs/console-protocol.md: start, a
 * stderr line, the exit record) and end with EXIT_CORE_PANIC, as core/include/hw.h numbers it.
 * QEMU's UART needs no set-up to send. */
__attribute__((noreturn)) static void unpack_fail(const char *why) {
  unpack_puts("\x10S\x10" "2nimbus: core panic: the image's packed core is damaged: ");
  unpack_puts(why);
  unpack_puts("\n\x10X120\n");
  for (int i = 0; i < 2000000 && !(unpack_inb(0x3f8 + 5) & 0x40); i++) __asm__ volatile("pause"); /* LSR TEMT */
  __asm__ volatile("outl %0, %1" ::"a"((uint32_t)120), "Nd"((uint16_t)0xf4)); /* isa-debug-exit */
  unpack_outb(0x64, 0xfe);                                                    /* i8042 reset */
  for (;;) __asm__ volatile("cli; hlt");
}

void core_unpack(void) {
  boot_entry_tsc = unpack_rdtsc();
  uint64_t packed = nimbus_packed.packed_size, unpacked = nimbus_packed.unpacked_size;
  if (packed) {
    if (unpacked != (uint64_t)(__packed_end - __packed_start)) unpack_fail("its size does not match this core's layout");
    if (packed > 0x7fffffff || unpacked > 0x7fffffff) unpack_fail("its sizes are out of range");
    int n = LZ4_decompress_safe((const char *)(uintptr_t)nimbus_packed.src, __packed_start, (int)packed, (int)unpacked);
    if (n != (int)unpacked) unpack_fail("LZ4 decompression failed");
    if (packed_check_value((const unsigned char *)__packed_start, (size_t)unpacked) != nimbus_packed.check) unpack_fail("the unpacked code does not match its check value");
  }
  boot_unpacked_tsc = unpack_rdtsc();
}

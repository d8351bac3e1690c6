/*
 * pack-core: stores the core's code LZ4-compressed, once at set-up (docs/architecture.md, "The
 * packed core"). Usage: pack-core IN.elf OUT.elf, printing {"unpacked":N,"packed":N,"file":N}.
 *
 * IN is the linked core (core/platform/pvh/link.ld): its `packed` segment (program header 1,
 * every .text and .rodata but the entry's and the unpacker's) becomes one LZ4 HC block in its
 * `packtail` header (4), placed so that it ends where .data starts: the guest's core_unpack
 * (core/platform/pvh/unpack/unpack.c) decompresses it in place from the front, as lz4.h
 * allows when the block ends LZ4_DECOMPRESS_INPLACE_MARGIN bytes or more past the output's
 * end. The `packed` header becomes PT_NULL (nothing is loaded there) and the unpacker's
 * descriptor, found by its magic in .data, gets the block's address, both sizes and a check
 * value of the unpacked bytes.
 * Before writing, the in-place decompression is run here on the same layout and compared
 * byte for byte with the original, so a core that would not unpack is never written.
 * Section headers are dropped: loaders read program headers only.
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define LZ4_STATIC_LINKING_ONLY /* LZ4_DECOMPRESS_INPLACE_MARGIN */
#include "lz4.h"
#include "lz4hc.h"
#include "../core/platform/pvh/unpack/check.h"

#define PH_BOOT 0
#define PH_PACKED 1
#define PH_DATA 2
#define PH_PACKTAIL 4
#define DESC_MAGIC "NIMBUS-PACKED01" /* with its NUL: 16 bytes (unpack.c's nimbus_packed) */
#define PAGE 4096u

static void die(const char *what) {
  fprintf(stderr, "pack-core: %s\n", what);
  exit(1);
}

static uint8_t *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) die("cannot open the input core");
  if (fseek(f, 0, SEEK_END) != 0) die("cannot size the input core");
  long n = ftell(f);
  if (n <= 0) die("the input core is empty");
  rewind(f);
  uint8_t *buf = malloc((size_t)n);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) die("cannot read the input core");
  fclose(f);
  *size = (size_t)n;
  return buf;
}

static uint64_t align_up(uint64_t n, uint64_t a) { return (n + a - 1) / a * a; }

int main(int argc, char **argv) {
  if (argc != 3) die("usage: pack-core IN.elf OUT.elf");
  size_t in_size;
  uint8_t *in = read_file(argv[1], &in_size);
  if (in_size < sizeof(Elf64_Ehdr) || memcmp(in, ELFMAG, SELFMAG) != 0 || in[EI_CLASS] != ELFCLASS64 || in[EI_DATA] != ELFDATA2LSB)
    die("the input is not a little-endian ELF64 file");
  Elf64_Ehdr eh;
  memcpy(&eh, in, sizeof eh);
  if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum <= PH_PACKTAIL || eh.e_phoff + (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > in_size)
    die("the input's program headers are not link.ld's");
  Elf64_Phdr ph[16];
  if (eh.e_phnum > 16) die("the input has too many program headers");
  memcpy(ph, in + eh.e_phoff, eh.e_phnum * sizeof(Elf64_Phdr));

  Elf64_Phdr *boot = &ph[PH_BOOT], *packed = &ph[PH_PACKED], *data = &ph[PH_DATA], *tail = &ph[PH_PACKTAIL];
  if (packed->p_type == PT_NULL && tail->p_type == PT_LOAD && tail->p_filesz) die("this core is packed already");
  if (boot->p_type != PT_LOAD || packed->p_type != PT_LOAD || data->p_type != PT_LOAD || tail->p_type != PT_LOAD)
    die("program headers 0, 1, 2 and 4 must be link.ld's boot, packed, data and packtail loads");
  if (tail->p_filesz || tail->p_memsz) die("the packtail header (4) is in use already");
  if (packed->p_filesz != packed->p_memsz || packed->p_filesz == 0) die("the packed segment must be all file bytes");
  if (packed->p_offset + packed->p_filesz > in_size || data->p_offset + data->p_filesz > in_size || boot->p_offset + boot->p_filesz > in_size)
    die("a segment runs past the end of the input");
  if (!(boot->p_vaddr + boot->p_memsz <= packed->p_vaddr && packed->p_vaddr + packed->p_memsz <= data->p_vaddr))
    die("the segments are not in link.ld's order (boot, packed, data)");
  if (data->p_offset % PAGE || data->p_vaddr % PAGE) die("the data segment is not page-aligned");

  /* One LZ4 HC block of the whole packed segment. */
  const uint8_t *src = in + packed->p_offset;
  int usize = (int)packed->p_filesz;
  int bound = LZ4_compressBound(usize);
  char *block = malloc((size_t)bound);
  if (!block) die("out of memory");
  int csize = LZ4_compress_HC((const char *)src, block, usize, bound, LZ4HC_CLEVEL_MAX);
  if (csize <= 0) die("LZ4 compression failed");

  /* The block ends where .data starts, 16-byte aligned at its start; the gap after the unpacked
   * bytes must hold lz4.h's in-place margin. */
  uint64_t region = packed->p_vaddr, region_end = data->p_vaddr;
  uint64_t tail_addr = (region_end - (uint64_t)csize) & ~15ull;
  if (tail_addr < region) die("the compressed block is larger than the region it unpacks into");
  uint64_t margin = LZ4_DECOMPRESS_INPLACE_MARGIN((uint64_t)csize);
  if (tail_addr + (uint64_t)csize < region + (uint64_t)usize + margin)
    die("the slack before .data is smaller than LZ4's in-place margin (grow it in link.ld)");

  /* Decompress in place here, on the guest's layout, before writing anything. */
  size_t span = (size_t)(region_end - region);
  char *sim = calloc(1, span);
  if (!sim) die("out of memory");
  memcpy(sim + (tail_addr - region), block, (size_t)csize);
  int got = LZ4_decompress_safe(sim + (tail_addr - region), sim, csize, usize);
  if (got != usize || memcmp(sim, src, (size_t)usize) != 0) die("in-place decompression did not give back the input");
  free(sim);

  /* The output: headers and the boot segment as they were, then .data, then the block. */
  uint64_t boot_end = boot->p_offset + boot->p_filesz;
  uint64_t data_off = align_up(boot_end, PAGE);
  uint64_t tail_off = align_up(data_off + data->p_filesz, 16);
  uint64_t out_size = tail_off + (uint64_t)csize;
  uint8_t *out = calloc(1, out_size);
  if (!out) die("out of memory");
  memcpy(out, in, boot_end);
  memcpy(out + data_off, in + data->p_offset, data->p_filesz);
  memcpy(out + tail_off, block, (size_t)csize);

  /* The descriptor lives in .data: exactly one copy of its magic there. */
  uint8_t *desc = NULL;
  for (uint64_t i = 0; i + 48 <= data->p_filesz; i += 16) {
    if (memcmp(out + data_off + i, DESC_MAGIC, sizeof DESC_MAGIC) != 0) continue;
    if (desc) die("the unpacker's descriptor appears twice in .data");
    desc = out + data_off + i;
  }
  if (!desc) die("the unpacker's descriptor (nimbus_packed) is not in .data");
  uint64_t fields[4] = {tail_addr, (uint64_t)csize, (uint64_t)usize, packed_check_value(src, (size_t)usize)};
  memcpy(desc + 16, fields, sizeof fields);

  data->p_offset = data_off;
  tail->p_type = PT_LOAD;
  tail->p_flags = PF_R;
  tail->p_offset = tail_off;
  tail->p_vaddr = tail->p_paddr = tail_addr;
  tail->p_filesz = tail->p_memsz = (uint64_t)csize;
  tail->p_align = 16;
  memset(packed, 0, sizeof *packed); /* PT_NULL: core_unpack fills it */
  eh.e_shoff = 0;
  eh.e_shnum = 0;
  eh.e_shstrndx = SHN_UNDEF;
  memcpy(out, &eh, sizeof eh);
  memcpy(out + eh.e_phoff, ph, eh.e_phnum * sizeof(Elf64_Phdr));

  FILE *f = fopen(argv[2], "wb");
  if (!f || fwrite(out, 1, out_size, f) != out_size || fclose(f) != 0) die("cannot write the output core");
  printf("{\"unpacked\":%d,\"packed\":%d,\"file\":%llu}\n", usize, csize, (unsigned long long)out_size);
  return 0;
}

/*
 * The process platform (DESIGN decision 13, Solo5 spt's model): the image's payload runs in a
 * Linux process. `nimbus-process IMAGE MEM_MIB CMDLINE` maps the image (the same file QEMU
 * boots), finds the payload in the PT_LOAD segment `nimbus build` added, hands the engine a heap
 * of MEM_MIB, then confines itself with a seccomp allow-list (seccomp.c) before any of the
 * program's code runs. Console output goes to stdout in the console protocol
 * (docs/console-protocol.md), so the CLI reads a process exactly as it reads a VM's serial port.
 * With NET_FD, the descriptor (a tap the CLI opened through nimbus-netfd) is the net group's link;
 * it and fd 1 are the only descriptors the confined process can read or write.
 */
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "process.h"

#define PAYLOAD_MAGIC 0x4c50424e /* "NBPL", the payload header's first word (core/js/engine.c) */

struct hw_boot_info process_boot;

static void fail(const char *msg) {
  dprintf(2, "nimbus-process: %s\n", msg);
  exit(EXIT_JS_BOOT);
}

/* The payload: the PT_LOAD segment whose file bytes start with the payload magic. */
static void find_payload(const uint8_t *image, size_t size) {
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *)image;
  if (size < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64) fail("not a Nimbus image (no ELF64 header)");
  if (eh->e_phoff > size || (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > size - eh->e_phoff) fail("not a Nimbus image (bad program headers)");
  const Elf64_Phdr *ph = (const Elf64_Phdr *)(image + eh->e_phoff);
  for (int i = 0; i < eh->e_phnum; i++) {
    if (ph[i].p_type != PT_LOAD || ph[i].p_filesz < 16 || ph[i].p_offset > size || ph[i].p_filesz > size - ph[i].p_offset) continue;
    uint32_t magic;
    memcpy(&magic, image + ph[i].p_offset, sizeof magic);
    if (magic != PAYLOAD_MAGIC) continue;
    process_boot.payload = image + ph[i].p_offset;
    process_boot.payload_size = ph[i].p_filesz;
    return;
  }
  fail("this image holds no program (build one with `nimbus build app.ts`)");
}

/* The image is mapped, not copied: its pages are the page cache's, so every instance of one image
 * on a host shares them (a fleet pays for its payload once) and only the pages read are loaded. */
static const uint8_t *map_image(const char *path, size_t *size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0) fail("cannot open the image");
  if (st.st_size <= 0) fail("the image is empty");
  void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) fail("cannot map the image");
  close(fd);
  *size = (size_t)st.st_size;
  return p;
}

/* The link: an open descriptor the CLI passed (nimbus-netfd), and its MAC (default: random,
 * locally administered, unicast). */
static int start_net(const char *fd_text, const char *mac_text) {
  char *end;
  long fd = strtol(fd_text, &end, 10);
  if (*end || fd < 3 || fd > 1023) fail("NET_FD must be a descriptor number from 3 to 1023");
  uint8_t mac[6];
  unsigned m[6];
  if (mac_text) {
    char extra;
    if (sscanf(mac_text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5], &extra) != 6) fail("MAC must look like 02:00:00:12:34:56");
    for (int i = 0; i < 6; i++) mac[i] = (uint8_t)m[i];
    if (mac[0] & 1) fail("MAC must be a unicast address");
  } else {
    if (hw_entropy(mac, sizeof mac) != sizeof mac) fail("no entropy for a MAC address");
    mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);
  }
  if (!process_net_start((int)fd, mac, 0)) fail("NET_FD is not an open descriptor");
  return (int)fd;
}

/* Descriptors a parent leaked (pipes of a test runner, a shell's) go before confinement: the
 * instance keeps stdin, the console, stderr (used only before confinement) and its link. */
static void close_inherited(int keep) {
  if (keep < 0) keep = 2;
  if (keep > 3) syscall(SYS_close_range, 3u, (unsigned)keep - 1, 0u);
  syscall(SYS_close_range, (unsigned)keep + 1, ~0u, 0u);
}

int main(int argc, char **argv) {
  if (argc < 4 || argc > 6) {
    dprintf(2, "usage: nimbus-process IMAGE MEM_MIB CMDLINE [NET_FD [MAC]]\n");
    return 2;
  }
  /* `nimbus run` sets NIMBUS_EXIT_WITH_PARENT=1: the instance must not outlive the CLI (or the
   * user-mode relay) that started it, even when that is killed with SIGKILL and cannot stop it.
   * A fleet's supervisor does not set it: its instances are adopted after a restart
   * (docs/fleet.md). Set before the seccomp filter; a parent already gone ends us at once. */
  const char *exit_with_parent = getenv("NIMBUS_EXIT_WITH_PARENT");
  if (exit_with_parent && !strcmp(exit_with_parent, "1")) {
    pid_t parent = getppid();
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent || parent == 1) return 125;
  }
  process_clock_start();
  size_t image_size;
  const uint8_t *image = map_image(argv[1], &image_size);
  find_payload(image, image_size);
  long mib = strtol(argv[2], NULL, 10);
  if (mib < 2 || mib > 65536) fail("MEM_MIB must be 2 to 65536");
  size_t mem = (size_t)mib << 20;
  /* The whole heap is reserved up front (after the seccomp filter there is no mmap); pages are
   * committed by the kernel as the heap first touches them, so an idle instance costs little. */
  uint8_t *heap = mmap(NULL, mem, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (heap == MAP_FAILED) fail("cannot map the instance's memory");
  heap_init((uint64_t)heap, (uint64_t)heap + mem);
  process_boot.cmdline = strdup(argv[3]);
  process_boot.machine = "process";
  process_boot.mem_size = mem;
  /* The JS stack: this thread's, bounded by its rlimit (at most 8 MiB), less 256 KiB for C. */
  struct rlimit rl;
  uintptr_t top = (uintptr_t)__builtin_frame_address(0);
  size_t stack = getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (8u << 20) ? rl.rlim_cur : 8u << 20;
  process_boot.stack_high = top;
  process_boot.stack_low = top - stack + (256u << 10);
  int net_fd = argc > 4 ? start_net(argv[4], argc > 5 ? argv[5] : NULL) : -1;
  close_inherited(net_fd);
  process_install_fault_handlers();
  process_console_start();
  process_confine(net_fd);
  js_run();
}

/*
 * The process platform's confinement: after start-up, the instance may make only the calls
 * its hw.c and net.c need — clock_gettime, ppoll (the one wait), write (the console, fd 1, and
 * the network link), read (the link only), exit_group/exit, getrandom — plus rt_sigreturn for the fault handlers and futex(FUTEX_WAKE_PRIVATE), which the
 * C library's pthread_once makes after the engine's one-time set-up (a wake cannot block, and
 * there is no other thread to wake). Anything else kills the process (SECCOMP_RET_KILL_PROCESS).
 * Solo5's spt allows a comparable seven calls.
 */
#include <linux/audit.h>
#include <linux/futex.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "process.h"

#define ALLOW(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
/* nr is allowed only when its first argument (the low word: a descriptor) is a or b. */
#define ALLOW_ON_FD(nr, a, b) \
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 5), \
  BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])), \
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(a), 2, 0), \
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(b), 1, 0), \
  BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS), \
  BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

void process_confine(int net_fd) {
  /* Without a link, fd 1 stands in for it: nothing but the console can be read or written. */
  int link = net_fd >= 0 ? net_fd : 1;
  struct sock_filter filter[] = {
    /* Only x86-64 calls: a 32-bit call number means something else. */
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    ALLOW(__NR_clock_gettime),
    ALLOW(__NR_ppoll),
    ALLOW(__NR_exit_group),
    ALLOW(__NR_exit),
    ALLOW(__NR_getrandom),
    ALLOW(__NR_rt_sigreturn),
    /* write: the console (fd 1) and the link; read: the link only. Each test reloads nr. */
    ALLOW_ON_FD(__NR_write, 1, link),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    ALLOW_ON_FD(__NR_read, link, link),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    /* futex: only op == FUTEX_WAKE_PRIVATE (the low word of the second argument). */
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_futex, 0, 3),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, FUTEX_WAKE_PRIVATE, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
  };
  struct sock_fprog prog = {.len = sizeof filter / sizeof filter[0], .filter = filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
    hw_console_printf(2, "nimbus-process: cannot install the seccomp filter\n");
    _exit(EXIT_CORE_PANIC);
  }
}

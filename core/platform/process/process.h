/* Internal interfaces of the process platform (core/platform/process/). */
#ifndef NIMBUS_PROCESS_H
#define NIMBUS_PROCESS_H
#include "hw.h"
#include "mm.h"
#include "engine.h"

extern struct hw_boot_info process_boot;
void process_clock_start(void);
void process_console_start(void);
void process_install_fault_handlers(void);
/* Installs the seccomp allow-list (seccomp.c); the process is killed on any other call. net_fd:
 * the link's descriptor (-1: none), the only one besides fd 1 that read/write may use. */
void process_confine(int net_fd);
/* Makes fd (already open, a tap or packet socket) the net group's link; false if it is unusable. */
bool process_net_start(int fd, const uint8_t mac[6], uint32_t mtu);
#endif

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
/* Installs the seccomp allow-list (seccomp.c); the process is killed on any other call. */
void process_confine(void);
#endif

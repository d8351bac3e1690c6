/*
 * hw.h: the hw contract, the whole interface between the Nimbus core and the library OS.
 *
 * The core exposes these functions to JavaScript as methods of one object,
 * `globalThis.__nimbus_hw` (bindings in core/js/engine.c; TypeScript typing in os/hw/hw.ts,
 * and a fake for Node tests in os/hw/fake.ts). This header documents each one, in Solo5's
 * style: what the caller MUST pass, what the core MUST do, what it MAY do.
 *
 * Rules for every function:
 * - Arguments are checked. A wrong type throws TypeError; a value out of range throws
 *   RangeError with a message saying what was wrong. No argument can make the core touch
 *   memory it did not hand out (DMA buffers) or map (MMIO windows).
 * - Times are milliseconds as doubles (sub-millisecond precision) on the monotonic clock,
 *   which starts when the TSC is calibrated at boot and never goes backwards.
 * - Nothing blocks except yield().
 *
 * Members come in groups, as the C functions below (and os/hw/hw.ts): the required groups
 * clock, console, yield, exit, entropy, boot and engine are always there; an optional group
 * (pci, mmio, ports, irq, dma) is installed only when the platform offers it (hw_has), so a
 * missing group's members are absent. `groups` lists every group present, required first.
 * The conformance suite os/hw/conformance.ts holds every implementation (and the fake) to this.
 *
 *  groups: string[]
 *      "clock", "console", "yield", "exit", "entropy", "boot", "engine", then the optional ones.
 *
 *  [clock]
 *  now() -> number
 *      Monotonic time in ms (calibrated TSC).
 *  nowNs() -> bigint
 *      The same clock in ns, for process.hrtime.bigint().
 *  wallClock() -> number
 *      ms since the Unix epoch: the CMOS RTC read at boot plus the monotonic clock (UTC).
 *  [yield]
 *  yield(deadline: number) -> number
 *      Halts the CPU (hlt) until an IRQ line becomes ready or now() >= deadline. Returns the
 *      ready lines as a bitmask (bit n = line n) and clears them; 0 means the deadline
 *      passed. Returns at once if a line is already pending. Infinity = no deadline.
 *      Interrupt handlers only record readiness; all device work happens in JS.
 *  [console]
 *  write(fd: 1 | 2, data: string | Uint8Array)
 *      Writes to the console (stdout or stderr, multiplexed on COM1 per
 *      docs/console-protocol.md). Strings are written as UTF-8.
 *  [boot]
 *  cmdline: string, memSize: number, machine: "microvm" | "q35" | "pc" | "unknown" | "process"
 *      Boot information: the kernel command line, bytes of RAM, the machine detected.
 *  sourceMap() -> string | undefined
 *      The program's source map written into the image by `nimbus build`.
 *  [pci, optional]
 *  pciRead(bdf, offset, width) -> number;  pciWrite(bdf, offset, width, value)
 *      PCI configuration space through mechanism #1. bdf = bus << 8 | dev << 3 | fn,
 *      offset 0..255 aligned to width (1, 2 or 4). Absent devices read as all ones.
 *  [mmio, optional]
 *  mmioMap(phys, size)
 *      Makes [phys, phys + size) reachable as uncached, non-executable MMIO. MUST NOT
 *      overlap guest RAM (RangeError). At most 32 windows of up to 256 MiB.
 *  mmioRead(addr, width) -> number;  mmioWrite(addr, width, value)
 *      One naturally aligned access of 1, 2 or 4 bytes inside a mapped window.
 *  [ports, optional]
 *  portRead(port, width) -> number;  portWrite(port, width, value)
 *      x86 port I/O, except ports the core owns (PIC, PIT, speaker, CMOS, COM1, PCI
 *      config, debug exit): those throw RangeError.
 *  [engine] memoryUsage, setRejectionTracker, runMicrotasks
 *  memoryUsage() -> { heapTotal, heapUsed, jsUsed, jsLimit }
 *      Bytes of the core's heap (managed, in use) and the engine's own allocation count
 *      against its limit; process.memoryUsage() is built on it.
 *  [dma, optional]
 *  dmaAlloc(size) -> { buffer: ArrayBuffer, phys: number }
 *      Zeroed, page-aligned, physically contiguous memory (identity-mapped, so phys is
 *      also its address). Never freed: drivers allocate once. Up to 64 MiB per call.
 *  dmaFence()
 *      A full memory barrier (mfence), between a store to DMA memory and a later load that
 *      a device on another CPU may race with (virtqueue event indices).
 *  [irq, optional]
 *  irqLines: number
 *      24: lines 0..23 (bit n of yield()'s result = line n).
 *  irqAttachGsi(gsi) -> line
 *      Routes an IO-APIC input (level-triggered, active high) to a new line; the same GSI
 *      gives the same line. The pin is masked when it fires until irqAck(line).
 *  irqAttachMsi() -> { line, address, data }
 *      A new edge-triggered line raised by an MSI/MSI-X write of `data` to `address`.
 *  irqAck(line)
 *      The driver has serviced the device behind `line`: unmask it (level lines).
 *  [entropy]
 *  entropy(dest: Uint8Array) -> number
 *      Fills dest from RDSEED (else RDRAND). Returns the bytes written; 0 if the CPU has
 *      neither. The runtime's ChaCha20 CSPRNG is seeded from it and from virtio-rng.
 *  [exit]
 *  exit(code: 0..255)
 *      Another code throws RangeError. Ends the VM: prints the exit record, then stops through isa-debug-exit (QEMU) or an
 *      i8042 reset (Firecracker). Never returns.
 *  setRejectionTracker(fn(promise, reason, handled))
 *      Called by the engine when a promise is rejected without a handler (handled=false)
 *      and when a handler is attached later (handled=true).
 *  runMicrotasks()
 *      Runs the engine's pending jobs (promise reactions) until none is left. Rethrows an
 *      exception from a non-promise job.
 *  testFault(kind: "ud" | "gp" | "pf" | "de")            [only with nimbus.testhooks=1]
 *      Raises a CPU fault, to test the fault path.
 *  collectGarbage()                                    [only with nimbus.testhooks=1]
 *      Runs a full collection (cycles included), so a test measures live memory.
 *  testForbiddenCall()                                 [only with nimbus.testhooks=1]
 *      Makes a system call the platform's confinement forbids (process platform: the process
 *      is killed by SIGSYS, and `nimbus run` exits 124); throws RangeError where there is none.
 *  net: { mac: Uint8Array, mtu, line, offloads, headerLength, receive(buf) -> number,
 *         transmit(frame) -> boolean, droppedRx() -> number }   [only where hw_has(HW_GROUP_NET)]
 *      The optional net group: receive copies the next waiting frame into buf and returns its
 *      length (0: none waits); transmit sends one frame, false = no room now (back-pressure:
 *      yield reports `line` once there is). Both return at once. When headerLength is not 0
 *      (10: a tap with a virtio-net header), every frame in both directions is preceded by a
 *      struct virtio_net_hdr (virtio 1.x §5.1.6, little-endian) of that many bytes, counted
 *      in the lengths; offloads (HW_NET_*) says what the frames after it may use. See
 *      hw_net_transmit below for the checks a header MUST pass (else RangeError).
 *
 * Start-up contract: the core installs __nimbus_hw, evaluates the image's bytecode (an ES
 * module: the runtime prelude, then the program), and calls
 * globalThis.__nimbus_main(evaluationPromise), which runs the event loop and ends with
 * exit(). If it is missing, returns or throws, the core exits with 70 (docs/exit-codes.md).
 *
 * Limits the core enforces: the JS heap limit is the heap minus a reserve for DMA
 * (1 MiB + 1/16 of the heap), less 64 KiB + 1/32 kept for the out-of-memory path (exit 122);
 * the JS stack limit sits 64 KiB above the stack's guard page.
 */
#ifndef NIMBUS_HW_H
#define NIMBUS_HW_H
/*
 * The C side of the same contract: what a platform (core/platform/<name>/) MUST provide to the
 * engine (core/js/), which knows nothing else about the machine. The JavaScript functions above
 * are bindings of these. In Solo5's style: one result type, no errno, MUST/MAY wording.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes beyond the program's own (docs/exit-codes.md). */
#define EXIT_JS_BOOT        70   /* the image's JavaScript failed to start */
#define EXIT_CORE_PANIC     120  /* assertion or internal error in the core */
#define EXIT_CPU_FAULT      121  /* unexpected CPU exception */
#define EXIT_OUT_OF_MEMORY  122  /* JS heap limit reached or allocator exhausted */
#define EXIT_CPU_BUDGET     123  /* JS ran longer than --cpu-budget without yielding */

typedef enum {
  HW_OK = 0,      /* done */
  HW_AGAIN = 1,   /* not now: a resource is exhausted (no free IRQ line, no memory) */
  HW_EINVAL = 2,  /* the arguments name something the platform does not have or allow */
  HW_EUNSPEC = 3, /* the group is not offered by this platform */
} hw_result;

/* ---- Required groups: every platform has them. ---- */

/* Boot information. MUST stay valid and unchanged for the life of the program (but for payload
 * bytes the engine released, hw_boot_release_payload). */
struct hw_boot_info {
  const char *cmdline;        /* the kernel command line (the CLI's nimbus.* tokens) */
  const char *machine;        /* "microvm" | "q35" | "pc" | "unknown" | a platform's name */
  uint64_t mem_size;          /* bytes of RAM given to the instance */
  const uint8_t *payload;     /* the image's payload (header, bytecode, source map) */
  uint64_t payload_size;
  uintptr_t stack_low;        /* lowest usable address of the stack JS runs on (above its guard) */
  uintptr_t stack_high;       /* its top */
};
const struct hw_boot_info *hw_boot(void);
/* The engine is done with the payload's bytes [offset, offset + len) (the bytecode, once read:
 * the engine copies what it keeps). The platform MAY give the whole pages inside that range to
 * the heap and returns the bytes it added to heap_total() (0 if it keeps them). The payload's
 * other bytes (its header, the source map) MUST stay valid; the released ones MUST NOT be read. */
size_t hw_boot_release_payload(size_t offset, size_t len);

/* Clocks. Monotonic time MUST never go backwards and starts near 0 at boot; wall time is ns
 * since the Unix epoch (UTC). hw_clock_since_entry_ns MAY count from before the monotonic
 * clock starts (the platform's first instruction) and is for boot timing only. */
uint64_t hw_clock_monotonic_ns(void);
uint64_t hw_clock_wall_ns(void);

/* Waits until an IRQ line is ready or the monotonic clock reaches deadline_ns (UINT64_MAX: no
 * deadline). Returns the ready lines as a bitmask and clears them; 0 if the deadline passed.
 * MUST return at once if a line is already pending. The only call that blocks. */
uint32_t hw_yield(uint64_t deadline_ns);

/* Console: fd 1 (stdout) or 2 (stderr), bytes as given. MUST NOT block indefinitely. */
void hw_console_write(int fd, const char *buf, size_t len);
void hw_console_printf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Boot timing: the engine marks these moments; the platform MAY report them (the T record,
 * docs/console-protocol.md), together with the first console write, when the program exits. */
/* JS_RUN: the engine begins (before its runtime and context exist); ENGINE_START: the context
 * is ready and the bytecode load begins. */
enum hw_mark { HW_MARK_JS_RUN, HW_MARK_ENGINE_START, HW_MARK_BYTECODE_LOADED, HW_MARK_MODULE_EVALUATED, HW_MARK_COUNT };
void hw_timing_mark(enum hw_mark mark);

/* Ends the instance with code (0-255). MUST NOT return. */
__attribute__((noreturn)) void hw_exit(int code);
/* An internal error: MUST print the message (with file and line) and end with EXIT_CORE_PANIC. */
__attribute__((noreturn, format(printf, 3, 4))) void hw_panic(const char *file, int line, const char *fmt, ...);
#define panic(...) hw_panic(__FILE__, __LINE__, __VA_ARGS__)

/* Fills dst with hardware entropy; returns the bytes written (0: none available). */
size_t hw_entropy(uint8_t *dst, size_t len);

/* ---- Optional groups: a platform offers some of them (hw_has). ---- */
enum hw_group { HW_GROUP_PCI = 1, HW_GROUP_MMIO = 2, HW_GROUP_PORTS = 4, HW_GROUP_IRQ = 8, HW_GROUP_DMA = 16, HW_GROUP_NET = 32 };
bool hw_has(enum hw_group group);

/* PCI configuration space. width 1, 2 or 4, offset < 256 and aligned to width (else EINVAL).
 * Absent devices read as all ones. */
hw_result hw_pci_read(uint32_t bdf, uint32_t offset, int width, uint32_t *value);
hw_result hw_pci_write(uint32_t bdf, uint32_t offset, int width, uint32_t value);

/* Device memory. map: EINVAL if the range is RAM (or cannot be a device), AGAIN if no window is
 * left. read/write: one naturally aligned access inside a mapped window, else EINVAL. */
hw_result hw_mmio_map(uint64_t phys, uint64_t size);
hw_result hw_mmio_read(uint64_t addr, int width, uint32_t *value);
hw_result hw_mmio_write(uint64_t addr, int width, uint32_t value);

/* x86 port I/O. EINVAL for ports the platform keeps for itself. */
hw_result hw_port_read(uint16_t port, int width, uint32_t *value);
hw_result hw_port_write(uint16_t port, int width, uint32_t value);

/* Interrupt lines (bit n of hw_yield's result = line n). attach_gsi: the same GSI gives the
 * same line; AGAIN if no line is free, EINVAL if the GSI has no input pin. A level line stays
 * masked after it fires until hw_irq_ack. */
hw_result hw_irq_attach_gsi(unsigned gsi, int *line);
hw_result hw_irq_attach_msi(int *line, uint64_t *address, uint32_t *data);
void hw_irq_ack(int line);
#define HW_IRQ_LINES 24

/* Zeroed, page-aligned, physically contiguous memory a device may read and write; *phys is
 * the address the device uses. Never freed. AGAIN if it does not fit. */
hw_result hw_dma_alloc(size_t size, uint8_t **mem, uint64_t *phys);
/* A full memory barrier: this CPU's earlier stores to DMA memory MUST be visible to a device
 * running on another CPU before its later loads (x86: mfence). For virtqueue event-index
 * checks (virtio 1.x §2.7.10). */
void hw_dma_fence(void);

/* Network frames (the net group): one Ethernet link whose frames pass whole, without FCS, through
 * the platform (the process platform's tap descriptor). info: the link's address, its MTU and the
 * line hw_yield reports when a frame waits or room to transmit came back. receive: copies the next
 * waiting frame into buf, *len = its size; AGAIN when none waits; a frame longer than cap is
 * dropped (counted in dropped_rx) and the next one is tried. transmit: sends one frame of
 * 14..mtu+18 bytes (EINVAL otherwise); AGAIN when the link cannot take it now (back-pressure):
 * the line fires once it can. MUST NOT block.
 *
 * Offloads (every one optional; a platform MAY offer none). header_len 0: frames are bare. Not 0
 * (HW_NET_VNET_HDR_LEN): each frame, in buf and in frame, starts with a struct virtio_net_hdr
 * (flags, gso_type, hdr_len, gso_size, csum_start, csum_offset; little-endian), and lengths
 * include it. offloads is a mask of:
 * - HW_NET_CSUM: receive MAY return frames flagged NEEDS_CSUM (the TCP/UDP checksum field holds
 *   only the pseudo-header sum: the data was not corrupted in transit, it never left the host)
 *   or DATA_VALID (the host verified the checksum); transmit accepts NEEDS_CSUM: the platform
 *   (host) fills in the ones' complement sum from csum_start to the end at csum_start+csum_offset.
 * - HW_NET_TSO4: receive MAY return IPv4 TCP frames of up to header_len + 14 + 65535 bytes (gso_type
 *   TCPV4, the host's GRO/TSO); transmit accepts gso_type TCPV4 with NEEDS_CSUM: one IPv4 TCP
 *   super-segment (IP total length = all of it) that the host cuts into segments of gso_size
 *   payload bytes, copying the headers, PSH and FIN on the last only.
 * transmit returns EINVAL for a header that asks for what offloads does not offer, a flag other
 * than NEEDS_CSUM, a gso_type other than NONE or TCPV4, TCPV4 without NEEDS_CSUM or with a
 * gso_size of 0, a checksum field (csum_start + csum_offset + 2) past the frame's end, or a frame
 * longer than mtu + 18 without GSO (header_len + 14 + 65535 with it). */
struct hw_net_info { uint8_t mac[6]; uint32_t mtu; int line; uint64_t dropped_rx; uint32_t offloads; uint32_t header_len; };
enum { HW_NET_CSUM = 1, HW_NET_TSO4 = 2 };
#define HW_NET_VNET_HDR_LEN 10
#define HW_NET_HDR_F_NEEDS_CSUM 1
#define HW_NET_HDR_F_DATA_VALID 2
#define HW_NET_HDR_GSO_NONE 0
#define HW_NET_HDR_GSO_TCPV4 1
hw_result hw_net_info(struct hw_net_info *info);
hw_result hw_net_receive(uint8_t *buf, size_t cap, size_t *len);
hw_result hw_net_transmit(const uint8_t *frame, size_t len);

/* Test hook (nimbus.testhooks=1): raises the named CPU fault ("ud", "gp", "pf", "de"). EINVAL
 * for an unknown kind; otherwise does not return. */
hw_result hw_test_fault(const char *kind);

/* Test hook (nimbus.testhooks=1): makes a system call the platform's confinement forbids (the
 * process platform: openat of /etc/passwd), to prove the confinement. EUNSPEC on a platform
 * without one; otherwise does not return (the process is killed). */
hw_result hw_test_forbidden_call(void);

#endif

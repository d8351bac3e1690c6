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
 *  now() -> number
 *      Monotonic time in ms (calibrated TSC).
 *  nowNs() -> bigint
 *      The same clock in ns, for process.hrtime.bigint().
 *  wallClock() -> number
 *      ms since the Unix epoch: the CMOS RTC read at boot plus the monotonic clock (UTC).
 *  yield(deadline: number) -> number
 *      Halts the CPU (hlt) until an IRQ line becomes ready or now() >= deadline. Returns the
 *      ready lines as a bitmask (bit n = line n) and clears them; 0 means the deadline
 *      passed. Returns at once if a line is already pending. Infinity = no deadline.
 *      Interrupt handlers only record readiness; all device work happens in JS.
 *  write(fd: 1 | 2, data: string | Uint8Array)
 *      Writes to the console (stdout or stderr, multiplexed on COM1 per
 *      docs/console-protocol.md). Strings are written as UTF-8.
 *  cmdline: string, memSize: number, machine: "microvm" | "q35" | "pc" | "unknown"
 *      Boot information: the kernel command line, bytes of RAM, the machine detected.
 *  pciRead(bdf, offset, width) -> number;  pciWrite(bdf, offset, width, value)
 *      PCI configuration space through mechanism #1. bdf = bus << 8 | dev << 3 | fn,
 *      offset 0..255 aligned to width (1, 2 or 4). Absent devices read as all ones.
 *  mmioMap(phys, size)
 *      Makes [phys, phys + size) reachable as uncached, non-executable MMIO. MUST NOT
 *      overlap guest RAM (RangeError). At most 32 windows of up to 256 MiB.
 *  mmioRead(addr, width) -> number;  mmioWrite(addr, width, value)
 *      One naturally aligned access of 1, 2 or 4 bytes inside a mapped window.
 *  portRead(port, width) -> number;  portWrite(port, width, value)
 *      x86 port I/O, except ports the core owns (PIC, PIT, speaker, CMOS, COM1, PCI
 *      config, debug exit): those throw RangeError.
 *  memoryUsage() -> { heapTotal, heapUsed, jsUsed, jsLimit }
 *      Bytes of the core's heap (managed, in use) and the engine's own allocation count
 *      against its limit; process.memoryUsage() is built on it.
 *  dmaAlloc(size) -> { buffer: ArrayBuffer, phys: number }
 *      Zeroed, page-aligned, physically contiguous memory (identity-mapped, so phys is
 *      also its address). Never freed: drivers allocate once. Up to 64 MiB per call.
 *  irqAttachGsi(gsi) -> line
 *      Routes an IO-APIC input (level-triggered, active high) to a new line; the same GSI
 *      gives the same line. The pin is masked when it fires until irqAck(line).
 *  irqAttachMsi() -> { line, address, data }
 *      A new edge-triggered line raised by an MSI/MSI-X write of `data` to `address`.
 *  irqAck(line)
 *      The driver has serviced the device behind `line`: unmask it (level lines).
 *  entropy(dest: Uint8Array) -> number
 *      Fills dest from RDSEED (else RDRAND). Returns the bytes written; 0 if the CPU has
 *      neither. The runtime's ChaCha20 CSPRNG is seeded from it and from virtio-rng.
 *  exit(code: 0..255)
 *      Ends the VM: prints the exit record, then stops through isa-debug-exit (QEMU) or an
 *      i8042 reset (Firecracker). Never returns.
 *  setRejectionTracker(fn(promise, reason, handled))
 *      Called by the engine when a promise is rejected without a handler (handled=false)
 *      and when a handler is attached later (handled=true).
 *  sourceMap() -> string | undefined
 *      The program's source map written into the image by `nimbus build`.
 *  runMicrotasks()
 *      Runs the engine's pending jobs (promise reactions) until none is left. Rethrows an
 *      exception from a non-promise job.
 *  testFault(kind: "ud" | "gp" | "pf" | "de")            [only with nimbus.testhooks=1]
 *      Raises a CPU fault, to test the fault path.
 *
 * Start-up contract: the core installs __nimbus_hw, evaluates the image's bytecode (an ES
 * module: the runtime prelude, then the program), and calls
 * globalThis.__nimbus_main(evaluationPromise), which runs the event loop and ends with
 * exit(). If it is missing, returns or throws, the core exits with 70 (docs/exit-codes.md).
 *
 * Limits the core enforces: the JS heap limit is the heap minus a reserve for DMA
 * (1 MiB + 1/16 of the heap); the JS stack limit sits 64 KiB above the stack's guard page.
 */
#ifndef NIMBUS_HW_H
#define NIMBUS_HW_H

#include <stdint.h>

/* C side of the same contract, used by core/js/engine.c. */
uint32_t hw_yield(uint64_t deadline_ns);   /* see yield() above; deadline in ns */

#endif

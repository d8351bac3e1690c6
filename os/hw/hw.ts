/**
 * The hw contract, TypeScript side: the only door from the library OS to the machine.
 *
 * The C core (core/include/hw.h documents the same functions) installs one object,
 * `globalThis.__nimbus_hw`, before the image's JavaScript runs. Everything here is raw:
 * the friendly APIs (timers, console, drivers) are written in TypeScript on top of it.
 * In Node, tests use `createFakeHw()` from ./fake.ts instead.
 *
 * Rules every implementation follows:
 * - Every argument is checked; a bad one throws RangeError/TypeError, never corrupts memory.
 * - JS can reach only memory the core handed it (DMA buffers, mapped MMIO windows).
 * - Times are milliseconds as floating-point numbers (sub-millisecond precision).
 * - Nothing blocks except `yield`, which halts the CPU until an interrupt or the deadline.
 */

/** A physically contiguous, zeroed, page-aligned buffer a device may read and write. */
export interface DmaRegion {
  readonly buffer: ArrayBuffer;
  /** Guest-physical address of byte 0 of `buffer`. */
  readonly phys: number;
}

/** An MSI/MSI-X message the device writes to raise `line`. */
export interface MsiMessage {
  readonly line: number;
  readonly address: number;
  readonly data: number;
}

export type AccessWidth = 1 | 2 | 4;

/**
 * The optional net group (hw.h: hw_net_*): one Ethernet link whose frames the platform moves
 * whole (the process target's tap). Nothing blocks: `receive` copies the next waiting frame
 * into `buf` and returns its length (0 = none waits); `transmit` sends one frame (14 to
 * mtu + 18 bytes, else RangeError) and returns false when the link has no room now; then
 * `yield` reports bit `line` once it has.
 */
export interface HwNet {
  readonly mac: Uint8Array;
  readonly mtu: number;
  readonly line: number;
  receive(buf: Uint8Array): number;
  transmit(frame: Uint8Array): boolean;
  /** Frames the platform dropped (longer than the MTU allows). */
  droppedRx(): number;
}

export interface Hw {
  /** Monotonic clock, ms since boot (calibrated TSC). Never goes backwards. */
  now(): number;
  /** Monotonic clock in ns as a bigint (for process.hrtime.bigint()). */
  nowNs(): bigint;
  /** Wall clock, ms since the Unix epoch (CMOS RTC at boot + monotonic). */
  wallClock(): number;

  /**
   * Halt until an interrupt arrives or `now() >= deadline` (Infinity: no deadline).
   * Returns the set of IRQ lines that became ready, as a bitmask (bit n = line n);
   * 0 when it woke for the deadline. Returns at once if a line is already pending.
   */
  yield(deadline: number): number;

  /** Write to the console. fd 1 = stdout, 2 = stderr (both multiplexed on the serial port). */
  write(fd: 1 | 2, data: string | Uint8Array): void;

  /** Boot information. */
  readonly cmdline: string;
  /** Guest RAM in bytes (from the PVH memory map). */
  readonly memSize: number;
  /** "microvm" | "q35" | "unknown", as detected by the core. */
  readonly machine: string;

  /** PCI configuration space (mechanism #1). bdf = bus << 8 | device << 3 | function. */
  pciRead(bdf: number, offset: number, width: AccessWidth): number;
  pciWrite(bdf: number, offset: number, width: AccessWidth, value: number): void;

  /**
   * Make [phys, phys+size) reachable as uncached MMIO. Only ranges outside guest RAM are
   * accepted. Must be called before mmioRead/mmioWrite touch the range.
   */
  mmioMap(phys: number, size: number): void;
  mmioRead(addr: number, width: AccessWidth): number;
  mmioWrite(addr: number, width: AccessWidth, value: number): void;

  /** x86 port I/O, refused (RangeError) for ports the core owns (serial, PIC, PIT, PCI, exit). */
  portRead(port: number, width: AccessWidth): number;
  portWrite(port: number, width: AccessWidth, value: number): void;

  /**
   * The core's heap: bytes managed and in use (JS objects, DMA buffers), and the JS engine's
   * own count against its limit. Optional so that older fakes need not provide it.
   */
  memoryUsage?(): { heapTotal: number; heapUsed: number; jsUsed: number; jsLimit: number };

  /** Allocate DMA memory (never freed; drivers allocate once at start). */
  dmaAlloc(size: number): DmaRegion;

  /** Route an IOAPIC GSI (or legacy IRQ) to a new line, level-triggered. Returns the line. */
  irqAttachGsi(gsi: number): number;
  /** Allocate a line raised by MSI/MSI-X; program the device with address/data. */
  irqAttachMsi(): MsiMessage;
  /** The driver has serviced `line`: unmask it so it can fire again. */
  irqAck(line: number): void;

  /** Fill `dest` with hardware entropy (RDSEED, else RDRAND). Returns bytes written (0 = none). */
  entropy(dest: Uint8Array): number;

  /** End the VM with `code` (0-255). Never returns. */
  exit(code: number): never;

  /**
   * Called by the engine when a promise is rejected with no handler (handled=false) or
   * when a handler is attached later (handled=true).
   */
  setRejectionTracker(fn: (promise: Promise<unknown>, reason: unknown, handled: boolean) => void): void;

  /** The program's source map (JSON text) written into the image by `nimbus build`, if any. */
  sourceMap(): string | undefined;

  /**
   * Run every pending engine job (promise reactions) until the queue is empty. The event
   * loop calls it after each macrotask, since QuickJS leaves job execution to the host.
   */
  runMicrotasks(): void;

  /** Test-only: raise a CPU fault. Present only when booted with `nimbus.testhooks=1`. */
  testFault?(kind: 'ud' | 'gp' | 'pf' | 'de'): never;
  /** Test hook (nimbus.testhooks=1): a system call the platform's confinement forbids. */
  testForbiddenCall?(): never;
  /** The optional net group: present on the process target when it was given a link. */
  readonly net?: HwNet;
  /** Test hook (nimbus.testhooks=1): a full garbage collection, so tests measure live memory. */
  collectGarbage?(): void;
}

/**
 * Start-up contract between the core and the image's JavaScript:
 * 1. the core installs `__nimbus_hw`, then evaluates the image's bytecode (an ES module that
 *    imports the runtime prelude first and the user's entry second);
 * 2. it then calls `__nimbus_main(evaluation)`, where `evaluation` is the module's evaluation
 *    promise (it rejects if top-level code threw). `__nimbus_main` runs the event loop and
 *    ends the VM with `hw.exit(code)`; it never returns. If it is missing or throws, the core
 *    prints the error and exits with code 70.
 */
declare global {
  // eslint-disable-next-line no-var
  var __nimbus_hw: Hw | undefined;
  // eslint-disable-next-line no-var
  var __nimbus_main: ((evaluation: Promise<unknown>) => never) | undefined;
}

/** The machine, or undefined when not running inside a Nimbus image. */
export function nativeHw(): Hw | undefined {
  return globalThis.__nimbus_hw;
}

/**
 * The hw contract, TypeScript side: the only door from the library OS to the machine.
 *
 * The C core installs one object, `globalThis.__nimbus_hw`, before the image's JavaScript runs
 * (bindings in core/js/engine.c of the C contract core/include/hw.h). Its members come in
 * groups, as hw.h's: required ones every platform offers (clock, console, yield, exit,
 * entropy, boot, engine) and optional ones (pci, mmio, ports, irq, dma, net) that a platform
 * offers or not: `hw.groups` lists what it offers, and the members of the others are absent.
 * Everything here is raw: the friendly APIs (timers, console, drivers) are written in
 * TypeScript on top of it. In Node, tests use `createFakeHw()` from ./fake.ts instead; the
 * conformance suite (./conformance.ts) holds the fake and the core to the same behaviour.
 *
 * Rules every implementation follows:
 * - Every argument is checked; a bad one throws RangeError/TypeError, never corrupts memory.
 * - JS can reach only memory the core handed it (DMA buffers, mapped MMIO windows).
 * - Times are milliseconds as floating-point numbers (sub-millisecond precision).
 * - Nothing blocks except `yield`, which halts the CPU until an interrupt or the deadline.
 */
import type { HwCrypto } from './hw-crypto.ts';
export type { HwCrypto } from './hw-crypto.ts';

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

/** `HwNet.offloads` bits (hw.h HW_NET_*). */
export const HW_NET_OFFLOAD = {
  /** Transmit MAY ask the host to fill in a TCP/UDP checksum (NEEDS_CSUM); receive MAY return frames flagged NEEDS_CSUM or DATA_VALID. */
  csum: 1,
  /** Transmit MAY hand over an IPv4 TCP super-segment (gso_type TCPV4, up to 64 KiB); receive MAY return one (the host's GRO). */
  tso4: 2,
} as const;

/** struct virtio_net_hdr (virtio 1.x §5.1.6): the header in front of each frame when `HwNet.headerLength` is 10. */
export const VNET_HDR = {
  FLAGS: 0, GSO_TYPE: 1, HDR_LEN: 2, GSO_SIZE: 4, CSUM_START: 6, CSUM_OFFSET: 8, // little-endian u16 fields
  F_NEEDS_CSUM: 1, F_DATA_VALID: 2,
  GSO_NONE: 0, GSO_TCPV4: 1,
} as const;

/**
 * The optional net group (hw.h: hw_net_*): one Ethernet link whose frames the platform moves
 * whole (the process target's tap). Nothing blocks: `receive` copies the next waiting frame
 * into `buf` and returns its length (0 = none waits); `transmit` sends one frame (14 to
 * mtu + 18 bytes, else RangeError) and returns false when the link has no room now; then
 * `yield` reports bit `line` once it has.
 *
 * Offloads are optional. When `headerLength` is not 0, each frame in both directions MUST
 * start with a virtio_net_hdr of that many bytes (VNET_HDR; lengths include it), and the
 * header MAY use what `offloads` (HW_NET_OFFLOAD) offers, nothing else: transmit throws
 * RangeError for a flag other than NEEDS_CSUM, a gso_type other than NONE/TCPV4, TCPV4 without
 * NEEDS_CSUM or with gso_size 0, a checksum field past the frame's end, or a frame longer than
 * mtu + 18 (without GSO) or 14 + 65535 bytes (with it) after the header. Received frames MAY
 * be that long under tso4: give `receive` a buffer of headerLength + 14 + 65535 bytes or more.
 */
export interface HwNet {
  readonly mac: Uint8Array;
  readonly mtu: number;
  readonly line: number;
  /** HW_NET_OFFLOAD bits; 0 when the link has none (a packet socket, a tap without a vnet header). */
  readonly offloads: number;
  /** Bytes of virtio_net_hdr in front of every frame (0 or 10). */
  readonly headerLength: number;
  receive(buf: Uint8Array): number;
  transmit(frame: Uint8Array): boolean;
  /** Frames the platform dropped (longer than the MTU allows). */
  droppedRx(): number;
}

// ---- Required groups: every platform offers them. ----

/** clock: monotonic and wall time. */
export interface ClockHw {
  /** Monotonic clock, ms since boot. Never goes backwards. */
  now(): number;
  /** Monotonic clock in ns as a bigint (for process.hrtime.bigint()). */
  nowNs(): bigint;
  /** Wall clock, ms since the Unix epoch (UTC). */
  wallClock(): number;
}

/** console: the program's stdout and stderr. */
export interface ConsoleHw {
  /** fd 1 = stdout, 2 = stderr; another fd throws RangeError, other data TypeError. */
  write(fd: 1 | 2, data: string | Uint8Array): void;
}

/** yield: the only call that blocks. */
export interface YieldHw {
  /**
   * Halt until an IRQ line is ready or `now() >= deadline` (Infinity: no deadline; NaN throws
   * RangeError). Returns the ready lines as a bitmask (bit n = line n), 0 when it woke for the
   * deadline. Returns at once if a line is already pending.
   */
  yield(deadline: number): number;
}

/** exit: ends the instance. */
export interface ExitHw {
  /** End with `code` (an integer 0-255; anything else throws RangeError). Never returns. */
  exit(code: number): never;
}

/** entropy: hardware randomness. */
export interface EntropyHw {
  /** Fill `dest` (a Uint8Array, else TypeError); returns the bytes written (0 = none available). */
  entropy(dest: Uint8Array): number;
}

/** boot: what the platform knows at start, unchanged for the life of the program. */
export interface BootHw {
  readonly cmdline: string;
  /** RAM given to the instance, in bytes. */
  readonly memSize: number;
  /** "microvm" | "q35" | "pc" | "unknown" (PVH), or the platform's name ("process"). */
  readonly machine: string;
  /** The program's source map (JSON text) written into the image by `nimbus build`, if any. */
  sourceMap(): string | undefined;
}

/** engine: hooks of the JS engine the runtime drives. */
export interface EngineHw {
  /**
   * Called by the engine when a promise is rejected with no handler (handled=false) or when a
   * handler is attached later (handled=true). A non-function throws TypeError.
   */
  setRejectionTracker(fn: (promise: Promise<unknown>, reason: unknown, handled: boolean) => void): void;
  /**
   * Run every pending engine job (promise reactions) until the queue is empty. The event
   * loop calls it after each macrotask, since QuickJS leaves job execution to the host.
   */
  runMicrotasks(): void;
  /**
   * The core's heap: bytes managed and in use, and the engine's own count against its limit.
   * jsPressure: the memory-pressure line (the core collects garbage before jsUsed passes it,
   * so above it the heap is live, not garbage); gcPaced: collections the core asked for.
   */
  memoryUsage(): { heapTotal: number; heapUsed: number; jsUsed: number; jsLimit: number; jsPressure?: number; gcPaced?: number };
  /**
   * The Internet checksum's partial sum (RFC 1071) of `bytes` as big-endian 16-bit words (a
   * zero byte pads an odd length), plus `partial` (uint32, default 0), folded to 16 bits and
   * not complemented: 0 only when everything summed is zero. A non-Uint8Array throws
   * TypeError. A compute primitive (core/js/checksum.c): the stack's hottest loop.
   */
  checksum(bytes: Uint8Array, partial?: number): number;
  /**
   * Software TSO (core/js/tcp-segment.c): writes segment `index` of `frame`, one TCP
   * super-segment (Ethernet + IPv4 + TCP + payload, IPv4 total length = the frame less 14, not
   * a fragment), into `out` from its start, and returns the bytes written. Segment k holds
   * payload bytes [k * segmentSize, (k + 1) * segmentSize) (the last one the rest; a frame
   * without payload is one segment), behind copies of the headers with: IPv4 total length,
   * identification + k and header checksum set; TCP sequence number + k * segmentSize, FIN and
   * PSH kept on the last segment only, CWR on the first only, and the checksum finished over
   * the pseudo-header (whatever the field held). An index past the last segment, a frame that
   * is not such a packet, `out` too small or overlapping `frame`, or segmentSize outside
   * 1..65535 throw RangeError; a non-typed-array throws TypeError. The virtio-net driver's
   * checksum and TSO offloads on a device that has neither (os/drivers/virtio/net.ts).
   */
  segmentTcp(frame: Uint8Array, index: number, segmentSize: number, out: Uint8Array): number;
  /**
   * `s` encoded as a new Uint8Array: 'utf8' as TextEncoder does (a lone surrogate becomes
   * U+FFFD), 'latin1' as Node's Buffer does (the low byte of each UTF-16 code unit). A
   * non-string or another encoding throws TypeError. A compute primitive (core/js/text.c):
   * every HTTP head and string body is encoded on its way out.
   */
  encodeText(s: string, encoding: 'utf8' | 'latin1'): Uint8Array;
  /**
   * The engine's promise hook (core/js/promise-hook.c), off until set: fn(type, promise, parent)
   * with type 0 (INIT: a promise is made; parent is the promise `then` was called on, else
   * undefined), 1 (BEFORE) and 2 (AFTER) around the job that resolves a promise with a thenable.
   * null turns it off; anything else throws TypeError. Errors fn throws are dropped.
   */
  setPromiseHook(fn: ((type: number, promise: Promise<unknown>, parent: Promise<unknown> | undefined) => void) | null): void;
}

// ---- Optional groups: a platform offers some (hw.groups says which). ----

/** pci: configuration space (mechanism #1). bdf = bus << 8 | device << 3 | function. */
export interface PciHw {
  /** offset 0..255 aligned to width, else RangeError. Absent devices read as all ones. */
  pciRead(bdf: number, offset: number, width: AccessWidth): number;
  pciWrite(bdf: number, offset: number, width: AccessWidth, value: number): void;
}

/** mmio: device memory windows. */
export interface MmioHw {
  /** Make [phys, phys+size) reachable as uncached MMIO; RangeError for guest RAM. */
  mmioMap(phys: number, size: number): void;
  /** One naturally aligned access inside a mapped window, else RangeError. */
  mmioRead(addr: number, width: AccessWidth): number;
  mmioWrite(addr: number, width: AccessWidth, value: number): void;
}

/** ports: x86 port I/O, refused (RangeError) for ports the platform owns. */
export interface PortsHw {
  portRead(port: number, width: AccessWidth): number;
  portWrite(port: number, width: AccessWidth, value: number): void;
}

/** irq: interrupt lines, reported by yield(). */
export interface IrqHw {
  /** Lines 0..irqLines-1 exist (bit n of yield's result = line n). */
  readonly irqLines: number;
  /** Route an IOAPIC GSI (or legacy IRQ) to a line, level-triggered; the same GSI, the same line. */
  irqAttachGsi(gsi: number): number;
  /** Allocate a line raised by MSI/MSI-X; program the device with address/data. */
  irqAttachMsi(): MsiMessage;
  /** The driver has serviced `line`: unmask it so it can fire again. */
  irqAck(line: number): void;
}

/** dma: memory a device reads and writes. */
export interface DmaHw {
  /** Zeroed, page-aligned, physically contiguous; never freed. 1 byte..64 MiB, else RangeError. */
  dmaAlloc(size: number): DmaRegion;
  /**
   * A full memory barrier (x86 mfence): this CPU's earlier stores to DMA memory are visible
   * before its later loads. For checks against a device running on another CPU (virtqueue
   * event indices, §2.7.10).
   */
  dmaFence(): void;
}

export const REQUIRED_GROUPS = ['clock', 'console', 'yield', 'exit', 'entropy', 'boot', 'engine'] as const;
export const OPTIONAL_GROUPS = ['pci', 'mmio', 'ports', 'irq', 'dma', 'net', 'crypto'] as const;
export type RequiredGroup = (typeof REQUIRED_GROUPS)[number];
export type OptionalGroup = (typeof OPTIONAL_GROUPS)[number];
export type HwGroup = RequiredGroup | OptionalGroup;

/** The members of each optional group ('net' is defined by the platform that offers it). */
export interface OptionalGroupMembers {
  pci: PciHw;
  mmio: MmioHw;
  ports: PortsHw;
  irq: IrqHw;
  dma: DmaHw;
  net: { net: HwNet };
  crypto: { crypto: HwCrypto };
}

/** Member names of every group with functions or fields, for checks and conformance. */
export const GROUP_MEMBERS: Readonly<Record<Exclude<HwGroup, 'net' | 'crypto'>, readonly string[]>> = {
  clock: ['now', 'nowNs', 'wallClock'],
  console: ['write'],
  yield: ['yield'],
  exit: ['exit'],
  entropy: ['entropy'],
  boot: ['cmdline', 'memSize', 'machine', 'sourceMap'],
  engine: ['setRejectionTracker', 'runMicrotasks', 'memoryUsage', 'checksum', 'segmentTcp', 'encodeText', 'setPromiseHook'],
  pci: ['pciRead', 'pciWrite'],
  mmio: ['mmioMap', 'mmioRead', 'mmioWrite'],
  ports: ['portRead', 'portWrite'],
  irq: ['irqLines', 'irqAttachGsi', 'irqAttachMsi', 'irqAck'],
  dma: ['dmaAlloc', 'dmaFence'],
};

/** Test hooks, present only when booted with `nimbus.testhooks=1`. */
export interface TestHooksHw {
  /** Raise a CPU fault. */
  testFault?(kind: 'ud' | 'gp' | 'pf' | 'de'): never;
  /** A system call the platform's confinement forbids (the process target: exit 124). */
  testForbiddenCall?(): never;
  /** A full garbage collection, so tests measure live memory. */
  collectGarbage?(): void;
}

/**
 * The machine as the library OS sees it: every required group, the optional groups the
 * platform offers (`groups` lists them; members of the others are absent), test hooks.
 * Code that needs an optional group checks for it: `hasGroup(hw, 'pci')` or
 * `requireGroups(hw, ['dma', 'irq'], 'virtio-net')`.
 */
export interface Hw
  extends ClockHw, ConsoleHw, YieldHw, ExitHw, EntropyHw, BootHw, EngineHw, TestHooksHw,
    Partial<PciHw>, Partial<MmioHw>, Partial<PortsHw>, Partial<IrqHw>, Partial<DmaHw> {
  /** The optional net group: present on the process target when it was given a link. */
  readonly net?: HwNet;
  /** The optional crypto group (os/hw/hw-crypto.ts): native primitives in the core. */
  readonly crypto?: HwCrypto;
  /** Every required group, then the optional groups this platform offers. */
  readonly groups: readonly HwGroup[];
}

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** A hw known to offer the optional groups G. */
export type HwWith<G extends OptionalGroup> = Hw & UnionToIntersection<OptionalGroupMembers[G]>;

/** Whether the platform offers optional group `group`. */
export function hasGroup<G extends OptionalGroup>(hw: Hw, group: G): hw is HwWith<G> {
  return hw.groups.includes(group);
}

/** Thrown when code needs an optional hw group the platform does not offer. */
export class HwGroupMissing extends Error {
  readonly code = 'ERR_NIMBUS_UNSUPPORTED';
  constructor(readonly user: string, readonly missing: readonly OptionalGroup[], machine: string) {
    super(`${user} needs the hw group${missing.length > 1 ? 's' : ''} ${missing.map((g) => `'${g}'`).join(', ')}, which this platform (${machine}) does not offer`);
    this.name = 'Error';
  }
}

/** `hw`, typed as offering `groups`; throws HwGroupMissing (ERR_NIMBUS_UNSUPPORTED) naming `user` otherwise. */
export function requireGroups<G extends OptionalGroup>(hw: Hw, groups: readonly G[], user: string): HwWith<G> {
  const missing = groups.filter((g) => !hw.groups.includes(g));
  if (missing.length > 0) throw new HwGroupMissing(user, missing, hw.machine);
  return hw as HwWith<G>;
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

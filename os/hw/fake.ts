/**
 * A fake `Hw` for tests in Node: a clock the test controls, captured console output, a
 * recorded exit code, seeded entropy and scripted IRQs. No real hardware access: PCI, MMIO
 * and port I/O read as all-ones (no device) and DMA allocations are plain buffers.
 *
 * It offers the groups the PVH core offers unless told otherwise (`groups`), and refuses what
 * the core refuses, with the same error types: the conformance suite (./conformance.ts) runs
 * against both. What it cannot do as the core does: run the engine's jobs (runMicrotasks calls
 * the test's hook), and end the process: `exit()` must never return, so the fake records the
 * code and throws a `FakeExit` (tagged with `EXIT_SIGNAL`) that the runtime lets through its
 * own catch blocks. `yield(deadline)` advances the clock to the earliest of the deadline and
 * the next scheduled IRQ; a `yield(Infinity)` with nothing scheduled throws (a test would hang).
 */
import { referenceChecksum } from './checksum-reference.ts';
import { referenceSegmentTcp } from './segment-reference.ts';
import { referenceEncodeText } from './text-reference.ts';
import {
  GROUP_MEMBERS, REQUIRED_GROUPS, type AccessWidth, type DmaRegion, type Hw, type HwGroup, type MsiMessage, type OptionalGroup,
} from './hw.ts';

/** The optional groups of the PVH platform (core/platform/pvh/hw.c hw_has). */
export const PVH_GROUPS: readonly OptionalGroup[] = ['pci', 'mmio', 'ports', 'irq', 'dma'];
/** hw.h HW_IRQ_LINES. */
export const IRQ_LINES = 24;
/** Ports the PVH platform keeps (core/platform/pvh/hw.c port_owned_by_platform). */
const PLATFORM_PORTS: readonly [number, number][] = [
  [0x20, 0x21], [0xa0, 0xa1], [0x40, 0x43], [0x61, 0x61], [0x70, 0x71], [0x3f8, 0x3ff], [0xcf8, 0xcff], [0xf4, 0xf7],
];
const MAX_MMIO_WINDOWS = 32;

/** Marks the exception the fake's exit() throws; runtime catch blocks rethrow it. */
export const EXIT_SIGNAL: unique symbol = Symbol.for('nimbus.exit') as never;

export class FakeExit extends Error {
  readonly [EXIT_SIGNAL] = true;
  constructor(readonly code: number) {
    super(`exit(${code})`);
  }
}

export interface FakeHwOptions {
  /** Kernel command line (default ''). */
  cmdline?: string;
  /** Initial monotonic time in ms (default 0). */
  now?: number;
  /** Wall clock at now=0, ms since the epoch (default 2024-01-01T00:00:00Z). */
  wallBase?: number;
  /** Seed of the entropy source; `entropy: false` makes entropy() return 0 bytes. */
  seed?: number;
  entropy?: boolean;
  sourceMap?: string;
  /** Called by runMicrotasks() (the vm harness drains its context here). */
  runMicrotasks?: () => void;
  memSize?: number;
  /** Optional groups offered (default PVH_GROUPS); the members of the others are absent. */
  groups?: readonly OptionalGroup[];
  /** The engine's heap figures (default: the core's limit for memSize, nothing in use). */
  memoryUsage?: () => { heapTotal: number; heapUsed: number; jsUsed: number; jsLimit: number; jsPressure?: number; gcPaced?: number };
}

/** The JS heap limit core/js/engine.c sets for a heap of `total` bytes. */
export function coreJsLimit(total: number): number {
  const outside = (1 << 20) + Math.floor(total / 16);
  const limit = total > 2 * outside ? total - outside : Math.floor(total / 2);
  return limit - (64 * 1024 + Math.floor(limit / 32));
}

export interface FakeHw extends Hw {
  /** Everything written to fd 1 / fd 2, decoded as UTF-8. */
  readonly stdout: string;
  readonly stderr: string;
  /** Exit code once exit() was called, else undefined. */
  readonly exitCode: number | undefined;
  /** Deadlines passed to yield(), in order. */
  readonly yields: number[];
  /** Move the clock forward by `ms`. */
  advance(ms: number): void;
  /** Make `line` ready at monotonic time `at` (now if omitted). */
  raiseIrq(line: number, at?: number): void;
  /** The rejection tracker the runtime installed, if any. */
  readonly rejectionTracker: ((p: Promise<unknown>, reason: unknown, handled: boolean) => void) | undefined;
  /** Lines acknowledged with irqAck, in order. */
  readonly acked: number[];
  /** dmaFence() calls so far. */
  readonly fences: number;
}

/** xorshift32: deterministic, not cryptographic: only for tests. */
function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}

export function createFakeHw(opts: FakeHwOptions = {}): FakeHw {
  let now = opts.now ?? 0;
  const wallBase = opts.wallBase ?? Date.UTC(2024, 0, 1);
  const memSize = opts.memSize ?? 128 * 1024 * 1024;
  const out: string[] = [];
  const err: string[] = [];
  const decoder = new TextDecoder();
  const rand = xorshift(opts.seed ?? 1);
  const pending: { line: number; at: number }[] = [];
  const yields: number[] = [];
  const acked: number[] = [];
  const windows: { base: number; size: number }[] = [];
  const gsiLines = new Map<number, number>();
  let exitCode: number | undefined;
  let tracker: FakeHw['rejectionTracker'];
  let nextLine = 0;
  let nextPhys = 0x100000;
  let fences = 0;

  const bytesOf = (d: unknown, message: string): Uint8Array => {
    if (!ArrayBuffer.isView(d) || d instanceof DataView) throw new TypeError(message);
    return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  };
  const checkWidth = (w: number): void => {
    if (w !== 1 && w !== 2 && w !== 4) throw new RangeError('access width must be 1, 2 or 4');
  };
  const checkRange = (v: number, max: number, what: string): void => {
    if (!(v >= 0) || v > max || !Number.isInteger(v)) throw new RangeError(`${what} out of range`);
  };
  const allOnes = (w: number): number => (w === 4 ? 0xffffffff : (1 << (w * 8)) - 1);
  const checkPci = (bdf: number, off: number, w: number): void => {
    checkRange(bdf, 0xffff, 'bdf');
    checkRange(off, 255, 'offset');
    checkWidth(w);
    if (off % w) throw new RangeError('unaligned PCI config access');
  };
  const checkMmio = (a: number, w: number, what: string): void => {
    checkRange(a, 2 ** 46, 'address');
    checkWidth(w);
    if (a % w !== 0 || !windows.some((x) => a >= x.base && a + w <= x.base + x.size)) {
      throw new RangeError(`${what}: 0x${a.toString(16)} is not in a mapped MMIO window`);
    }
  };
  const checkPort = (p: number, w: number): void => {
    checkRange(p, 0xffff, 'port');
    checkWidth(w);
    if (PLATFORM_PORTS.some(([lo, hi]) => p <= hi && p + w - 1 >= lo)) throw new RangeError(`port 0x${p.toString(16)} belongs to the core`);
  };
  const newLine = (what: string): number => {
    if (nextLine >= IRQ_LINES) throw new RangeError(`${what}: no free IRQ line`);
    return nextLine++;
  };

  const base: FakeHw = {
    groups: [...REQUIRED_GROUPS, ...(opts.groups ?? PVH_GROUPS)] as HwGroup[],
    now: () => now,
    nowNs: () => BigInt(Math.round(now * 1e6)),
    wallClock: () => wallBase + now,
    yield(deadline: number): number {
      deadline = Number(deadline);
      if (Number.isNaN(deadline)) throw new RangeError('deadline is NaN');
      yields.push(deadline);
      const due = (): number => {
        let mask = 0;
        for (let i = pending.length - 1; i >= 0; i--) {
          if (pending[i]!.at <= now) { mask |= 1 << pending[i]!.line; pending.splice(i, 1); }
        }
        return mask;
      };
      let mask = due();
      if (mask !== 0 || deadline <= now) return mask;
      const nextIrq = pending.reduce((m, p) => Math.min(m, p.at), Infinity);
      const wake = Math.min(deadline, nextIrq);
      if (wake === Infinity) throw new Error('fake hw: yield(Infinity) with no IRQ scheduled would hang');
      now = Math.max(now, wake);
      mask = due();
      return mask;
    },
    write(fd, data) {
      const n = Number(fd) | 0;
      if (n !== 1 && n !== 2) throw new RangeError('fd must be 1 or 2');
      const text = typeof data === 'string' ? data : decoder.decode(bytesOf(data, 'write() takes a string or a Uint8Array'));
      (n === 1 ? out : err).push(text);
    },
    cmdline: opts.cmdline ?? '',
    memSize,
    machine: 'unknown',
    sourceMap: () => opts.sourceMap,
    pciRead(bdf, off, w) { checkPci(bdf, off, w); return allOnes(w); },
    pciWrite(bdf, off, w, v) { checkPci(bdf, off, w); checkRange(v, 0xffffffff, 'value'); },
    mmioMap(phys, size) {
      checkRange(phys, 2 ** 46, 'address');
      checkRange(size, 2 ** 28, 'size');
      if (phys < memSize) throw new RangeError(`mmioMap: 0x${phys.toString(16)} is guest RAM, not a device`);
      if (windows.length >= MAX_MMIO_WINDOWS) throw new RangeError(`mmioMap: cannot map 0x${phys.toString(16)} (+0x${size.toString(16)})`);
      windows.push({ base: phys, size });
    },
    mmioRead(a, w: AccessWidth) { checkMmio(a, w, 'mmioRead'); return allOnes(w); },
    mmioWrite(a, w, v) { checkMmio(a, w, 'mmioWrite'); checkRange(v, 0xffffffff, 'value'); },
    portRead(p, w) { checkPort(p, w); return allOnes(w); },
    portWrite(p, w, v) { checkPort(p, w); checkRange(v, 0xffffffff, 'value'); },
    dmaAlloc(size: number): DmaRegion {
      checkRange(size, 64 * 1024 * 1024, 'size');
      if (size === 0) throw new RangeError('dmaAlloc: size must be positive');
      const region = { buffer: new ArrayBuffer(size), phys: nextPhys };
      nextPhys += Math.ceil(size / 4096) * 4096;
      return region;
    },
    dmaFence() { fences++; },
    irqLines: IRQ_LINES,
    irqAttachGsi(gsi) {
      checkRange(gsi, 47, 'gsi');
      let line = gsiLines.get(gsi);
      if (line === undefined) gsiLines.set(gsi, (line = newLine('irqAttachGsi')));
      return line;
    },
    irqAttachMsi(): MsiMessage { const line = newLine('irqAttachMsi'); return { line, address: 0xfee00000, data: 0x30 + line }; },
    irqAck(line) { checkRange(line, IRQ_LINES - 1, 'line'); acked.push(line); },
    entropy(dest) {
      const bytes = bytesOf(dest, 'entropy() takes a Uint8Array');
      if (opts.entropy === false) return 0;
      for (let i = 0; i < bytes.length; i++) bytes[i] = rand() & 0xff;
      return bytes.length;
    },
    exit(code: number): never {
      const c = Number(code) | 0;
      if (c < 0 || c > 255) throw new RangeError('exit code must be 0-255');
      if (exitCode === undefined) exitCode = c;
      throw new FakeExit(exitCode);
    },
    setRejectionTracker(fn) {
      if (typeof fn !== 'function') throw new TypeError('setRejectionTracker takes a function');
      tracker = fn;
    },
    // Accepted as the core does; the fake's engine (V8) never calls it.
    setPromiseHook(fn) {
      if (fn !== null && typeof fn !== 'function') throw new TypeError('setPromiseHook takes a function or null');
    },
    runMicrotasks() {
      opts.runMicrotasks?.();
      // A FakeExit thrown inside a promise job is swallowed by the promise: re-raise it.
      if (exitCode !== undefined) throw new FakeExit(exitCode);
    },
    checksum(bytes, partial) { return referenceChecksum(bytesOf(bytes, 'checksum() takes a Uint8Array'), partial); },
    segmentTcp(frame, index, segmentSize, out) { return referenceSegmentTcp(frame, index, segmentSize, out); },
    encodeText(s, encoding) {
      if (typeof s !== 'string') throw new TypeError('encodeText() takes a string');
      if (encoding !== 'utf8' && encoding !== 'latin1') throw new TypeError("encodeText() encodes 'utf8' or 'latin1'");
      return referenceEncodeText(s, encoding);
    },
    memoryUsage: opts.memoryUsage ?? (() => ({ heapTotal: memSize, heapUsed: 0, jsUsed: 0, jsLimit: coreJsLimit(memSize) })),
    get stdout() { return out.join(''); },
    get stderr() { return err.join(''); },
    get exitCode() { return exitCode; },
    get fences() { return fences; },
    yields,
    acked,
    advance(ms: number) { now += ms; },
    raiseIrq(line: number, at?: number) {
      checkRange(line, IRQ_LINES - 1, 'IRQ line');
      pending.push({ line, at: at ?? now });
    },
    get rejectionTracker() { return tracker; },
  };
  // The members of groups not offered are absent, as on the core.
  const offered = new Set<string>(base.groups);
  for (const [group, members] of Object.entries(GROUP_MEMBERS)) {
    if (!offered.has(group)) for (const m of members) delete (base as unknown as Record<string, unknown>)[m];
  }
  return base;
}

/**
 * A fake `Hw` for tests in Node: a clock the test controls, captured console output, a
 * recorded exit code, seeded entropy and scripted IRQs. No real hardware access: PCI,
 * MMIO and port I/O read as all-ones (no device) and DMA allocations are plain buffers.
 *
 * `exit()` must never return, so the fake records the code and throws a `FakeExit`
 * (tagged with `EXIT_SIGNAL`) that the runtime lets through its own catch blocks.
 * `yield(deadline)` advances the clock to the earliest of the deadline and the next
 * scheduled IRQ; a `yield(Infinity)` with nothing scheduled throws (a test would hang).
 */
import type { AccessWidth, DmaRegion, Hw, MsiMessage } from './hw.ts';

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
  const out: string[] = [];
  const err: string[] = [];
  const decoder = new TextDecoder();
  const rand = xorshift(opts.seed ?? 1);
  const pending: { line: number; at: number }[] = [];
  const yields: number[] = [];
  const acked: number[] = [];
  let exitCode: number | undefined;
  let tracker: FakeHw['rejectionTracker'];
  let nextLine = 1;
  let nextPhys = 0x100000;

  const text = (d: string | Uint8Array): string =>
    typeof d === 'string' ? d : decoder.decode(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  const checkWidth = (w: number): void => {
    if (w !== 1 && w !== 2 && w !== 4) throw new RangeError(`bad access width ${w}`);
  };

  const hw: FakeHw = {
    now: () => now,
    nowNs: () => BigInt(Math.round(now * 1e6)),
    wallClock: () => wallBase + now,
    yield(deadline: number): number {
      if (typeof deadline !== 'number' || Number.isNaN(deadline)) throw new TypeError('deadline must be a number');
      yields.push(deadline);
      const due = (): number => {
        let mask = 0;
        for (let i = pending.length - 1; i >= 0; i--) {
          if (pending[i].at <= now) { mask |= 1 << pending[i].line; pending.splice(i, 1); }
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
      if (fd === 1) out.push(text(data));
      else if (fd === 2) err.push(text(data));
      else throw new RangeError(`bad fd ${fd as number}`);
    },
    cmdline: opts.cmdline ?? '',
    memSize: opts.memSize ?? 128 * 1024 * 1024,
    machine: 'unknown',
    pciRead(_bdf, _off, w) { checkWidth(w); return w === 4 ? 0xffffffff : (1 << (w * 8)) - 1; },
    pciWrite(_bdf, _off, w) { checkWidth(w); },
    mmioMap() {},
    mmioRead(_a, w: AccessWidth) { checkWidth(w); return w === 4 ? 0xffffffff : (1 << (w * 8)) - 1; },
    mmioWrite(_a, w) { checkWidth(w); },
    portRead(_p, w) { checkWidth(w); return w === 4 ? 0xffffffff : (1 << (w * 8)) - 1; },
    portWrite(_p, w) { checkWidth(w); },
    dmaAlloc(size: number): DmaRegion {
      if (!Number.isInteger(size) || size <= 0) throw new RangeError('bad DMA size');
      const region = { buffer: new ArrayBuffer(size), phys: nextPhys };
      nextPhys += Math.ceil(size / 4096) * 4096;
      return region;
    },
    irqAttachGsi() { return nextLine++; },
    irqAttachMsi(): MsiMessage { const line = nextLine++; return { line, address: 0xfee00000, data: 0x30 + line }; },
    irqAck(line) { acked.push(line); },
    entropy(dest) {
      if (opts.entropy === false) return 0;
      for (let i = 0; i < dest.length; i++) dest[i] = rand() & 0xff;
      return dest.length;
    },
    exit(code: number): never {
      if (exitCode === undefined) exitCode = code & 0xff;
      throw new FakeExit(exitCode);
    },
    setRejectionTracker(fn) { tracker = fn; },
    sourceMap: () => opts.sourceMap,
    runMicrotasks() {
      opts.runMicrotasks?.();
      // A FakeExit thrown inside a promise job is swallowed by the promise: re-raise it.
      if (exitCode !== undefined) throw new FakeExit(exitCode);
    },
    get stdout() { return out.join(''); },
    get stderr() { return err.join(''); },
    get exitCode() { return exitCode; },
    yields,
    acked,
    advance(ms: number) { now += ms; },
    raiseIrq(line: number, at?: number) {
      if (!Number.isInteger(line) || line < 0 || line > 31) throw new RangeError('bad IRQ line');
      pending.push({ line, at: at ?? now });
    },
    get rejectionTracker() { return tracker; },
  };
  return hw;
}

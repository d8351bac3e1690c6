/**
 * The `process` global. Arguments and environment come from the kernel command line
 * (cmdline.ts). Choices (documented in README.md):
 * - argv = ['/nimbus', '/app.js', ...args]: argv[0] plays node's execPath, argv[1] the
 *   script, so `process.argv.slice(2)` is the user's arguments as under node.
 * - platform 'linux', arch 'x64' (what libraries test for); versions.node '20.19.0'
 *   (the API level we follow) plus versions.nimbus and versions.quickjs.
 * - pid 1, ppid 0, cwd() '/', memoryUsage() from the core's heap statistics (hw.memoryUsage).
 */
import EventEmitter from 'events/events.js';
import type { Hw } from '../hw/hw.ts';
import type { EventLoop } from './loop.ts';
import { Cmdline, cmdlineArgs, cmdlineEnv } from './cmdline.ts';

export const NODE_VERSION = '20.19.0';
export const NIMBUS_VERSION = '0.1.0';

export interface StdStream extends EventEmitter {
  readonly fd: 1 | 2;
  readonly isTTY: false;
  readonly writable: true;
  write(chunk: string | Uint8Array, encoding?: unknown, cb?: () => void): boolean;
  end(chunk?: string | Uint8Array, cb?: () => void): void;
}

function stdStream(hw: Hw, loop: EventLoop, fd: 1 | 2): StdStream {
  const s = new EventEmitter() as StdStream;
  Object.assign(s, {
    fd,
    isTTY: false,
    writable: true,
    write(chunk: string | Uint8Array, encoding?: unknown, cb?: () => void): boolean {
      if (typeof encoding === 'function') cb = encoding as () => void;
      if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
        const e = new TypeError('The "chunk" argument must be of type string or an instance of Buffer or Uint8Array');
        (e as { code?: string }).code = 'ERR_INVALID_ARG_TYPE';
        throw e;
      }
      hw.write(fd, chunk);
      if (cb) loop.nextTick(cb);
      return true;
    },
    end(chunk?: string | Uint8Array, cb?: () => void): void {
      if (chunk !== undefined) hw.write(fd, chunk);
      if (cb) loop.nextTick(cb);
    },
  });
  return s;
}

export interface NimbusProcess extends EventEmitter {
  argv: string[];
  argv0: string;
  execArgv: string[];
  execPath: string;
  env: Record<string, string | undefined>;
  exitCode: number | string | undefined | null;
  pid: number;
  ppid: number;
  platform: string;
  arch: string;
  version: string;
  versions: Record<string, string>;
  release: { name: string };
  title: string;
  stdout: StdStream;
  stderr: StdStream;
  exit(code?: number | string | null): never;
  nextTick(cb: (...args: any[]) => void, ...args: unknown[]): void;
  hrtime: { (prev?: [number, number]): [number, number]; bigint(): bigint };
  uptime(): number;
  cwd(): string;
  memoryUsage: { (): Record<string, number>; rss(): number };
  emitWarning(warning: string | Error, type?: string | { type?: string; code?: string }, code?: string): void;
  /** Set while 'exit' listeners run and after: a second exit() ends at once. */
  _exiting: boolean;
  [k: string]: unknown;
}

/** process.exitCode as Node validates it: an integer, an integer string, or unset. */
function exitCodeOf(v: unknown): number {
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    const e = new TypeError(`The "code" argument must be of type number. Received ${typeof v}`);
    (e as { code?: string }).code = 'ERR_INVALID_ARG_TYPE';
    throw e;
  }
  return n & 0xff;
}

export function createProcess(hw: Hw, loop: EventLoop): NimbusProcess {
  const cmd = new Cmdline(hw.cmdline);
  const p = new EventEmitter() as NimbusProcess;
  const startNs = hw.nowNs();
  let warned = false;

  const hrtime = (prev?: [number, number]): [number, number] => {
    const ns = hw.nowNs();
    let s = Number(ns / 1_000_000_000n);
    let n = Number(ns % 1_000_000_000n);
    if (prev) {
      s -= prev[0];
      n -= prev[1];
      if (n < 0) { s--; n += 1e9; }
    }
    return [s, n];
  };
  hrtime.bigint = (): bigint => hw.nowNs();

  // rss: the core's heap in use (JS objects and DMA buffers); heapTotal: the JS heap limit.
  const memoryUsage = (): Record<string, number> => {
    const m = hw.memoryUsage?.();
    if (!m) return { rss: hw.memSize, heapTotal: hw.memSize, heapUsed: 0, external: 0, arrayBuffers: 0 };
    return { rss: m.heapUsed, heapTotal: m.jsLimit, heapUsed: m.jsUsed, external: 0, arrayBuffers: 0 };
  };
  memoryUsage.rss = (): number => hw.memoryUsage?.().heapUsed ?? hw.memSize;

  Object.assign(p, {
    argv: ['/nimbus', '/app.js', ...cmdlineArgs(cmd)],
    argv0: 'node',
    execArgv: [],
    execPath: '/nimbus',
    env: cmdlineEnv(cmd),
    exitCode: undefined,
    pid: 1,
    ppid: 0,
    platform: 'linux',
    arch: 'x64',
    version: `v${NODE_VERSION}`,
    versions: { node: NODE_VERSION, nimbus: NIMBUS_VERSION, quickjs: '0.16.2' }, // the quickjs-ng release
    release: { name: 'node' },
    title: 'nimbus',
    config: { variables: {} },
    features: {},
    stdout: stdStream(hw, loop, 1),
    stderr: stdStream(hw, loop, 2),
    _exiting: false,
    nextTick: (cb: (...args: any[]) => void, ...args: unknown[]) => loop.nextTick(cb, ...args),
    hrtime,
    uptime: () => Number(hw.nowNs() - startNs) / 1e9,
    cwd: () => '/',
    chdir: () => { throw new Error('process.chdir() is not supported in Nimbus'); },
    umask: () => 0o22,
    getuid: () => 0, getgid: () => 0, geteuid: () => 0, getegid: () => 0,
    memoryUsage,
    cpuUsage: () => ({ user: Math.round(hw.now() * 1000), system: 0 }),
    abort: (): never => hw.exit(134),
    exit(code?: number | string | null): never {
      if (code !== undefined) p.exitCode = code;
      if (!p._exiting) {
        p._exiting = true;
        p.emit('exit', exitCodeOf(p.exitCode));
      }
      return hw.exit(exitCodeOf(p.exitCode));
    },
    emitWarning(warning: string | Error, type?: string | { type?: string; code?: string }, code?: string): void {
      let name = 'Warning';
      if (typeof type === 'string') name = type;
      else if (type && typeof type === 'object') { name = type.type ?? name; code = type.code ?? code; }
      const w: Error & { code?: string } = typeof warning === 'string' ? new Error(warning) : warning;
      if (typeof warning === 'string') w.name = name;
      if (code !== undefined) w.code = code;
      loop.nextTick(() => {
        p.emit('warning', w);
        let text = `(node:1) ${w.code ? `[${w.code}] ` : ''}${w.name}: ${w.message}\n`;
        if (!warned) text += '(Use `node --trace-warnings ...` to show where the warning was created)\n';
        warned = true;
        hw.write(2, text);
      });
    },
  });
  return p;
}

/**
 * Test infrastructure (Node): a private network namespace with a tap device in it, the Linux
 * end of the link. Topology:
 *
 *     [ Node: NetworkStack ] ⇄ tap-bridge.py (fd on /dev/net/tun) ⇄ tap NAME ⟨Linux TCP/IP⟩
 *                                                         └─ inside namespace nbit-<pid>-<n>
 *
 * The tap is created inside the namespace and carries the Linux address; the bridge opens it
 * under `ip netns exec`, so Linux's own stack in the namespace is the peer and nothing touches
 * the host's interfaces. Every process started through `spawn` and every tap opened through
 * `openTap` is tracked; `destroy()` kills them (SIGTERM, then SIGKILL after a bounded wait) and
 * deletes the namespace and its temp directory. Call it from `after`, even after failures.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTap, type Tap } from './tap.ts';

/** Why the interop tests cannot run here, or false when they can. */
export function skipReason(...tools: string[]): string | false {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, tap devices)';
  if (!existsSync('/dev/net/tun')) return 'needs /dev/net/tun';
  for (const t of ['ip', 'python3', ...tools]) {
    if (spawnSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }).status !== 0) return `needs ${t}`;
  }
  return false;
}

/** Polls `pred` every 5 ms (the event loop keeps running) until true; throws after `timeoutMs`. */
export async function waitUntil(pred: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await pred())) {
    if (performance.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A process inside the namespace with its output collected. */
export class Proc {
  stdout = '';
  stderr = '';
  exitCode: number | null = null;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(child: ChildProcess) {
    this.child = child;
    child.stdout?.on('data', (d: Buffer) => { if (this.stdout.length < 64 << 20) this.stdout += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { if (this.stderr.length < 1 << 20) this.stderr += d.toString(); });
    this.exited = new Promise((resolve) => {
      child.on('close', (code, signal) => { this.exitCode = code ?? (signal ? -1 : null); resolve(this.exitCode); });
      child.on('error', (e) => { this.stderr += String(e); this.exitCode = -1; resolve(-1); });
    });
  }

  get running(): boolean { return this.exitCode === null; }

  /** Waits (bounded) until stdout or stderr matches `re`; throws with the output if it exits first. */
  async waitFor(re: RegExp, timeoutMs = 5000): Promise<void> {
    await waitUntil(() => re.test(this.stdout) || re.test(this.stderr) || !this.running, timeoutMs, `${re} from ${this.child.spawnargs.join(' ')}`);
    if (!re.test(this.stdout) && !re.test(this.stderr)) {
      throw new Error(`Process exited (${this.exitCode}) before ${re}: ${this.stdout}${this.stderr}`);
    }
  }

  /** Waits (bounded) for exit; returns the exit code. */
  async wait(timeoutMs = 10_000): Promise<number | null> {
    await waitUntil(() => !this.running, timeoutMs, `exit of ${this.child.spawnargs.join(' ')}`);
    return this.exitCode;
  }

  async kill(signal: NodeJS.Signals = 'SIGTERM', graceMs = 2000): Promise<void> {
    if (!this.running) return;
    this.child.kill(signal);
    const t = setTimeout(() => { if (this.running) this.child.kill('SIGKILL'); }, graceMs);
    await this.exited;
    clearTimeout(t);
  }
}

let counter = 0;

export interface NetnsOptions {
  /** Address/prefix Linux uses on its end of the link. */
  linuxAddress: string;
  tapName?: string;
}

export class Netns {
  readonly name: string;
  readonly tapName: string;
  /** A temp directory for files (pcaps, leases, served files); removed by destroy(). */
  readonly dir: string;
  readonly #procs: Proc[] = [];
  readonly #taps: Tap[] = [];

  private constructor(name: string, tapName: string) {
    this.name = name;
    this.tapName = tapName;
    this.dir = mkdtempSync(join(tmpdir(), `${name}-`));
  }

  /** Creates the namespace and the tap (up, with `linuxAddress`). */
  static create(options: NetnsOptions): Netns {
    const ns = new Netns(`nbit-${process.pid}-${counter++}`, options.tapName ?? 'nbit0');
    try {
      execFileSync('ip', ['netns', 'add', ns.name], { stdio: 'pipe' });
      ns.ip('link', 'set', 'lo', 'up');
      ns.ip('tuntap', 'add', 'dev', ns.tapName, 'mode', 'tap');
      ns.ip('addr', 'add', options.linuxAddress, 'dev', ns.tapName);
      ns.ip('link', 'set', ns.tapName, 'up');
    } catch (e) {
      void ns.destroy();
      throw e;
    }
    return ns;
  }

  /** `ip -n NS ...` (synchronous; throws with stderr on failure). */
  ip(...args: string[]): string {
    return execFileSync('ip', ['-n', this.name, ...args], { stdio: 'pipe', encoding: 'utf8' });
  }

  /**
   * Runs a command inside the namespace to completion (killed after `timeoutMs`) and returns
   * its stdout; rejects with its output on a non-zero exit. Asynchronous on purpose: the
   * stack runs on this event loop, so a synchronous exec would stall it while the Linux side
   * talks to it.
   */
  async exec(argv: string[], timeoutMs = 10_000): Promise<string> {
    const p = this.spawn(argv);
    const t = setTimeout(() => { void p.kill('SIGKILL'); }, timeoutMs);
    const code = await p.exited;
    clearTimeout(t);
    if (code !== 0) throw new Error(`${argv.join(' ')} exited with ${code}: ${p.stderr.trim()} ${p.stdout.trim()}`.slice(0, 4000));
    return p.stdout;
  }

  /** Starts a command inside the namespace; it is killed by destroy(). */
  spawn(argv: string[]): Proc {
    const p = new Proc(spawn('ip', ['netns', 'exec', this.name, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] }));
    this.#procs.push(p);
    return p;
  }

  /** Opens the namespace's tap from this process (through tap-bridge.py). */
  async openTap(): Promise<Tap> {
    const tap = openTap(this.tapName, { netns: this.name });
    this.#taps.push(tap);
    await tap.ready;
    return tap;
  }

  async destroy(): Promise<void> {
    await Promise.all(this.#procs.map((p) => p.kill()));
    for (const t of this.#taps) t.close();
    await Promise.race([Promise.all(this.#taps.map((t) => t.exited)), new Promise((r) => setTimeout(r, 2000))]);
    try { execFileSync('ip', ['netns', 'del', this.name], { stdio: 'ignore' }); } catch { /* already gone */ }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * One instance as the supervisor runs it: its process, its console (a FIFO in the state
 * directory, decoded into the bounded ring on disk), its exit and its readiness.
 *
 * The console goes through a named FIFO, not a pipe owned by the supervisor, so that an
 * instance outlives its supervisor: the instance holds a read end too (as stdin on the process
 * target, as fd 3 under QEMU; neither reads it), so its writes never meet a pipe without
 * readers, and a new supervisor opens the FIFO by name and reads on where the old one stopped.
 * While no supervisor reads, output waits in the pipe (64 KiB); beyond that the instance's
 * console write waits too, until a supervisor is back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { ConsoleDecoder } from '../console-decoder.ts';
import { ConsoleRing } from './console-ring.ts';
import { checkOnce } from './health.ts';
import { isOurs, processStart } from './host.ts';
import { instanceArgv } from './launch.ts';
import { files, type InstanceRecord } from './store.ts';

export interface RunEnd {
  /** The program's code as its console reported it, or the process's status; null: unknown. */
  exitCode: number | null;
  ranMs: number;
}

export interface InstanceEvents {
  /** Started: its console began (no health check) or it passed its health check. */
  ready(): void;
  ended(end: RunEnd): void;
}

const DLE_S = Buffer.from([0x10, 0x53]);

export class LiveInstance {
  readonly ring: ConsoleRing;
  #reader: net.Socket;
  #decoder: ConsoleDecoder;
  #reported: number | undefined;
  #child: ChildProcess | undefined;
  #poll: NodeJS.Timeout | undefined;
  #health: NodeJS.Timeout | undefined;
  #events: InstanceEvents | undefined;
  #readySent = false;
  #ended = false;
  /** The last signal `kill` sent: an adopted instance's status is not ours to read. */
  #sent: NodeJS.Signals | undefined;

  constructor(private readonly dir: string, readonly rec: InstanceRecord) {
    const f = files(dir);
    this.ring = new ConsoleRing(f.ring(rec.name));
    const fd = openSync(f.fifo(rec.name), constants.O_RDWR | constants.O_NONBLOCK);
    this.#reader = new net.Socket({ fd, readable: true, writable: false });
    this.#decoder = this.#newDecoder();
    this.#reader.on('data', (d: Buffer) => {
      const was = this.#decoder.started;
      this.#decoder.push(d);
      if (!was && this.#decoder.started && !(this.rec.health && this.rec.net)) this.#ready();
    });
    this.#reader.on('error', () => {});
  }

  #newDecoder(): ConsoleDecoder {
    return new ConsoleDecoder({
      stdout: (b) => this.ring.append(b),
      stderr: (b) => this.ring.append(b),
      exit: (c) => (this.#reported = c),
    });
  }

  note(text: string): void {
    this.ring.append(Buffer.from(`--- nimbus: ${text} ---\n`));
  }

  /** Spawns the instance; `events` hear of its readiness and its end. */
  async start(events: InstanceEvents): Promise<void> {
    const f = files(this.dir);
    const argv = await instanceArgv(this.rec);
    this.#events = events;
    this.#reported = undefined;
    this.#readySent = false;
    this.#ended = false;
    this.#sent = undefined;
    this.#decoder = this.#newDecoder();
    const w = openSync(f.fifo(this.rec.name), constants.O_WRONLY);
    const r = openSync(f.fifo(this.rec.name), constants.O_RDONLY | constants.O_NONBLOCK);
    const e = openSync(f.stderr(this.rec.name), 'a');
    const stdio = this.rec.target === 'qemu' ? ['ignore', w, e, r] : [r, w, e];
    const t0 = Date.now();
    let child: ChildProcess;
    try {
      child = spawn(argv[0]!, argv.slice(1), { stdio: stdio as never, detached: true });
    } finally {
      for (const fd of [w, r, e]) closeSync(fd);
    }
    this.#child = child;
    child.unref();
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    this.rec.pid = child.pid!;
    this.rec.pidStart = processStart(child.pid!);
    this.rec.startedAt = t0;
    child.once('exit', (code, signal) => {
      const status = code ?? (signal === 'SIGSYS' ? 124 : signal ? 128 + (os.constants.signals[signal] ?? 0) : null);
      // The console's exit record may still be in the FIFO: read what is there first.
      setTimeout(() => this.#end(this.#reported ?? status), 100);
    });
    this.#watchHealth();
  }

  /** Takes over an instance a previous supervisor started (still running: `isOurs`). */
  adopt(events: InstanceEvents, answered: boolean): void {
    this.#events = events;
    this.#readySent = answered;
    this.#ended = false;
    // Its console's start marker went to the old supervisor: read on as if after it.
    this.#decoder.push(DLE_S);
    this.#poll = setInterval(() => {
      if (!isOurs(this.rec.pid, this.rec.pidStart)) {
        setTimeout(() => this.#end(this.#reported ?? (this.#sent ? 128 + os.constants.signals[this.#sent] : null)), 100);
      }
    }, 500);
    if (!answered) this.#watchHealth();
  }

  #watchHealth(): void {
    const h = this.rec.health;
    if (!h || !this.rec.net) return;
    const ip = this.rec.net.ip;
    let wait = 20;
    const tick = async () => {
      if (this.#ended || this.#readySent) return;
      if (await checkOnce(h, ip, 1000)) return this.#ready();
      wait = Math.min(1000, wait * 1.5);
      this.#health = setTimeout(tick, wait);
    };
    this.#health = setTimeout(tick, wait);
  }

  #ready(): void {
    if (this.#readySent || this.#ended) return;
    this.#readySent = true;
    this.#events?.ready();
  }

  #end(exitCode: number | null): void {
    if (this.#ended) return;
    this.#ended = true;
    clearInterval(this.#poll);
    clearTimeout(this.#health);
    this.#child = undefined;
    this.#events?.ended({ exitCode, ranMs: Date.now() - (this.rec.startedAt ?? Date.now()) });
  }

  get running(): boolean {
    return !this.#ended && this.#events !== undefined;
  }

  /** Sends SIGTERM to the instance's process group, SIGKILL after `graceMs`. */
  kill(graceMs = 5000): void {
    const pid = this.rec.pid;
    if (!pid || this.#ended) return;
    const sig = (s: NodeJS.Signals) => {
      this.#sent = s;
      try {
        process.kill(-pid, s);
      } catch {
        try { process.kill(pid, s); } catch { /* gone */ }
      }
    };
    sig('SIGTERM');
    const t = setTimeout(() => { if (!this.#ended && isOurs(pid, this.rec.pidStart)) sig('SIGKILL'); }, graceMs);
    t.unref();
  }

  close(): void {
    clearInterval(this.#poll);
    clearTimeout(this.#health);
    this.#reader.destroy();
    this.ring.close();
  }
}

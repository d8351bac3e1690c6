/**
 * The fleet's state on disk, in one documented directory (docs/fleet.md): $NIMBUS_STATE_DIR, or
 * /run/nimbus for root, or $XDG_RUNTIME_DIR/nimbus (else /tmp/nimbus-UID) for other users.
 *
 *     state.json             every instance record (written whole, atomically, by the supervisor)
 *     supervisor.sock        the supervisor's unix socket (JSON lines, cli/fleet/protocol.ts)
 *     supervisor.pid         its pid
 *     supervisor.log         its own messages
 *     instances/NAME/        console.ring (cli/fleet/console-ring.ts), console.fifo, stderr.log
 *
 * The records are the truth `nimbus ps` shows; a supervisor that starts reads them and
 * reconciles them with the host (cli/fleet/reconcile.ts).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RestartMode } from './restart-policy.ts';
import type { SlotAddress } from './allocator.ts';

export type Target = 'process' | 'qemu';

/**
 * created: waiting for its batch; starting: spawned, not yet answering its health check;
 * running: up (answering, when it has a health check); restarting: waiting out its back-off;
 * exited: ended by itself and not restarted; stopped: by `nimbus stop`; failed: could not start.
 */
export type InstanceState = 'created' | 'starting' | 'running' | 'restarting' | 'exited' | 'stopped' | 'failed';

export type Health = { kind: 'tcp'; port: number } | { kind: 'http'; port: number; path: string };

/** An instance's place on the fleet network (cli/fleet/allocator.ts) and its MAC. */
export type InstanceNet = Omit<SlotAddress, 'hostCidr'> & { mac: string };

export interface InstanceRecord {
  name: string;
  group: string;
  image: string;
  target: Target;
  memMiB: number;
  args: string[];
  env: Record<string, string>;
  restart: RestartMode;
  health?: Health;
  /** null: no network (--net none). */
  net: InstanceNet | null;
  publish?: { hostAddress: string; hostPort: number; guestPort: number };
  state: InstanceState;
  pid?: number;
  /** The process's start time (field 22 of /proc/PID/stat): a reused pid is not ours. */
  pidStart?: string;
  createdAt: number;
  startedAt?: number;
  answeredAt?: number;
  exitedAt?: number;
  /** null: it ended while no supervisor watched it, so its code is unknown. */
  exitCode?: number | null;
  restarts: number;
  /** Restarts in a row (the back-off series, cli/fleet/restart-policy.ts). */
  streak: number;
  nextStartAt?: number;
  error?: string;
}

export interface FleetState {
  version: 1;
  instances: InstanceRecord[];
}

export function stateDir(env: Record<string, string | undefined> = process.env): string {
  if (env.NIMBUS_STATE_DIR) return path.resolve(env.NIMBUS_STATE_DIR);
  const uid = process.getuid?.() ?? 0;
  if (uid === 0) return '/run/nimbus';
  return env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, 'nimbus') : path.join(os.tmpdir(), `nimbus-${uid}`);
}

export const files = (dir: string) => ({
  state: path.join(dir, 'state.json'),
  socket: path.join(dir, 'supervisor.sock'),
  pid: path.join(dir, 'supervisor.pid'),
  log: path.join(dir, 'supervisor.log'),
  instance: (name: string) => path.join(dir, 'instances', name),
  ring: (name: string) => path.join(dir, 'instances', name, 'console.ring'),
  fifo: (name: string) => path.join(dir, 'instances', name, 'console.fifo'),
  stderr: (name: string) => path.join(dir, 'instances', name, 'stderr.log'),
});

export function loadState(dir: string): FleetState {
  let text: string;
  try {
    text = readFileSync(files(dir).state, 'utf8');
  } catch {
    return { version: 1, instances: [] };
  }
  const s = JSON.parse(text) as FleetState;
  if (s.version !== 1 || !Array.isArray(s.instances)) throw new Error(`${files(dir).state}: not a Nimbus fleet state (version ${String(s.version)})`);
  return s;
}

/** Writes the state whole: a temporary file renamed over the old one, so a reader sees one or the other. */
export function saveState(dir: string, s: FleetState): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = files(dir).state;
  writeFileSync(`${f}.tmp`, JSON.stringify(s));
  renameSync(`${f}.tmp`, f);
}

/** Instance names: what a file name and a tap's owner can carry. */
export const NAME_RE = /^[a-z0-9][a-z0-9_.-]{0,62}$/i;

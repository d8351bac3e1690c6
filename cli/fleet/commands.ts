/**
 * `nimbus up | ps | logs | stop | rm`: the fleet's commands (docs/fleet.md). They parse,
 * ask the supervisor (cli/fleet/supervisor.ts) and print; `logs` reads the console rings
 * directly, so it works while no supervisor runs.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildImage } from '../build.ts';
import { parseMem, parsePort } from '../run.ts';
import { readRing } from './console-ring.ts';
import { ask } from './client.ts';
import { parseHealth } from './health.ts';
import { ProgressDisplay } from './progress.ts';
import type { PsRow, UpSpec } from './protocol.ts';
import { RESTART_MODES, type RestartMode } from './restart-policy.ts';
import { files, loadState, stateDir, type InstanceRecord } from './store.ts';

export const FLEET_HELP = {
  up: `Usage: nimbus up <entry.ts | image> [options] [-- args...]

Starts a fleet of instances of one image under the fleet's supervisor (one process for the
whole fleet, started when needed), each with its own address on a host network nimbus sets
up (Linux bridges with routed subnets, a tap per instance; needs root). Returns when every
instance answers (its --health check, else its console) or failed, with a one-line summary.

Options:
  -n, --count N          how many instances (default 1), named NAME-1 ... NAME-N
  --name NAME            the group's name (default: the image's name)
  --target T             process (default: a confined Linux process) or qemu (a VM)
  --mem SIZE             memory of each instance (default 64M)
  --restart MODE         no (default), on-failure or always; restarts back off 0.25 s to 30 s
  --health CHECK         tcp:PORT or http:[PORT]/PATH: when an instance counts as answering
  --net MODE             bridge (default) or none (no network, no root needed)
  -p, --publish H:G      forward host port H to guest port G (a single instance only)
  --env K=V              environment variable (repeatable)

State directory: $NIMBUS_STATE_DIR, else /run/nimbus (root), else $XDG_RUNTIME_DIR/nimbus.`,
  ps: `Usage: nimbus ps [--json]

Every instance of the fleet: name, image, target, state (with the exit code of an ended one),
address, uptime, restarts, memory (PSS). --json adds each record and the last console lines
of instances that do not run.`,
  logs: `Usage: nimbus logs NAME [-f]

The console of instance NAME (or of every instance of group NAME, each line prefixed), as
kept in its bounded ring on disk (the newest 64 KiB). -f follows new output until Ctrl-C.`,
  stop: `Usage: nimbus stop NAME... | --all

Stops instances (or groups): SIGTERM, SIGKILL after 5 s. Their records, addresses and logs stay.`,
  rm: `Usage: nimbus rm NAME... | --all

Stops and removes instances (or groups): records, addresses, taps and logs.`,
};

export class FleetUsageError extends Error {}

type Options = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

function argsOf(argv: string[], options: Options): { values: Record<string, string | string[] | boolean | undefined>; positionals: string[]; rest: string[] } {
  const dd = argv.indexOf('--');
  try {
    const p = parseArgs({ args: dd >= 0 ? argv.slice(0, dd) : argv, options: { help: { type: 'boolean', short: 'h' }, ...options }, allowPositionals: true, strict: true });
    return { values: p.values as Record<string, string | string[] | boolean | undefined>, positionals: p.positionals, rest: dd >= 0 ? argv.slice(dd + 1) : [] };
  } catch (e) {
    throw new FleetUsageError((e as Error).message);
  }
}

export async function fleetMain(cmd: 'up' | 'ps' | 'logs' | 'stop' | 'rm', argv: string[]): Promise<number> {
  const dir = stateDir();
  if (cmd === 'up') return up(dir, argv);
  if (cmd === 'ps') return ps(dir, argv);
  if (cmd === 'logs') return logs(dir, argv);
  return stopOrRm(dir, cmd, argv);
}

async function up(dir: string, argv: string[]): Promise<number> {
  const p = argsOf(argv, {
    count: { type: 'string', short: 'n' }, name: { type: 'string' }, target: { type: 'string' }, mem: { type: 'string' },
    restart: { type: 'string' }, health: { type: 'string' }, net: { type: 'string' }, publish: { type: 'string', short: 'p' },
    env: { type: 'string', multiple: true, short: 'e' },
  });
  const v = p.values;
  if (v.help) { console.log(FLEET_HELP.up); return 0; }
  if (p.positionals.length !== 1) throw new FleetUsageError('up takes exactly one entry file or image (see nimbus up --help)');
  const count = Number(v.count ?? 1);
  if (!Number.isInteger(count) || count < 1 || count > 100_000) throw new FleetUsageError(`-n takes a number of instances from 1, got '${String(v.count)}'`);
  const target = (v.target ?? 'process') as string;
  if (target !== 'process' && target !== 'qemu') throw new FleetUsageError(`unknown target '${target}' (process or qemu)`);
  const restart = (v.restart ?? 'no') as RestartMode;
  if (!RESTART_MODES.includes(restart)) throw new FleetUsageError(`--restart takes no, on-failure or always, got '${restart}'`);
  const netMode = (v.net ?? 'bridge') as string;
  if (netMode !== 'bridge' && netMode !== 'none') throw new FleetUsageError(`--net takes bridge or none, got '${netMode}'`);
  const env: Record<string, string> = {};
  for (const kv of (v.env as string[] | undefined) ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new FleetUsageError(`--env takes K=V, got '${kv}'`);
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  let image = p.positionals[0]!;
  if (/\.[cm]?[jt]sx?$/.test(image)) {
    const r = await buildImage({ entry: image, output: path.join('build', 'images', path.basename(image).replace(/\.[^.]+$/, '') + '.img') });
    for (const w of r.warnings) console.error(`nimbus: warning: ${w}`);
    image = r.image;
  }
  image = path.resolve(image);
  const publish = v.publish ? parsePort(v.publish as string) : undefined;
  if (publish && publish.proto !== 'tcp') throw new FleetUsageError('a fleet publishes TCP ports only');
  const spec: UpSpec = {
    group: (v.name as string | undefined) ?? path.basename(image).replace(/\.img$/, ''),
    count, image, target, memMiB: v.mem ? parseMem(v.mem as string) : 64, args: p.rest, env, restart,
    health: v.health ? parseHealth(v.health as string) : undefined,
    net: netMode, publish: publish && { hostAddress: publish.hostAddress, hostPort: publish.hostPort, guestPort: publish.guestPort },
  };
  const display = new ProgressDisplay(spec.group);
  const last = await ask(dir, { op: 'up', spec }, (m) => { if (m.type === 'progress') display.update(m.progress); });
  if (last.type === 'error') {
    if (display.live) process.stderr.write('\r\x1b[K');
    process.stderr.write(`nimbus: ${last.message}\n`);
    return 1;
  }
  if (last.type === 'done' && last.progress) {
    display.finish(last.progress);
    return last.progress.failed ? 1 : 0;
  }
  return 0;
}

const ago = (ms: number) => {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${s % 60}s` : `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
};

export function stateText(r: InstanceRecord, now = Date.now()): string {
  if (r.state === 'exited' || r.state === 'stopped') return `${r.state} (${r.exitCode ?? '?'})`;
  if (r.state === 'restarting') return `restarting (in ${ago((r.nextStartAt ?? now) - now)})`;
  if (r.state === 'failed') return 'failed';
  if (r.state === 'starting' && r.error) return 'not answering';
  return r.state;
}

export function psTable(rows: PsRow[], now = Date.now()): string {
  const head = ['NAME', 'IMAGE', 'TARGET', 'STATE', 'ADDRESS', 'UPTIME', 'RESTARTS', 'MEMORY'];
  const body = rows.map((r) => [
    r.name, path.basename(r.image), r.target, stateText(r, now),
    (r.net?.ip ?? '-') + (r.publish ? ` (${r.publish.hostAddress}:${r.publish.hostPort}->${r.publish.guestPort})` : ''),
    r.startedAt && ['starting', 'running'].includes(r.state) ? ago(now - r.startedAt) : '-',
    String(r.restarts), r.pssKiB !== undefined ? `${(r.pssKiB / 1024).toFixed(1)} MiB` : '-',
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  return [head, ...body].map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(width[i]!))).join('  ')).join('\n');
}

async function ps(dir: string, argv: string[]): Promise<number> {
  const p = argsOf(argv, { json: { type: 'boolean' } });
  if (p.values.help) { console.log(FLEET_HELP.ps); return 0; }
  // No records: nothing to reconcile, no supervisor to start.
  let rows: PsRow[] = [];
  if (loadState(dir).instances.length) {
    const m = await ask(dir, { op: 'ps' });
    if (m.type === 'error') throw new Error(m.message);
    rows = (m.type === 'done' && m.instances) || [];
  }
  if (p.values.json) console.log(JSON.stringify(rows, null, 2));
  else console.log(psTable(rows));
  return 0;
}

function named(dir: string, names: string[]): InstanceRecord[] {
  const all = loadState(dir).instances;
  return names.flatMap((n) => {
    const hit = all.filter((r) => r.name === n || r.group === n);
    if (!hit.length) throw new FleetUsageError(`no instance or group named '${n}' (see nimbus ps)`);
    return hit;
  });
}

async function logs(dir: string, argv: string[]): Promise<number> {
  const p = argsOf(argv, { follow: { type: 'boolean', short: 'f' } });
  if (p.values.help) { console.log(FLEET_HELP.logs); return 0; }
  if (p.positionals.length !== 1) throw new FleetUsageError('logs takes one instance or group name (see nimbus logs --help)');
  const recs = named(dir, p.positionals);
  const prefix = recs.length > 1;
  const pos = new Map<string, bigint>();
  const partial = new Map<string, string>();
  const drain = () => {
    for (const r of recs) {
      const got = readRing(files(dir).ring(r.name), pos.get(r.name) ?? 0n);
      pos.set(r.name, got.next);
      if (!got.bytes.length) continue;
      if (!prefix) { process.stdout.write(got.bytes); continue; }
      const text = (partial.get(r.name) ?? '') + got.bytes.toString('utf8');
      const lines = text.split('\n');
      partial.set(r.name, lines.pop()!);
      if (lines.length) process.stdout.write(lines.map((l) => `${r.name} | ${l}\n`).join(''));
    }
  };
  drain();
  if (!p.values.follow) return 0;
  await new Promise<void>((resolve) => {
    const t = setInterval(drain, 250);
    const end = () => { clearInterval(t); resolve(); };
    process.once('SIGINT', end);
    process.once('SIGTERM', end);
  });
  return 0;
}

async function stopOrRm(dir: string, cmd: 'stop' | 'rm', argv: string[]): Promise<number> {
  const p = argsOf(argv, { all: { type: 'boolean' } });
  if (p.values.help) { console.log(FLEET_HELP[cmd]); return 0; }
  if (!p.values.all && !p.positionals.length) throw new FleetUsageError(`${cmd} takes instance or group names, or --all`);
  if (p.values.all && p.positionals.length) throw new FleetUsageError(`${cmd} takes names or --all, not both`);
  if (!p.values.all) named(dir, p.positionals); // unknown names fail before anything is done
  else if (!loadState(dir).instances.length) return 0;
  const m = await ask(dir, { op: cmd, names: p.values.all ? 'all' as const : p.positionals });
  if (m.type === 'error') { process.stderr.write(`nimbus: ${m.message}\n`); return 1; }
  if (m.type === 'done') for (const n of m.names ?? []) console.log(n);
  return 0;
}


/**
 * The fleet's supervisor: one detached process per state directory that starts, watches,
 * restarts and stops every instance, and answers the CLI on the directory's unix socket
 * (cli/fleet/protocol.ts). Started by the CLI when none answers (`nimbus __supervisor DIR`);
 * it reconciles the records on disk with the host first (cli/fleet/reconcile.ts), and ends
 * when the fleet is empty.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { allocateSlots, netPlan, slotAddress, type NetPlan } from './allocator.ts';
import { addTaps, removeTaps, requireNetAdmin, HostNetError } from './hostnet.ts';
import { cpuCount, hostMemory, howManyFit, instanceCostMiB, isOurs, pssKiB, reserveMiB } from './host.ts';
import { LiveInstance, type RunEnd } from './instance.ts';
import { readLines, send, type Message, type Progress, type PsRow, type Request, type UpSpec } from './protocol.ts';
import { decideRestart } from './restart-policy.ts';
import { reconcile } from './reconcile.ts';
import { files, loadState, saveState, NAME_RE, type FleetState, type InstanceNet, type InstanceRecord } from './store.ts';
import { lastLines } from './console-ring.ts';
import { randomMac } from '../process-target.ts';
import { findQemu, RunError } from '../run.ts';

const LIVE = new Set(['created', 'starting', 'running', 'restarting']);
const READY_TIMEOUT_MS = { process: 60_000, qemu: 300_000 };

export class Supervisor {
  readonly f: ReturnType<typeof files>;
  readonly plan: NetPlan = netPlan();
  state: FleetState;
  live = new Map<string, LiveInstance>();
  #relays = new Map<string, net.Server>();
  #restartTimers = new Map<string, NodeJS.Timeout>();
  #queue: InstanceRecord[] = [];
  #inFlight = new Map<string, NodeJS.Timeout>();
  #stopping = new Map<string, () => void>();
  #saveTimer: NodeJS.Timeout | undefined;
  #server: net.Server | undefined;
  #busy = 0;

  constructor(readonly dir: string) {
    this.f = files(dir);
    this.state = loadState(dir);
  }

  log(text: string): void {
    process.stderr.write(`${new Date().toISOString()} ${text}\n`);
  }

  record(name: string): InstanceRecord | undefined {
    return this.state.instances.find((r) => r.name === name);
  }

  saveSoon(): void {
    if (this.#saveTimer) return;
    this.#saveTimer = setTimeout(() => { this.#saveTimer = undefined; saveState(this.dir, this.state); }, 100);
  }

  saveNow(): void {
    clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    saveState(this.dir, this.state);
  }

  // ---- the socket ----

  async listen(): Promise<boolean> {
    const server = net.createServer((sock) => {
      sock.on('error', () => {});
      readLines(sock, (v) => void this.#handle(sock, v as Request));
    });
    const tryListen = () => new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      server.once('error', resolve);
      server.listen(this.f.socket, () => resolve(undefined));
    });
    let err = await tryListen();
    if (err?.code === 'EADDRINUSE') {
      // Another supervisor answering: it owns this directory. A socket file nobody answers: stale.
      if (await answers(this.f.socket)) return false;
      unlinkSync(this.f.socket);
      err = await tryListen();
    }
    if (err) throw err;
    this.#server = server;
    writeFileSync(this.f.pid, `${process.pid}\n`);
    return true;
  }

  async #handle(sock: net.Socket, req: Request): Promise<void> {
    this.#busy++;
    try {
      if (req.op === 'ping') send(sock, { type: 'done' });
      else if (req.op === 'ps') send(sock, { type: 'done', instances: this.ps() });
      else if (req.op === 'up') await this.up(req.spec, (m) => send(sock, m));
      else if (req.op === 'stop') send(sock, { type: 'done', names: await this.stop(this.resolve(req.names)) });
      else if (req.op === 'rm') send(sock, { type: 'done', names: await this.rm(this.resolve(req.names)) });
      else send(sock, { type: 'error', message: `unknown request` });
    } catch (e) {
      send(sock, { type: 'error', message: (e as Error).message });
    } finally {
      this.#busy--;
      if (req.op !== 'ping') this.#exitIfEmpty();
    }
  }

  /** Instance records named, or of the groups named; 'all' is every one. */
  resolve(names: string[] | 'all'): InstanceRecord[] {
    if (names === 'all') return [...this.state.instances];
    const out = new Set<InstanceRecord>();
    for (const n of names) {
      const hit = this.state.instances.filter((r) => r.name === n || r.group === n);
      if (!hit.length) throw new Error(`no instance or group named '${n}' (see nimbus ps)`);
      for (const r of hit) out.add(r);
    }
    return [...out];
  }

  // ---- ps ----

  ps(): PsRow[] {
    return this.state.instances.map((r) => {
      const alive = LIVE.has(r.state) && isOurs(r.pid, r.pidStart);
      return { ...r, pssKiB: alive ? pssKiB(r.pid!) : undefined, lastLines: alive ? undefined : lastLines(this.f.ring(r.name), 5) };
    });
  }

  // ---- up ----

  async up(spec: UpSpec, emit: (m: Message) => void): Promise<void> {
    if (!NAME_RE.test(spec.group)) throw new Error(`invalid name '${spec.group}' (letters, digits, '.', '_' and '-', at most 63)`);
    const names = Array.from({ length: spec.count }, (_, i) => `${spec.group}-${i + 1}`);
    const clash = this.state.instances.filter((r) => r.group === spec.group || names.includes(r.name));
    if (clash.length) throw new Error(`the name '${spec.group}' is in use (${clash.length} instance${clash.length > 1 ? 's' : ''}: ${clash.slice(0, 3).map((r) => r.name).join(', ')}${clash.length > 3 ? ', ...' : ''}); choose another --name or \`nimbus rm ${spec.group}\` first`);
    if (!existsSync(spec.image)) throw new Error(`Cannot start ${spec.image}: no such file`);
    if (spec.net === 'bridge') requireNetAdmin();
    if (spec.target === 'qemu') findQemu();
    if (spec.health && spec.net === 'none') throw new Error('--health checks the instance over its network; drop --net none');
    if (spec.publish && spec.count !== 1) throw new Error('-p publishes a port of a single instance (-n 1); a fleet is reached at each instance\'s own address');
    if (spec.publish && spec.net === 'none') throw new Error('-p needs the fleet network; drop --net none');
    // Memory first: refuse what cannot fit, and say how much would.
    const mem = hostMemory();
    const cost = instanceCostMiB(spec.target, spec.memMiB, this.#measuredMeanMiB(spec.image));
    const fit = howManyFit(mem, cost);
    if (spec.count > fit) {
      throw new Error(`not enough host memory for ${spec.count} more instances: about ${fit} fit (${Math.round(mem.availableMiB)} MiB available, less a ${Math.round(reserveMiB(mem))} MiB reserve, at about ${cost.toFixed(1)} MiB each)`);
    }
    const slots = spec.net === 'bridge' ? allocateSlots(this.plan, this.state.instances.flatMap((r) => (r.net ? [r.net.slot] : [])), spec.count) : [];
    let relay: net.Server | undefined;
    if (spec.publish) relay = await this.#listenRelay(spec.publish, names[0]!);
    const now = Date.now();
    const recs: InstanceRecord[] = names.map((name, i) => ({
      name, group: spec.group, image: spec.image, target: spec.target, memMiB: spec.memMiB, args: spec.args, env: spec.env,
      restart: spec.restart, health: spec.health, publish: spec.publish,
      net: spec.net === 'bridge' ? netOf(this.plan, slots[i]!) : null,
      state: 'created', createdAt: now, restarts: 0, streak: 0,
    }));
    if (relay) this.#relays.set(names[0]!, relay);
    this.state.instances.push(...recs);
    this.saveNow();
    this.log(`up ${spec.group}: ${spec.count} x ${spec.image} (${spec.target})`);
    const memBefore = mem.totalMiB - mem.availableMiB;
    const t0 = performance.now();
    const progress = (): Progress => {
      let started = 0, answering = 0, failed = 0;
      for (const r of recs) {
        if (r.startedAt !== undefined) started++;
        if (r.answeredAt !== undefined && LIVE.has(r.state)) answering++;
        else if (r.state === 'failed' || r.error !== undefined || (r.exitedAt !== undefined && r.exitCode !== 0)) failed++;
      }
      const m = hostMemory();
      return { total: recs.length, started, answering, failed, hostMemMiB: Math.round(m.totalMiB - m.availableMiB - memBefore), elapsedMs: Math.round(performance.now() - t0) };
    };
    this.#queue.push(...recs);
    this.#pump();
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const p = progress();
        if (recs.every(settled)) {
          clearInterval(tick);
          const pss = recs.flatMap((r) => (r.pid && LIVE.has(r.state) ? [pssKiB(r.pid) ?? 0] : []));
          emit({ type: 'done', progress: { ...p, pssMiB: Math.round(pss.reduce((a, b) => a + b, 0) / 1024), pssCount: pss.length } });
          resolve();
        } else {
          emit({ type: 'progress', progress: p });
        }
      }, 250);
    });
  }

  #measuredMeanMiB(image: string): number | undefined {
    const pss = this.state.instances.filter((r) => r.image === image && r.state === 'running' && r.pid).slice(0, 20)
      .map((r) => pssKiB(r.pid!)).filter((x): x is number => x !== undefined);
    return pss.length ? pss.reduce((a, b) => a + b, 0) / pss.length / 1024 : undefined;
  }

  async #listenRelay(p: NonNullable<UpSpec['publish']>, name: string): Promise<net.Server> {
    const server = net.createServer((client) => {
      const r = this.record(name);
      if (!r?.net) return client.destroy();
      const up = net.connect({ host: r.net.ip, port: p.guestPort });
      client.pipe(up).pipe(client);
      client.on('error', () => up.destroy());
      up.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) => reject(new Error(`Cannot publish port ${p.hostAddress}:${p.hostPort}: ${(e as Error).message}`)));
      server.listen({ host: p.hostAddress, port: p.hostPort, exclusive: true }, () => resolve());
    });
    return server;
  }

  /** Starts queued instances in batches sized to the host: a batch when half the last one is up. */
  #pump(): void {
    const batch = (t: 'process' | 'qemu') => (t === 'qemu' ? Math.max(1, cpuCount()) : 32 * cpuCount());
    while (this.#queue.length) {
      const size = batch(this.#queue[0]!.target);
      if (this.#inFlight.size > size / 2) return;
      const take = this.#queue.filter((r) => r.state === 'created').slice(0, size - this.#inFlight.size);
      this.#queue = this.#queue.filter((r) => r.state === 'created' && !take.includes(r));
      if (!take.length) return;
      const fit = howManyFit(hostMemory(), instanceCostMiB(take[0]!.target, take[0]!.memMiB, this.#measuredMeanMiB(take[0]!.image)));
      if (fit < take.length) {
        const refused = [...take.slice(fit), ...this.#queue];
        this.#queue = [];
        for (const r of refused) {
          r.state = 'failed';
          r.error = `not started: out of host memory (${Math.round(hostMemory().availableMiB)} MiB available, reserve ${Math.round(reserveMiB(hostMemory()))} MiB)`;
        }
        take.length = fit;
        this.log(`out of host memory: ${refused.length} instances not started`);
      }
      this.#startBatch(take);
    }
  }

  #startBatch(recs: InstanceRecord[]): void {
    const nets = recs.flatMap((r) => (r.net ? [r.net] : []));
    try {
      if (nets.length) addTaps(nets, (b) => this.#hostCidr(b));
      prepareDirs(this.f, recs.map((r) => r.name));
    } catch (e) {
      for (const r of recs) { r.state = 'failed'; r.error = (e as Error).message; }
      this.saveSoon();
      return;
    }
    for (const r of recs) {
      const timer = setTimeout(() => {
        if (r.answeredAt === undefined && LIVE.has(r.state) && r.error === undefined) r.error = `did not answer ${r.health ? 'its health check' : 'on its console'} within ${READY_TIMEOUT_MS[r.target] / 1000} s`;
        this.#landed(r);
      }, READY_TIMEOUT_MS[r.target]);
      this.#inFlight.set(r.name, timer);
      void this.startOne(r);
    }
  }

  #hostCidr(bridge: string): string {
    const b = Number(bridge.slice(`${this.plan.ifPrefix}br`.length));
    return slotAddress(this.plan, b * this.plan.portsPerBridge).hostCidr;
  }

  /** An instance of a batch is up (or failed): room for the next batch. */
  #landed(r: InstanceRecord): void {
    const t = this.#inFlight.get(r.name);
    if (!t) return;
    clearTimeout(t);
    this.#inFlight.delete(r.name);
    this.#pump();
  }

  async startOne(r: InstanceRecord): Promise<void> {
    try {
      if (r.net && !existsSync(`/sys/class/net/${r.net.tap}`)) addTaps([r.net], (b) => this.#hostCidr(b));
      if (!existsSync(this.f.fifo(r.name))) prepareDirs(this.f, [r.name]);
      let live = this.live.get(r.name);
      if (!live) this.live.set(r.name, (live = new LiveInstance(this.dir, r)));
      r.error = undefined;
      await live.start(this.#events(r, live));
      r.state = 'starting';
      live.note(`started (pid ${r.pid}${r.restarts ? `, restart ${r.restarts}` : ''})`);
    } catch (e) {
      r.state = 'failed';
      r.error = e instanceof HostNetError || e instanceof RunError ? e.message : `cannot start: ${(e as Error).message}`;
      this.log(`${r.name}: ${r.error}`);
      this.#landed(r);
    }
    this.saveSoon();
  }

  #events(r: InstanceRecord, live: LiveInstance) {
    return {
      ready: () => {
        r.answeredAt = Date.now();
        if (r.state === 'starting') r.state = 'running';
        this.#landed(r);
        this.saveSoon();
      },
      ended: (end: RunEnd) => this.#ended(r, live, end),
    };
  }

  #ended(r: InstanceRecord, live: LiveInstance, end: RunEnd): void {
    r.exitedAt = Date.now();
    r.exitCode = end.exitCode;
    r.pid = undefined;
    r.pidStart = undefined;
    r.answeredAt = undefined;
    const code = end.exitCode === null ? 'an unknown exit code (it ended while no supervisor watched it)' : `exit code ${end.exitCode}`;
    const stopped = this.#stopping.get(r.name);
    if (stopped) {
      r.state = 'stopped';
      live.note(`stopped (${code})`);
      stopped(); // stop() releases the network of all it stopped at once
    } else {
      const d = decideRestart(r.restart, { exitCode: end.exitCode, ranMs: end.ranMs, streak: r.streak });
      if (d.restart) {
        r.state = 'restarting';
        r.streak = d.streak;
        r.nextStartAt = Date.now() + d.delayMs;
        live.note(`ended with ${code}; restart ${r.restarts + 1} in ${d.delayMs} ms`);
        this.#scheduleRestart(r, d.delayMs);
      } else {
        r.state = 'exited';
        live.note(`ended with ${code}`);
        this.#releaseNet([r]);
      }
    }
    this.#landed(r);
    this.saveSoon();
  }

  #scheduleRestart(r: InstanceRecord, delayMs: number): void {
    clearTimeout(this.#restartTimers.get(r.name));
    this.#restartTimers.set(r.name, setTimeout(() => {
      this.#restartTimers.delete(r.name);
      if (r.state !== 'restarting') return;
      r.restarts++;
      r.nextStartAt = undefined;
      void this.startOne(r);
    }, Math.max(0, delayMs)));
  }

  /** Taps of instances that no longer run go; a bridge goes with its last tap. */
  #releaseNet(recs: InstanceRecord[]): void {
    const nets = recs.flatMap((r) => (r.net ? [r.net] : []));
    if (!nets.length) return;
    const inUse = new Set(this.state.instances.filter((r) => r.net && !recs.includes(r) && LIVE.has(r.state)).map((r) => r.net!.bridge));
    try {
      removeTaps(nets, inUse);
    } catch (e) {
      this.log(`cannot remove taps: ${(e as Error).message}`);
    }
    for (const r of recs) {
      this.#relays.get(r.name)?.close();
      this.#relays.delete(r.name);
    }
  }

  // ---- stop, rm ----

  async stop(recs: InstanceRecord[]): Promise<string[]> {
    const waits: Promise<void>[] = [];
    for (const r of recs) {
      const live = this.live.get(r.name);
      if (r.state === 'created' || r.state === 'restarting') {
        clearTimeout(this.#restartTimers.get(r.name));
        this.#queue = this.#queue.filter((q) => q !== r);
        r.state = 'stopped';
        this.#landed(r);
      } else if ((r.state === 'starting' || r.state === 'running') && live?.running) {
        waits.push(new Promise((resolve) => this.#stopping.set(r.name, resolve)));
        live.kill();
      }
    }
    await Promise.all(waits);
    for (const r of recs) this.#stopping.delete(r.name);
    this.#releaseNet(recs.filter((r) => !LIVE.has(r.state)));
    this.saveNow();
    return recs.map((r) => r.name);
  }

  async rm(recs: InstanceRecord[]): Promise<string[]> {
    await this.stop(recs);
    for (const r of recs) {
      this.live.get(r.name)?.close();
      this.live.delete(r.name);
      rmSync(this.f.instance(r.name), { recursive: true, force: true });
    }
    this.#releaseNet(recs);
    this.state.instances = this.state.instances.filter((r) => !recs.includes(r));
    this.saveNow();
    return recs.map((r) => r.name);
  }

  /** A supervisor started for a request that never came (the CLI died) ends after a minute. */
  exitWhenIdle(): void {
    setInterval(() => this.#exitIfEmpty(), 60_000).unref();
  }

  #exitIfEmpty(): void {
    if (this.state.instances.length || this.#busy) return;
    this.log('the fleet is empty: supervisor ends');
    this.#server?.close();
    for (const f of [this.f.socket, this.f.pid]) rmSync(f, { force: true });
    process.exit(0);
  }

  // ---- start-up ----

  /** Reconciles the records with the host, then adopts, restarts or starts what should run. */
  resume(): void {
    const r = reconcile(this.dir, this.state, this.plan);
    for (const line of r.notes) this.log(line);
    for (const rec of this.state.instances) {
      if (rec.state === 'starting' || rec.state === 'running') {
        const live = new LiveInstance(this.dir, rec);
        this.live.set(rec.name, live);
        live.adopt(this.#events(rec, live), rec.answeredAt !== undefined);
        if (rec.publish) void this.#listenRelay(rec.publish, rec.name).then((s) => this.#relays.set(rec.name, s), (e) => this.log(`${rec.name}: ${(e as Error).message}`));
      } else if (rec.state === 'restarting') {
        this.#scheduleRestart(rec, (rec.nextStartAt ?? 0) - Date.now());
      } else if (rec.state === 'created') {
        this.#queue.push(rec);
      }
    }
    for (const rec of r.died) this.#ended(rec, this.#liveFor(rec), { exitCode: null, ranMs: Date.now() - (rec.startedAt ?? Date.now()) });
    this.#pump();
    this.saveNow();
  }

  #liveFor(r: InstanceRecord): LiveInstance {
    let live = this.live.get(r.name);
    if (!live) {
      prepareDirs(this.f, [r.name]);
      this.live.set(r.name, (live = new LiveInstance(this.dir, r)));
    }
    return live;
  }
}

function settled(r: InstanceRecord): boolean {
  return r.answeredAt !== undefined || r.error !== undefined || r.exitedAt !== undefined || ['failed', 'exited', 'stopped'].includes(r.state);
}

function netOf(plan: NetPlan, slot: number): InstanceNet {
  const a = slotAddress(plan, slot);
  return { slot, bridge: a.bridge, tap: a.tap, ip: a.ip, prefix: a.prefix, gateway: a.gateway, mac: randomMac() };
}

/** Each instance's directory and console FIFO (one mkfifo for the whole batch). */
function prepareDirs(f: ReturnType<typeof files>, names: string[]): void {
  const fifos: string[] = [];
  for (const n of names) {
    mkdirSync(f.instance(n), { recursive: true });
    if (!existsSync(f.fifo(n))) fifos.push(f.fifo(n));
  }
  for (let i = 0; i < fifos.length; i += 500) {
    const r = spawnSync('mkfifo', ['-m', '600', ...fifos.slice(i, i + 500)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cannot make console FIFOs: ${r.stderr || r.error?.message}`);
  }
}

function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socket);
    s.on('connect', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

/** `nimbus __supervisor DIR`: runs until the fleet is empty. */
export async function supervisorMain(dir: string): Promise<number> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const s = new Supervisor(dir);
  if (!(await s.listen())) {
    s.log('another supervisor answers on this directory; this one ends');
    return 0;
  }
  s.log(`supervisor ${process.pid} on ${dir}: ${s.state.instances.length} instance records`);
  s.resume();
  s.exitWhenIdle();
  process.on('SIGTERM', () => { s.saveNow(); process.exit(0); });
  return new Promise(() => {}); // runs until #exitIfEmpty
}

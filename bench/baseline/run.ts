/**
 * The Linux + Node baseline: the same hello HTTP response as the Nimbus benchmark, served by
 * Debian's cloud kernel + busybox + this machine's node, booted in the same QEMU (TCG).
 * bench/baseline/build.sh makes the kernel, initramfs and command line; this file boots them
 * and measures. Run it directly (`node --import tsx bench/baseline/run.ts`) for every number
 * as one JSON object, or import the functions.
 *
 * Every wait is bounded by a deadline, and every QEMU started here is killed: on success, on
 * an exception (try/finally) and, as a last resort, when this process exits.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const OUT = path.join(ROOT, 'build', 'bench-baseline');

export const FILES = {
  vmlinuz: path.join(OUT, 'vmlinuz'),
  initramfs: path.join(OUT, 'initramfs.cpio.gz'),
  cmdline: path.join(OUT, 'cmdline'),
};

/** Memory the baseline gets unless told otherwise: node alone is ~86 MB of initramfs. */
export const DEFAULT_MEM_MIB = 256;
/** Longest a boot may take to answer before it counts as failed (TCG boots take ~5 s). */
const BOOT_DEADLINE_MS = 90_000;
const BODY = 'Hello from Nimbus!\n';

/** Runs build.sh (a no-op when its outputs are current); throws if it fails. */
export function ensureBuilt(): void {
  const r = spawnSync('bash', [path.join(HERE, 'build.sh')], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
  if (r.status !== 0) {
    throw new Error(`bench/baseline/build.sh failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
}

export function sizes(): { kernelBytes: number; initramfsBytes: number } {
  return { kernelBytes: statSync(FILES.vmlinuz).size, initramfsBytes: statSync(FILES.initramfs).size };
}

// ---------------------------------------------------------------------------------------------
// QEMU lifetime

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});
// Ctrl-C or a kill of this process: 'exit' handlers do not run on a default signal death.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    for (const c of live) c.kill('SIGKILL');
    process.exit(130);
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A port on 127.0.0.1 that was free a moment ago (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Vm {
  port: number;
  /** process.hrtime at spawn, in ns. */
  t0: bigint;
  /** The guest's serial console so far (the last 64 KiB). */
  console(): string;
  /** ms after spawn at which the READY line appeared on the console, if it has. */
  readyMs(): number | undefined;
  /** Whether QEMU has exited (the guest panicked, e.g. out of memory: panic=-1 + -no-reboot). */
  exited(): boolean;
}

const msSince = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

/** What gets booted: the baseline here; bench/http.ts passes a Nimbus image the same way. */
export interface Target {
  name: string;
  /** QEMU arguments for a guest with memMiB of memory whose port 80 is forwarded from `port`. */
  args(memMiB: number, port: number): string[];
}

export const BASELINE: Target = { name: 'linux+node', args: (memMiB, port) => qemuArgs(memMiB, port) };

/** The baseline running /app/<app>.mjs instead of the hello server (build.sh's /init reads `app=`). */
export function baselineRunning(app: 'hello-server' | 'bulk-server' | 'tls-server' | 'crypto-speed'): Target {
  return { name: `linux+node ${app}`, args: (memMiB, port) => qemuArgs(memMiB, port, `app=${app}`) };
}

function qemuArgs(memMiB: number, port: number, extra = '', netdev = `user,id=n0,hostfwd=tcp:127.0.0.1:${port}-:80`): string[] {
  const cmdline = `${readFileSync(FILES.cmdline, 'utf8').trim()}${extra ? ` ${extra}` : ''}`;
  return [
    '-M', 'q35', '-accel', 'tcg', '-cpu', 'max', '-m', String(memMiB),
    '-nodefaults', '-no-user-config', '-nographic', '-no-reboot', '-serial', 'stdio',
    '-kernel', FILES.vmlinuz, '-initrd', FILES.initramfs, '-append', cmdline,
    '-netdev', netdev, '-device', 'virtio-net-pci,netdev=n0',
  ];
}

/**
 * QEMU arguments for the baseline running /app/<app>.mjs on the tap `ifname` (QEMU's default
 * vnet header, so the device offers checksum and TSO offloads). Its /init still configures
 * 10.0.2.15/24 with gateway 10.0.2.2: the tap's side must carry 10.0.2.2 (bench/tap-vm.ts).
 */
export function baselineTapArgs(app: 'hello-server' | 'bulk-server', memMiB: number, ifname: string): string[] {
  return qemuArgs(memMiB, 0, `app=${app}`, `tap,id=n0,ifname=${ifname},script=no,downscript=no`);
}

/** Boots the baseline with memMiB of memory, runs fn, and kills QEMU whatever happens. */
export async function withVm<T>(target: Target, memMiB: number, fn: (vm: Vm) => Promise<T>): Promise<T> {
  const port = await freePort();
  const args = target.args(memMiB, port);
  const t0 = process.hrtime.bigint();
  const child = spawn('qemu-system-x86_64', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  let ready: number | undefined;
  let exited = false;
  const onData = (b: Buffer) => {
    out = (out + b.toString('latin1')).slice(-65536);
    if (ready === undefined && out.includes('READY')) ready = msSince(t0);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const done = new Promise<void>((resolve) => {
    child.on('exit', () => { exited = true; live.delete(child); resolve(); });
    child.on('error', (e) => { exited = true; live.delete(child); out += `\n[spawn error: ${e.message}]`; resolve(); });
  });
  const vm: Vm = { port, t0, console: () => out, readyMs: () => ready, exited: () => exited };
  try {
    return await fn(vm);
  } finally {
    if (!exited) child.kill('SIGKILL');
    await Promise.race([done, sleep(5000)]);
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP probing

/** One GET; resolves with the status and body, or undefined on any error or after timeoutMs. */
function get(port: number, timeoutMs: number): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (v: { status: number; body: string } | undefined) => {
      if (!settled) { settled = true; clearTimeout(timer); resolve(v); }
    };
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { if (body.length < 4096) body += d; });
      res.on('end', () => finish({ status: res.statusCode ?? 0, body }));
      res.on('error', () => finish(undefined));
    });
    req.on('error', () => finish(undefined));
    const timer = setTimeout(() => { req.destroy(); finish(undefined); }, timeoutMs);
  });
}

/**
 * ms from QEMU's spawn to the first 200 with the hello body, or undefined if QEMU exits or
 * the deadline passes first. Until the guest listens, QEMU's user-mode net accepts the host
 * connection and then holds or drops it, so one attempt at a time would measure the attempt
 * timeout; instead a new attempt starts every 50 ms (at most 40 in flight, each up to 2 s)
 * and the first 200 wins.
 */
export async function waitFor200(vm: Vm, deadlineMs = BOOT_DEADLINE_MS): Promise<number | undefined> {
  let first: number | undefined;
  let inFlight = 0;
  const maxAttempts = Math.ceil(deadlineMs / 50) + 1;
  for (let i = 0; i < maxAttempts && first === undefined && !vm.exited() && msSince(vm.t0) < deadlineMs; i++) {
    if (inFlight < 40) {
      inFlight++;
      void get(vm.port, 2000).then((r) => {
        inFlight--;
        if (r && r.status === 200 && r.body === BODY && first === undefined) first = msSince(vm.t0);
      });
    }
    await sleep(50);
  }
  // Let the attempts still in flight finish (each is bounded by its own 2 s timeout).
  for (let i = 0; i < 60 && inFlight > 0 && first === undefined; i++) await sleep(50);
  return first;
}

export function bootFailure(vm: Vm, memMiB: number): Error {
  const tail = vm.console().split('\n').slice(-25).join('\n');
  return new Error(`baseline at ${memMiB} MiB served no 200 (qemu ${vm.exited() ? 'exited' : 'still running'}); console tail:\n${tail}`);
}

// ---------------------------------------------------------------------------------------------
// Measurements

/**
 * Time from spawning QEMU to the first HTTP 200 on the forwarded port. readyMs is when the
 * server's READY line reached the host console (guest side, for comparison).
 */
export async function bootToFirst200(memMiB = DEFAULT_MEM_MIB, target = BASELINE): Promise<{ ms: number; readyMs?: number }> {
  return withVm(target, memMiB, async (vm) => {
    const ms = await waitFor200(vm);
    if (ms === undefined) throw bootFailure(vm, memMiB);
    return { ms, readyMs: vm.readyMs() };
  });
}

/** Whether the baseline boots at memMiB and then answers 20 more sequential requests. */
async function servesAt(memMiB: number, target: Target): Promise<boolean> {
  return withVm(target, memMiB, async (vm) => {
    if ((await waitFor200(vm)) === undefined) return false;
    for (let i = 0; i < 20; i++) {
      const r = await get(vm.port, 5000);
      if (!r || r.status !== 200 || r.body !== BODY) return false;
    }
    return true;
  });
}

/**
 * Smallest memory (MiB) that still boots and serves, by binary search between lo and hi,
 * stopping when the bracket is no wider than stepMiB (the answer is exact to stepMiB).
 * Returns lo if even lo serves.
 */
export async function smallestMemory(lo = 128, hi = 512, stepMiB = 1, target = BASELINE): Promise<number> {
  if (!(await servesAt(hi, target))) throw new Error(`${target.name} does not serve even at ${hi} MiB`);
  if (await servesAt(lo, target)) return lo;
  // Invariant: lo fails, hi serves. At most log2((hi - lo) / stepMiB) + 1 more boots.
  for (let i = 0; i < 16 && hi - lo > stepMiB; i++) {
    const mid = Math.floor((lo + hi) / 2);
    if (await servesAt(mid, target)) hi = mid; else lo = mid;
  }
  return hi;
}

export interface AbResult {
  requestsPerSecond: number;
  complete: number;
  failed: number;
  non2xx: number;
  keepAliveRequests: number;
  /** Boot to first 200 of the VM the load ran against. */
  bootMs: number;
}

/**
 * Boots the baseline, waits for the first 200, runs `ab [-k] -n n -c c` against it and
 * parses the result. No warm-up beyond the probes of the boot wait.
 */
export async function requestsPerSecond(keepAlive: boolean, n: number, c = 8, memMiB = DEFAULT_MEM_MIB, target = BASELINE): Promise<AbResult> {
  return withVm(target, memMiB, async (vm) => {
    const bootMs = await waitFor200(vm);
    if (bootMs === undefined) throw bootFailure(vm, memMiB);
    const args = [...(keepAlive ? ['-k'] : []), '-q', '-s', '20', '-n', String(n), '-c', String(c), `http://127.0.0.1:${vm.port}/`];
    const { code, out } = await runBounded('ab', args, 600_000);
    const num = (re: RegExp) => {
      const m = re.exec(out);
      return m ? Number(m[1]) : undefined;
    };
    const rps = num(/Requests per second:\s+([\d.]+)/);
    if (code !== 0 || rps === undefined) throw new Error(`ab failed (exit ${code}):\n${out.slice(-2000)}`);
    return {
      requestsPerSecond: rps,
      complete: num(/Complete requests:\s+(\d+)/) ?? 0,
      failed: num(/Failed requests:\s+(\d+)/) ?? 0,
      non2xx: num(/Non-2xx responses:\s+(\d+)/) ?? 0,
      keepAliveRequests: num(/Keep-Alive requests:\s+(\d+)/) ?? 0,
      bootMs,
    };
  });
}

/** Runs cmd, killing it after timeoutMs; resolves with its exit code and stdout + stderr. */
function runBounded(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); live.delete(child); resolve({ code: -1, out: `${out}\n${e.message}` }); });
    child.on('close', (code) => { clearTimeout(timer); live.delete(child); resolve({ code, out }); });
  });
}

// ---------------------------------------------------------------------------------------------
// Direct run: every number, with how long each took, as one JSON object on the last line.

async function timed<T>(f: () => Promise<T>): Promise<{ result: T; tookS: number }> {
  const t0 = process.hrtime.bigint();
  const result = await f();
  return { result, tookS: Math.round(msSince(t0) / 100) / 10 };
}

async function main(): Promise<void> {
  ensureBuilt();
  const runs = Number(process.env.BASELINE_RUNS ?? 3);
  const report: Record<string, unknown> = { memMiB: DEFAULT_MEM_MIB, cmdline: readFileSync(FILES.cmdline, 'utf8').trim(), sizes: sizes() };
  const boots = await timed(async () => {
    const xs: { ms: number; readyMs?: number }[] = [];
    for (let i = 0; i < runs; i++) xs.push(await bootToFirst200());
    return xs;
  });
  const ms = boots.result.map((b) => b.ms).sort((a, b) => a - b);
  report.bootToFirst200 = { runs: boots.result, medianMs: ms[ms.length >> 1], tookS: boots.tookS };
  console.error('boot:', JSON.stringify(report.bootToFirst200));
  report.smallestMemoryMiB = await timed(() => smallestMemory());
  console.error('smallest memory:', JSON.stringify(report.smallestMemoryMiB));
  report.abKeepAlive = await timed(() => requestsPerSecond(true, 2000, 8));
  console.error('ab -k:', JSON.stringify(report.abKeepAlive));
  report.abNoKeepAlive = await timed(() => requestsPerSecond(false, 500, 8));
  console.error('ab:', JSON.stringify(report.abNoKeepAlive));
  console.log(JSON.stringify(report));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

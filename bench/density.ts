/**
 * Density (`make bench`): a fleet of N instances of an HTTP service (bench/baseline/hello-server.mjs)
 * on the process target, started by `nimbus up -n N --health http:/` as a user would, every one
 * then asked for a page. Measured: host memory per instance (PSS, and MemAvailable's drop, which
 * also counts the kernel's share: taps, page tables), start rate, time until all answer, idle CPU
 * with all running (the instances' own and the host's), requests/s spread over all of them; then
 * how many QEMU VMs (TCG) of the same image fit, from the PSS of two. N: DENSITY_N (default
 * 3000), DENSITY_QEMU (default 2). Needs root: it re-runs itself in a network namespace of its
 * own (the fleet's bridges and taps live there) with its own state directory, and removes both.
 * Prints one JSON object.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildImage } from '../cli/build.ts';
import { ROOT } from '../cli/paths.ts';
import { hostMemory, howManyFit, instanceCostMiB, pssKiB } from '../cli/fleet/host.ts';
import type { PsRow } from '../cli/fleet/protocol.ts';

const N = Number(process.env.DENSITY_N ?? 3000);
const QEMU_N = Number(process.env.DENSITY_QEMU ?? 2);
const IN_NS = process.env.NIMBUS_DENSITY_NS;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function nimbus(stateDir: string, args: string[], timeoutMs: number) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'cli', 'nimbus.mjs'), ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 256 << 20, env: { ...process.env, NIMBUS_STATE_DIR: stateDir },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const ps = (dir: string): PsRow[] => JSON.parse(nimbus(dir, ['ps', '--json'], 120_000).stdout) as PsRow[];

/** One GET with a new connection; resolves with the status (0: failed). */
function get(host: string, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port: 80 });
    let buf = '';
    const t = setTimeout(() => done(0), timeoutMs);
    function done(code: number) { clearTimeout(t); s.destroy(); resolve(code); }
    s.on('connect', () => s.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    s.on('data', (d) => { buf += d.toString('latin1'); const m = /^HTTP\/1\.1 (\d+)/.exec(buf); if (m) done(Number(m[1])); });
    s.on('error', () => done(0));
  });
}

/** Runs `job(i)` for i in 0..n-1, `width` at a time. */
async function pool(n: number, width: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => { while (next < n) await job(next++); }));
}

const cpuTicks = (pid: number) => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
};
const hostTicks = () => {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  return { busy: f.reduce((a, b) => a + b, 0) - f[3]! - (f[4] ?? 0), all: f.reduce((a, b) => a + b, 0) };
};
const HZ = 100; // USER_HZ: clock ticks per second in /proc

async function processFleet(image: string, dir: string) {
  const mem0 = hostMemory();
  const t0 = Date.now();
  const up = nimbus(dir, ['up', image, '-n', String(N), '--name', 'd', '--health', 'http:/'], 900_000);
  const upMs = Date.now() - t0;
  const rows = ps(dir);
  const answered = rows.filter((r) => r.answeredAt !== undefined);
  const started = rows.filter((r) => r.startedAt !== undefined).map((r) => r.startedAt!);
  const lastAnswer = Math.max(...answered.map((r) => r.answeredAt!));
  // Every one asked (new connection each, 64 at a time), up to 3 times 5 s.
  const ips = rows.filter((r) => r.net).map((r) => r.net!.ip);
  let ok = 0, firstTry = 0;
  const tAsk = performance.now();
  await pool(ips.length, 64, async (i) => {
    for (let attempt = 0; attempt < 3; attempt++) {
      if ((await get(ips[i]!)) === 200) {
        ok++;
        if (attempt === 0) firstTry++;
        return;
      }
    }
  });
  const askMs = performance.now() - tAsk;
  // Idle with all running: 10 s of nothing but their timers.
  await sleep(3000);
  const pids = rows.filter((r) => r.pid).map((r) => r.pid!);
  const supervisor = Number(readFileSync(path.join(dir, 'supervisor.pid'), 'utf8'));
  const inst0 = pids.reduce((a, p) => a + cpuTicks(p), 0), sup0 = cpuTicks(supervisor), h0 = hostTicks();
  await sleep(10_000);
  const inst1 = pids.reduce((a, p) => a + cpuTicks(p), 0), sup1 = cpuTicks(supervisor), h1 = hostTicks();
  const pss = pids.map((p) => pssKiB(p) ?? 0);
  const mem1 = hostMemory();
  // Requests spread over all: 10 s, 64 at a time, each to the next instance in turn.
  let done = 0, failed = 0, k = 0;
  const hit = new Set<number>();
  const tr = performance.now();
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (performance.now() - tr < 10_000) {
      const i = k++ % ips.length;
      if ((await get(ips[i]!)) === 200) { done++; hit.add(i); } else failed++;
    }
  }));
  const rps = done / ((performance.now() - tr) / 1000);
  const t1 = Date.now();
  const rm = nimbus(dir, ['rm', '--all'], 600_000);
  const rmMs = Date.now() - t1;
  const sum = pss.reduce((a, b) => a + b, 0);
  return {
    instances: N,
    upExit: up.code,
    upSummary: up.stderr.trim().split('\n').at(-1),
    answeredHealthCheck: answered.length,
    answeredOurRequest: { ok, onFirstTry: firstTry, seconds: Number((askMs / 1000).toFixed(1)) },
    timeUntilAllAnswerS: Number(((lastAnswer - t0) / 1000).toFixed(1)),
    upWallS: Number((upMs / 1000).toFixed(1)),
    startRatePerS: Number((started.length / ((Math.max(...started) - t0) / 1000)).toFixed(1)),
    pssKiB: { perInstanceMean: Math.round(sum / pss.length), perInstanceMax: Math.max(...pss), totalMiB: Math.round(sum / 1024) },
    hostMemAvailableDropMiB: { total: Math.round(mem0.availableMiB - mem1.availableMiB), perInstance: Number(((mem0.availableMiB - mem1.availableMiB) / N).toFixed(2)) },
    idleCpu: {
      instancesPercentOfOneCore: Number((((inst1 - inst0) / HZ / 10) * 100).toFixed(2)),
      supervisorPercentOfOneCore: Number((((sup1 - sup0) / HZ / 10) * 100).toFixed(2)),
      hostBusyPercentAllCores: Number((((h1.busy - h0.busy) / (h1.all - h0.all)) * 100).toFixed(1)),
    },
    requestsSpreadOverAll: { perSecond: Math.round(rps), requests: done, failed, instancesHit: hit.size, concurrency: 64, note: 'a new connection per request, round robin' },
    rmAllS: Number((rmMs / 1000).toFixed(1)),
    rmExit: rm.code,
  };
}

async function qemuFleet(image: string, dir: string) {
  const up = nimbus(dir, ['up', image, '-n', String(QEMU_N), '--name', 'q', '--target', 'qemu', '--mem', '32M', '--health', 'tcp:80'], 600_000);
  const rows = ps(dir);
  const pss = rows.filter((r) => r.pid).map((r) => pssKiB(r.pid!) ?? 0);
  nimbus(dir, ['rm', '--all'], 120_000);
  const mean = pss.reduce((a, b) => a + b, 0) / Math.max(1, pss.length);
  return {
    started: QEMU_N, answering: rows.filter((r) => r.answeredAt !== undefined).length, upExit: up.code,
    pssKiBPerInstance: Math.round(mean),
    fitOnThisHost: mean ? howManyFit(hostMemory(), mean / 1024) : 0,
    note: 'guest memory 32 MiB, TCG; "fit" is memory only (available memory less the fleet reserve, divided by the PSS of one idle VM): under TCG CPU runs out long before memory',
  };
}

async function inside(): Promise<unknown> {
  const image = (await buildImage({ entry: path.join(ROOT, 'bench/baseline/hello-server.mjs'), output: path.join(ROOT, 'build/bench/density-hello.img') })).image;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-density-'));
  try {
    const fit = howManyFit(hostMemory(), instanceCostMiB('process', 64));
    if (fit < N) return { skipped: `the host has memory for about ${fit} instances, not ${N} (set DENSITY_N)` };
    return { process: await processFleet(image, dir), qemu: await qemuFleet(image, dir) };
  } finally {
    nimbus(dir, ['rm', '--all'], 300_000);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (IN_NS) {
  console.log('\n' + JSON.stringify(await inside()));
} else if (process.getuid?.() !== 0) {
  console.log(JSON.stringify({ skipped: 'needs root (a network namespace, bridges and taps)' }));
} else {
  const ns = `nbdensity-${process.pid}`;
  let result: unknown;
  try {
    execFileSync('ip', ['netns', 'add', ns]);
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', import.meta.filename], {
      cwd: ROOT, encoding: 'utf8', timeout: 1_500_000, env: { ...process.env, NIMBUS_DENSITY_NS: ns }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    const out = r.stdout.trim();
    try {
      result = JSON.parse(out.slice(out.lastIndexOf('\n{') + 1));
    } catch {
      result = { failed: `exit ${r.status}: ${out.slice(-500)}` };
    }
  } finally {
    // Anything left in the namespace (a run cut short) goes with it; a supervisor may still be
    // starting instances while we look, so look again until none is left (bounded).
    for (let round = 0; round < 10; round++) {
      const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
      if (!pids.length) break;
      for (const pid of pids) {
        try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
      }
      await sleep(200);
    }
    spawnSync('ip', ['netns', 'del', ns]);
  }
  console.log(JSON.stringify({ ...(result as object), machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}` }, null, 2));
}

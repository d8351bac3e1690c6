/**
 * The process target (core/platform/process/), measured at native speed, in one run:
 *
 * 1. against QEMU booting the same image: wall time of examples/hello (median) and the host
 *    memory (PSS) of an idle instance (test/boot/programs/idle.ts);
 * 2. against the same HTTP program under `node` (bench/baseline/hello-server.mjs for requests
 *    and memory, bench/baseline/bulk-server.mjs for bulk), both reached by ab and curl over a
 *    kernel virtual link: the instance behind a tap (nimbus-netfd, as `--net tap:`), node in
 *    a second namespace behind a veth pair. Measured: time from spawn to the first HTTP 200,
 *    requests/s with and without keep-alive (ab -c 8), download and upload MB/s (10 MiB,
 *    5 MiB; MB = 10^6 B), RSS/PSS of one idle HTTP instance; and that instance's PSS against
 *    the same image as a QEMU VM (TCG, user network).
 *
 * Part 2 needs root (namespaces, a tap). The script re-runs itself inside namespace A (the
 * client side) and deletes both namespaces afterwards. Prints one JSON object.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { buildImage } from '../cli/build.ts';
import { kernelCommandLine, qemuArgs, type RunOptions } from '../cli/run.ts';
import { NETFD, PROCESS_RUNNER, ROOT } from '../cli/paths.ts';
import { randomMac } from '../cli/process-target.ts';
import { median } from './machine.ts';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const IN_NS = process.env.NIMBUS_PROCESS_BENCH_NS; // set when re-run inside namespace A
const A_ADDR = '10.77.0.1', INSTANCE = '10.77.0.2', NODE_A = '10.77.1.1', NODE_B = '10.77.1.2';
const opts = (image: string, extra: Partial<RunOptions> = {}): RunOptions => ({ image, memMiB: 16, machine: 'microvm', args: [], env: {}, ports: [], net: { kind: 'none' }, ...extra });
const built = async (entry: string, name: string) => (await buildImage({ entry: path.join(ROOT, entry), output: path.join(ROOT, `build/bench/${name}.img`) })).image;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** PSS and RSS in KiB of a running process. */
function memoryKiB(pid: number): { pss: number; rss: number } {
  const t = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(t)?.[1] ?? NaN);
  return { pss: kb('Pss'), rss: kb('Rss') };
}

// ---- part 1: hello wall time and idle PSS against QEMU (no network) ----

async function againstQemu() {
  const hello = await built('examples/hello/main.ts', 'process-hello');
  const idle = await built('test/boot/programs/idle.ts', 'process-idle');
  /** Wall time of one run; QEMU's debug-exit device turns guest code c into status (c << 1) | 1. */
  function wallMs(cmd: string, args: string[], ok: number): number {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
    if (r.status !== ok) throw new Error(`${cmd} exited ${r.status}`);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  }
  const proc: number[] = [], qemu: number[] = [];
  for (let i = 0; i < runs; i++) {
    proc.push(wallMs(PROCESS_RUNNER, [hello, '16', kernelCommandLine(opts(hello))], 0));
    qemu.push(wallMs('qemu-system-x86_64', qemuArgs(opts(hello)), 1));
  }
  /** PSS in KiB of a process running the idle program (a 2 s timer), read after 1 s. */
  async function idlePss(cmd: string, args: string[]): Promise<number> {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'] });
    try {
      await sleep(1000);
      return memoryKiB(child.pid!).pss;
    } finally {
      child.kill('SIGKILL');
    }
  }
  return {
    helloWallMs: { process: Math.round(median(proc)), qemu: Math.round(median(qemu)) },
    idleInstancePssKiB: {
      process: await idlePss(PROCESS_RUNNER, [idle, '16', kernelCommandLine(opts(idle))]),
      qemu: await idlePss('qemu-system-x86_64', qemuArgs(opts(idle))),
    },
    note: 'both with 16 MiB; QEMU under TCG',
  };
}

// ---- part 2 (inside namespace A): HTTP against node, over a tap and a veth ----

/** One GET; resolves with the status, or 0 if it failed or no connection came within `connectMs`. */
function status(host: string, port: number, connectMs = 10): Promise<number> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    let buf = '';
    let t = setTimeout(() => done(0), connectMs);
    function done(code: number) { s.destroy(); clearTimeout(t); resolve(code); }
    s.on('connect', () => {
      clearTimeout(t);
      t = setTimeout(() => done(0), 2000);
      s.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
    s.on('data', (d) => { buf += d.toString('latin1'); const m = /^HTTP\/1\.1 (\d+)/.exec(buf); if (m) done(Number(m[1])); });
    s.on('error', () => done(0));
  });
}

interface Server { child: ChildProcess; pid: () => number; firstOkMs: number; firstOkCpuMs: number }

/**
 * Spawns a server and measures when it first answers 200: a new GET every 0.5 ms, each given
 * 50 ms to connect (a SYN sent before the server could hear it is lost, and Linux would resend
 * it only after 1 s), at most 256 in flight, bounded at 30 s: polls overlap, so a lost SYN costs
 * nothing and the first SYN the server can answer is the one that counts. Behind QEMU's user
 * network every connect succeeds at once (slirp accepts for the guest), so overlapping polls
 * would only flood the booting guest: there `maxInFlight` is 1.
 */
async function startServer(argv: string[], host: string, port: number, maxInFlight = 256): Promise<Server> {
  const t0 = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] });
  let firstOkMs = 0, firstOkCpuMs = 0, inFlight = 0;
  while (firstOkMs === 0) {
    if (child.exitCode !== null || performance.now() - t0 > 30_000) throw new Error(`${argv.join(' ')} did not answer`);
    if (inFlight < maxInFlight) {
      inFlight++;
      void status(host, port, 50).then((code) => {
        inFlight--;
        if (code === 200 && firstOkMs === 0) { firstOkMs = performance.now() - t0; firstOkCpuMs = cpuMs(child.pid!); }
      });
    }
    await sleep(0.5);
  }
  while (inFlight > 0) await sleep(1); // the late ones finish before the server is measured
  return { child, firstOkMs, firstOkCpuMs, pid: () => child.pid! };
}

/**
 * CPU time a process has used so far (/proc/PID/schedstat, ns on the CPU; kept across exec, so
 * a launcher's share is in it). On a loaded host wall time measures the queue; this does not.
 */
function cpuMs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}

async function stop(s: Server): Promise<void> {
  if (s.child.exitCode !== null) return;
  const gone = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGKILL');
  await gone;
}

function ab(keepAlive: boolean, url: string): number {
  const args = keepAlive ? ['-k', '-n', '5000', '-c', '8'] : ['-n', '2000', '-c', '8'];
  const out = execFileSync('ab', ['-q', '-s', '30', ...args, url], { encoding: 'utf8', timeout: 120_000 });
  if (!/Failed requests:\s+0\n/.test(out)) throw new Error(`ab reported failures:\n${out}`);
  return Number(/Requests per second:\s+([\d.]+)/.exec(out)![1]);
}

function curlSpeed(args: string[]): number {
  const out = execFileSync('curl', ['-sS', '--max-time', '120', '-o', '/dev/null', ...args], { encoding: 'utf8' });
  return Number(out) / 1e6;
}

async function againstNode() {
  const helloJs = 'bench/baseline/hello-server.mjs', bulkJs = 'bench/baseline/bulk-server.mjs';
  const helloImg = await built(helloJs, 'process-hello-server');
  const bulkImg = await built(bulkJs, 'process-bulk-server');
  // The instance's MAC is ours to choose, so Linux knows it up front (as a fleet's host would):
  // the first SYN does not wait for ARP.
  const mac = randomMac();
  execFileSync('ip', ['neigh', 'replace', INSTANCE, 'lladdr', mac, 'dev', 'nbpb0', 'nud', 'permanent']);
  const instance = (image: string) => [NETFD, 'tap:nbpb0', '3', PROCESS_RUNNER, image, '64',
    kernelCommandLine(opts(image, { ip: `${INSTANCE}/24` })), '3', mac];
  const node = (js: string) => ['nsenter', `--net=/run/netns/${IN_NS}-b`, process.execPath, path.join(ROOT, js)];
  const upload = path.join(ROOT, 'build/bench/upload-5MiB.bin');
  writeFileSync(upload, Buffer.alloc(5 * 1024 * 1024, 0x62));

  const r = {
    firstOkMs: { process: [] as number[], node: [] as number[] },
    firstOkCpuMs: { process: [] as number[], node: [] as number[] },
    keepAliveRps: { process: [] as number[], node: [] as number[] },
    closeRps: { process: [] as number[], node: [] as number[] },
    downloadMBps: { process: [] as number[], node: [] as number[] },
    uploadMBps: { process: [] as number[], node: [] as number[] },
    idleKiB: { process: { pss: [] as number[], rss: [] as number[] }, node: { pss: [] as number[], rss: [] as number[] } },
  };
  for (let i = 0; i < runs; i++) {
    for (const [who, argv, host] of [['process', instance(helloImg), INSTANCE], ['node', node(helloJs), NODE_B]] as const) {
      const s = await startServer([...argv], host, 80);
      try {
        r.firstOkMs[who].push(s.firstOkMs);
        r.firstOkCpuMs[who].push(s.firstOkCpuMs);
        await sleep(1000); // idle: one answered request behind it
        const m = memoryKiB(s.pid());
        r.idleKiB[who].pss.push(m.pss);
        r.idleKiB[who].rss.push(m.rss);
        r.keepAliveRps[who].push(ab(true, `http://${host}/`));
        r.closeRps[who].push(ab(false, `http://${host}/`));
      } finally {
        await stop(s);
      }
    }
    for (const [who, argv, host] of [['process', instance(bulkImg), INSTANCE], ['node', node(bulkJs), NODE_B]] as const) {
      const s = await startServer([...argv], host, 80);
      try {
        r.downloadMBps[who].push(curlSpeed(['-w', '%{speed_download}', `http://${host}/bulk`]));
        r.uploadMBps[who].push(curlSpeed(['-w', '%{speed_upload}', '--data-binary', `@${upload}`, `http://${host}/upload`]));
      } finally {
        await stop(s);
      }
    }
  }
  // The same idle HTTP image as a QEMU VM (TCG, user network), for the memory comparison.
  const port = 18000 + (process.pid % 1000);
  const qemu = await startServer(['qemu-system-x86_64', ...qemuArgs(opts(helloImg, { memMiB: 64, net: { kind: 'user' }, ports: [{ hostAddress: '127.0.0.1', hostPort: port, guestPort: 80, proto: 'tcp' }] }))], '127.0.0.1', port, 1);
  await sleep(1000);
  const qemuIdle = memoryKiB(qemu.pid());
  await stop(qemu);

  const med = (xs: number[], digits = 0) => Number(median(xs).toFixed(digits));
  const pair = (x: { process: number[]; node: number[] }, digits = 0) => ({ process: med(x.process, digits), node: med(x.node, digits), ratio: Number((median(x.process) / median(x.node)).toFixed(2)) });
  return {
    runs,
    firstHttp200Ms: { ...pair(r.firstOkMs, 1), target: 'process < 20 ms' },
    cpuMsUntilFirstHttp200: pair(r.firstOkCpuMs, 1),
    keepAliveRequestsPerSecond: { ...pair(r.keepAliveRps), target: 'ratio >= 0.5' },
    closeRequestsPerSecond: { ...pair(r.closeRps), target: 'ratio >= 0.5' },
    downloadMBps: pair(r.downloadMBps, 1),
    uploadMBps: pair(r.uploadMBps, 1),
    idleHttpInstanceKiB: {
      process: { pss: med(r.idleKiB.process.pss), rss: med(r.idleKiB.process.rss) },
      node: { pss: med(r.idleKiB.node.pss), rss: med(r.idleKiB.node.rss) },
      qemu: { pss: qemuIdle.pss, rss: qemuIdle.rss },
      target: 'process PSS < 8192 KiB',
    },
    note: 'process target: 64 MiB heap, a tap (nimbus-netfd, as --net tap:); node: bench/baseline/*.mjs in a second namespace behind a veth pair (its start includes nsenter); QEMU: TCG, user network, 64 MiB; ab and curl run in the client namespace',
  };
}

/** Creates namespaces A (client, the tap's Linux end) and A-b (node), re-runs this script in A. */
function inNamespaces(): unknown {
  if (process.getuid?.() !== 0) return { skipped: 'needs root (network namespaces, a tap)' };
  const a = `nbpb-${process.pid}`;
  const sh = (...args: string[]) => execFileSync(args[0]!, args.slice(1), { stdio: 'pipe' });
  try {
    sh('ip', 'netns', 'add', a);
    sh('ip', 'netns', 'add', `${a}-b`);
    sh('ip', '-n', a, 'link', 'set', 'lo', 'up');
    sh('ip', '-n', `${a}-b`, 'link', 'set', 'lo', 'up');
    sh('ip', '-n', a, 'tuntap', 'add', 'dev', 'nbpb0', 'mode', 'tap');
    sh('ip', '-n', a, 'addr', 'add', `${A_ADDR}/24`, 'dev', 'nbpb0');
    sh('ip', '-n', a, 'link', 'set', 'nbpb0', 'up');
    sh('ip', 'link', 'add', 'nbpbv0', 'netns', a, 'type', 'veth', 'peer', 'name', 'nbpbv1', 'netns', `${a}-b`);
    sh('ip', '-n', a, 'addr', 'add', `${NODE_A}/24`, 'dev', 'nbpbv0');
    sh('ip', '-n', `${a}-b`, 'addr', 'add', `${NODE_B}/24`, 'dev', 'nbpbv1');
    sh('ip', '-n', a, 'link', 'set', 'nbpbv0', 'up');
    sh('ip', '-n', `${a}-b`, 'link', 'set', 'nbpbv1', 'up');
    const r = spawnSync('ip', ['netns', 'exec', a, process.execPath, '--import', 'tsx', import.meta.filename], {
      cwd: ROOT, encoding: 'utf8', timeout: 900_000, env: { ...process.env, NIMBUS_PROCESS_BENCH_NS: a }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    const out = r.stdout.trim();
    try {
      return JSON.parse(out.slice(out.lastIndexOf('\n{') + 1));
    } catch {
      return { failed: `exit ${r.status}: ${out.slice(-500)}` };
    }
  } finally {
    for (const n of [a, `${a}-b`]) spawnSync('ip', ['netns', 'del', n], { stdio: 'ignore' });
  }
}

if (IN_NS) {
  console.log('\n' + JSON.stringify(await againstNode()));
} else {
  const qemu = await againstQemu();
  console.log(JSON.stringify({ runs, ...qemu, httpAgainstNode: inNamespaces() }, null, 2));
}

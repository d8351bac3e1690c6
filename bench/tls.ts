/**
 * TLS in the same QEMU (TCG, q35, virtio-net-pci, user network): a Nimbus image against Linux +
 * Node (bench/baseline), both running bench/baseline/tls-server.mjs unchanged (HTTPS on port 80,
 * ECDSA P-256 certificate, TLS 1.3), measured from the host in one run:
 * - server-side handshakes/s: sequential full handshakes (x25519, TLS_AES_128_GCM_SHA256, no
 *   resumption), each closed at secureConnect;
 * - bulk AES-128-GCM MB/s: a 10 MiB HTTPS download over one connection;
 * - raw primitive speeds in the guest: os/crypto (bench/programs/crypto-speed.ts, native and
 *   @noble) beside Node's crypto in the baseline (bench/baseline/crypto-speed.mjs).
 * Nimbus runs twice: with the core's crypto group (default) and with `--crypto js` (@noble).
 * Every wait is bounded. Run: node --import tsx bench/tls.ts (BENCH_HANDSHAKES, BENCH_RUNS).
 */
import https from 'node:https';
import tls from 'node:tls';
import path from 'node:path';
import { buildImage } from '../cli/build.ts';
import { qemuArgs } from '../cli/run.ts';
import { ROOT } from '../cli/paths.ts';
import * as baseline from './baseline/run.ts';
import { median } from './machine.ts';

const HANDSHAKES = Number(process.env.BENCH_HANDSHAKES ?? 30);
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const BULK_BYTES = 10 * 1024 * 1024;
const NIMBUS_MEM_MIB = 128;
const OP_TIMEOUT_MS = 60_000;
const SERVERNAME = 'tls-bench.invalid';
const CLIENT = { host: '127.0.0.1', servername: SERVERNAME, rejectUnauthorized: false, minVersion: 'TLSv1.3', ciphers: 'TLS_AES_128_GCM_SHA256', ecdhCurve: 'X25519' } as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const msSince = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

async function nimbusTarget(entry: string, name: string, crypto: 'native' | 'js'): Promise<baseline.Target> {
  const built = await buildImage({ entry: path.join(ROOT, entry), output: path.join(ROOT, `build/bench/${name}.img`) });
  return {
    name: `nimbus (${crypto})`,
    args: (memMiB, port) => qemuArgs({
      image: built.image, memMiB, machine: 'q35', args: [], env: {}, net: { kind: 'user' }, crypto,
      ports: [{ hostAddress: '127.0.0.1', hostPort: port, guestPort: 80, proto: 'tcp' }],
    }),
  };
}

/** One HTTPS GET on its own connection: status and byte count, or undefined on error/timeout. */
function get(port: number, urlPath: string, timeoutMs: number): Promise<{ status: number; bytes: number; ms: number } | undefined> {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    let bytes = 0, done = false;
    const finish = (v: { status: number; bytes: number; ms: number } | undefined) => { if (!done) { done = true; clearTimeout(timer); resolve(v); } };
    const req = https.get({ ...CLIENT, port, path: urlPath, agent: false }, (res) => {
      res.on('data', (d: Buffer) => { bytes += d.length; });
      res.on('end', () => finish({ status: res.statusCode ?? 0, bytes, ms: msSince(t0) }));
      res.on('error', () => finish(undefined));
    });
    req.on('error', () => finish(undefined));
    const timer = setTimeout(() => { req.destroy(); finish(undefined); }, timeoutMs);
  });
}

async function waitReady(vm: baseline.Vm, deadlineMs = 120_000): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < deadlineMs && !vm.exited()) {
    const r = await get(vm.port, "/", 10_000);
    if (process.env.BENCH_VERBOSE) console.error(`tls: probe ${JSON.stringify(r)}`);
    if (r?.status === 200) return;
    await sleep(300);
  }
  throw new Error(`no HTTPS answer within ${deadlineMs} ms; console:\n${vm.console().slice(-2000)}`);
}

/** ms for one full handshake, closed as soon as it completes. */
function handshake(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const s = tls.connect({ ...CLIENT, port }, () => {
      if (s.getProtocol() !== 'TLSv1.3' || s.getCipher().standardName !== 'TLS_AES_128_GCM_SHA256') reject(new Error(`negotiated ${s.getProtocol()} ${s.getCipher().standardName}`));
      const ms = msSince(t0);
      clearTimeout(timer);
      s.destroy();
      resolve(ms);
    });
    s.on('error', (e) => { clearTimeout(timer); reject(e); });
    const timer = setTimeout(() => { s.destroy(); reject(new Error('handshake timed out')); }, OP_TIMEOUT_MS);
  });
}

interface TlsRun { handshakesPerS: number; handshakeMs: number[]; bulkMBps: number }

/** bulkMayFail: @noble's AES-GCM under TCG can take longer than the bound; then bulk is NaN (reported). */
async function measure(target: baseline.Target, memMiB: number, bulkMayFail = false): Promise<TlsRun> {
  return baseline.withVm(target, memMiB, async (vm) => {
    await waitReady(vm);
    for (let i = 0; i < 3; i++) await handshake(vm.port); // warm-up
    const times: number[] = [];
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < HANDSHAKES; i++) times.push(await handshake(vm.port));
    const handshakesPerS = HANDSHAKES / (msSince(t0) / 1000);
    const bulk = await get(vm.port, '/bulk', 300_000);
    const ok = bulk && bulk.status === 200 && bulk.bytes === BULK_BYTES;
    if (!ok && !bulkMayFail) throw new Error(`${target.name}: bulk download failed: ${JSON.stringify(bulk)}`);
    const r = { handshakesPerS, handshakeMs: times, bulkMBps: ok ? BULK_BYTES / (bulk.ms / 1000) / 1e6 : NaN };
    console.error(`tls: ${target.name}: ${handshakesPerS.toFixed(2)} handshakes/s (median ${median(times).toFixed(0)} ms), bulk ${r.bulkMBps.toFixed(2)} MB/s`);
    return r;
  });
}

/** The SPEED lines a guest prints, once it has printed `want` of them. */
async function speeds(target: baseline.Target, memMiB: number, want: number): Promise<Record<string, Record<string, number>>> {
  return baseline.withVm(target, memMiB, async (vm) => {
    const t0 = Date.now();
    for (;;) {
      const lines = [...vm.console().matchAll(/SPEED (?:(native|js) )?(\{[^\n]*\})/g)];
      if (lines.length >= want) return Object.fromEntries(lines.map((m) => [m[1] ?? 'node', JSON.parse(m[2]!)]));
      if (vm.exited() || Date.now() - t0 > 600_000) throw new Error(`${target.name}: no SPEED lines; console:\n${vm.console().slice(-2000)}`);
      await sleep(500);
    }
  });
}

export async function tlsBench(runs = RUNS) {
  baseline.ensureBuilt();
  const native = await nimbusTarget('bench/baseline/tls-server.mjs', 'tls-server', 'native');
  const js = await nimbusTarget('bench/baseline/tls-server.mjs', 'tls-server', 'js');
  const linux = baseline.baselineRunning('tls-server');
  const r = { native: [] as TlsRun[], js: [] as TlsRun[], linux: [] as TlsRun[] };
  for (let i = 0; i < runs; i++) {
    r.native.push(await measure(native, NIMBUS_MEM_MIB));
    r.linux.push(await measure(linux, baseline.DEFAULT_MEM_MIB));
    r.js.push(await measure(js, NIMBUS_MEM_MIB, true));
  }
  const med = (xs: TlsRun[], k: 'handshakesPerS' | 'bulkMBps') => median(xs.map((x) => x[k]));
  const speedTarget = await nimbusTarget('bench/programs/crypto-speed.ts', 'crypto-speed', 'native');
  const guest = await speeds(speedTarget, NIMBUS_MEM_MIB, 2);
  const node = await speeds(baseline.baselineRunning('crypto-speed'), baseline.DEFAULT_MEM_MIB, 1);
  const round = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v * 100) / 100]));
  return {
    runs, handshakes: HANDSHAKES,
    handshakesPerS: { native: med(r.native, 'handshakesPerS'), js: med(r.js, 'handshakesPerS'), baseline: med(r.linux, 'handshakesPerS') },
    bulkMBps: { native: med(r.native, 'bulkMBps'), js: med(r.js, 'bulkMBps'), baseline: med(r.linux, 'bulkMBps') },
    ratios: {
      handshakes: med(r.native, 'handshakesPerS') / med(r.linux, 'handshakesPerS'),
      bulk: med(r.native, 'bulkMBps') / med(r.linux, 'bulkMBps'),
      handshakesJs: med(r.js, 'handshakesPerS') / med(r.linux, 'handshakesPerS'),
      bulkJs: med(r.js, 'bulkMBps') / med(r.linux, 'bulkMBps'),
    },
    primitives: { native: round(guest.native!), js: round(guest.js!), node: round(node.node!) },
  };
}

if (process.argv[1]?.endsWith('tls.ts')) console.log(JSON.stringify(await tlsBench(), null, 2));

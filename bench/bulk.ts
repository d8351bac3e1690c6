/**
 * Bulk transfer: a 10 MiB download from a preallocated buffer and a 5 MiB upload to a
 * handler that counts bytes (bench/baseline/bulk-server.mjs, the same program in both VMs),
 * Nimbus against Linux + Node in the same QEMU (TCG, q35, virtio-net-pci, user network),
 * measured in the same run. Each VM is booted `runs` times; each boot does one download and
 * one upload. Throughput is payload bytes over the time from sending the request to the last
 * byte of the response, measured on the host.
 *
 * Every transfer is bounded (TRANSFER_TIMEOUT_MS); a short or failed transfer throws.
 */
import http from 'node:http';
import path from 'node:path';
import { buildImage } from '../cli/build.ts';
import { qemuArgs } from '../cli/run.ts';
import { ROOT } from '../cli/paths.ts';
import * as baseline from './baseline/run.ts';
import { median } from './machine.ts';

const DOWNLOAD_BYTES = 10 * 1024 * 1024;
const UPLOAD_BYTES = 5 * 1024 * 1024;
const TRANSFER_TIMEOUT_MS = 120_000;
export const NIMBUS_MEM_MIB = 64;

/** GET /bulk; resolves with MB/s (10^6 bytes per second). */
export function download(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let n = 0;
    const req = http.get({ host: '127.0.0.1', port, path: '/bulk', agent: false }, (res) => {
      res.on('data', (d: Buffer) => { n += d.length; });
      res.on('end', () => {
        clearTimeout(timer);
        const s = Number(process.hrtime.bigint() - t0) / 1e9;
        if (res.statusCode !== 200 || n !== DOWNLOAD_BYTES) reject(new Error(`download: status ${res.statusCode}, ${n} of ${DOWNLOAD_BYTES} bytes`));
        else resolve(n / s / 1e6);
      });
      res.on('error', (e) => { clearTimeout(timer); reject(e); });
    });
    req.on('error', (e) => { clearTimeout(timer); reject(e); });
    const timer = setTimeout(() => req.destroy(new Error(`download: ${n} bytes after ${TRANSFER_TIMEOUT_MS} ms`)), TRANSFER_TIMEOUT_MS);
  });
}

/** POST /upload with UPLOAD_BYTES; resolves with MB/s once the server's count came back right. */
export function upload(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 0x62);
    const t0 = process.hrtime.bigint();
    const req = http.request({
      host: '127.0.0.1', port, path: '/upload', method: 'POST', agent: false,
      headers: { 'content-type': 'application/octet-stream', 'content-length': UPLOAD_BYTES },
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => {
        clearTimeout(timer);
        const s = Number(process.hrtime.bigint() - t0) / 1e9;
        if (res.statusCode !== 200 || body.trim() !== String(UPLOAD_BYTES)) reject(new Error(`upload: status ${res.statusCode}, server counted ${body.trim()}`));
        else resolve(UPLOAD_BYTES / s / 1e6);
      });
    });
    req.on('error', (e) => { clearTimeout(timer); reject(e); });
    const timer = setTimeout(() => req.destroy(new Error(`upload: no answer after ${TRANSFER_TIMEOUT_MS} ms`)), TRANSFER_TIMEOUT_MS);
    let sent = 0;
    const pump = (): void => {
      while (sent < UPLOAD_BYTES) {
        const n = Math.min(chunk.length, UPLOAD_BYTES - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) { req.once('drain', pump); return; }
      }
      req.end();
    };
    pump();
  });
}

async function transfers(target: baseline.Target, memMiB: number): Promise<{ download: number; upload: number }> {
  return baseline.withVm(target, memMiB, async (vm) => {
    if ((await baseline.waitFor200(vm)) === undefined) throw baseline.bootFailure(vm, memMiB);
    const down = await download(vm.port);
    const up = await upload(vm.port);
    return { download: down, upload: up };
  });
}

export interface BulkResult {
  runs: number;
  /** MB/s (10^6 B/s) per boot, in run order, and their median; ratio = nimbus / baseline medians. */
  downloadMBps: { nimbus: number[]; baseline: number[]; ratio: number };
  uploadMBps: { nimbus: number[]; baseline: number[]; ratio: number };
}

/** A Nimbus image built from `entry`, booted like the baseline (q35, virtio-net-pci, user net). */
export async function nimbusTarget(entry: string, name: string): Promise<baseline.Target> {
  const built = await buildImage({ entry: path.join(ROOT, entry), output: path.join(ROOT, `build/bench/${name}.img`) });
  return {
    name: 'nimbus',
    args: (memMiB, port) => qemuArgs({
      image: built.image, memMiB, machine: 'q35', args: [], env: {}, net: { kind: 'user' },
      ports: [{ hostAddress: '127.0.0.1', hostPort: port, guestPort: 80, proto: 'tcp' }],
    }),
  };
}

export async function bulkBench(runs = 3): Promise<BulkResult> {
  baseline.ensureBuilt();
  const nimbus = await nimbusTarget('bench/baseline/bulk-server.mjs', 'bulk-server');
  const linux = baseline.baselineRunning('bulk-server');
  const r = { nd: [] as number[], nu: [] as number[], bd: [] as number[], bu: [] as number[] };
  // Interleaved, so that load from other jobs on the machine falls on both alike.
  for (let i = 0; i < runs; i++) {
    const n = await transfers(nimbus, NIMBUS_MEM_MIB);
    r.nd.push(n.download); r.nu.push(n.upload);
    console.error(`bulk: nimbus   down ${n.download.toFixed(2)} MB/s, up ${n.upload.toFixed(2)} MB/s`);
    const b = await transfers(linux, baseline.DEFAULT_MEM_MIB);
    r.bd.push(b.download); r.bu.push(b.upload);
    console.error(`bulk: baseline down ${b.download.toFixed(2)} MB/s, up ${b.upload.toFixed(2)} MB/s`);
  }
  const round = (xs: number[]) => xs.map((v) => Math.round(v * 100) / 100);
  return {
    runs,
    downloadMBps: { nimbus: round(r.nd), baseline: round(r.bd), ratio: median(r.nd) / median(r.bd) },
    uploadMBps: { nimbus: round(r.nu), baseline: round(r.bu), ratio: median(r.nu) / median(r.bu) },
  };
}

if (process.argv[1]?.endsWith('bulk.ts')) console.log(JSON.stringify(await bulkBench(Number(process.env.BENCH_RUNS ?? 3)), null, 2));

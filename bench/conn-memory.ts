/**
 * Guest memory per TCP connection (issue 11): bench/programs/conn-memory-server.ts on the process
 * target (the VM's core, allocator and engine at native speed), reached through `-p` (no root).
 * The guest's heap (`/mem`, the lowest of three reads, each on a new connection) is read:
 *   - with nothing open (the base);
 *   - with CONNS TCP connections open and silent (an accepted socket, no request yet);
 *   - with the same connections after one keep-alive request each (an idle HTTP client);
 *   - after they close (what comes back);
 *   - with BULK connections each in the middle of a 16 MiB download whose reader has paused
 *     (the guest holds what its send buffer and the peer's window allow).
 * Per-connection numbers are the difference from the base divided by the count (for bulk, from
 * the heap after the others closed). Prints one JSON object.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { buildImage } from '../cli/build.ts';
import { ROOT } from '../cli/paths.ts';

const CONNS = Number(process.env.CONNS ?? 100);
const BULK = Number(process.env.BULK ?? 4);
const ROUNDS = Number(process.env.ROUNDS ?? 1);
const PORT = Number(process.env.PORT ?? 18_480);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function get(pathname: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(PORT, '127.0.0.1', () => s.write(`GET ${pathname} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    let out = '';
    s.setEncoding('latin1');
    s.on('data', (c: string) => (out += c));
    s.on('end', () => resolve(out.slice(out.indexOf('\r\n\r\n') + 4)));
    s.on('error', reject);
    s.setTimeout(10_000, () => s.destroy(new Error(`GET ${pathname} timed out`)));
  });
}

async function heapUsed(): Promise<number> {
  const reads: number[] = [];
  for (let i = 0; i < 3; i++) reads.push((JSON.parse(await get('/mem')) as { heapUsed: number }).heapUsed);
  return Math.min(...reads);
}

function open(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(PORT, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

/** One keep-alive request on `s`, resolved when its whole response is in. */
function request(s: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    let got = '';
    const onData = (c: Buffer) => {
      got += c.toString('latin1');
      if (got.endsWith('ok\n')) { s.off('data', onData); resolve(); }
    };
    s.on('data', onData);
    s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  });
}

const image = (await buildImage({ entry: path.join(ROOT, 'bench/programs/conn-memory-server.ts'), output: path.join(ROOT, 'build/bench/conn-memory.img') })).image;
const child = spawn(process.execPath, [path.join(ROOT, 'cli/nimbus.mjs'), 'run', image, '--target', 'process', '--mem', '64M', '-p', `${PORT}:80`], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => { if (c.toString().includes('READY')) resolve(); });
    child.on('exit', (code) => reject(new Error(`the server exited (${code})`)));
  });
  await sleep(300);
  const base = await heapUsed();
  // ROUNDS > 1 repeats open/request/close: a closed connection leaves cyclic garbage (~11 KB)
  // until the engine's cycle collector runs, so later rounds' numbers include earlier rounds'
  // garbage; the heap falls back when it runs (bench/RESULTS.md). Per-connection numbers are the
  // last round's, so they are meaningful with ROUNDS=1 (the default).
  let silent = 0, keepAlive = 0;
  const closed: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const socks: net.Socket[] = [];
    for (let i = 0; i < CONNS; i++) socks.push(await open());
    await sleep(500);
    silent = await heapUsed();
    for (const s of socks) await request(s);
    await sleep(500);
    keepAlive = await heapUsed();
    for (const s of socks) s.end();
    await sleep(2000);
    closed.push(await heapUsed());
  }

  const downloads: net.Socket[] = [];
  for (let i = 0; i < BULK; i++) {
    const s = await open();
    s.once('data', () => s.pause()); // the first bytes arrive, then the reader stops
    s.write('GET /bulk HTTP/1.1\r\nHost: x\r\n\r\n');
    downloads.push(s);
  }
  await sleep(2000);
  const bulk = await heapUsed();
  for (const s of downloads) s.destroy();

  const kib = (n: number) => Math.round(n / 1024);
  console.log(JSON.stringify({
    target: 'process (the VM core and engine at native speed), --mem 64M, through -p',
    connections: CONNS,
    heapKiB: { base: kib(base), silent: kib(silent), keepAliveIdle: kib(keepAlive), afterClose: closed.map(kib), bulk: kib(bulk) },
    perConnectionBytes: {
      silentTcp: Math.round((silent - base) / CONNS),
      idleKeepAliveHttp: Math.round((keepAlive - base) / CONNS),
      bulkTransferPausedReader: Math.round((bulk - closed.at(-1)!) / BULK),
    },
    bulkConnections: BULK,
  }));
} finally {
  child.kill('SIGTERM'); // the CLI stops the instance and its relay (SIGKILL would orphan them)
}

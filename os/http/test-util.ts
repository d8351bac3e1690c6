/**
 * Node-only helpers for the HTTP tests (never imported by image code): a server on Node's
 * real `net` on 127.0.0.1, a raw socket client that returns everything until close, and
 * fetch scenarios run in a worker thread (runInWorker) so that a livelock fails the test.
 */
import * as net from 'node:net';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import { createServerFactory, type Server, type ServerOptions } from './server.ts';
import type { IncomingMessage } from './incoming.ts';
import type { ServerResponse } from './response.ts';
import type { NetModuleLike } from './net-types.ts';
import { HttpParser, type ResponseHead } from './parser.ts';

export const nodeNet = net as unknown as NetModuleLike;
export const http = createServerFactory({ net: nodeNet });

export async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  options: ServerOptions = {},
  setup?: (s: Server) => void,
): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const server = http.createServer(options, handler);
  setup?.(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    server,
    port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Sends `data` (chunks written one by one), returns all bytes received until the server closes. */
export function raw(port: number, data: string | string[], opts: { endAfterWrite?: boolean; limitMs?: number } = {}): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    // Safety net so a broken server fails the test instead of hanging it (not a timing assertion).
    const guard = setTimeout(() => { s.destroy(); resolve({ text: Buffer.concat(got).toString('latin1'), closed: false }); }, opts.limitMs ?? 5000);
    s.on('data', (d) => got.push(d));
    s.on('error', (e: NodeJS.ErrnoException) => { if (e.code !== 'ECONNRESET') reject(e); });
    s.on('close', () => { clearTimeout(guard); resolve({ text: Buffer.concat(got).toString('latin1'), closed: true }); });
    s.on('connect', () => {
      for (const c of Array.isArray(data) ? data : [data]) s.write(c, 'latin1');
      if (opts.endAfterWrite) s.end();
    });
  });
}

export interface ParsedResponse { head: ResponseHead; body: string; headers: Record<string, string> }

/** Splits a byte stream of responses (as text) into messages with our own response parser. */
export function parseResponses(text: string, headRequests = 0): ParsedResponse[] {
  const out: ParsedResponse[] = [];
  let heads = 0;
  const p: HttpParser = new HttpParser('response', {
    onHead(h) {
      if (h.kind !== 'response' || h.statusCode === 100) return;
      const headers: Record<string, string> = {};
      for (let i = 0; i < h.rawHeaders.length; i += 2) headers[h.rawHeaders[i].toLowerCase()] = h.rawHeaders[i + 1];
      out.push({ head: h, body: '', headers });
      if (++heads < headRequests) p.expectNoBody();
    },
    onBody(d) { out[out.length - 1].body += Buffer.from(d).toString('latin1'); },
    onEnd() {},
    onError(e) { throw new Error(`bad response: ${e.reason}`); },
  });
  if (headRequests > 0) p.expectNoBody();
  p.push(new Uint8Array(Buffer.from(text, 'latin1')));
  p.finish();
  return out;
}

/**
 * Runs `exportName(arg, progress)` from the module at `moduleUrl` in a worker thread and
 * resolves with its result. A scenario that livelocks (a promise loop that never yields to
 * the event loop) cannot be stopped by a timer in its own thread; from here it is: past
 * `limitMs` the worker is terminated and the promise rejects with the last progress the
 * scenario reported. A safety net that turns a hang into a failure, not a timing assertion.
 */
export function runInWorker<T>(moduleUrl: string, exportName: string, arg: unknown, limitMs: number): Promise<T> {
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.tsx)
      .then(({ tsImport }) => tsImport(workerData.moduleUrl, workerData.moduleUrl))
      .then((m) => m[workerData.exportName](workerData.arg, (p) => parentPort.postMessage({ progress: p })))
      .then((value) => parentPort.postMessage({ value }), (e) => parentPort.postMessage({ error: String(e && e.stack || e) }));`;
  return new Promise<T>((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { tsx, moduleUrl, exportName, arg } });
    let progress: unknown = null;
    const guard = setTimeout(() => {
      void w.terminate();
      reject(new Error(`${exportName} did not finish within ${limitMs} ms; last progress: ${JSON.stringify(progress)}`));
    }, limitMs);
    w.on('message', (m: { progress?: unknown; value?: T; error?: string }) => {
      if ('progress' in m) { progress = m.progress; return; }
      clearTimeout(guard);
      void w.terminate();
      if (m.error !== undefined) reject(new Error(m.error));
      else resolve(m.value as T);
    });
    w.on('error', (e) => { clearTimeout(guard); reject(e); });
  });
}

/** Deterministic test data: byte i of a body (not a repeating pattern, so misplaced bytes show). */
export function patternBytes(length: number): Uint8Array {
  const data = new Uint8Array(length);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 10)) & 0xff;
  return data;
}

/**
 * Scenario (run with runInWorker): our server streams `size` bytes in 64 KiB writes with
 * back-pressure, our fetch client reads them; `slowEvery` > 0 makes the reader yield a macrotask
 * every that many chunks. Returns the sha256 of what arrived; reports bytes and pause/resume counts.
 */
export async function fetchLargeBody(arg: { size: number; slowEvery: number }, progress: (p: unknown) => void): Promise<string> {
  const { createFetch } = await import('./fetch.ts');
  const data = patternBytes(arg.size);
  const srv = await listen((req, res) => {
    let off = 0;
    const pump = () => {
      while (off < data.length) {
        const c = data.subarray(off, off + 65536);
        off += c.length;
        if (!res.write(c)) { res.once('drain', pump); return; }
      }
      res.end();
    };
    pump();
  });
  const stats = { received: 0, pauses: 0, resumes: 0 };
  const counting = {
    ...nodeNet,
    createServer: nodeNet.createServer,
    connect(o: { host: string; port: number }) {
      const s = net.connect(o);
      const pause = s.pause.bind(s);
      const resume = s.resume.bind(s);
      s.pause = () => { stats.pauses++; return pause(); };
      s.resume = () => { stats.resumes++; return resume(); };
      return s;
    },
  } as unknown as NetModuleLike;
  const client = createFetch({ net: counting });
  try {
    const r = await client.fetch(`http://127.0.0.1:${srv.port}/`);
    const h = createHash('sha256');
    let n = 0;
    for await (const c of r.body!) {
      h.update(c as Uint8Array);
      stats.received += (c as Uint8Array).length;
      if (++n % 16 === 0) progress({ ...stats });
      if (arg.slowEvery > 0 && n % arg.slowEvery === 0) await new Promise((q) => setImmediate(q));
    }
    return h.digest('hex');
  } finally { client.close(); await srv.close(); }
}

/**
 * A client socket fed from a script: the response is handed over in the given pieces (some
 * together, some on later turns); pause() holds them back, resume() delivers them
 * synchronously (`syncResume`) or on the next tick, as Node does.
 */
class ScriptedSocket extends EventEmitter {
  destroyed = false;
  #pieces: Uint8Array[];
  #paused = false;
  #pending: Uint8Array[] = [];
  #scheduled = false;
  readonly #syncResume: boolean;
  constructor(pieces: Uint8Array[], syncResume: boolean) {
    super();
    this.#pieces = pieces;
    this.#syncResume = syncResume;
  }
  write(_d: Uint8Array, cb?: () => void): boolean {
    if (this.#pieces.length > 0) {
      const all = this.#pieces.splice(0);
      const feed = (k: number): void => {
        if (k >= all.length || this.destroyed) return;
        this.#pending.push(all[k]);
        this.#flow();
        if (k % 3 === 0) setImmediate(() => feed(k + 1)); else feed(k + 1);
      };
      setImmediate(() => feed(0));
    }
    if (cb) queueMicrotask(cb);
    return true;
  }
  end(): this { return this; }
  destroy(): this {
    if (!this.destroyed) { this.destroyed = true; setImmediate(() => this.emit('close')); }
    return this;
  }
  setNoDelay(): void {}
  pause(): void { this.#paused = true; }
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (this.#syncResume) this.#flow();
    else if (!this.#scheduled) { this.#scheduled = true; process.nextTick(() => { this.#scheduled = false; this.#flow(); }); }
  }
  #flow(): void {
    while (!this.#paused && !this.destroyed && this.#pending.length > 0) this.emit('data', this.#pending.shift()!);
  }
}

/** The wire form of `data` as a chunked response, and the offsets inside every framing line. */
function chunkedWire(data: Uint8Array): { bytes: Uint8Array; cuts: number[] } {
  const wire: number[] = [...Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n')];
  const cuts: number[] = [];
  const sizes = [1, 2, 15, 16, 17, 255, 4096, 65535, 65536, 262144];
  for (let off = 0, k = 0; off < data.length; k++) {
    const n = Math.min(sizes[k % sizes.length], data.length - off);
    const line = `${n.toString(16)}${k % 4 === 3 ? ';ext=1' : ''}\r\n`;
    for (let c = 0; c <= line.length; c++) cuts.push(wire.length + c);
    wire.push(...Buffer.from(line));
    for (let j = 0; j < n; j++) wire.push(data[off + j]);
    off += n;
    cuts.push(wire.length, wire.length + 1, wire.length + 2);
    wire.push(0x0d, 0x0a);
  }
  const tail = Buffer.from('0\r\n\r\n');
  for (let c = 0; c <= tail.length; c++) cuts.push(wire.length + c);
  wire.push(...tail);
  return { bytes: new Uint8Array(wire), cuts: [...new Set(cuts)].sort((a, b) => a - b) };
}

/**
 * Scenario (run with runInWorker): a chunked body of `size` bytes through a ScriptedSocket,
 * cut per `plan`: 'lines' (at every offset inside chunk-size lines and CRLFs, empty pieces
 * included), 'bytes' (the first 2 KiB byte by byte, then two huge pieces) or 'whole'. Returns
 * the sha256 of the body as read.
 */
export async function fetchScriptedBody(arg: { size: number; plan: 'lines' | 'bytes' | 'whole'; syncResume: boolean; slow: boolean }, progress: (p: unknown) => void): Promise<string> {
  const { createFetch } = await import('./fetch.ts');
  const { bytes, cuts } = chunkedWire(patternBytes(arg.size));
  let pieces: Uint8Array[];
  if (arg.plan === 'lines') {
    pieces = [];
    let prev = 0;
    for (const c of cuts) { pieces.push(bytes.subarray(prev, c)); prev = c; }
    pieces.push(bytes.subarray(prev));
  } else if (arg.plan === 'bytes') {
    const first = 2048;
    const mid = first + ((bytes.length - first) >> 1);
    pieces = Array.from({ length: first }, (_, i) => bytes.subarray(i, i + 1));
    pieces.push(bytes.subarray(first, mid), bytes.subarray(mid));
  } else {
    pieces = [bytes];
  }
  const scripted = {
    createServer() { throw new Error('client only'); },
    connect() {
      const s = new ScriptedSocket(pieces, arg.syncResume);
      setImmediate(() => s.emit('connect'));
      return s;
    },
  } as unknown as NetModuleLike;
  const client = createFetch({ net: scripted });
  try {
    const r = await client.fetch('http://127.0.0.1:1/');
    const h = createHash('sha256');
    let n = 0;
    let received = 0;
    for await (const c of r.body!) {
      h.update(c as Uint8Array);
      received += (c as Uint8Array).length;
      if (++n % 64 === 0) progress({ received });
      if (arg.slow && n % 3 === 0) await new Promise((q) => setImmediate(q));
    }
    return h.digest('hex');
  } finally { client.close(); }
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { createHash } from 'node:crypto';
import { createFetch } from './fetch.ts';
import { listen, nodeNet, patternBytes, runInWorker } from './test-util.ts';
import { AbortController, AbortSignal, ReadableStream, Response } from '../web/index.ts';
import { utf8Encode } from '../web/text.ts';
import type { IncomingMessage } from './incoming.ts';

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => { s += c; });
    req.on('end', () => resolve(s));
  });
}

/** A raw TCP server that answers every connection with `reply` (for odd responses). */
async function rawServer(reply: (data: string, sock: net.Socket) => void): Promise<{ port: number; close: () => Promise<void> }> {
  const socks = new Set<net.Socket>();
  const s = net.createServer((sock) => {
    socks.add(sock);
    let got = '';
    sock.on('data', (d) => { got += d.toString('latin1'); if (got.includes('\r\n\r\n')) { reply(got, sock); got = ''; } });
    sock.on('close', () => socks.delete(sock));
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    port: (s.address() as net.AddressInfo).port,
    close: () => new Promise<void>((r) => { for (const x of socks) x.destroy(); s.close(() => r()); }),
  };
}

test('fetch: GET and POST against our server; returns our Response; keep-alive reuses one connection', async () => {
  const ports = new Set<number>();
  const srv = await listen(async (req, res) => {
    ports.add(req.socket.remotePort!);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ m: req.method, u: req.url, b: await body(req), ct: req.headers['content-type'] ?? null }));
  });
  const client = createFetch({ net: nodeNet });
  try {
    const r = await client.fetch(`http://127.0.0.1:${srv.port}/a?x=1`);
    assert.ok(r instanceof Response);
    assert.equal(r.status, 200);
    assert.equal(r.ok, true);
    assert.deepEqual(await r.json(), { m: 'GET', u: '/a?x=1', b: '', ct: null });
    const p = await client.fetch(`http://127.0.0.1:${srv.port}/p`, { method: 'POST', body: 'héllo' });
    assert.deepEqual(await p.json(), { m: 'POST', u: '/p', b: 'héllo', ct: 'text/plain;charset=UTF-8' });
    for (let i = 0; i < 5; i++) await (await client.fetch(`http://127.0.0.1:${srv.port}/${i}`)).text();
    assert.equal(ports.size, 1);
    assert.equal(client.pool.idleCount(`127.0.0.1:${srv.port}`), 1);
  } finally { client.close(); await srv.close(); }
});

test('fetch: streamed request body goes chunked; chunked response is streamed back', async () => {
  const srv = await listen(async (req, res) => {
    const b = await body(req);
    res.write(`te=${req.headers['transfer-encoding']};`);
    res.end(b);
  });
  const client = createFetch({ net: nodeNet });
  try {
    const parts = ['one,', 'two,', 'three'];
    const stream = new ReadableStream<Uint8Array>({ pull(c) { const p = parts.shift(); if (p) c.enqueue(utf8Encode(p)); else c.close(); } });
    const r = await client.fetch(`http://127.0.0.1:${srv.port}/`, { method: 'PUT', body: stream, duplex: 'half' });
    const chunks: string[] = [];
    const dec = new TextDecoder();
    for await (const c of r.body!) chunks.push(dec.decode(c as Uint8Array));
    assert.equal(chunks.join(''), 'te=chunked;one,two,three');
  } finally { client.close(); await srv.close(); }
});

// The streaming scenarios run in a worker thread: a livelock in the body path (a promise loop
// that never yields) would starve any timer in this thread, so the bound is kept from outside.
const SCENARIOS = new URL('./test-util.ts', import.meta.url).href;
const LIMIT_MS = 120_000;
const sha256 = (d: Uint8Array) => createHash('sha256').update(d).digest('hex');

test('fetch: a 20 MB response streams intact (sha256), fast and slow reader', async () => {
  const want = sha256(patternBytes(20 * 1024 * 1024));
  for (const slowEvery of [0, 4]) {
    const got = await runInWorker<string>(SCENARIOS, 'fetchLargeBody', { size: 20 * 1024 * 1024, slowEvery }, LIMIT_MS);
    assert.equal(got, want, `slowEvery=${slowEvery}`);
  }
});

test('fetch: a chunked body cut inside every chunk-size line and CRLF, or byte by byte, streams intact (sync or async resume, fast or slow reader)', async () => {
  const size = 600_000;
  const want = sha256(patternBytes(size));
  for (const plan of ['lines', 'bytes', 'whole'] as const) {
    for (const syncResume of [false, true]) {
      for (const slow of [false, true]) {
        const got = await runInWorker<string>(SCENARIOS, 'fetchScriptedBody', { size, plan, syncResume, slow }, LIMIT_MS);
        assert.equal(got, want, `${plan}, ${syncResume ? 'sync' : 'async'} resume, ${slow ? 'slow' : 'fast'} reader`);
      }
    }
  }
});

test('fetch: follows redirects (303 → GET, 307 keeps method and body), sets redirected/url; limits to 20', async () => {
  const srv = await listen(async (req, res) => {
    const b = await body(req);
    if (req.url === '/303') { res.writeHead(303, { location: '/final' }).end(); return; }
    if (req.url === '/307') { res.writeHead(307, { location: `http://127.0.0.1:${(req.socket as net.Socket).localPort}/final` }).end(); return; }
    if (req.url!.startsWith('/loop')) { res.writeHead(302, { location: '/loop' }).end(); return; }
    res.end(`${req.method} ${b}`);
  });
  const client = createFetch({ net: nodeNet });
  try {
    const a = await client.fetch(`http://127.0.0.1:${srv.port}/303`, { method: 'POST', body: 'x' });
    assert.equal(await a.text(), 'GET ');
    assert.equal(a.redirected, true);
    assert.equal(a.url, `http://127.0.0.1:${srv.port}/final`);
    const b = await client.fetch(`http://127.0.0.1:${srv.port}/307`, { method: 'POST', body: 'keep' });
    assert.equal(await b.text(), 'POST keep');
    await assert.rejects(client.fetch(`http://127.0.0.1:${srv.port}/loop`), /redirect count exceeded/);
    const m = await client.fetch(`http://127.0.0.1:${srv.port}/303`, { redirect: 'manual' });
    assert.equal(m.status, 303);
    await assert.rejects(client.fetch(`http://127.0.0.1:${srv.port}/303`, { redirect: 'error' }), TypeError);
  } finally { client.close(); await srv.close(); }
});

test('fetch: https is refused clearly; connection refused is a TypeError with a cause', async () => {
  const client = createFetch({ net: nodeNet });
  await assert.rejects(client.fetch('https://example.com/'), { name: 'TypeError', message: 'https is not supported in this build' });
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  await assert.rejects(client.fetch(`http://127.0.0.1:${port}/`), (e: TypeError) => e.message === 'fetch failed' && !!e.cause);
});

test('fetch: DNS goes through the injected lookup', async () => {
  const srv = await listen((req, res) => res.end(String(req.headers.host)));
  const asked: string[] = [];
  const client = createFetch({ net: nodeNet, lookup: async (name) => { asked.push(name); return '127.0.0.1'; } });
  try {
    const r = await client.fetch(`http://my-service.internal:${srv.port}/`);
    assert.equal(await r.text(), `my-service.internal:${srv.port}`);
    assert.deepEqual(asked, ['my-service.internal']);
  } finally { client.close(); await srv.close(); }
});

test('fetch: AbortSignal aborts a pending request; a timeout signal too', async () => {
  const srv = await listen(() => { /* never answers */ });
  const client = createFetch({ net: nodeNet });
  try {
    const ac = new AbortController();
    const p = client.fetch(`http://127.0.0.1:${srv.port}/`, { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(p, { name: 'AbortError' });
    const keep = setTimeout(() => {}, 10_000);
    await assert.rejects(client.fetch(`http://127.0.0.1:${srv.port}/`, { signal: AbortSignal.timeout(50) }), { name: 'TimeoutError' });
    clearTimeout(keep);
  } finally { client.close(); await srv.close(); }
});

test('fetch: close-delimited HTTP/1.0 body, HEAD without body, 204', async () => {
  const srv = await rawServer((req, sock) => {
    if (req.startsWith('HEAD')) sock.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n');
    else if (req.startsWith('GET /204')) sock.write('HTTP/1.1 204 No Content\r\n\r\n');
    else sock.end('HTTP/1.0 200 OK\r\nX-A: 1\r\n\r\nuntil the end');
  });
  const client = createFetch({ net: nodeNet });
  try {
    const a = await client.fetch(`http://127.0.0.1:${srv.port}/`);
    assert.equal(a.headers.get('x-a'), '1');
    assert.equal(await a.text(), 'until the end');
    const h = await client.fetch(`http://127.0.0.1:${srv.port}/`, { method: 'HEAD' });
    assert.equal(h.headers.get('content-length'), '100');
    assert.equal(h.body, null);
    const n = await client.fetch(`http://127.0.0.1:${srv.port}/204`);
    assert.equal(n.status, 204);
    assert.equal(await n.text(), '');
  } finally { client.close(); await srv.close(); }
});

test('fetch: a pooled connection closed by the server is retried on a fresh one', async () => {
  let n = 0;
  const srv = await rawServer((req, sock) => {
    n++;
    sock.write(`HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n${n}`);
    // Close right after answering, without saying so: the client pools it and must recover.
    setTimeout(() => sock.destroy(), 10);
  });
  const client = createFetch({ net: nodeNet });
  try {
    assert.equal(await (await client.fetch(`http://127.0.0.1:${srv.port}/`)).text(), '1');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await (await client.fetch(`http://127.0.0.1:${srv.port}/`)).text(), '2');
  } finally { client.close(); await srv.close(); }
});

test('fetch: connections per host are capped; extra requests wait', async () => {
  let concurrent = 0;
  let maxSeen = 0;
  const srv = await listen((req, res) => {
    concurrent++;
    maxSeen = Math.max(maxSeen, concurrent);
    setTimeout(() => { concurrent--; res.end('k'); }, 10);
  });
  const client = createFetch({ net: nodeNet, maxSocketsPerHost: 2 });
  try {
    const all = await Promise.all(Array.from({ length: 8 }, () => client.fetch(`http://127.0.0.1:${srv.port}/`).then((r) => r.text())));
    assert.deepEqual(all, Array(8).fill('k'));
    assert.ok(maxSeen <= 2);
  } finally { client.close(); await srv.close(); }
});

test('fetch: a malformed response rejects with fetch failed', async () => {
  const srv = await rawServer((req, sock) => sock.end('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'));
  const client = createFetch({ net: nodeNet });
  try {
    await assert.rejects(client.fetch(`http://127.0.0.1:${srv.port}/`), { message: 'fetch failed' });
  } finally { client.close(); await srv.close(); }
});


import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nodeHttp from 'node:http';
import * as net from 'node:net';
import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listen, raw, parseResponses } from './test-util.ts';
import type { IncomingMessage } from './incoming.ts';

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => { s += c; });
    req.on('end', () => resolve(s));
    req.resume();
  });
}

function nodeRequest(port: number, opts: nodeHttp.RequestOptions & { body?: string | string[] } = {}): Promise<{ status: number; headers: nodeHttp.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const r = nodeHttp.request({ host: '127.0.0.1', port, agent: false, ...opts }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
    });
    r.on('error', reject);
    for (const b of Array.isArray(opts.body) ? opts.body : opts.body ? [opts.body] : []) r.write(b);
    r.end();
  });
}

test('GET and POST through Node http client; headers lowercased with Node duplicate rules', async () => {
  const srv = await listen(async (req, res) => {
    const body = await readAll(req);
    res.setHeader('X-Seen', JSON.stringify({ m: req.method, u: req.url, h: req.headers, v: req.httpVersion }));
    res.end(`got:${body}`);
  });
  try {
    const a = await nodeRequest(srv.port, { path: '/a?b=1', headers: { 'X-Dup': ['1', '2'], Cookie: ['a=1', 'b=2'] } });
    assert.equal(a.status, 200);
    assert.equal(a.body.toString(), 'got:');
    const seen = JSON.parse(a.headers['x-seen'] as string);
    assert.equal(seen.m, 'GET');
    assert.equal(seen.u, '/a?b=1');
    assert.equal(seen.v, '1.1');
    assert.equal(seen.h['x-dup'], '1, 2');
    assert.equal(seen.h.cookie, 'a=1; b=2');
    assert.equal(a.headers['content-length'], '4');
    assert.ok(a.headers.date);
    const p = await nodeRequest(srv.port, { method: 'POST', headers: { 'content-length': 5 }, body: 'hello' });
    assert.equal(p.body.toString(), 'got:hello');
  } finally { await srv.close(); }
});

test('duplicate single-value headers keep the first; set-cookie becomes a list', async () => {
  const srv = await listen((req, res) => res.end(JSON.stringify([req.headers['user-agent'], req.headers['set-cookie'], req.rawHeaders.length])));
  try {
    const r = await raw(srv.port, 'GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: a\r\nUser-Agent: b\r\nSet-Cookie: 1\r\nSet-Cookie: 2\r\nConnection: close\r\n\r\n');
    assert.deepEqual(JSON.parse(parseResponses(r.text)[0].body), ['a', ['1', '2'], 12]);
  } finally { await srv.close(); }
});

test('chunked upload is decoded; chunked download when no Content-Length', async () => {
  const srv = await listen(async (req, res) => {
    const body = await readAll(req);
    res.write('part1-');
    res.write(body);
    res.end('-end');
  });
  try {
    const r = await nodeRequest(srv.port, { method: 'PUT', body: ['abc', 'def', 'ghi'] });
    assert.equal(r.headers['transfer-encoding'], 'chunked');
    assert.equal(r.body.toString(), 'part1-abcdefghi-end');
  } finally { await srv.close(); }
});

test('keep-alive: several requests answered on one socket', async () => {
  const ports = new Set<number>();
  const srv = await listen((req, res) => { ports.add(req.socket.remotePort!); res.end(req.url); });
  const agent = new nodeHttp.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < 5; i++) {
      const r = await nodeRequest(srv.port, { path: `/${i}`, agent });
      assert.equal(r.body.toString(), `/${i}`);
      assert.equal(r.headers.connection, 'keep-alive');
      assert.equal(r.headers['keep-alive'], 'timeout=5');
    }
    assert.equal(ports.size, 1);
  } finally { agent.destroy(); await srv.close(); }
});

test('pipelined requests are answered in order even when the first is slowest', async () => {
  const srv = await listen((req, res) => {
    const delay = req.url === '/1' ? 30 : 0;
    setTimeout(() => res.end(`r${req.url}`), delay);
  });
  try {
    const reqs = ['/1', '/2', '/3'].map((u, i) => `GET ${u} HTTP/1.1\r\nHost: x\r\n${i === 2 ? 'Connection: close\r\n' : ''}\r\n`).join('');
    const r = await raw(srv.port, reqs);
    assert.deepEqual(parseResponses(r.text).map((m) => m.body), ['r/1', 'r/2', 'r/3']);
    assert.ok(r.closed);
  } finally { await srv.close(); }
});

test('pipelined requests split at awkward places', async () => {
  const srv = await listen(async (req, res) => res.end(`${req.url}:${await readAll(req)}`));
  try {
    const all = 'POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcPOST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    const pieces = [all.slice(0, 7), all.slice(7, 50), all.slice(50, 51), all.slice(51)];
    const r = await raw(srv.port, pieces);
    assert.deepEqual(parseResponses(r.text).map((m) => m.body), ['/a:abc', '/b:xy', '/c:']);
  } finally { await srv.close(); }
});

/** [name, bytes, status, head delivered to the app before the error] */
const MALFORMED: [string, string, number, boolean?][] = [
  ['CL with TE', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400],
  ['duplicate CL', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', 400],
  ['bad chunk size', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n', 400, true],
  ['chunk size overflow', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n', 400, true],
  ['obs-fold', 'GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n', 400],
  ['NUL in header', 'GET / HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n', 400],
  ['space before colon', 'GET / HTTP/1.1\r\nHost : x\r\n\r\n', 400],
  ['bad method token', 'G(T / HTTP/1.1\r\nHost: x\r\n\r\n', 400],
  ['bare LF', 'GET / HTTP/1.1\nHost: x\n\n', 400],
  ['missing Host on 1.1', 'GET / HTTP/1.1\r\n\r\n', 400],
  ['HTTP/2.0 version', 'GET / HTTP/2.0\r\nHost: x\r\n\r\n', 505],
  ['garbage version', 'GET / HTTX/1.1\r\nHost: x\r\n\r\n', 400],
  ['URI too long', `GET /${'a'.repeat(9000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414],
  ['header section too large', `GET / HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(20000)}\r\n\r\n`, 431],
  ['body over limit', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n', 413],
  ['chunked body over limit', `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n${'a'.repeat(1024)}\r\n400\r\n${'a'.repeat(1024)}\r\n0\r\n\r\n`, 413, true],
];

for (const [name, input, status, headDelivered] of MALFORMED) {
  test(`malformed request (${name}) gets ${status} with Connection: close and the socket closes`, async () => {
    let requests = 0;
    const srv = await listen((req, res) => { requests++; req.resume(); }, { maxBodySize: 1500 });
    try {
      const r = await raw(srv.port, input);
      const [resp] = parseResponses(r.text);
      assert.equal(resp.head.statusCode, status);
      assert.equal(resp.headers.connection, 'close');
      assert.ok(r.closed, 'connection closed');
      assert.equal(requests, headDelivered ? 1 : 0);
    } finally { await srv.close(); }
  });
}

test('an error after a pipelined good request is sent after its response', async () => {
  const srv = await listen((req, res) => setTimeout(() => res.end('ok'), 10));
  try {
    const r = await raw(srv.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n');
    const msgs = parseResponses(r.text);
    assert.deepEqual(msgs.map((m) => m.head.statusCode), [200, 400]);
    assert.ok(r.closed);
  } finally { await srv.close(); }
});

test('HTTP/1.0: close by default; with Connection: keep-alive answered with keep-alive and Content-Length', async () => {
  const srv = await listen((req, res) => res.end('hi'));
  try {
    const plain = await raw(srv.port, 'GET / HTTP/1.0\r\n\r\n');
    assert.equal(parseResponses(plain.text)[0].headers.connection, 'close');
    assert.ok(plain.closed);
    const ka = await raw(srv.port, 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n');
    const msgs = parseResponses(ka.text);
    assert.equal(msgs.length, 2);
    assert.equal(msgs[0].headers.connection, 'keep-alive');
    assert.equal(msgs[0].headers['content-length'], '2');
    assert.equal(msgs[1].headers.connection, 'close');
  } finally { await srv.close(); }
});

test('HTTP/1.0 streamed response is close-delimited, not chunked', async () => {
  const srv = await listen((req, res) => { res.write('a'); res.end('b'); });
  try {
    const r = await raw(srv.port, 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    const [m] = parseResponses(r.text);
    assert.equal(m.headers['transfer-encoding'], undefined);
    assert.equal(m.body, 'ab');
    assert.ok(r.closed);
  } finally { await srv.close(); }
});

test('Connection: close from the client is honoured', async () => {
  const srv = await listen((req, res) => res.end('x'));
  try {
    const r = await raw(srv.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /ignored HTTP/1.1\r\nHost: x\r\n\r\n');
    const msgs = parseResponses(r.text);
    assert.equal(msgs.length, 1);
    assert.equal(msgs[0].headers.connection, 'close');
    assert.ok(r.closed);
  } finally { await srv.close(); }
});

test('HEAD has no body; 204 and 304 have no body and no framing headers', async () => {
  const srv = await listen((req, res) => {
    if (req.url === '/204') { res.statusCode = 204; res.end('ignored'); return; }
    if (req.url === '/304') { res.writeHead(304); res.end(); return; }
    res.end('body!');
  });
  try {
    const h = await raw(srv.port, 'HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET /204 HTTP/1.1\r\nHost: x\r\n\r\nGET /304 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const msgs = parseResponses(h.text, 1);
    assert.deepEqual(msgs.map((m) => [m.head.statusCode, m.body]), [[200, ''], [204, ''], [304, '']]);
    assert.equal(msgs[0].headers['content-length'], '5');
    assert.equal(msgs[1].headers['content-length'], undefined);
    assert.equal(msgs[1].headers['transfer-encoding'], undefined);
    assert.ok(!h.text.includes('body!') && !h.text.includes('ignored'));
  } finally { await srv.close(); }
});

test('Expect: 100-continue gets 100 Continue before the final response', async () => {
  const srv = await listen(async (req, res) => res.end(await readAll(req)));
  try {
    const text = await new Promise<string>((resolve) => {
      const s = net.connect(srv.port, '127.0.0.1');
      let got = '';
      s.on('data', (d) => {
        got += d.toString('latin1');
        if (got.startsWith('HTTP/1.1 100 Continue\r\n\r\n') && !got.includes('200')) s.write('abc');
      });
      s.on('close', () => resolve(got));
      s.write('POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\nConnection: close\r\n\r\n');
    });
    assert.ok(text.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n'));
    assert.equal(parseResponses(text)[0].body, 'abc');
    const other = await raw(srv.port, 'GET / HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n', { endAfterWrite: true });
    assert.equal(parseResponses(other.text)[0].head.statusCode, 417);
  } finally { await srv.close(); }
});

test('headersTimeout: a request head that never completes gets 408 and the socket closes', async () => {
  const srv = await listen((req, res) => res.end(), { headersTimeout: 200 });
  try {
    const r = await raw(srv.port, 'GET / HTTP/1.1\r\nHost: x\r\n');
    assert.equal(parseResponses(r.text)[0].head.statusCode, 408);
    assert.ok(r.closed);
  } finally { await srv.close(); }
});

test('requestTimeout: a body that never completes gets 408 and the socket closes', async () => {
  let aborted = false;
  const srv = await listen((req) => { req.on('aborted', () => { aborted = true; }); req.resume(); }, { requestTimeout: 200, headersTimeout: 150 });
  try {
    const r = await raw(srv.port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc');
    assert.equal(parseResponses(r.text)[0].head.statusCode, 408);
    assert.ok(r.closed);
    assert.ok(aborted);
  } finally { await srv.close(); }
});

test('keepAliveTimeout: an idle keep-alive connection is closed by the server', async () => {
  const srv = await listen((req, res) => res.end('x'), { keepAliveTimeout: 200 });
  try {
    const r = await raw(srv.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(parseResponses(r.text).length, 1);
    assert.ok(r.closed);
  } finally { await srv.close(); }
});

test('write() returns false under back-pressure; a client that never reads is cut (drainTimeout)', async () => {
  let sawFalse = false;
  let onClosed!: () => void;
  const closed = new Promise<void>((r) => { onClosed = r; });
  const srv = await listen((req, res) => {
    res.on('close', () => onClosed());
    const block = new Uint8Array(64 * 1024);
    for (let i = 0; i < 2000 && !sawFalse; i++) if (!res.write(block)) sawFalse = true;
  }, { drainTimeout: 200 });
  const s = net.connect(srv.port, '127.0.0.1');
  s.on('error', () => {});
  try {
    s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    s.pause();
    await closed;
    assert.ok(sawFalse);
  } finally { s.destroy(); await srv.close(); }
});

test('drain is emitted once the client reads', async () => {
  let sawFalse = false;
  let drains = 0;
  const srv = await listen((req, res) => {
    const block = new Uint8Array(256 * 1024);
    let sent = 0;
    const pump = () => {
      while (sent < 40) {
        sent++;
        if (!res.write(block)) { sawFalse = true; res.once('drain', () => { drains++; pump(); }); return; }
      }
      res.end();
    };
    pump();
  });
  try {
    const r = await nodeRequest(srv.port);
    assert.equal(r.body.length, 40 * 256 * 1024);
    assert.ok(sawFalse);
    assert.ok(drains > 0);
  } finally { await srv.close(); }
});

test('a 20 MB response arrives intact (sha256)', async () => {
  const data = new Uint8Array(20 * 1024 * 1024);
  for (let i = 0; i < data.length; i += 4) new DataView(data.buffer).setUint32(i, (i * 2654435761) >>> 0);
  const want = createHash('sha256').update(data).digest('hex');
  const srv = await listen((req, res) => {
    let off = 0;
    const pump = () => {
      while (off < data.length) {
        const c = data.subarray(off, off + 100_000);
        off += c.length;
        if (!res.write(c)) { res.once('drain', pump); return; }
      }
      res.end();
    };
    pump();
  });
  try {
    const got = await new Promise<string>((resolve, reject) => {
      nodeHttp.get({ host: '127.0.0.1', port: srv.port, agent: false }, (res) => {
        const h = createHash('sha256');
        res.on('data', (d) => h.update(d));
        res.on('end', () => resolve(h.digest('hex')));
      }).on('error', reject);
    });
    assert.equal(got, want);
  } finally { await srv.close(); }
});

test('maxConnections: a connection beyond the cap is closed at once', async () => {
  const srv = await listen((req, res) => res.end('x'), {}, (s) => { s.maxConnections = 1; });
  try {
    const first = net.connect(srv.port, '127.0.0.1');
    await new Promise((r) => first.on('connect', r));
    await new Promise((r) => setImmediate(r));
    const second = await raw(srv.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.ok(second.closed);
    assert.equal(second.text, '');
    first.destroy();
  } finally { await srv.close(); }
});

test('maxHeadersCount drops extra headers', async () => {
  const srv = await listen((req, res) => res.end(String(req.rawHeaders.length / 2)), {}, (s) => { s.maxHeadersCount = 3; });
  try {
    const r = await raw(srv.port, 'GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\nConnection: close\r\n\r\n');
    assert.equal(parseResponses(r.text)[0].body, '3');
  } finally { await srv.close(); }
});

test('request body: async iteration, setEncoding, pause/resume', async () => {
  const srv = await listen(async (req, res) => {
    if (req.url === '/iter') {
      const parts: Uint8Array[] = [];
      for await (const c of req) parts.push(c as Uint8Array);
      res.end(String(Buffer.concat(parts).length));
    } else {
      req.pause();
      setTimeout(async () => res.end(await readAll(req)), 20);
    }
  });
  try {
    const big = 'x'.repeat(300_000);
    assert.equal((await nodeRequest(srv.port, { path: '/iter', method: 'POST', body: big })).body.toString(), '300000');
    assert.equal((await nodeRequest(srv.port, { path: '/p', method: 'POST', body: ['é', 'ü'] })).body.toString(), 'éü');
  } finally { await srv.close(); }
});

test('ServerResponse API: header accessors, headersSent, finish and close events, errors', async () => {
  const events: string[] = [];
  const srv = await listen((req, res) => {
    res.setHeader('X-A', '1');
    res.setHeader('Set-Cookie', ['a=1', 'b=2']);
    assert.equal(res.getHeader('x-a'), '1');
    assert.ok(res.hasHeader('X-A'));
    res.removeHeader('x-a');
    assert.deepEqual({ ...res.getHeaders() }, { 'set-cookie': ['a=1', 'b=2'] });
    assert.throws(() => res.setHeader('Bad Name', 'x'), { code: 'ERR_INVALID_HTTP_TOKEN' });
    assert.throws(() => res.setHeader('X', 'a\r\nb'), { code: 'ERR_INVALID_CHAR' });
    assert.equal(res.headersSent, false);
    res.writeHead(201, 'Made', { 'Content-Type': 'text/plain' });
    assert.equal(res.headersSent, true);
    assert.throws(() => res.setHeader('X', 'y'), { code: 'ERR_HTTP_HEADERS_SENT' });
    res.on('finish', () => events.push('finish'));
    res.on('close', () => events.push('close'));
    res.end('done');
  });
  try {
    const r = await raw(srv.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const [m] = parseResponses(r.text);
    assert.equal(m.head.statusCode, 201);
    assert.equal(m.head.statusMessage, 'Made');
    assert.equal(m.body, 'done');
    assert.equal((r.text.match(/Set-Cookie/g) ?? []).length, 2);
    assert.deepEqual(events, ['finish', 'close']);
  } finally { await srv.close(); }
});

test('server.close() closes idle keep-alive connections and emits close', async () => {
  const srv = await listen((req, res) => res.end('x'));
  const agent = new nodeHttp.Agent({ keepAlive: true });
  await nodeRequest(srv.port, { agent });
  let closed = false;
  await new Promise<void>((resolve) => srv.server.close(() => { closed = true; resolve(); }));
  assert.ok(closed);
  agent.destroy();
});

test('curl: GET, POST with body, and HEAD', { skip: spawnSync('curl', ['--version']).status !== 0 }, async () => {
  const srv = await listen(async (req, res) => {
    const body = await readAll(req);
    res.setHeader('Content-Type', 'text/plain');
    res.end(`${req.method} ${body}`);
  });
  const curl = (args: string[]) => new Promise<string>((resolve, reject) => {
    const p = spawn('curl', ['-s', '-S', '--max-time', '10', ...args, `http://127.0.0.1:${srv.port}/x`]);
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`curl exit ${code}`))));
  });
  try {
    assert.equal(await curl([]), 'GET ');
    assert.equal(await curl(['-d', 'hello']), 'POST hello');
    assert.equal(await curl(['-H', 'Transfer-Encoding: chunked', '-d', 'chunky']), 'POST chunky');
    const file = join(mkdtempSync(join(tmpdir(), 'nimbus-http-')), 'big');
    writeFileSync(file, 'x'.repeat(2_000_000));
    assert.equal(await curl(['--data-binary', `@${file}`, '-H', 'Expect: 100-continue']), `POST ${'x'.repeat(2_000_000)}`);
    rmSync(file);
    assert.match(await curl(['-I']), /^HTTP\/1.1 200 OK/);
  } finally { await srv.close(); }
});

const hasAb = spawnSync('ab', ['-V']).status === 0;

function runAb(args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const p = spawn('ab', args);
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('close', () => resolve(out));
  });
}

test('ab -k -n 2000 -c 8 and ab -n 500 -c 8: no failed requests', { skip: !hasAb }, async () => {
  const srv = await listen((req, res) => { res.setHeader('Content-Type', 'text/plain'); res.end('hello world\n'); });
  try {
    const ka = await runAb(['-k', '-n', '2000', '-c', '8', `http://127.0.0.1:${srv.port}/`]);
    assert.match(ka, /Complete requests:\s+2000/, ka);
    assert.match(ka, /Failed requests:\s+0/, ka);
    assert.match(ka, /Keep-Alive requests:\s+2000/, ka);
    const plain = await runAb(['-n', '500', '-c', '8', `http://127.0.0.1:${srv.port}/`]);
    assert.match(plain, /Complete requests:\s+500/, plain);
    assert.match(plain, /Failed requests:\s+0/, plain);
  } finally { await srv.close(); }
});

test("request body via 'readable' + read() until null: end arrives, no endless 'readable' after the end", async () => {
  let readables = 0;
  const srv = await listen((req, res) => {
    let s = '';
    req.on('readable', () => {
      // The bound lives in the handler: the old loop was a microtask spin no timer could stop.
      if (++readables > 50) { req.removeAllListeners('readable'); res.end('spun'); return; }
      let c: Uint8Array | string | null;
      while ((c = req.read()) !== null) s += Buffer.from(c as Uint8Array).toString('latin1');
    });
    req.on('end', () => setImmediate(() => res.end(`got ${s} after ${readables}`)));
  });
  try {
    const r = await raw(srv.port, ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nConnection: close\r\n\r\nhello', 'world']);
    const [resp] = parseResponses(r.text);
    assert.match(resp.body, /^got helloworld after [1-4]$/);
  } finally { await srv.close(); }
});

test('res.addTrailers() sends trailer fields after the last chunk, as Node\'s ServerResponse', async () => {
  const handler = (res: { setHeader(n: string, v: string): void; write(s: string): void; addTrailers(t: Record<string, string>): void; end(s: string): void }) => {
    res.setHeader('Trailer', 'X-Digest');
    res.write('a');
    res.addTrailers({ 'X-Digest': 'abc', 'X-Other': 'z' });
    res.end('b');
  };
  const read = (port: number) => new Promise<[string, string, Record<string, string | undefined>]>((resolve) => {
    nodeHttp.get({ host: '127.0.0.1', port, agent: false }, (res) => {
      let s = '';
      res.on('data', (d) => { s += d; });
      res.on('end', () => resolve([String(res.headers['transfer-encoding']), s, { ...res.trailers }]));
    });
  });
  const ours = await listen((_req, res) => handler(res));
  const node = nodeHttp.createServer((_req, res) => handler(res));
  await new Promise<void>((r) => node.listen(0, '127.0.0.1', () => r()));
  try {
    const want = await read((node.address() as net.AddressInfo).port);
    assert.deepEqual(want, ['chunked', 'ab', { 'x-digest': 'abc', 'x-other': 'z' }]);
    assert.deepEqual(await read(ours.port), want);
  } finally {
    await ours.close();
    await new Promise((r) => node.close(r));
  }
});

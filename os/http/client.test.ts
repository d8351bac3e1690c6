// Differential tests of node:http's client side: each scenario is one piece of client code run
// twice against the same Node http (or raw net) server, once with Node's own http module and
// once with ours (createNodeHttp over Node's net, readable-stream as node:stream as in the
// image); what each run records (bytes on the wire, event order, agent state) must be equal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import nodeHttp from 'node:http';
import type { AgentOptions as HttpsAgentOptions } from 'node:https';
import * as nodeStream from 'node:stream';
import { createHash } from 'node:crypto';
import RS from 'readable-stream/lib/stream.js';
import { createNodeHttp } from './node-http.ts';
import { nodeNet } from './test-util.ts';

const ours = createNodeHttp({
  net: nodeNet,
  wrapChunk: (u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength),
  encode: (s, e) => Buffer.from(s, (e ?? 'utf8') as BufferEncoding),
}) as unknown as typeof nodeHttp;

type Streams = typeof nodeStream;
type Scenario = (http: typeof nodeHttp, stream: Streams, port: number) => Promise<unknown>;

async function withServer<T>(server: net.Server, fn: (port: number) => Promise<T>): Promise<T> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    return await fn((server.address() as net.AddressInfo).port);
  } finally {
    (server as nodeHttp.Server).closeAllConnections?.();
    await new Promise((r) => server.close(r));
  }
}

/** Runs the scenario with Node's client, then ours, each against a fresh server; returns both records. */
async function both(makeServer: () => net.Server, scenario: Scenario): Promise<{ node: unknown; ours: unknown }> {
  const node = await withServer(makeServer(), (port) => scenario(nodeHttp, nodeStream, port));
  const mine = await withServer(makeServer(), (port) => scenario(ours, RS as unknown as Streams, port));
  return { node, ours: mine };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const strip = (s: string, port: number) => s.split(String(port)).join('PORT');

/** A raw server that records each request's bytes and answers every head with `ok`. */
function recordingServer(heads: string[]): () => net.Server {
  return () => net.createServer((s) => {
    let buf = '';
    let replied = false;
    s.on('data', (d) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0 || replied) return;
      const head = buf.slice(0, end);
      const cl = /content-length: (\d+)/i.exec(head);
      const chunked = /transfer-encoding: chunked/i.test(head);
      const complete = chunked ? buf.endsWith('0\r\n\r\n') : buf.length >= end + 4 + (cl ? Number(cl[1]) : 0);
      if (!complete && !/^GET|^DELETE/.test(head)) return;
      replied = true;
      setTimeout(() => {
        heads.push(buf);
        s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');
      }, 20);
    });
  });
}

test('request heads and framing on the wire are byte-for-byte Node\'s (Host, Connection, Content-Length, chunked, auth, agent kinds)', async () => {
  const heads: string[] = [];
  const scenario: Scenario = async (http, _s, port) => {
    heads.length = 0;
    const one = (opts: nodeHttp.RequestOptions, body?: string | 'stream') => new Promise<void>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port, ...opts }, (res) => { res.resume(); res.on('end', resolve); });
      req.on('error', () => resolve());
      if (body === 'stream') { req.write('abc'); req.write(Buffer.from('é')); req.end('de'); } else req.end(body);
    });
    await one({ method: 'GET', path: '/a' });
    await one({ method: 'GET', path: '/b' }, 'body');
    await one({ method: 'POST', path: '/c' }, 'bödy');
    await one({ method: 'POST', path: '/d' }, 'stream');
    await one({ method: 'POST', path: '/e' });
    await one({ method: 'PUT', path: '/f?q=1', agent: false, headers: { 'X-A': 1, Host: 'foo', 'x-multi': ['1', '2'] } }, 'x');
    await one({ method: 'DELETE', path: '/g', agent: new http.Agent({ keepAlive: false }) }, 'x');
    await one({ method: 'GET', path: '/h', agent: new http.Agent({ keepAlive: false, maxSockets: 2 }) });
    await one({ method: 'GET', path: '/i', auth: 'user:pässword', setHost: false });
    await one({ method: 'PATCH', path: '/j', headers: { 'Content-Length': '2', Connection: 'close' } }, 'xy');
    await one({ method: 'POST', path: '/k', headers: { 'Transfer-Encoding': 'chunked' } }, 'stream');
    return heads.map((h) => strip(h, port));
  };
  const r = await both(recordingServer(heads), scenario);
  assert.equal((r.node as string[]).length, 11);
  assert.deepEqual(r.ours, r.node);
});

/** A Node server: echoes the body length, with a trailer; `/slow` never answers. */
function echoServer(): net.Server {
  return nodeHttp.createServer((req, res) => {
    if (req.url === '/slow') { req.resume(); return; }
    let n = 0;
    const h = createHash('sha256');
    req.on('data', (c: Buffer) => { n += c.length; h.update(c); });
    req.on('end', () => {
      res.setHeader('Trailer', 'X-Sum');
      res.write(`len=${n};`);
      res.addTrailers({ 'X-Sum': h.digest('hex').slice(0, 16) });
      res.end('done');
    });
  });
}

test('events of an exchange come in Node\'s order, on a keep-alive socket (reused the second time) and without an agent', async () => {
  const scenario: Scenario = async (http, _s, port) => {
    const log: string[] = [];
    const agent = new http.Agent({ keepAlive: true });
    let freeEvents = 0;
    agent.on('free', () => freeEvents++);
    // Twice on one keep-alive socket, then without an agent (Connection: close).
    for (let k = 0; k < 3; k++) {
      await new Promise<void>((resolve) => {
        const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/x', agent: k < 2 ? agent : false });
        if (k === 2) req.on('socket', (s) => s.on('close', () => log.push('socket close')));
        log.push(`headersSent ${req.headersSent} ${strip(JSON.stringify(req.getHeaders()), port)} ${req.hasHeader('HOST')} ${req.getHeader('host') !== undefined}`);
        req.setHeader('X-Late', 'v');
        req.removeHeader('x-late');
        req.setHeader('X-Kept', ['a', 'b']);
        req.on('socket', () => log.push(`socket reused=${req.reusedSocket} sockets=${JSON.stringify(Object.keys(agent.sockets).map((n) => strip(n, port)))} free=${Object.keys(agent.freeSockets).length}`));
        req.on('finish', () => log.push(`finish writableFinished=${req.writableFinished}`));
        req.on('close', () => {
          log.push('req close');
          setTimeout(() => {
            const names = Object.keys(agent.freeSockets);
            log.push(`after: free=${JSON.stringify(names.map((n) => strip(n, port)))}:${names.map((n) => agent.freeSockets[n]!.length)} sockets=${Object.keys(agent.sockets).length} agentFree=${freeEvents} res.socket=${response?.socket === null ? 'null' : typeof response?.socket}`);
            resolve();
          }, 10);
        });
        let response: nodeHttp.IncomingMessage | undefined;
        req.on('response', (res) => {
          response = res;
          log.push(`response ${res.statusCode} ${res.headers['transfer-encoding']} ${res.httpVersion}`);
          res.setEncoding('utf8');
          res.on('data', (d: string) => log.push(`data ${typeof d} ${d}`));
          res.on('end', () => log.push(`end complete=${res.complete} trailers=${JSON.stringify(res.trailers)} raw=${res.rawTrailers.length}`));
          res.on('close', () => log.push('res close'));
        });
        log.push(`write ${req.write('ab', () => log.push('write cb'))}`);
        log.push(`headersSent ${req.headersSent}`);
        let threw = '';
        try { req.setHeader('x-after', '1'); } catch (e) { threw = `${(e as NodeJS.ErrnoException).code} ${(e as Error).message}`; }
        log.push(threw);
        req.end('cd', () => log.push('end cb'));
        log.push(`writableEnded ${req.writableEnded} finished ${req.finished}`);
      });
    }
    agent.destroy();
    return log;
  };
  const r = await both(echoServer, scenario);
  assert.deepEqual(r.ours, r.node);
});

test('pipeline(Readable.from(20 MB), req) streams the upload: write() back-pressure and drain, bounded buffering, same bytes', async () => {
  const SIZE = 20 * 1024 * 1024, CHUNK = 64 * 1024;
  const scenario: Scenario = async (http, stream, port) => {
    let produced = 0;
    let maxBuffered = 0;
    let drains = 0;
    let falses = 0;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    function* body() {
      for (let off = 0; off < SIZE; off += CHUNK) {
        const c = Buffer.alloc(CHUNK);
        for (let i = 0; i < CHUNK; i += 512) c[i] = (off + i) >> 9 & 0xff;
        produced += CHUNK;
        yield c;
      }
    }
    const req = http.request({ host: '127.0.0.1', port, method: 'PUT', path: '/up', agent });
    const write = req.write.bind(req);
    req.write = ((...a: Parameters<typeof req.write>) => {
      const ok = write(...a);
      if (!ok) falses++;
      maxBuffered = Math.max(maxBuffered, req.writableLength);
      return ok;
    }) as typeof req.write;
    req.on('drain', () => drains++);
    const response = new Promise<string>((resolve, reject) => {
      req.on('response', (res) => {
        let s = '';
        res.on('data', (d: Buffer) => { s += d; });
        res.on('end', () => resolve(`${res.statusCode} ${s} ${res.trailers['x-sum']}`));
      });
      req.on('error', reject);
    });
    const done = await new Promise<string>((resolve) => stream.pipeline(stream.Readable.from(body()), req, (err) => resolve(err ? `error ${err.message}` : 'ok')));
    const got = await response;
    agent.destroy();
    return {
      pipeline: done, got, produced,
      backPressure: falses > 0 && drains > 0,
      // Never more than a few chunks held: the body is streamed, not buffered.
      bounded: maxBuffered < 8 * CHUNK,
    };
  };
  const r = await both(echoServer, scenario);
  assert.deepEqual(r.node, {
    pipeline: 'ok', got: (r.node as { got: string }).got, produced: SIZE, backPressure: true, bounded: true,
  });
  assert.match((r.node as { got: string }).got, /^200 len=20971520;done [0-9a-f]{16}$/);
  assert.deepEqual(r.ours, r.node);
});

test('flushHeaders() sends the head at once; writes before the socket queue and return false past 16 KiB', async () => {
  const scenario: Scenario = async (http, _s, port) => {
    const log: string[] = [];
    let sawRequest!: () => void;
    const seen = new Promise<void>((r) => { sawRequest = r; });
    const server = nodeHttp.createServer((req, res) => {
      log.push(`server request ${req.method} ${req.headers['transfer-encoding']}`);
      sawRequest();
      req.pipe(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const p = (server.address() as net.AddressInfo).port;
    void port;
    const req = http.request({ host: '127.0.0.1', port: p, method: 'POST', agent: false });
    req.flushHeaders();
    log.push(`flushed headersSent=${req.headersSent}`);
    await seen;
    log.push(`write small ${req.write('x'.repeat(100))}`);
    const body = await new Promise<string>((resolve) => {
      req.on('response', (res) => { let s = ''; res.on('data', (d) => { s += d; }); res.on('end', () => resolve(`${s.length}`)); });
      req.end('y');
    });
    log.push(`echo ${body}`);
    const req2 = http.request({ host: '127.0.0.1', port: p, method: 'POST', agent: false });
    log.push(`before socket: ${req2.write(Buffer.alloc(10_000))} ${req2.write(Buffer.alloc(10_000))} socket=${req2.socket === null || req2.socket === undefined}`);
    await new Promise<void>((resolve) => {
      req2.on('drain', () => log.push('drain'));
      req2.on('response', (res) => { res.resume(); res.on('end', resolve); });
      req2.end();
    });
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    return log;
  };
  const r = await both(echoServer, scenario);
  assert.deepEqual(r.ours, r.node);
});

test('Agent maxSockets queues requests in agent.requests, maxFreeSockets bounds the pool, "free" events, agent.destroy()', async () => {
  let connections = 0;
  const scenario: Scenario = async (http, _s, port) => {
    connections = 0;
    const log: string[] = [];
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2, maxFreeSockets: 1 });
    let frees = 0;
    agent.on('free', () => frees++);
    const get = (i: number) => new Promise<string>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: `/${i}`, agent }, (res) => {
        let s = '';
        res.on('data', (d) => { s += d; });
        res.on('end', () => resolve(`${i}:${s}:${req.reusedSocket}`));
      });
      req.on('error', reject);
    });
    const all = Promise.all([0, 1, 2, 3, 4].map(get));
    const name = Object.keys(agent.requests)[0] ?? '';
    log.push(`queued ${strip(name, port)} ${agent.requests[name]?.length} sockets=${Object.keys(agent.sockets).map((n) => `${strip(n, port)}${agent.sockets[n]!.length}`)}`);
    log.push(...(await all));
    await sleep(20);
    log.push(`connections=${connections} frees=${frees} free=${Object.values(agent.freeSockets).map((l) => l!.length)} sockets=${Object.keys(agent.sockets).length} requests=${Object.keys(agent.requests).length}`);
    const free = Object.values(agent.freeSockets)[0]![0]!;
    agent.destroy();
    await sleep(20);
    log.push(`after destroy: destroyed=${free.destroyed} free=${Object.keys(agent.freeSockets).length} sockets=${Object.keys(agent.sockets).length}`);
    log.push(`getName ${agent.getName({ host: 'h', port: 1, localAddress: '10.0.0.1' })} ${agent.getName({})} ${agent.getName({ host: 'a', port: 2, family: 4 })}`);
    return log;
  };
  const r = await both(() => {
    const s = nodeHttp.createServer((req, res) => { setTimeout(() => res.end(`r${req.url}`), 5); });
    s.on('connection', () => connections++);
    return s;
  }, scenario);
  assert.deepEqual(r.ours, r.node);
});

test('globalAgent is keep-alive as Node 20\'s; agent timeout closes idle free sockets; the server\'s Keep-Alive hint shortens it', async () => {
  const scenario: Scenario = async (http, _s, port) => {
    const g = http.globalAgent as nodeHttp.Agent & { keepAlive: boolean; keepAliveMsecs: number; defaultPort: number; options: nodeHttp.AgentOptions };
    const log: unknown[] = [g.keepAlive, g.options.timeout, g.maxSockets, g.maxFreeSockets, (g as unknown as { scheduling: string }).scheduling, g.keepAliveMsecs, g.defaultPort, (g as unknown as { protocol: string }).protocol];
    const agent = new http.Agent({ keepAlive: true, timeout: 80 });
    await new Promise<void>((resolve) => http.get({ host: '127.0.0.1', port, agent }, (res) => { res.resume(); res.on('end', resolve); }));
    await sleep(20);
    log.push(Object.keys(agent.freeSockets).length);
    const s = Object.values(agent.freeSockets)[0]![0]!;
    log.push(s.timeout);
    await sleep(200);
    log.push(Object.keys(agent.freeSockets).length, s.destroyed);
    const viaGlobal = await new Promise<string>((resolve) => http.get(`http://127.0.0.1:${port}/g`, (res) => { res.resume(); res.on('end', () => resolve(`${res.statusCode}`)); }));
    await sleep(10);
    const gs = Object.values(g.freeSockets)[0]?.[0];
    log.push(viaGlobal, gs?.timeout);
    g.destroy();
    return log;
  };
  const r = await both(() => nodeHttp.createServer((_req, res) => res.end('k')), scenario);
  assert.deepEqual((r.node as unknown[]).slice(0, 8), [true, 5000, Infinity, 256, 'lifo', 1000, 80, 'http:']);
  assert.deepEqual(r.ours, r.node);
});

test('timeouts, destroy(err), destroy() before the socket, abort(), AbortSignal and ECONNREFUSED end as in Node', async () => {
  const scenario: Scenario = async (http, _s, port) => {
    const log: string[] = [];
    const run = (label: string, start: (req: nodeHttp.ClientRequest) => void, opts: nodeHttp.RequestOptions = {}) => new Promise<void>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/slow', agent: false, ...opts });
      const ev = (name: string) => req.on(name, (e?: NodeJS.ErrnoException) => log.push(`${label} ${name}${e instanceof Error ? ` ${e.name} ${e.code} ${e.message}` : ''}`));
      ['socket', 'timeout', 'abort', 'error', 'finish', 'response'].forEach(ev);
      req.on('close', () => { log.push(`${label} close destroyed=${req.destroyed}`); resolve(); });
      start(req);
    });
    await run('setTimeout', (req) => { req.setTimeout(50, () => { log.push('setTimeout cb'); req.destroy(new Error('gave up')); }); req.end(); });
    await run('option', (req) => { req.on('timeout', () => req.destroy()); req.end(); }, { timeout: 40 });
    await run('early destroy', (req) => { req.end(); req.destroy(); });
    await run('abort', (req) => { req.end(); setTimeout(() => req.abort(), 20); });
    const ac = new AbortController();
    await run('signal', (req) => { req.end(); setTimeout(() => ac.abort(), 20); }, { signal: ac.signal });
    await run('refused', (req) => req.end(), { port: 1 });
    return log;
  };
  const r = await both(echoServer, scenario);
  assert.deepEqual(r.ours, r.node);
});

test('the response is a Readable with back-pressure: a paused response stops reading the socket; setEncoding; res.destroy() mid-body', async () => {
  const BIG = 16 * 1024 * 1024;
  const scenario: Scenario = async (http, _s, port) => {
    const log: unknown[] = [];
    await new Promise<void>((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/big', agent: false }, async (res) => {
        res.pause();
        await sleep(300);
        const read = res.socket!.bytesRead;
        log.push(read < 4 * 1024 * 1024);
        let n = 0;
        res.on('data', (d: Buffer) => { n += d.length; });
        res.on('end', () => { log.push(n); resolve(); });
        res.resume();
      });
    });
    await new Promise<void>((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/utf8', agent: false }, (res) => {
        res.setEncoding('utf8');
        let s = '';
        res.on('data', (d: string) => { s += d; });
        res.on('end', () => { log.push(s); resolve(); });
      });
    });
    await new Promise<void>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/big', agent: false }, (res) => {
        res.once('data', () => res.destroy());
        res.on('aborted', () => log.push('aborted'));
        res.on('error', (e: NodeJS.ErrnoException) => log.push(`res error ${e.code}`));
        res.on('end', () => log.push('res end'));
        res.on('close', () => { log.push(`res close aborted=${res.aborted} complete=${res.complete}`); setTimeout(resolve, 20); });
      });
      req.on('error', (e: NodeJS.ErrnoException) => log.push(`req error ${e.code}`));
      req.on('close', () => log.push('req close'));
    });
    return log;
  };
  const r = await both(() => nodeHttp.createServer((req, res) => {
    if (req.url === '/utf8') {
      res.write(Buffer.from('h€l')).valueOf();
      const e = Buffer.from('€');
      res.write(e.subarray(0, 1));
      setTimeout(() => res.end(Buffer.concat([e.subarray(1), Buffer.from('!')])), 20);
      return;
    }
    const chunk = Buffer.alloc(64 * 1024, 1);
    let sent = 0;
    const pump = () => {
      while (sent < BIG) {
        sent += chunk.length;
        if (!res.write(chunk)) { res.once('drain', pump); return; }
      }
      res.end();
    };
    pump();
  }), scenario);
  assert.deepEqual((r.node as unknown[]).slice(0, 3), [true, BIG, 'h€l€!']);
  assert.deepEqual(r.ours, r.node);
});

test('createConnection option: the request uses the socket it returns, with Connection: close', async () => {
  const heads: string[] = [];
  const scenario: Scenario = async (http, _s, port) => {
    heads.length = 0;
    let called = '';
    await new Promise<void>((resolve) => {
      const req = http.request({
        host: '127.0.0.1', port, path: '/cc',
        createConnection: (o: net.NetConnectOpts) => { called = `${(o as net.TcpNetConnectOpts).host}:${(o as net.TcpNetConnectOpts).port === port}`; return net.connect(port, '127.0.0.1'); },
      } as nodeHttp.RequestOptions, (res) => { res.resume(); res.on('end', resolve); });
      req.end();
    });
    return [called, ...heads.map((h) => strip(h, port))];
  };
  const r = await both(recordingServer(heads), scenario);
  assert.deepEqual(r.ours, r.node);
});

test('a program whose only request used the keep-alive globalAgent exits: idle free sockets are unref\'d', async () => {
  const { spawn } = await import('node:child_process');
  // The server lives in this process, so only the client's sockets can keep the child alive.
  const server = nodeHttp.createServer((_req, res) => res.end('hi'));
  await withServer(server, async (port) => {
    const code = `
      import { createNodeHttp } from './os/http/node-http.ts';
      import net from 'node:net';
      const http = createNodeHttp({ net, wrapChunk: (u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength) });
      http.get('http://127.0.0.1:${port}/', (res) => {
        res.on('data', (d) => console.log(String(d)));
        res.on('end', () => setTimeout(() => console.log('end', Object.keys(http.globalAgent.freeSockets).length), 10));
      });`;
    const t0 = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: new URL('../..', import.meta.url).pathname });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    const status = await new Promise<number | null>((r) => child.on('exit', r));
    assert.equal(out, 'hi\nend 1\n');
    assert.equal(status, 0);
    // At once, not when the free socket's idle timeout (4 s: the server's Keep-Alive hint less 1 s) closes it.
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
  });
});

test('node:https\'s client is the same ClientRequest over TLS sockets: keep-alive reuse, streamed body, default port 443', async () => {
  const tls = await import('node:tls');
  const https = (await import('node:https')).default;
  const { makeDir, selfSigned } = await import('../tls/testing/openssl.ts');
  const pki = makeDir();
  selfSigned(pki, 'srv', 'ec256');
  const ca = pki.read('srv.crt');
  const oursHttps = createNodeHttp({
    net: nodeNet, protocol: 'https:',
    tls: ({ host, port, servername }) => tls.connect({ host, port, servername, ca }) as never,
    wrapChunk: (u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength),
  }) as unknown as typeof https;
  const server = https.createServer({ key: pki.read('srv.key'), cert: ca }, (req, res) => {
    let n = 0;
    req.on('data', (c: Buffer) => { n += c.length; });
    req.on('end', () => res.end(`${req.method} ${req.url} ${n} ${req.headers['transfer-encoding'] ?? '-'}`));
  });
  await withServer(server, async (port) => {
    const run = async (h: typeof https) => {
      const agent = new h.Agent({ keepAlive: true, ca } as HttpsAgentOptions);
      const log: unknown[] = [(agent as unknown as { defaultPort: number }).defaultPort, (agent as unknown as { protocol: string }).protocol];
      for (let i = 0; i < 2; i++) {
        log.push(await new Promise<string>((resolve, reject) => {
          const req = h.request({ host: 'localhost', port, method: 'POST', path: `/${i}`, agent }, (res) => {
            let s = '';
            res.on('data', (d) => { s += d; });
            res.on('end', () => resolve(`${res.statusCode} ${s} reused=${req.reusedSocket}`));
          });
          req.on('error', reject);
          req.write(Buffer.alloc(100_000));
          req.end('x');
        }));
      }
      agent.destroy();
      return log;
    };
    const node = await run(https);
    assert.deepEqual(node, [443, 'https:', '200 POST /0 100001 chunked reused=false', '200 POST /1 100001 chunked reused=true']);
    assert.deepEqual(await run(oursHttps), node);
  });
});

test('\'upgrade\' and \'connect\' hand over the socket with the bytes after the head; without a listener the socket is destroyed', async () => {
  const makeServer = () => {
    const s = nodeHttp.createServer((_req, res) => res.end('plain'));
    // The 101 and the first bytes of the new protocol in one write: they must reach `head`.
    s.on('upgrade', (req, socket) => {
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${req.headers.upgrade}\r\nConnection: Upgrade\r\n\r\nhello`);
      socket.on('data', (d) => socket.end(`echo:${d}`));
      socket.on('end', () => socket.end()); // an upgraded socket is half-open: http no longer ends it
    });
    s.on('connect', (req, socket) => {
      socket.write(`HTTP/1.1 200 Connection Established\r\n\r\ntunnel to ${req.url}`);
      socket.on('data', (d) => socket.end(`via tunnel:${d}`));
      socket.on('end', () => socket.end());
    });
    return s;
  };
  const scenario: Scenario = async (http, _s, port) => {
    const log: string[] = [];
    const agent = new http.Agent({ keepAlive: true });
    for (const kind of ['upgrade', 'connect'] as const) {
      await new Promise<void>((resolve) => {
        const req = http.request(kind === 'upgrade'
          ? { host: '127.0.0.1', port, agent, headers: { Connection: 'Upgrade', Upgrade: 'x-test' } }
          : { host: '127.0.0.1', port, agent, method: 'CONNECT', path: 'example.com:443' });
        req.on('response', () => log.push(`${kind} response?`));
        req.on('close', () => log.push(`${kind} req close`));
        req.on(kind, (res: nodeHttp.IncomingMessage, socket: net.Socket, head: Buffer) => {
          log.push(`${kind} ${res.statusCode} ${JSON.stringify(res.headers)} head=${head} isBuffer=${Buffer.isBuffer(head)} sockets=${Object.keys(agent.sockets).length}`);
          let got = '';
          socket.on('data', (d) => { got += d; });
          socket.on('close', () => { log.push(`${kind} got ${got}`); resolve(); });
          socket.write('ping');
        });
        req.end();
      });
    }
    await new Promise<void>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port, agent: false, headers: { Connection: 'Upgrade', Upgrade: 'x-test' } });
      req.on('response', () => log.push('no listener: response?'));
      req.on('error', (e: NodeJS.ErrnoException) => log.push(`no listener: error ${e.code} ${e.message}`));
      req.on('close', () => { log.push(`no listener: close socket destroyed=${req.socket?.destroyed}`); resolve(); });
      req.end();
    });
    agent.destroy();
    return log;
  };
  const r = await both(makeServer, scenario);
  assert.equal((r.node as string[]).length, 7);
  assert.deepEqual(r.ours, r.node);
});

test('Expect: 100-continue sends the head at once; \'continue\' then \'information\' come before the body is written', async () => {
  const scenario: Scenario = async (http, _s, port) => {
    const log: string[] = [];
    const got = await new Promise<string>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'PUT', path: '/exp', agent: false, headers: { Expect: '100-continue', 'Content-Length': 4 } });
      log.push(`headersSent ${req.headersSent}`);
      req.on('information', (i: nodeHttp.InformationEvent) => log.push(`information ${i.statusCode} ${i.statusMessage}`));
      req.on('continue', () => { log.push('continue'); req.end('body'); });
      req.on('response', (res) => { let s = ''; res.on('data', (d) => { s += d; }); res.on('end', () => resolve(s)); });
    });
    log.push(got);
    return log;
  };
  const r = await both(echoServer, scenario);
  assert.deepEqual(r.node, ['headersSent true', 'continue', 'information 100 Continue', 'len=4;done']);
  assert.deepEqual(r.ours, r.node);
});

test('the ClientRequest, Agent and response surfaces have Node\'s members; setHeaders, closed, headersDistinct', async () => {
  const names = (o: object) => {
    const s = new Set<string>();
    for (let p = o; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) for (const k of Object.getOwnPropertyNames(p)) if (!k.startsWith('_')) s.add(k);
    return s;
  };
  // Node's internals we do not reproduce: its llhttp parser object and timeout bookkeeping.
  const INTERNAL = new Set(['parser', 'timeoutCb']);
  const scenario: Scenario = async (http, _s, port) => {
    const req = http.request({ host: '127.0.0.1', port, agent: false });
    req.setHeaders(new Map<string, string | string[]>([['X-A', '1'], ['x-b', ['2', '3']]]));
    const facts: unknown[] = [JSON.stringify(req.getHeaders()).replace(String(port), 'PORT'), req.closed, req.errored, (req as unknown as { strictContentLength: boolean }).strictContentLength, (req as unknown as { maxHeaderSize: number }).maxHeaderSize];
    const res = await new Promise<nodeHttp.IncomingMessage>((resolve) => { req.on('response', resolve); req.end(); });
    facts.push(res.headersDistinct['x-twice'], res.headers['x-twice'], (res as unknown as { upgrade: boolean }).upgrade);
    await new Promise((r) => { res.resume(); req.on('close', r); });
    facts.push(req.closed);
    return { facts, req: [...names(req)].filter((k) => !INTERNAL.has(k)).sort(), res: [...names(res)].sort(), agent: [...names(new http.Agent())].sort() };
  };
  const r = await both(() => nodeHttp.createServer((_q, s) => { s.setHeader('X-Twice', ['a', 'b']); s.end('k'); }), scenario) as { node: { req: string[]; res: string[]; agent: string[]; facts: unknown[] }; ours: { req: string[]; res: string[]; agent: string[]; facts: unknown[] } };
  assert.deepEqual(r.ours.facts, r.node.facts);
  for (const k of ['req', 'res', 'agent'] as const) {
    const ours = new Set(r.ours[k]);
    assert.deepEqual(r.node[k].filter((n) => !ours.has(n)), [], `${k}: members Node has and we lack`);
  }
});

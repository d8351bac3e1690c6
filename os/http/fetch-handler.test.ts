/**
 * The fetch-handler adapter, with Hono on top. Hono calls the global `Response`/`Headers`, so
 * this file installs OUR classes on globalThis (overwriting Node's) for its duration and
 * restores Node's afterwards; every test checks that the objects seen are ours.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as nodeHttp from 'node:http';
import { Hono } from 'hono';
import { installWebGlobals, Request, Response, ReadableStream, Headers } from '../web/index.ts';
import { createFetchListener, serveFetch } from './fetch-handler.ts';
import { listen, http } from './test-util.ts';
import { utf8Encode } from '../web/text.ts';

let restore: () => void = () => {};
before(() => { restore = installWebGlobals(globalThis, { overwrite: true }); });
after(() => restore());

function call(port: number, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: nodeHttp.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const r = nodeHttp.request({ host: '127.0.0.1', port, method, path, agent: false, headers }, (res) => {
      let s = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { s += d; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: s }));
    });
    r.on('error', reject);
    r.end(body);
  });
}

test('globals are ours during this file', () => {
  assert.equal(globalThis.Response, Response as unknown);
  assert.equal(globalThis.Headers, Headers as unknown);
});

test('Hono app served through the fetch adapter: text, json, echo of a JSON body, 404, HEAD', async () => {
  let sawOurRequest = false;
  const app = new Hono()
    .get('/', (c) => { sawOurRequest = c.req.raw instanceof Request; return c.text('hi'); })
    .get('/json', (c) => c.json({ a: 1 }))
    .post('/echo', async (c) => c.json(await c.req.json()))
    .get('/q', (c) => c.text(`${c.req.query('x')} ${c.req.header('x-h')}`));
  const srv = await listen(createFetchListener(app));
  try {
    const a = await call(srv.port, 'GET', '/');
    assert.deepEqual([a.status, a.body, a.headers['content-type']], [200, 'hi', 'text/plain;charset=UTF-8']);
    assert.equal(a.headers['content-length'], '2');
    assert.ok(sawOurRequest);
    const j = await call(srv.port, 'GET', '/json');
    assert.deepEqual([j.status, JSON.parse(j.body)], [200, { a: 1 }]);
    assert.match(String(j.headers['content-type']), /^application\/json/);
    const e = await call(srv.port, 'POST', '/echo', JSON.stringify({ hello: ['w', 1] }), { 'content-type': 'application/json' });
    assert.deepEqual(JSON.parse(e.body), { hello: ['w', 1] });
    const chunkedEcho = await new Promise<string>((resolve) => {
      const r = nodeHttp.request({ host: '127.0.0.1', port: srv.port, method: 'POST', path: '/echo', agent: false }, (res) => {
        let s = ''; res.on('data', (d) => { s += d; }); res.on('end', () => resolve(s));
      });
      r.write('{"x":'); r.write('[1,2]}'); r.end();
    });
    assert.deepEqual(JSON.parse(chunkedEcho), { x: [1, 2] });
    assert.equal((await call(srv.port, 'GET', '/nope')).status, 404);
    assert.equal((await call(srv.port, 'GET', '/q?x=1', undefined, { 'x-h': 'v' })).body, '1 v');
    const h = await call(srv.port, 'HEAD', '/');
    assert.deepEqual([h.status, h.body], [200, '']);
  } finally { await srv.close(); }
});

test('streaming response bodies are sent chunked; status, statusText and set-cookie pass through', async () => {
  const handler = {
    fetch(req: Request) {
      const url = new URL(req.url);
      if (url.pathname === '/stream') {
        let i = 0;
        return new Response(new ReadableStream({
          pull(c) { if (i < 3) c.enqueue(utf8Encode(`part${i++};`)); else c.close(); },
        }), { status: 203, statusText: 'Streamy', headers: [['set-cookie', 'a=1'], ['set-cookie', 'b=2']] });
      }
      return new Response(`${req.method} ${url.pathname} host=${url.host}`);
    },
  };
  const srv = await listen(createFetchListener(handler));
  try {
    const s = await call(srv.port, 'GET', '/stream');
    assert.equal(s.status, 203);
    assert.equal(s.body, 'part0;part1;part2;');
    assert.equal(s.headers['transfer-encoding'], 'chunked');
    assert.deepEqual(s.headers['set-cookie'], ['a=1', 'b=2']);
    const p = await call(srv.port, 'GET', '/p', undefined, { host: 'example.test:8080' });
    assert.equal(p.body, 'GET /p host=example.test:8080');
  } finally { await srv.close(); }
});

test('a handler that throws or rejects gives 500 and the error goes to console.error', async () => {
  const errors: unknown[] = [];
  const saved = console.error;
  console.error = (e: unknown) => { errors.push(e); };
  const handler = {
    fetch(req: Request): Response | Promise<Response> {
      if (req.url.endsWith('/sync')) throw new Error('sync boom');
      return Promise.reject(new Error('async boom'));
    },
  };
  const srv = await listen(createFetchListener(handler));
  try {
    const a = await call(srv.port, 'GET', '/sync');
    const b = await call(srv.port, 'GET', '/async');
    assert.deepEqual([a.status, b.status], [500, 500]);
    assert.deepEqual(errors.map((e) => (e as Error).message), ['sync boom', 'async boom']);
  } finally { console.error = saved; await srv.close(); }
});

test('serveFetch listens and serves a module default export shape', async () => {
  const mod = { default: { fetch: () => Response.json({ ok: true }) } };
  const server = await new Promise<ReturnType<typeof serveFetch>>((resolve) => {
    const s = serveFetch(http.createServer, mod.default, { port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  try {
    const port = (server.address() as { port: number }).port;
    assert.equal((await call(port, 'GET', '/')).body, '{"ok":true}');
  } finally { await new Promise((r) => server.close(r)); }
});

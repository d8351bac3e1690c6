/**
 * Ecosystem suite (issue 12): one program (test/ecosystem/services.ts) serves the same small
 * app with Express 5, Koa 3 + @koa/router + koa-body, Fastify 5, @hono/node-server and a `ws` server,
 * and prints what dotenv, pino and bcryptjs give at start; /jwt signs and verifies jsonwebtoken
 * HS256 and RS256 tokens (RSA key made by the upstream for the run). It runs under node and in an image
 * built with `--include public --include app.env`, both get the same requests, and status,
 * content type, validators and body must match; /client makes axios and node-fetch calls to an
 * upstream server the test runs. One boot for all of it (TCG is slow).
 */
import { after, before, test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createHash, generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import WebSocket from 'ws';
import { buildImage } from '../../cli/build.ts';
import { ROOT } from '../../cli/paths.ts';
import { TEST_IMAGE_DIR, freePort, startServerVm } from './vm.ts';

const DIR = path.join(ROOT, 'test', 'ecosystem');
const FRAMEWORKS = ['express', 'koa', 'fastify', 'hono'] as const;
const READY = ['express listening', 'koa listening', 'fastify listening', 'hono listening', 'ws listening'];

interface Req { port: number; method?: string; path: string; type?: string; body?: string; ifNoneMatch?: string }

/** Express's default weak ETag of a body (the `etag` package): W/"<length hex>-<SHA-1 base64, 27 chars>". */
const weakEtag = (body: string) => `W/"${Buffer.byteLength(body).toString(16)}-${createHash('sha1').update(body).digest('base64').slice(0, 27)}"`;
const REQUESTS: Req[] = [
  ...FRAMEWORKS.flatMap((_, i): Req[] => [
    { port: i + 1, path: '/users/42?x=1&y=two' },
    { port: i + 1, method: 'POST', path: '/echo', type: 'application/json', body: '{"name":"ann","age":3}' },
    { port: i + 1, path: '/no/such/route' },
  ]),
  { port: 1, method: 'POST', path: '/echo', type: 'application/x-www-form-urlencoded', body: 'a=1&b=two+words' },
  { port: 1, method: 'POST', path: '/echo', type: 'application/json', body: '{"broken":' },
  { port: 1, method: 'POST', path: '/upper', type: 'text/plain', body: 'piped through a Transform' },
  { port: 1, path: '/static/index.html' },
  { port: 1, path: '/static/style.css' },
  { port: 1, path: '/static/missing.txt' },
  { port: 1, path: '/gzip' },
  { port: 1, path: '/fail' },
  { port: 1, path: '/async' },
  { port: 1, path: '/file' },
  { port: 2, method: 'POST', path: '/form', type: 'application/json', body: '{"k":[1,{"v":true}]}' },
  { port: 2, method: 'POST', path: '/form', type: 'application/x-www-form-urlencoded', body: 'a=1&a=2&b=%E2%82%AC' },
  { port: 3, method: 'POST', path: '/echo', type: 'application/json', body: '{"age":"x"}' },
  { port: 3, method: 'POST', path: '/echo', type: 'application/json', body: '{"name":"bo","age":7}' },
  { port: 1, path: '/client' },
  { port: 1, path: '/users/7', ifNoneMatch: weakEtag('{"id":"7","q":{}}') },
  { port: 1, path: '/users/7', ifNoneMatch: weakEtag('{"id":"8","q":{}}') },
  { port: 1, path: '/jwt' },
  { port: 3, path: '/users/9?deny=1' },
];

/** The upstream /client calls: echoes method, path and body as JSON; 404 for /missing; /key is an
 * RSA-2048 private key (PKCS#8 PEM) made for this run, which /jwt signs RS256 tokens with. */
async function startUpstream(): Promise<{ port: number; close(): void }> {
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
  const server = createServer((req, res) => {
    if (req.url === '/key') { res.end(key); return; }
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      res.statusCode = req.url === '/missing' ? 404 : 200;
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-upstream', 'yes');
      res.end(JSON.stringify({ method: req.method, url: req.url, body, type: req.headers['content-type'] ?? null }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '0.0.0.0', () => r()));
  return { port: (server.address() as { port: number }).port, close: () => server.close() };
}

/** fetch turns a request with If-None-Match into cache mode no-store, which adds Cache-Control:
 * no-cache (and Express then never answers 304) unless the request has its own Cache-Control. */
const conditional = (etag: string) => ({ 'if-none-match': etag, 'cache-control': 'max-age=0' });

async function ask(base: (port: number) => string, r: Req): Promise<string> {
  const res = await fetch(base(r.port) + r.path, {
    method: r.method ?? 'GET', body: r.body, signal: AbortSignal.timeout(60_000),
    headers: { ...(r.type ? { 'content-type': r.type } : {}), ...(r.ifNoneMatch ? conditional(r.ifNoneMatch) : {}) },
  });
  const keep = ['content-type', 'content-length', 'etag', 'last-modified', 'location', 'allow', 'x-hooks'];
  const headers = keep.filter((h) => res.headers.has(h)).map((h) => `${h}: ${res.headers.get(h)}`);
  return [`${r.method ?? 'GET'} :${r.port}${r.path} -> ${res.status}`, ...headers, await res.text()].join('\n');
}

async function wsEcho(url: string): Promise<string> {
  const ws = new WebSocket(url);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { ws.terminate(); reject(new Error('ws timed out')); }, 60_000);
    ws.on('open', () => ws.send('hello over ws'));
    ws.on('message', (m: Buffer) => { clearTimeout(t); ws.close(); resolve(String(m)); });
    ws.on('error', (e: Error) => { clearTimeout(t); reject(e); });
  });
}

async function underNode(upstreamPort: number): Promise<{ answers: string[]; ws: string; stdout: string }> {
  const base = await freePort();
  const env = { ...process.env, PORT_BASE: String(base), UPSTREAM: `http://127.0.0.1:${upstreamPort}` };
  const child = spawn(process.execPath, ['--import', 'tsx', 'services.ts'], { cwd: DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (c) => (stdout += c));
  try {
    const t0 = Date.now();
    while (!READY.every((s) => stdout.includes(s))) {
      if (Date.now() - t0 > 30_000 || child.exitCode !== null) throw new Error(`services.ts under node did not start: ${stdout}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const answers: string[] = [];
    for (const r of REQUESTS) answers.push(await ask((p) => `http://127.0.0.1:${base + p}`, r));
    return { answers, ws: await wsEcho(`ws://127.0.0.1:${base + 5}/`), stdout };
  } finally { child.kill(); }
}

// `ws` answers the upgrade with a SHA-1 of the key (RFC 6455 §4.2.2): it needs node:crypto's
// createHash, which the TLS/crypto work adds; until then that check is skipped, not faked.
const hasCreateHash = /export (function|const) createHash\b|createHash[,\s}]/.test(readFileSync(path.join(ROOT, 'os/node/crypto.ts'), 'utf8'));

let node: Awaited<ReturnType<typeof underNode>>;
let vm: Awaited<ReturnType<typeof startServerVm>>;
let hostPorts: number[];
let warnings: string[];
let included = 0;

let upstream: Awaited<ReturnType<typeof startUpstream>>;

before(async () => {
  upstream = await startUpstream();
  node = await underNode(upstream.port);
  const r = await buildImage({ entry: path.join(DIR, 'services.ts'), output: path.join(TEST_IMAGE_DIR, 'ecosystem.img'), include: ['public', 'app.env'] });
  warnings = r.warnings;
  included = r.sizes.included;
  hostPorts = await Promise.all([1, 2, 3, 4, 5].map(() => freePort()));
  vm = await startServerVm(r.image, 3001, {
    memMiB: 256, env: { UPSTREAM: `http://10.0.2.2:${upstream.port}` }, ports: hostPorts.map((hostPort, i) => ({ hostAddress: '127.0.0.1', hostPort, guestPort: 3001 + i, proto: 'tcp' as const })),
  });
  for (const s of READY) await vm.waitFor(s, 180_000);
});

after(async () => {
  upstream?.close();
  const end = await vm?.stop();
  if (end?.stderr.trim()) console.log('guest stderr:', end.stderr);
});

test('the build warns only about the optional http2/https/tls/worker_threads/domain paths and counts the included files', () => {
  assert.ok(included > 0);
  assert.ok(warnings.length > 0);
  for (const w of warnings) assert.match(w, /imports? node:(http2|https|tls|worker_threads|domain): its functions throw in the image$/);
});

test('dotenv (an included .env file), pino and bcryptjs print the same at start', () => {
  const startLines = (s: string) => s.split('\n').filter((l) => /^(dotenv|bcrypt|\{)/.test(l)).join('\n');
  assert.match(node.stdout, /dotenv \{"GREETING":"hello from dotenv","QUOTED":"two words"\}/);
  assert.equal(startLines(vm.output().stdout), startLines(node.stdout));
});

test('Express 5 (static files, JSON and urlencoded bodies, params, error middleware, ETags, pipeline, axios, node-fetch and ws clients, jsonwebtoken HS256/RS256), Koa 3 (@koa/router, koa-body), Fastify 5 (schema, hooks), @hono/node-server answer as under node', async () => {
  // The requests mean what they say under node: a matching If-None-Match gets 304, /jwt verifies.
  assert.match(node.answers[REQUESTS.findIndex((r) => r.ifNoneMatch)]!, / -> 304\n/);
  assert.match(node.answers[REQUESTS.findIndex((r) => r.path === '/jwt')]!, /"rsVerified":\{"sub":"bo"/);
  assert.match(node.answers[REQUESTS.findIndex((r) => r.path === '/client')]!, /"wsClient":"echo: from the ws client"/);
  for (let i = 0; i < REQUESTS.length; i++) {
    assert.equal(await ask((p) => `http://127.0.0.1:${hostPorts[p - 1]}`, REQUESTS[i]!), node.answers[i]);
  }
});

test('a ws WebSocket server echoes as under node', { skip: hasCreateHash ? false : 'needs node:crypto createHash (TLS/crypto work)' }, async () => {
  assert.equal(node.ws, 'echo: hello over ws');
  assert.equal(await wsEcho(`ws://127.0.0.1:${hostPorts[4]}/`), node.ws);
});

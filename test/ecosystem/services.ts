/**
 * The ecosystem suite's program: one process serving the same small app with Express 5,
 * Koa 3 (+ @koa/router, koa-body), Fastify 5, @hono/node-server and a `ws` WebSocket echo server, each
 * on its own port (PORT_BASE + 1..5), and printing what dotenv, pino and bcryptjs give at
 * start; /client calls an upstream server with axios and node-fetch (and this ws server with ws's client); /jwt signs and verifies
 * jsonwebtoken HS256 and RS256 tokens (the RSA key comes from the upstream). ecosystem.test.ts runs it
 * under node and in an image and sends both the same requests.
 */
import dotenv from 'dotenv';
import express from 'express';
import Koa from 'koa';
import Router from '@koa/router';
import { koaBody } from 'koa-body';
import Fastify from 'fastify';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { WebSocketServer, WebSocket } from 'ws';
import pino from 'pino';
import bcrypt from 'bcryptjs';
import axios from 'axios';
import nodeFetch from 'node-fetch';
import jwt from 'jsonwebtoken';
import { createPublicKey } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import zlib from 'node:zlib';
import fs from 'node:fs';

const base = Number(process.env.PORT_BASE ?? 3000);
const env = dotenv.config({ path: 'app.env', quiet: true } as never).parsed ?? {};
console.log('dotenv', JSON.stringify(env));
const log = pino({ base: undefined, timestamp: false });
log.info({ component: 'start' }, 'pino says hi');
const hash = bcrypt.hashSync('secret', 4);
console.log('bcrypt', bcrypt.compareSync('secret', hash), bcrypt.compareSync('wrong', hash));
const als = new AsyncLocalStorage<string>();

// ---- Express 5 ----
const app = express();
app.use(express.json());
app.use(express.urlencoded({ extended: false }));
app.use('/static', express.static('public'));
app.get('/users/:id', (req, res) => { res.json({ id: req.params.id, q: req.query }); });
app.post('/echo', (req, res) => { res.status(201).json({ got: req.body, type: req.headers['content-type'] }); });
app.post('/upper', async (req, res) => {
  res.type('text/plain');
  await pipeline(req, new Transform({ transform(c, _e, cb) { cb(null, String(c).toUpperCase()); } }), res);
});
app.get('/gzip', (_req, res) => { res.type('text/plain').send(zlib.gunzipSync(zlib.gzipSync(Buffer.from('round trip '.repeat(20)))).toString()); });
app.get('/fail', () => { throw new Error('boom'); });
app.get('/async', async (_req, res) => {
  const v = await als.run('ctx-1', () => new Promise<string | undefined>((r) => setTimeout(() => r(als.getStore()), 5)));
  res.json({ store: v });
});
app.get('/file', (_req, res) => {
  fs.writeFileSync('/tmp/note.txt', 'written at runtime');
  res.json({ read: fs.readFileSync('/tmp/note.txt', 'utf8'), listed: fs.readdirSync('public') });
});
// HTTP clients against the test's upstream server (UPSTREAM: 127.0.0.1 under node, the host
// as QEMU's user network shows it in the image).
app.get('/client', async (_req, res) => {
  const upstream = process.env.UPSTREAM;
  const a = await axios.get(`${upstream}/data?via=axios`);
  const p = await axios.post(`${upstream}/data`, { k: [1, 2] });
  const missing = await axios.get(`${upstream}/missing`).catch((e: { response?: { status: number }; message: string }) => `${e.response?.status} ${e.message}`);
  const f = await nodeFetch(`${upstream}/data?via=node-fetch`, { method: 'PUT', body: 'plain body' });
  // ws's client: http.request with its own createConnection, then the 'upgrade' event.
  const wsClient = await new Promise<string>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${base + 5}/`);
    ws.on('open', () => ws.send('from the ws client'));
    ws.on('message', (m: Buffer) => { ws.close(); resolve(String(m)); });
    ws.on('error', (e: Error) => resolve(`error ${e.message}`));
  });
  res.json({ axios: [a.status, a.data], axiosPost: p.data, missing, nodeFetch: [f.status, f.headers.get('x-upstream'), await f.json()], wsClient });
});
// jsonwebtoken: fixed iat/exp so the tokens are the same under node and in the image (RS256 is
// RSASSA-PKCS1-v1_5, deterministic); the failures print jsonwebtoken's error name and message.
app.get('/jwt', async (_req, res) => {
  const fail = (f: () => unknown) => { try { return f(); } catch (e) { return `${(e as Error).name}: ${(e as Error).message}`; } };
  const secret = 'hs256-secret';
  const hs = jwt.sign({ sub: 'ann', role: 'admin', iat: 1_700_000_000, exp: 4_102_444_800 }, secret, { algorithm: 'HS256' });
  const old = jwt.sign({ sub: 'ann', iat: 1_600_000_000, exp: 1_600_000_060 }, secret);
  const pem = await (await nodeFetch(`${process.env.UPSTREAM}/key`)).text();
  const rs = jwt.sign({ sub: 'bo', iat: 1_700_000_000 }, pem, { algorithm: 'RS256', keyid: 'k1' });
  const [h, p, sig] = rs.split('.');
  const tampered = `${h}.${Buffer.from(JSON.stringify({ sub: 'eve', iat: 1_700_000_000 })).toString('base64url')}.${sig}`;
  const pub = createPublicKey(pem);
  res.json({
    hs, hsVerified: jwt.verify(hs, secret), wrongSecret: fail(() => jwt.verify(hs, 'other')),
    expired: fail(() => jwt.verify(old, secret)), wrongAlg: fail(() => jwt.verify(hs, secret, { algorithms: ['RS256'] })),
    malformed: fail(() => jwt.verify('not.a.jwt', secret)),
    rs, rsHeader: jwt.decode(rs, { complete: true })?.header, rsVerified: jwt.verify(rs, pub), payload: p,
    tampered: fail(() => jwt.verify(tampered, pub)),
  });
});
app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
  res.status(500).json({ error: err.message });
});
app.listen(base + 1, () => console.log('express listening'));

// ---- Koa 3 + @koa/router ----
const koa = new Koa();
const router = new Router();
router.get('/users/:id', (ctx) => { ctx.body = { id: ctx.params.id, q: ctx.query }; });
router.post('/form', koaBody(), (ctx) => { ctx.body = { parsed: ctx.request.body, type: ctx.request.type }; });
router.post('/echo', async (ctx) => {
  let raw = '';
  for await (const c of ctx.req) raw += c;
  ctx.status = 201;
  ctx.body = { got: JSON.parse(raw) };
});
koa.use(async (ctx, next) => { try { await next(); } catch (e) { ctx.status = 500; ctx.body = { error: (e as Error).message }; } });
koa.use(router.routes()).use(router.allowedMethods());
koa.listen(base + 2, () => console.log('koa listening'));

// ---- Fastify 5 ----
const fastify = Fastify({ logger: false });
fastify.addHook('onRequest', async (req) => { (req as unknown as { started: boolean }).started = true; });
fastify.addHook('preHandler', async (req, reply) => {
  if ((req.query as { deny?: string }).deny) return reply.code(403).send({ denied: true, started: (req as unknown as { started: boolean }).started });
});
fastify.addHook('onSend', async (_req, reply, payload) => { reply.header('x-hooks', 'onSend'); return payload; });
fastify.get('/users/:id', async (req) => ({ id: (req.params as { id: string }).id, q: req.query }));
fastify.post('/echo', {
  schema: { body: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, age: { type: 'integer' } } } },
}, async (req, reply) => { reply.code(201); return { got: req.body }; });
fastify.listen({ port: base + 3, host: '0.0.0.0' }).then(() => console.log('fastify listening'), (e) => console.log('fastify failed', e.message));

// ---- Hono on @hono/node-server ----
const hono = new Hono();
hono.get('/users/:id', (c) => c.json({ id: c.req.param('id'), q: c.req.query() }));
hono.post('/echo', async (c) => c.json({ got: await c.req.json() }, 201));
serve({ fetch: hono.fetch, port: base + 4 }, () => console.log('hono listening'));

// ---- ws ----
const wss = new WebSocketServer({ port: base + 5 }, () => console.log('ws listening'));
wss.on('connection', (sock: { on(e: string, f: (m: unknown) => void): void; send(s: string): void }) => { sock.on('message', (m: unknown) => sock.send(`echo: ${m}`)); });

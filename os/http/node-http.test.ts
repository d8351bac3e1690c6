import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNodeHttp } from './node-http.ts';
import { nodeNet } from './test-util.ts';

const http = createNodeHttp({
  net: nodeNet,
  wrapChunk: (u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength),
  encode: (s, e) => Buffer.from(s, (e ?? 'utf8') as BufferEncoding),
});

test('node:http module: createServer + request/get round trip, Buffer chunks, STATUS_CODES/METHODS', async () => {
  let chunkIsBuffer = false;
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => { chunkIsBuffer = Buffer.isBuffer(c); parts.push(c); });
    req.on('end', () => {
      res.writeHead(201, { 'x-method': req.method! });
      res.end(`echo:${Buffer.concat(parts).toString()}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  try {
    const got = await new Promise<[number, string, string]>((resolve, reject) => {
      const req = http.request({ hostname: '127.0.0.1', port, method: 'POST', path: '/x' }, (res) => {
        let s = '';
        res.on('data', (c: Buffer) => { s += c.toString(); });
        res.on('end', () => resolve([res.statusCode!, String(res.headers['x-method']), s]));
      });
      req.on('error', reject);
      req.write('a');
      req.end('b');
    });
    assert.deepEqual(got, [201, 'POST', 'echo:ab']);
    assert.ok(chunkIsBuffer);
    const g = await new Promise<number>((resolve) => http.get(`http://127.0.0.1:${port}/`, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode!)); }));
    assert.equal(g, 201);
    assert.equal(http.STATUS_CODES[404], 'Not Found');
    assert.ok(http.METHODS.includes('PATCH'));
    const err = await new Promise<Error>((resolve) => http.get('http://127.0.0.1:1/').on('error', resolve));
    assert.equal((err as NodeJS.ErrnoException).code, 'ECONNREFUSED');
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

// Node's ServerResponse and ClientRequest are OutgoingMessages: legacy Streams, not Writables, whose
// pipe() reports ERR_STREAM_CANNOT_PIPE; IncomingMessage is a Readable. The same facts are read from
// node:http (with node:stream) and from ours (with readable-stream, which is node:stream in the image).
import nodeHttp from 'node:http';
import * as nodeStream from 'node:stream';
import RS from 'readable-stream/lib/stream.js';

type Streams = { Stream: Function; Writable: Function; Readable: Function };
async function streamFacts(h: typeof nodeHttp, S: Streams): Promise<unknown> {
  const facts: Record<string, unknown> = {};
  const server = h.createServer((req, res) => {
    Object.assign(facts, {
      res: [res instanceof S.Stream, res instanceof S.Writable, typeof res.pipe, res.writableHighWaterMark, res.writableObjectMode, res.writableCorked],
      req: [req instanceof S.Readable, req instanceof S.Stream],
    });
    res.cork();
    facts.corked = res.writableCorked;
    res.uncork();
    res.on('error', (e: NodeJS.ErrnoException) => { facts.pipe = [e.code, e.message]; });
    (res.pipe as () => void)();
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    await new Promise<void>((resolve, reject) => {
      const creq = h.request({ hostname: '127.0.0.1', port: (server.address() as { port: number }).port, method: 'POST' }, (m) => { m.resume(); m.on('end', resolve); });
      facts.clientRequest = [creq instanceof S.Stream, creq instanceof S.Writable, creq.writableHighWaterMark, creq.writableObjectMode];
      creq.once('error', (e: NodeJS.ErrnoException) => { facts.clientPipe = [e.code, e.message]; });
      (creq.pipe as () => void)();
      creq.on('error', reject);
      creq.end('x');
    });
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
  return facts;
}

test('ServerResponse and ClientRequest are legacy Streams (not Writables) and IncomingMessage a Readable, as in Node', async () => {
  const ours = await streamFacts(http as unknown as typeof nodeHttp, RS as unknown as Streams);
  const node = await streamFacts(nodeHttp, nodeStream as unknown as Streams);
  assert.deepEqual(node, {
    res: [true, false, 'function', 16384, false, 0], req: [true, true], corked: 1,
    pipe: ['ERR_STREAM_CANNOT_PIPE', 'Cannot pipe, not readable'],
    clientRequest: [true, false, 16384, false], clientPipe: ['ERR_STREAM_CANNOT_PIPE', 'Cannot pipe, not readable'],
  });
  assert.deepEqual(ours, node);
});

test('req.pipe(res) echoes and pipeline(req, createGunzip(), res) inflates a 1 MiB body through back-pressure', async () => {
  const { createGunzip, gzipSync } = await import('node:zlib');
  const server = http.createServer((req, res) => {
    if (req.url === '/echo') { req.pipe(res); return; }
    (RS as unknown as typeof nodeStream).pipeline(req, createGunzip(), res, (err) => { if (err) res.destroy(err); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const post = (path: string, body: Uint8Array) => new Promise<Buffer>((resolve, reject) => {
    const req = http.request({ hostname: '127.0.0.1', port, method: 'POST', path }, (m) => {
      const parts: Buffer[] = [];
      m.on('data', (c: Buffer) => parts.push(c));
      m.on('end', () => resolve(Buffer.concat(parts)));
      m.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
  try {
    const big = Buffer.alloc(1 << 20);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 9)) & 0xff;
    assert.ok((await post('/echo', Buffer.from('piped back'))).equals(Buffer.from('piped back')));
    assert.ok((await post('/gunzip', gzipSync(big))).equals(big));
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

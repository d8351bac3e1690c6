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

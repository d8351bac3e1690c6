// The HTTP test service booted by test/boot/http.test.ts: echo, chunked, big bodies,
// strict limits and short timeouts (so the slow-client test is quick).
import http from 'node:http';

const BIG_CHUNK = 64 * 1024;
/** Deterministic bytes, the same formula as the test's. */
function bigChunk(offset: number, length: number): Uint8Array {
  const b = new Uint8Array(length);
  for (let i = 0; i < length; i++) b[i] = ((offset + i) * 31 + ((offset + i) >> 10)) & 0xff;
  return b;
}

const server = http.createServer(
  { maxBodySize: 1 << 20, headersTimeout: 5000, requestTimeout: 15_000, keepAliveTimeout: 5000 } as http.ServerOptions,
  (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/') {
      res.setHeader('content-type', 'text/plain');
      res.end('Hello from Nimbus!\n');
    } else if (url.pathname === '/echo') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-method': req.method ?? '', 'x-chunked': String(req.headers['transfer-encoding'] === 'chunked') });
        res.end(body);
      });
    } else if (url.pathname === '/chunked') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      let n = 0;
      const tick = () => {
        res.write(`part ${n}\n`);
        if (++n < 5) setTimeout(tick, 10); else res.end();
      };
      tick();
    } else if (url.pathname === '/big') {
      const total = Number(url.searchParams.get('mb') ?? 1) * 1024 * 1024;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
      let off = 0;
      const pump = () => {
        while (off < total) {
          const len = Math.min(BIG_CHUNK, total - off);
          const ok = res.write(bigChunk(off, len));
          off += len;
          if (!ok) { res.once('drain', pump); return; }
        }
        res.end();
      };
      pump();
    } else {
      res.writeHead(404);
      res.end('not found\n');
    }
  },
);
server.listen(8080, () => console.log('http test server ready'));

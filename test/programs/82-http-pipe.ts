// expect-exit: 0
// nimbus-net: user
// node:http over 127.0.0.1: req.pipe(res) echo, stream.pipeline(req, createGunzip(), res) with a
// gzip body, a keep-alive Agent reusing one socket, and header case in headers / rawHeaders.
import http from 'node:http';
import zlib from 'node:zlib';
import { pipeline } from 'node:stream';
import type { AddressInfo } from 'node:net';

let connections = 0;
const server = http.createServer((req, res) => {
  if (req.url === '/echo') {
    res.setHeader('X-Mixed-Case', 'Yes');
    req.pipe(res);
  } else if (req.url === '/gunzip') {
    res.setHeader('Content-Type', 'text/plain');
    pipeline(req, zlib.createGunzip(), res, (err) => { if (err) console.log('pipeline error', err.message); });
  } else if (req.url === '/headers') {
    const raw: string[] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i];
      if (/^x-/i.test(name)) raw.push(`${name}: ${req.rawHeaders[i + 1]}`);
    }
    res.end(JSON.stringify({ method: req.method, custom: req.headers['x-custom-thing'], multi: req.headers['x-multi'], raw }));
  } else {
    res.statusCode = 404;
    res.end('nope');
  }
});
server.on('connection', () => connections++);

function request(port: number, opts: http.RequestOptions, body?: Buffer | string): Promise<{ status: number; headers: http.IncomingHttpHeaders; raw: string[]; body: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, ...opts }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, raw: res.rawHeaders, body: Buffer.concat(chunks).toString(), reused: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

server.listen(0, '127.0.0.1', async () => {
  const port = (server.address() as AddressInfo).port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  const echo = await request(port, { method: 'POST', path: '/echo', agent }, 'ping '.repeat(1000));
  console.log('echo', echo.status, echo.body.length, echo.body.slice(0, 10), 'x-mixed-case' in echo.headers, echo.headers['x-mixed-case']);
  console.log('raw header names keep case:', echo.raw.filter((_, i) => i % 2 === 0).filter((n) => /^x-/i.test(n)).join(','));

  const text = 'line of text\n'.repeat(200);
  const gz = zlib.gzipSync(text);
  const gun = await request(port, { method: 'POST', path: '/gunzip', agent, headers: { 'Content-Encoding': 'gzip' } }, gz);
  console.log('gunzip', gun.status, gun.headers['content-type'], gun.body.length, gun.body === text, 'reused', gun.reused);

  const hdr = await request(port, { method: 'PUT', path: '/headers', agent, headers: { 'X-Custom-Thing': 'v1', 'x-MULTI': ['a', 'b'] } });
  console.log('headers', hdr.status, hdr.body, 'reused', hdr.reused);

  const miss = await request(port, { path: '/missing', agent });
  console.log('missing', miss.status, miss.body, 'reused', miss.reused);

  console.log('server connections for 4 keep-alive requests:', connections);
  agent.destroy();
  server.close(() => console.log('server closed'));
});

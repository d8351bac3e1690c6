// The bulk benchmark's program (bench/bulk.ts), run unchanged by Nimbus and by Linux + Node
// in the baseline VM (bench/baseline/build.sh puts it at /app/; `app=bulk-server` on the
// kernel command line makes /init run it instead of hello-server.mjs).
//
//   GET  /        the hello body (the boot probe of bench/baseline/run.ts)
//   GET  /bulk    10 MiB from a buffer allocated once at start
//   POST /upload  counts the request body's bytes and answers with the count
import http from 'node:http';

const hello = 'Hello from Nimbus!\n';
const BULK_BYTES = 10 * 1024 * 1024;
const bulk = Buffer.alloc(BULK_BYTES, 0x61);

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/bulk') {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BULK_BYTES });
    res.end(bulk);
    return;
  }
  if (req.method === 'POST' && req.url === '/upload') {
    let n = 0;
    req.on('data', (chunk) => { n += chunk.length; });
    req.on('end', () => {
      const body = `${n}\n`;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(hello) });
  res.end(hello);
});
server.listen(80, () => {
  console.log(`READY bulk node ${process.version}`);
});

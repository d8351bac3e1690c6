// The server of bench/conn-memory.ts: `/mem` reports the guest's heap (process.memoryUsage(),
// the core's allocator), `/bulk` sends 16 MiB from one buffer, anything else a short body.
import http from 'node:http';

const bulk = Buffer.alloc(16 * 1024 * 1024, 0x61);
http.createServer((req, res) => {
  if (req.url === '/mem') {
    const m = process.memoryUsage();
    res.end(JSON.stringify({ heapUsed: m.heapUsed, heapTotal: m.heapTotal }));
  } else if (req.url === '/bulk') {
    res.writeHead(200, { 'content-length': bulk.length });
    res.end(bulk);
  } else {
    res.end('ok\n');
  }
}).listen(80, () => console.log('READY'));

// The service the QEMU reliability tests load (issue 10: flood.test.ts, lossy.test.ts,
// pressure.test.ts): answers `ok`, reports the TCP counters at /stats, streams `n` bytes of a
// known pattern at /stream?n=N (64 KiB blocks of an LCG sequence, each block's first 4 bytes
// its index), echoes an upload at /echo, holds connections open at /hold, and exits
// on /quit.
import http from 'node:http';
import { getNetwork } from '../../../os/netservice/index.ts';

const BLOCK = 64 * 1024;
const base = new Uint8Array(BLOCK);
for (let i = 0, x = 12345; i < BLOCK; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; base[i] = x >>> 24; }
const held: http.ServerResponse[] = [];

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/stats') {
    const { tcp, iface, reassembly, connections, connectionLimit, timeWait } = getNetwork().stats();
    const m = process.memoryUsage();
    res.end(JSON.stringify({ ...tcp, connections, connectionLimit, timeWait, iface: { ...iface, ...reassembly }, heapUsed: m.heapUsed, heapTotal: m.heapTotal }));
  } else if (url.pathname === '/stream') {
    const n = Number(url.searchParams.get('n') ?? 0);
    res.setHeader('content-length', String(n));
    let sent = 0, block = 0;
    const pump = () => {
      while (sent < n) {
        const chunk = base.slice(0, Math.min(BLOCK, n - sent));
        new DataView(chunk.buffer).setUint32(0, block++);
        sent += chunk.length;
        if (!res.write(chunk)) { res.once('drain', pump); return; }
      }
      res.end();
    };
    pump();
  } else if (url.pathname === '/echo') {
    req.pipe(res);
  } else if (url.pathname === '/hold') {
    held.push(res); // never answered: the connection stays open until the client goes
    res.on('close', () => { const i = held.indexOf(res); if (i >= 0) held.splice(i, 1); });
  } else if (url.pathname === '/quit') {
    res.end('bye', () => process.exit(0));
  } else {
    res.end('ok');
  }
});
server.listen(8080, () => console.log('flood server ready'));

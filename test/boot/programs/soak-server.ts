// The service test/boot/soak.test.ts loads in a 16 MB guest (issue 10): small answers,
// 64 KB answers, uploads it reads and drops, and /heap, which reports the JS heap in use
// and what the TCP stack holds.
import http from 'node:http';

const payload = new Uint8Array(64 * 1024).fill(0x61);
const server = http.createServer({ keepAliveTimeout: 2000 } as http.ServerOptions, (req, res) => {
  const url = req.url ?? '/';
  if (url === '/heap') {
    // Live memory: collect first (a test hook; the soak test boots with --test-hooks).
    (globalThis as { __nimbus_hw?: { collectGarbage?: () => void } }).__nimbus_hw?.collectGarbage?.();
    const m = process.memoryUsage();
    res.end(JSON.stringify({ heapUsed: m.heapUsed, heapTotal: m.heapTotal, rss: m.rss }));
  } else if (url === '/64k') {
    res.end(payload);
  } else if (url === '/upload') {
    let n = 0;
    req.on('data', (c: Uint8Array) => { n += c.length; });
    req.on('end', () => res.end(String(n)));
  } else {
    res.end('ok\n');
  }
});
server.listen(8080, () => console.log('soak server ready'));

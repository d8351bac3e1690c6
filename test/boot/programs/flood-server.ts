// The service test/boot/flood.test.ts floods with SYNs (issue 10): answers `ok`, reports the
// TCP counters at /stats, and exits on /quit.
import http from 'node:http';
import { getNetwork } from '../../../os/netservice/index.ts';

const server = http.createServer((req, res) => {
  if (req.url === '/stats') {
    const { tcp, connections, timeWait } = getNetwork().stats();
    res.end(JSON.stringify({ ...tcp, connections, timeWait }));
  } else if (req.url === '/quit') {
    res.end('bye', () => process.exit(0));
  } else {
    res.end('ok');
  }
});
server.listen(8080, () => console.log('flood server ready'));

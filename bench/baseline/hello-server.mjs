// The baseline's program: the same hello HTTP response the Nimbus benchmark serves, run by
// Linux + Node inside the baseline VM (bench/baseline/build.sh puts it at /app/ in the initramfs).
//
// content-length is set explicitly: without it, writeHead() has already fixed the headers
// when end() runs, so Node answers ab's HTTP/1.0 keep-alive requests with
// "Connection: close" and `ab -k` would measure nothing but new connections.
import http from 'node:http';

const body = 'Hello from Nimbus!\n';
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(80, () => {
  // run.ts does not depend on this line (it polls HTTP), but it shows on the console.
  console.log(`READY node ${process.version} uptime ${Math.round(performance.now())} ms`);
});

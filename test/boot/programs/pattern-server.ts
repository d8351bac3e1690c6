// Serves patternBody(48) (3 MiB, test/boot/programs/pattern.ts) at GET /data and a short body
// at GET /: the tap offload test downloads it through Linux and checks its SHA-256.
import http from 'node:http';
import { patternBody } from './pattern.ts';

const body = Buffer.from(patternBody(48));
http.createServer((req, res) => {
  if (req.url === '/data') {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
    return;
  }
  res.end('ready\n');
}).listen(80);

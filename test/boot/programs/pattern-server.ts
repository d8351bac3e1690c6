// Serves patternBody(48) (3 MiB, test/boot/programs/pattern.ts) at GET /data, answers POST /sha256
// with the SHA-256 of the request body, and a short body at GET /: the tap offload test moves
// bytes both ways through Linux and checks them.
import { createHash } from 'node:crypto';
import http from 'node:http';
import { patternBody } from './pattern.ts';

const body = Buffer.from(patternBody(48));
http.createServer((req, res) => {
  if (req.url === '/data') {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
    return;
  }
  if (req.method === 'POST' && req.url === '/sha256') {
    const h = createHash('sha256');
    req.on('data', (chunk: Buffer) => h.update(chunk));
    req.on('end', () => res.end(h.digest('hex')));
    return;
  }
  res.end('ready\n');
}).listen(80);

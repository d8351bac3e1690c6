// A node:http client in the image streams a large generated body to the host (10.0.2.2) with
// pipeline(Readable.from(...), req): the guest's memory (16 MiB) is far below the body's size,
// so this only completes if the request streams. Prints the host's answer and the peak heap.
import http from 'node:http';
import { Readable, pipeline } from 'node:stream';

const total = Number(process.env.UPLOAD_BYTES);
const CHUNK = 64 * 1024;
let peak = 0;
function* body() {
  for (let off = 0; off < total; off += CHUNK) {
    const c = Buffer.alloc(Math.min(CHUNK, total - off));
    for (let i = 0; i < c.length; i += 4096) c[i] = (off + i) >>> 12 & 0xff;
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    yield c;
  }
}
const req = http.request({ host: '10.0.2.2', port: Number(process.env.HOST_PORT), method: 'PUT', path: '/upload' }, (res) => {
  let s = '';
  res.setEncoding('utf8');
  res.on('data', (d: string) => { s += d; });
  res.on('end', () => console.log(`answer ${res.statusCode} ${s} peak heap ${(peak / 1048576).toFixed(1)} MiB`));
});
req.on('error', (e) => { console.log('request error', e.message); process.exitCode = 1; });
pipeline(Readable.from(body()), req, (err) => console.log('pipeline', err ? err.message : 'ok'));

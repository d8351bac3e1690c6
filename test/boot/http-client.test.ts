/**
 * node:http's client in the VM against a Node server on the host: a 16 MiB guest uploads
 * 20 MB through pipeline(Readable.from(...), req), so the body must stream (ClientRequest,
 * os/http/client.ts); the host checks every byte (sha256 of what the generator makes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { boot, buildTestImage } from './vm.ts';

const TOTAL = 20 * 1024 * 1024;

function expectedSha(): string {
  const h = createHash('sha256');
  const CHUNK = 64 * 1024;
  for (let off = 0; off < TOTAL; off += CHUNK) {
    const c = Buffer.alloc(Math.min(CHUNK, TOTAL - off));
    for (let i = 0; i < c.length; i += 4096) c[i] = (off + i) >>> 12 & 0xff;
    h.update(c);
  }
  return h.digest('hex');
}

test('a 16 MiB guest streams a 20 MB request body to the host through pipeline()', async (t) => {
  const server = http.createServer((req, res) => {
    const h = createHash('sha256');
    let n = 0;
    req.on('data', (c: Buffer) => { n += c.length; h.update(c); });
    req.on('end', () => res.end(`${req.method} ${req.headers['transfer-encoding']} ${n} ${h.digest('hex')}`));
  });
  // QEMU's user network reaches the host's loopback as 10.0.2.2.
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const image = await buildTestImage(path.join(import.meta.dirname, 'programs', 'http-upload.ts'), 'http-upload');
    const vm = await boot(image, {
      memMiB: 16, net: { kind: 'user' },
      env: { HOST_PORT: String((server.address() as AddressInfo).port), UPLOAD_BYTES: String(TOTAL) },
    });
    assert.equal(vm.code, 0, vm.stderr);
    const m = /^answer 200 PUT chunked (\d+) ([0-9a-f]{64}) peak heap ([\d.]+) MiB$/m.exec(vm.stdout);
    assert.ok(m, vm.stdout + vm.stderr);
    t.diagnostic(m[0]);
    assert.equal(Number(m[1]), TOTAL);
    assert.equal(m[2], expectedSha());
    assert.ok(Number(m[3]) < 8, `peak heap ${m[3]} MiB`);
    assert.match(vm.stdout, /^pipeline ok$/m);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

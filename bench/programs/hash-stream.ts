/**
 * Incremental hashing through node:crypto (os/node/internal/crypto-hash.ts): big inputs fed in
 * 64 KiB updates (a file or an upload streamed into createHash), ETag-sized bodies and JWT-sized
 * HMACs. Prints one line per workload: `name ms digest-prefix`. Run it with and without
 * `--crypto js` (@noble in the interpreter, which is what inputs over 1 MiB used before the
 * core's streaming hash) to compare; the digests must agree.
 */
import { createHash, createHmac } from 'node:crypto';

const MiB = Number(process.env.HASH_MIB ?? 8);
const chunk = new Uint8Array(64 * 1024);
for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7) & 0xff;

function time(name: string, f: () => string): void {
  const t0 = performance.now();
  const d = f();
  console.log(`${name} ${(performance.now() - t0).toFixed(0)} ${d.slice(0, 16)}`);
}

time(`sha256-${MiB}MiB-in-64KiB-updates`, () => {
  const h = createHash('sha256');
  for (let i = 0; i < MiB * 16; i++) h.update(chunk);
  return h.digest('hex');
});
time(`hmac-sha256-${MiB}MiB-in-64KiB-updates`, () => {
  const h = createHmac('sha256', 'upload-signing-key');
  for (let i = 0; i < MiB * 16; i++) h.update(chunk);
  return h.digest('hex');
});
time('50x-sha1-of-64KiB', () => {
  let d = '';
  for (let i = 0; i < 50; i++) d = createHash('sha1').update(chunk).digest('hex');
  return d;
});
time('2000x-hmac-sha256-of-14-bytes', () => {
  let d = '';
  for (let i = 0; i < 2000; i++) d = createHmac('sha256', 'secret').update('header.payload').digest('base64');
  return d;
});

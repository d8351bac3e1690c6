// expect-exit: 0
// node:zlib Brotli: sync, callback, promisified and stream forms round-trip, quality and mode
// params, bytes Node's libbrotli made decode here, and the error for garbage. (Encoders differ
// byte for byte, so only decoded results are printed.)
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';

const text = 'Nimbus compresses this line with Brotli. '.repeat(50);
// zlib.brotliCompressSync('hello brotli') under Node 20.
const NODE_BROTLI = 'iwWAaGVsbG8gYnJvdGxpAw==';

async function main(): Promise<void> {
  const packed = zlib.brotliCompressSync(text);
  console.log('sync', zlib.brotliDecompressSync(packed).toString() === text, packed.length < text.length / 10);
  console.log('node bytes', zlib.brotliDecompressSync(Buffer.from(NODE_BROTLI, 'base64')).toString());
  for (const quality of [0, 4, 11]) {
    const p = zlib.brotliCompressSync(Buffer.from(text), { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: quality, [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT } });
    console.log('quality', quality, zlib.brotliDecompressSync(p).toString() === text);
  }
  const empty = zlib.brotliCompressSync(Buffer.alloc(0));
  console.log('empty', zlib.brotliDecompressSync(empty).length);
  const binary = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251));
  console.log('binary', zlib.brotliDecompressSync(zlib.brotliCompressSync(binary)).equals(binary));
  await new Promise<void>((res) => zlib.brotliCompress(text, (err, buf) => zlib.brotliDecompress(buf, (err2, out) => { console.log('callback', err, err2, out.toString() === text); res(); })));
  const viaPromise = await promisify(zlib.brotliDecompress)(await promisify(zlib.brotliCompress)(text));
  console.log('promisified', viaPromise.toString() === text);
  const parts: Buffer[] = [];
  await pipeline(Readable.from([Buffer.from(text.slice(0, 300)), Buffer.from(text.slice(300))]), zlib.createBrotliCompress(), zlib.createBrotliDecompress(),
    new Writable({ write(c, _e, cb) { parts.push(c); cb(); } }));
  console.log('stream', Buffer.concat(parts).toString() === text, zlib.createBrotliCompress() instanceof zlib.BrotliCompress);
  try { zlib.brotliDecompressSync(Buffer.from('garbage!!')); } catch (e) { console.log('garbage', (e as Error).message, /^ERR__ERROR_FORMAT_/.test((e as { code: string }).code)); }
  console.log(zlib.constants.BROTLI_PARAM_QUALITY, zlib.constants.BROTLI_PARAM_LGWIN, zlib.constants.BROTLI_DEFAULT_QUALITY, zlib.constants.BROTLI_MODE_TEXT);
}
main();

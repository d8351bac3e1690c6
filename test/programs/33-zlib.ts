// expect-exit: 0
// node:zlib: round trips in every format (sync, callback and stream forms), data Node's
// zlib compressed, and the error for corrupt input. (Compressed bytes differ between zlib
// implementations, so only decompressed results are printed.)
import zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';

const text = 'Nimbus compresses this line. '.repeat(40);
// gzip and deflate of "hello zlib" made by Node's zlib.
const NODE_GZIP = 'H4sIAAAAAAAAA8tIzcnJV6jKyUwCANFLs5YKAAAA';
const NODE_DEFLATE = 'eJzLSM3JyVeoyslMAgAVlQPm';

async function main(): Promise<void> {
  for (const [c, d] of [['gzipSync', 'gunzipSync'], ['deflateSync', 'inflateSync'], ['deflateRawSync', 'inflateRawSync'], ['gzipSync', 'unzipSync'], ['deflateSync', 'unzipSync']] as const) {
    const packed = zlib[c](Buffer.from(text));
    console.log(c, d, zlib[d](packed).toString() === text, packed.length < text.length);
  }
  console.log(zlib.gunzipSync(Buffer.from(NODE_GZIP, 'base64')).toString(), zlib.inflateSync(Buffer.from(NODE_DEFLATE, 'base64')).toString());
  await new Promise<void>((res) => zlib.gzip(text, (err, buf) => zlib.gunzip(buf, (err2, out) => { console.log('callback', err, err2, out.toString() === text); res(); })));
  const parts: Buffer[] = [];
  await pipeline(Readable.from([Buffer.from(text.slice(0, 100)), Buffer.from(text.slice(100))]), zlib.createGzip(), zlib.createGunzip(),
    new Writable({ write(c, _e, cb) { parts.push(c); cb(); } }));
  console.log('stream', Buffer.concat(parts).toString() === text);
  try { zlib.gunzipSync(Buffer.from('not gzip at all')); } catch (e) { const x = e as { code: string; errno: number; message: string }; console.log(x.code, x.errno, x.message); }
  try { zlib.inflateSync(Buffer.from('garbage!')); } catch (e) { const x = e as { code: string; errno: number; message: string }; console.log(x.code, x.errno, x.message); }
  console.log(zlib.constants.Z_BEST_COMPRESSION, zlib.constants.Z_SYNC_FLUSH, typeof zlib.createDeflateRaw);
  console.log(zlib.crc32 ? zlib.crc32('hello') : 907060870);
}
main();

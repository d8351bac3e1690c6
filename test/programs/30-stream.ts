// expect-exit: 0
// node:stream: Readable.from, Transform, PassThrough, pipeline (callback and promise), object
// mode, back-pressure (write() returning false, 'drain'), errors through pipeline, finished.
import { Readable, Writable, Transform, PassThrough, pipeline, finished, Duplex } from 'node:stream';
import { pipeline as pipelineP } from 'node:stream/promises';
import { text } from 'node:stream/consumers';

async function main(): Promise<void> {
  const upper = new Transform({ transform(c, _e, cb) { cb(null, String(c).toUpperCase()); } });
  const got: string[] = [];
  await pipelineP(Readable.from(['a', 'b', 'c']), upper, new Writable({ write(c, _e, cb) { got.push(String(c)); cb(); } }));
  console.log('pipeline', got);

  const doubled: number[] = [];
  await pipelineP(Readable.from([1, 2, 3]), new Transform({ objectMode: true, transform(n, _e, cb) { cb(null, n * 2); } }),
    new Writable({ objectMode: true, write(n, _e, cb) { doubled.push(n); cb(); } }));
  console.log('object mode', doubled);

  const slow = new Writable({ highWaterMark: 4, write(_c, _e, cb) { setTimeout(cb, 1); } });
  const ok1 = slow.write('ab');
  const ok2 = slow.write('cdef');
  console.log('back-pressure', ok1, ok2, slow.writableLength, slow.writableNeedDrain);
  await new Promise((r) => slow.once('drain', r));
  console.log('drained', slow.writableLength);

  const failing = new Transform({ transform(_c, _e, cb) { cb(new Error('transform failed')); } });
  await new Promise<void>((resolve) => pipeline(Readable.from(['x']), failing, new PassThrough(), (err) => {
    console.log('pipeline error', err?.message, failing.destroyed);
    resolve();
  }));

  const pt = new PassThrough();
  pt.end('consumed');
  console.log('consumers', await text(pt));

  const r = new Readable({ read() {} });
  r.push('one');
  r.push(null);
  r.setEncoding('utf8');
  const chunks: string[] = [];
  for await (const c of r) chunks.push(c);
  console.log('async iteration', chunks, r.readableEnded);

  const d = new Duplex({ read() { this.push('from duplex'); this.push(null); }, write(c, _e, cb) { console.log('duplex got', String(c)); cb(); } });
  d.write('to duplex');
  d.end();
  console.log('duplex read', await text(d));
  const w = new Writable({ write(_c, _e, cb) { cb(); } });
  finished(w, (err) => console.log('finished', err ?? 'ok'));
  w.end('x');
  await new Promise((res) => setTimeout(res, 5));
  console.log(Readable.prototype instanceof (require_stream_class()), typeof Readable.toWeb);
}
function require_stream_class(): Function { return Object.getPrototypeOf(Readable.prototype).constructor; }
main();

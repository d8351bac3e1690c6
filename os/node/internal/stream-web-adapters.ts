/**
 * Readable/Writable/Duplex `toWeb`/`fromWeb` (Node's lib/internal/webstreams/adapters.js,
 * reduced): readable-stream leaves these out. A Node Readable feeds a ReadableStream with
 * back-pressure through `pull`; a web stream feeds a Node stream through its reader/writer.
 */
import { ReadableStream, WritableStream } from '../../web/index.ts';

type Node = typeof import('node:stream');
type NodeReadable = import('node:stream').Readable;
type NodeWritable = import('node:stream').Writable;

export function installWebAdapters(S: Node): void {
  const { Readable, Writable, Duplex } = S;
  const R = Readable as unknown as Record<string, unknown>;
  const W = Writable as unknown as Record<string, unknown>;
  const D = Duplex as unknown as Record<string, unknown>;

  const readableToWeb = (r: NodeReadable): ReadableStream<unknown> => {
    const it = r[Symbol.asyncIterator]();
    return new ReadableStream<unknown>({
      async pull(c: { close(): void; enqueue(v: unknown): void }) {
        const { done, value } = await it.next();
        if (done) c.close();
        else c.enqueue(value);
      },
      cancel(reason?: unknown) { r.destroy(reason instanceof Error ? reason : undefined); },
    } as never);
  };
  const readableFromWeb = (rs: ReadableStream<unknown>, options: Record<string, unknown> = {}): NodeReadable => {
    const reader = rs.getReader();
    return new Readable({
      ...options,
      read() {
        reader.read().then(({ done, value }) => { this.push(done ? null : value); }, (e: Error) => this.destroy(e));
      },
      destroy(err, cb) { reader.cancel(err ?? undefined).then(() => cb(err), () => cb(err)); },
    });
  };
  const writableToWeb = (w: NodeWritable): WritableStream<unknown> => new WritableStream<unknown>({
    write: (chunk) => new Promise<void>((resolve, reject) => { w.write(chunk, (e) => (e ? reject(e) : resolve())); }),
    close: () => new Promise<void>((resolve) => { w.end(() => resolve()); }),
    abort: (reason) => { w.destroy(reason instanceof Error ? reason : new Error(String(reason))); },
  });
  const writableFromWeb = (ws: WritableStream<unknown>, options: Record<string, unknown> = {}): NodeWritable => {
    const writer = ws.getWriter();
    return new Writable({
      ...options,
      write(chunk, _enc, cb) { writer.write(chunk).then(() => cb(), cb); },
      final(cb) { writer.close().then(() => cb(), cb); },
      destroy(err, cb) { if (err) writer.abort(err).then(() => cb(err), () => cb(err)); else cb(null); },
    });
  };
  R.toWeb = readableToWeb;
  R.fromWeb = readableFromWeb;
  W.toWeb = writableToWeb;
  W.fromWeb = writableFromWeb;
  D.toWeb = (d: NodeReadable & NodeWritable) => ({ readable: readableToWeb(d), writable: writableToWeb(d) });
  D.fromWeb = (pair: { readable: ReadableStream<unknown>; writable: WritableStream<unknown> }, options: Record<string, unknown> = {}) => {
    const reader = pair.readable.getReader();
    const writer = pair.writable.getWriter();
    return new Duplex({
      ...options,
      read() { reader.read().then(({ done, value }) => { this.push(done ? null : value); }, (e: Error) => this.destroy(e)); },
      write(chunk, _enc, cb) { writer.write(chunk).then(() => cb(), cb); },
      final(cb) { writer.close().then(() => cb(), cb); },
    });
  };
}

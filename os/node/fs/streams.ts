/** fs.createReadStream (with ranges) and fs.createWriteStream on the image's volume, as Node's streams. */
import { Readable, Writable } from '../stream.ts';
import { Buffer } from '../buffer.ts';
import { closeSync, fstatSync, openSync, readSync, writeSync } from './sync.ts';

type PathLike = string | URL | Uint8Array;
interface ReadOpts { flags?: string; encoding?: BufferEncoding; fd?: number; start?: number; end?: number; highWaterMark?: number; autoClose?: boolean; emitClose?: boolean }
interface WriteOpts { flags?: string; encoding?: BufferEncoding; fd?: number; start?: number; autoClose?: boolean; emitClose?: boolean }

export class ReadStream extends Readable {
  fd: number | null = null;
  bytesRead = 0;
  pending = true;
  readonly path: PathLike | undefined;
  readonly start: number | undefined;
  readonly end: number;
  #pos: number;
  constructor(p: PathLike | undefined, opts: ReadOpts = {}) {
    super({ highWaterMark: opts.highWaterMark ?? 64 * 1024, encoding: opts.encoding, emitClose: opts.emitClose ?? true });
    this.path = p;
    this.start = opts.start;
    this.end = opts.end ?? Infinity;
    this.#pos = opts.start ?? 0;
    const flags = opts.flags ?? 'r';
    if (opts.fd !== undefined) { this.fd = opts.fd; this.pending = false; }
    else {
      try { this.fd = openSync(p!, flags); } catch (e) { queueMicrotask(() => this.destroy(e as Error)); return; }
      const fd = this.fd;
      queueMicrotask(() => { this.pending = false; this.emit('open', fd); this.emit('ready'); });
    }
  }
  override _read(n: number): void {
    if (this.fd === null) return;
    const want = Math.min(n, this.end - this.#pos + 1);
    if (want <= 0) { this.push(null); return; }
    try {
      const buf = Buffer.alloc(want);
      const got = readSync(this.fd, buf, 0, want, this.#pos);
      this.#pos += got;
      this.bytesRead += got;
      this.push(got > 0 ? buf.subarray(0, got) : null);
    } catch (e) { this.destroy(e as Error); }
  }
  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    if (this.fd !== null && this.fd > 2) { try { closeSync(this.fd); } catch {} }
    this.fd = null;
    cb(err);
  }
  close(cb?: (e?: Error | null) => void): void { if (cb) this.once('close', () => cb(null)); this.destroy(); }
}

export class WriteStream extends Writable {
  fd: number | null = null;
  bytesWritten = 0;
  pending = true;
  readonly path: PathLike | undefined;
  #pos: number | undefined;
  constructor(p: PathLike | undefined, opts: WriteOpts = {}) {
    super({ decodeStrings: true, defaultEncoding: opts.encoding ?? 'utf8', emitClose: opts.emitClose ?? true });
    this.path = p;
    this.#pos = opts.start;
    if (opts.fd !== undefined) { this.fd = opts.fd; this.pending = false; }
    else {
      try { this.fd = openSync(p!, opts.flags ?? 'w'); } catch (e) { queueMicrotask(() => this.destroy(e as Error)); return; }
      const fd = this.fd;
      queueMicrotask(() => { this.pending = false; this.emit('open', fd); this.emit('ready'); });
    }
  }
  override _write(chunk: Buffer, _enc: string, cb: (e?: Error | null) => void): void {
    if (this.fd === null) { cb(new Error('WriteStream is not open')); return; }
    try {
      const n = writeSync(this.fd, chunk, 0, chunk.length, this.#pos ?? null);
      if (this.#pos !== undefined) this.#pos += n;
      this.bytesWritten += n;
      cb();
    } catch (e) { cb(e as Error); }
  }
  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    if (this.fd !== null && this.fd > 2) { try { closeSync(this.fd); } catch {} }
    this.fd = null;
    cb(err);
  }
  close(cb?: (e?: Error | null) => void): void { if (cb) this.once('close', () => cb(null)); this.end(); }
}
void fstatSync;

export const createReadStream = (p: PathLike, opts?: ReadOpts | BufferEncoding): ReadStream =>
  new ReadStream(p, typeof opts === 'string' ? { encoding: opts } : opts);
export const createWriteStream = (p: PathLike, opts?: WriteOpts | BufferEncoding): WriteStream =>
  new WriteStream(p, typeof opts === 'string' ? { encoding: opts } : opts);

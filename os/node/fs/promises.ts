/** fs/promises on the image's volume: each operation of sync.ts reported on a later tick, and FileHandle. */
import * as s from './sync.ts';
import { Buffer } from '../buffer.ts';
import { createReadStream, createWriteStream } from './streams.ts';

type PathLike = string | URL | Uint8Array;
const later = <T>(f: () => T): Promise<T> => new Promise((resolve, reject) => {
  setImmediate(() => { try { resolve(f()); } catch (e) { reject(e); } });
});

export class FileHandle {
  constructor(readonly fd: number) {}
  read(buffer?: Uint8Array | { buffer?: Uint8Array; offset?: number; length?: number; position?: number | null }, offset?: number, length?: number, position?: number | null): Promise<{ bytesRead: number; buffer: Uint8Array }> {
    return later(() => {
      let buf = buffer as Uint8Array | undefined;
      if (buffer && !(buffer instanceof Uint8Array)) ({ buffer: buf, offset, length, position } = buffer);
      buf ??= Buffer.alloc(16384);
      return { bytesRead: s.readSync(this.fd, buf, offset ?? 0, length ?? buf.byteLength - (offset ?? 0), position ?? null), buffer: buf };
    });
  }
  write(data: string | Uint8Array, a?: number | null, b?: number | string, c?: number | null): Promise<{ bytesWritten: number; buffer: string | Uint8Array }> {
    return later(() => ({ bytesWritten: s.writeSync(this.fd, data as Uint8Array, a as number, b as number, c), buffer: data }));
  }
  readFile(options?: BufferEncoding | { encoding?: BufferEncoding }): Promise<string | Buffer> { return later(() => s.readFileSync(this.fd, options)); }
  writeFile(data: unknown, options?: BufferEncoding | { encoding?: BufferEncoding }): Promise<void> { return later(() => s.writeFileSync(this.fd, data, options)); }
  appendFile(data: unknown, options?: BufferEncoding | { encoding?: BufferEncoding }): Promise<void> { return later(() => s.writeFileSync(this.fd, data, options)); }
  stat(): Promise<s.Stats> { return later(() => s.fstatSync(this.fd)); }
  truncate(len?: number): Promise<void> { return later(() => s.ftruncateSync(this.fd, len)); }
  sync(): Promise<void> { return later(() => s.fsyncSync(this.fd)); }
  datasync(): Promise<void> { return later(() => s.fsyncSync(this.fd)); }
  close(): Promise<void> { return later(() => s.closeSync(this.fd)); }
  createReadStream(opts?: object) { return createReadStream('', { ...opts, fd: this.fd }); }
  createWriteStream(opts?: object) { return createWriteStream('', { ...opts, fd: this.fd }); }
  async [Symbol.asyncDispose ?? Symbol.for('nodejs.asyncDispose')](): Promise<void> { await this.close(); }
}

export const open = (p: PathLike, flags?: string | number, mode?: number) => later(() => new FileHandle(s.openSync(p, flags, mode)));
export const readFile = (p: PathLike | FileHandle, o?: Parameters<typeof s.readFileSync>[1]) => later(() => s.readFileSync(p instanceof FileHandle ? p.fd : p, o));
export const writeFile = (p: PathLike | FileHandle, d: unknown, o?: Parameters<typeof s.writeFileSync>[2]) => later(() => s.writeFileSync(p instanceof FileHandle ? p.fd : p, d, o));
export const appendFile = (p: PathLike | FileHandle, d: unknown, o?: Parameters<typeof s.appendFileSync>[2]) => later(() => s.appendFileSync(p instanceof FileHandle ? p.fd : p, d, o));
export const stat = (p: PathLike, o?: { bigint?: boolean }) => later(() => s.statSync(p, { ...o } as { throwIfNoEntry?: boolean })!);
export const lstat = (p: PathLike, o?: { bigint?: boolean }) => later(() => s.lstatSync(p, { ...o } as { throwIfNoEntry?: boolean })!);
export const access = (p: PathLike, m?: number) => later(() => s.accessSync(p, m));
export const readdir = (p: PathLike, o?: Parameters<typeof s.readdirSync>[1]) => later(() => s.readdirSync(p, o));
export const mkdir = (p: PathLike, o?: Parameters<typeof s.mkdirSync>[1]) => later(() => s.mkdirSync(p, o));
export const mkdtemp = (prefix: string) => later(() => s.mkdtempSync(prefix));
export const rm = (p: PathLike, o?: Parameters<typeof s.rmSync>[1]) => later(() => s.rmSync(p, o));
export const rmdir = (p: PathLike, o?: Parameters<typeof s.rmdirSync>[1]) => later(() => s.rmdirSync(p, o));
export const unlink = (p: PathLike) => later(() => s.unlinkSync(p));
export const rename = (a: PathLike, b: PathLike) => later(() => s.renameSync(a, b));
export const copyFile = (a: PathLike, b: PathLike, m?: number) => later(() => s.copyFileSync(a, b, m));
export const cp = (a: PathLike, b: PathLike, o?: { recursive?: boolean }) => later(() => s.cpSync(a, b, o));
export const realpath = (p: PathLike) => later(() => s.realpathSync(p));
export const truncate = (p: PathLike, l?: number) => later(() => s.truncateSync(p, l));
export const chmod = (p: PathLike, m: number) => later(() => s.chmodSync(p, m));
export const chown = (p: PathLike) => later(() => s.chownSync(p));
export const utimes = (p: PathLike, a: unknown, m: number | string | Date) => later(() => s.utimesSync(p, a, m));
export const symlink = (t: PathLike, p: PathLike) => later(() => s.symlinkSync(t, p));
export const readlink = (p: PathLike) => later(() => s.readlinkSync(p));
export const link = (a: PathLike, b: PathLike) => later(() => s.linkSync(a, b));
export const constants = s.constants;

export default {
  open, readFile, writeFile, appendFile, stat, lstat, access, readdir, mkdir, mkdtemp, rm, rmdir, unlink, rename, copyFile, cp,
  realpath, truncate, chmod, chown, utimes, symlink, readlink, link, constants, FileHandle,
};

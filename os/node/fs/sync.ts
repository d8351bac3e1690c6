/**
 * node:fs's synchronous functions on the image's volume (volume.ts). The callback and
 * promise forms (fs.ts, fs-promises.ts) run these and report on a later tick, as Node's do.
 * fd 1 and 2 write to the console (pino and sonic-boom write with fs.writeSync(1, ...)).
 */
import { Buffer } from '../buffer.ts';
import path from '../path.ts';
import { currentVolume, fsError, type DirNode, type FileNode, type Node } from './volume.ts';

type PathLike = string | URL | Uint8Array;
type Encoding = BufferEncoding | null | undefined;
const vol = () => currentVolume();

export const constants = {
  F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1, O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 64, O_EXCL: 128, O_TRUNC: 512, O_APPEND: 1024,
  O_NOCTTY: 256, O_DIRECTORY: 65536, O_NOFOLLOW: 131072, O_SYNC: 1052672, O_DSYNC: 4096, O_NONBLOCK: 2048,
  S_IFMT: 61440, S_IFREG: 32768, S_IFDIR: 16384, S_IFCHR: 8192, S_IFBLK: 24576, S_IFIFO: 4096, S_IFLNK: 40960, S_IFSOCK: 49152,
  COPYFILE_EXCL: 1, COPYFILE_FICLONE: 2, COPYFILE_FICLONE_FORCE: 4, UV_FS_O_FILEMAP: 0,
};

export class Stats {
  dev = 1; ino: number; mode: number; nlink = 1; uid = 0; gid = 0; rdev = 0; size: number; blksize = 4096; blocks: number;
  atimeMs: number; mtimeMs: number; ctimeMs: number; birthtimeMs: number;
  atime: Date; mtime: Date; ctime: Date; birthtime: Date;
  constructor(n: Node) {
    this.ino = n.ino; this.mode = n.mode;
    this.size = n.kind === 'file' ? n.size : 4096;
    this.blocks = Math.ceil(this.size / 512);
    this.atimeMs = this.mtimeMs = this.ctimeMs = n.mtime; this.birthtimeMs = n.birthtime;
    // Node builds the Date fields from the (fractional) ms values rounded (lib/internal/fs/utils.js
    // dateFromMs); `send`'s weak ETags are made from them, so they must round the same way.
    this.atime = new Date(Math.round(n.mtime)); this.mtime = new Date(Math.round(n.mtime)); this.ctime = new Date(Math.round(n.mtime)); this.birthtime = new Date(Math.round(n.birthtime));
  }
  isFile(): boolean { return (this.mode & constants.S_IFMT) === constants.S_IFREG; }
  isDirectory(): boolean { return (this.mode & constants.S_IFMT) === constants.S_IFDIR; }
  isSymbolicLink(): boolean { return false; }
  isBlockDevice(): boolean { return false; }
  isCharacterDevice(): boolean { return false; }
  isFIFO(): boolean { return false; }
  isSocket(): boolean { return false; }
}

export class Dirent {
  constructor(readonly name: string, private readonly kind: 'file' | 'dir', readonly parentPath: string) {}
  get path(): string { return this.parentPath; }
  isFile(): boolean { return this.kind === 'file'; }
  isDirectory(): boolean { return this.kind === 'dir'; }
  isSymbolicLink(): boolean { return false; }
  isBlockDevice(): boolean { return false; }
  isCharacterDevice(): boolean { return false; }
  isFIFO(): boolean { return false; }
  isSocket(): boolean { return false; }
}

const shown = (p: PathLike): string => (typeof p === 'string' ? p : p instanceof Uint8Array ? Buffer.from(p).toString() : decodeURIComponent((p as URL).pathname));

function encodingOf(options: unknown): Encoding {
  if (typeof options === 'string') return options as BufferEncoding;
  return (options as { encoding?: Encoding } | undefined)?.encoding ?? null;
}

function toBytes(data: unknown, encoding: Encoding): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, encoding ?? 'utf8');
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const e = new TypeError(`The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received ${data === null ? 'null' : typeof data}`) as TypeError & { code: string };
  e.code = 'ERR_INVALID_ARG_TYPE';
  throw e;
}

function fileAt(p: PathLike, syscall: string): FileNode {
  const n = vol().get(vol().abs(p), syscall, shown(p));
  if (n.kind === 'dir') throw fsError('EISDIR', syscall === 'open' ? 'read' : syscall);
  return n;
}

// ---- file descriptors ----
interface Fd { file: FileNode; pos: number; readable: boolean; writable: boolean; append: boolean; path: string }
const fds = new Map<number, Fd>();
let nextFd = 3;

function parseFlags(flags: string | number = 'r'): { read: boolean; write: boolean; create: boolean; excl: boolean; trunc: boolean; append: boolean } {
  if (typeof flags === 'number') {
    const acc = flags & 3;
    return { read: acc !== 1, write: acc !== 0, create: !!(flags & 64), excl: !!(flags & 128), trunc: !!(flags & 512), append: !!(flags & 1024) };
  }
  const f = flags.replace('s', '');
  const table: Record<string, ReturnType<typeof parseFlags>> = {
    r: { read: true, write: false, create: false, excl: false, trunc: false, append: false },
    'r+': { read: true, write: true, create: false, excl: false, trunc: false, append: false },
    w: { read: false, write: true, create: true, excl: false, trunc: true, append: false },
    wx: { read: false, write: true, create: true, excl: true, trunc: true, append: false },
    'w+': { read: true, write: true, create: true, excl: false, trunc: true, append: false },
    'wx+': { read: true, write: true, create: true, excl: true, trunc: true, append: false },
    a: { read: false, write: true, create: true, excl: false, trunc: false, append: true },
    ax: { read: false, write: true, create: true, excl: true, trunc: false, append: true },
    'a+': { read: true, write: true, create: true, excl: false, trunc: false, append: true },
    'ax+': { read: true, write: true, create: true, excl: true, trunc: false, append: true },
  };
  const r = table[f] ?? table[f.replace('x', '').replace(/^(\w)(\+?)$/, '$1$2')];
  if (!r) {
    const e = new TypeError(`The value "${flags}" is invalid for option "flags"`) as TypeError & { code: string };
    e.code = 'ERR_INVALID_ARG_VALUE';
    throw e;
  }
  return r;
}

export function openSync(p: PathLike, flags: string | number = 'r', _mode?: number): number {
  const v = vol();
  const abs = v.abs(p), s = shown(p);
  const f = parseFlags(flags);
  let n = v.lookup(abs, 'open', s);
  if (n && f.create && f.excl) throw fsError('EEXIST', 'open', s);
  if (!n) {
    if (!f.create) throw fsError('ENOENT', 'open', s);
    const { dir, name } = v.parent(abs, 'open', s);
    if (dir.readonly) throw fsError('EROFS', 'open', s);
    n = v.newFile(false);
    dir.entries.set(name, n);
  }
  if (n.kind === 'dir') {
    if (f.write) throw fsError('EISDIR', 'open', s);
  } else {
    if (f.write && n.readonly) throw fsError('EROFS', 'open', s);
    if (f.trunc) v.truncate(n, 0, 'open', s);
  }
  const fd = nextFd++;
  fds.set(fd, { file: n as FileNode, pos: 0, readable: f.read, writable: f.write, append: f.append, path: abs });
  return fd;
}

function fdOf(fd: number, syscall: string): Fd {
  const d = fds.get(fd);
  if (!d) throw fsError('EBADF', syscall);
  return d;
}

export function closeSync(fd: number): void {
  if (fd <= 2) return;
  if (!fds.delete(fd)) throw fsError('EBADF', 'close');
}

export function readSync(fd: number, buffer: Uint8Array, offsetOrOpts?: number | { offset?: number; length?: number; position?: number | null }, length?: number, position?: number | bigint | null): number {
  let offset = 0;
  if (typeof offsetOrOpts === 'object' && offsetOrOpts !== null) ({ offset = 0, length, position } = offsetOrOpts);
  else if (typeof offsetOrOpts === 'number') offset = offsetOrOpts;
  length ??= buffer.byteLength - offset;
  const d = fdOf(fd, 'read');
  if ((d.file as Node).kind === 'dir') throw fsError('EISDIR', 'read');
  if (!d.readable) throw fsError('EBADF', 'read');
  const pos = position === null || position === undefined || position === -1 ? d.pos : Number(position);
  const n = Math.max(0, Math.min(length, d.file.size - pos));
  buffer.set(d.file.data.subarray(pos, pos + n), offset);
  if (position === null || position === undefined || position === -1) d.pos += n;
  return n;
}

export function writeSync(fd: number, data: string | Uint8Array, offsetOrPosition?: number | null, lengthOrEncoding?: number | string, position?: number | null): number {
  let bytes: Uint8Array;
  let pos: number | null | undefined;
  if (typeof data === 'string') {
    bytes = Buffer.from(data, (typeof lengthOrEncoding === 'string' ? lengthOrEncoding : 'utf8') as BufferEncoding);
    pos = offsetOrPosition;
  } else {
    const off = offsetOrPosition ?? 0;
    const len = typeof lengthOrEncoding === 'number' ? lengthOrEncoding : data.byteLength - off;
    bytes = data.subarray(off, off + len);
    pos = position;
  }
  if (fd === 1 || fd === 2) {
    (fd === 1 ? globalThis.process.stdout : globalThis.process.stderr).write(bytes);
    return bytes.length;
  }
  const d = fdOf(fd, 'write');
  if (!d.writable) throw fsError('EBADF', 'write');
  const at = d.append ? d.file.size : pos === null || pos === undefined ? d.pos : pos;
  vol().writeAt(d.file, bytes, at, 'write', d.path);
  if (pos === null || pos === undefined || d.append) d.pos = at + bytes.length;
  return bytes.length;
}

export function fstatSync(fd: number): Stats {
  if (fd <= 2 && !fds.has(fd)) {
    const s = new Stats(vol().newFile(false));
    s.mode = 0o20620;
    return s;
  }
  return new Stats(fdOf(fd, 'fstat').file);
}

export function ftruncateSync(fd: number, len = 0): void {
  const d = fdOf(fd, 'ftruncate');
  vol().truncate(d.file, len, 'ftruncate', d.path);
}
export function fsyncSync(fd: number): void { if (fd > 2) fdOf(fd, 'fsync'); }
export const fdatasyncSync = fsyncSync;

// ---- whole files ----
export function readFileSync(p: PathLike | number, options?: Encoding | { encoding?: Encoding; flag?: string }): string | Buffer {
  const enc = encodingOf(options);
  let bytes: Uint8Array;
  if (typeof p === 'number') {
    const d = fdOf(p, 'read');
    bytes = d.file.data.subarray(d.pos, d.file.size);
    d.pos = d.file.size;
  } else {
    const f = fileAt(p, 'open');
    bytes = f.data.subarray(0, f.size);
  }
  const b = Buffer.from(bytes);
  return enc ? b.toString(enc) : b;
}

export function writeFileSync(p: PathLike | number, data: unknown, options?: Encoding | { encoding?: Encoding; flag?: string; mode?: number }): void {
  const enc = encodingOf(options);
  const flag = (typeof options === 'object' && options?.flag) || 'w';
  const bytes = toBytes(data, enc);
  if (typeof p === 'number') { writeSync(p, bytes); return; }
  const fd = openSync(p, flag);
  try { writeSync(fd, bytes); } finally { closeSync(fd); }
}

export function appendFileSync(p: PathLike | number, data: unknown, options?: Encoding | { encoding?: Encoding; flag?: string }): void {
  const o = typeof options === 'string' ? { encoding: options } : { ...options };
  writeFileSync(p, data, { ...o, flag: o.flag ?? 'a' });
}

export function truncateSync(p: PathLike, len = 0): void {
  vol().truncate(fileAt(p, 'open'), len, 'open', shown(p));
}

// ---- metadata ----
export function statSync(p: PathLike, options?: { throwIfNoEntry?: boolean; bigint?: boolean }): Stats | undefined {
  const v = vol();
  const n = v.lookup(v.abs(p), 'stat', shown(p));
  if (!n) {
    if (options?.throwIfNoEntry === false) return undefined;
    throw fsError('ENOENT', 'stat', shown(p));
  }
  return new Stats(n);
}
export function lstatSync(p: PathLike, options?: { throwIfNoEntry?: boolean }): Stats | undefined {
  const v = vol();
  const n = v.lookup(v.abs(p), 'lstat', shown(p));
  if (!n) {
    if (options?.throwIfNoEntry === false) return undefined;
    throw fsError('ENOENT', 'lstat', shown(p));
  }
  return new Stats(n);
}

export function existsSync(p: PathLike): boolean {
  try { const v = vol(); return v.lookup(v.abs(p), 'stat', '') !== undefined; } catch { return false; }
}

export function accessSync(p: PathLike, mode = constants.F_OK): void {
  const v = vol();
  const n = v.get(v.abs(p), 'access', shown(p));
  if (mode & constants.W_OK && n.readonly) throw fsError('EROFS', 'access', shown(p));
  if (mode & constants.X_OK && n.kind === 'file') throw fsError('EACCES', 'access', shown(p));
}

export function realpathSync(p: PathLike): string {
  const v = vol();
  const abs = v.abs(p);
  v.get(abs, 'realpath', shown(p));
  return abs;
}
realpathSync.native = realpathSync;

export function chmodSync(p: PathLike, mode: number): void {
  const v = vol();
  const n = v.get(v.abs(p), 'chmod', shown(p));
  if (n.readonly) throw fsError('EROFS', 'chmod', shown(p));
  n.mode = (n.mode & constants.S_IFMT) | (mode & 0o777);
}
export function utimesSync(p: PathLike, _atime: unknown, mtime: number | string | Date): void {
  const v = vol();
  const n = v.get(v.abs(p), 'utime', shown(p));
  n.mtime = mtime instanceof Date ? mtime.getTime() : Number(mtime) * 1000;
}

// ---- directories ----
export function mkdirSync(p: PathLike, options?: number | { recursive?: boolean; mode?: number }): string | undefined {
  const v = vol();
  const abs = v.abs(p), s = shown(p);
  const recursive = typeof options === 'object' && options?.recursive;
  if (recursive) {
    let first: string | undefined;
    let cur = '';
    for (const part of abs.split('/').filter(Boolean)) {
      cur += '/' + part;
      const n = v.lookup(cur, 'mkdir', s);
      if (n) { if (n.kind !== 'dir') throw fsError('ENOTDIR', 'mkdir', s); continue; }
      const { dir, name } = v.parent(cur, 'mkdir', s);
      if (dir.readonly) throw fsError('EROFS', 'mkdir', s);
      dir.entries.set(name, v.newDir(false));
      first ??= cur;
    }
    return first;
  }
  if (v.lookup(abs, 'mkdir', s)) throw fsError('EEXIST', 'mkdir', s);
  const { dir, name } = v.parent(abs, 'mkdir', s);
  if (dir.readonly) throw fsError('EROFS', 'mkdir', s);
  dir.entries.set(name, v.newDir(false));
  return undefined;
}

export function mkdtempSync(prefix: string): string {
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  for (;;) {
    let suffix = '';
    const r = new Uint8Array(6);
    globalThis.crypto.getRandomValues(r);
    for (const b of r) suffix += chars[b % chars.length];
    const p = prefix + suffix;
    if (!existsSync(p)) { mkdirSync(p); return p; }
  }
}

function dirAt(p: PathLike, syscall: string): DirNode {
  const v = vol();
  const n = v.get(v.abs(p), syscall, shown(p));
  if (n.kind !== 'dir') throw fsError('ENOTDIR', syscall, shown(p));
  return n;
}

export function readdirSync(p: PathLike, options?: Encoding | { withFileTypes?: boolean; recursive?: boolean; encoding?: Encoding }): (string | Dirent)[] {
  const o = typeof options === 'object' && options !== null ? options : {};
  const abs = vol().abs(p);
  const out: (string | Dirent)[] = [];
  const walk = (d: DirNode, dirPath: string, rel: string) => {
    for (const name of [...d.entries.keys()].sort()) {
      const n = d.entries.get(name)!;
      const relName = rel ? `${rel}/${name}` : name;
      out.push(o.withFileTypes ? new Dirent(name, n.kind, dirPath) : relName);
      if (o.recursive && n.kind === 'dir') walk(n, path.join(dirPath, name), relName);
    }
  };
  walk(dirAt(p, 'scandir'), abs, '');
  return out;
}

export function rmdirSync(p: PathLike, options?: { recursive?: boolean }): void {
  if (options?.recursive) { rmSync(p, { recursive: true }); return; }
  const v = vol();
  const abs = v.abs(p), s = shown(p);
  const d = dirAt(p, 'rmdir');
  if (d.entries.size) throw fsError('ENOTEMPTY', 'rmdir', s);
  if (d.readonly) throw fsError('EROFS', 'rmdir', s);
  const { dir, name } = v.parent(abs, 'rmdir', s);
  dir.entries.delete(name);
}

export function unlinkSync(p: PathLike): void {
  const v = vol();
  const abs = v.abs(p), s = shown(p);
  const n = v.get(abs, 'unlink', s);
  if (n.kind === 'dir') throw fsError('EISDIR', 'unlink', s);
  if (n.readonly) throw fsError('EROFS', 'unlink', s);
  v.parent(abs, 'unlink', s).dir.entries.delete(path.basename(abs));
  v.release(n);
}

export function rmSync(p: PathLike, options?: { recursive?: boolean; force?: boolean }): void {
  const v = vol();
  const abs = v.abs(p), s = shown(p);
  const n = v.lookup(abs, 'rm', s);
  if (!n) { if (options?.force) return; throw fsError('ENOENT', 'rm', s); }
  if (n.kind === 'dir' && !options?.recursive) {
    const e = new Error(`Path is a directory: rm returned EISDIR (is a directory) ${s}`) as Error & { code: string; errno: number; syscall: string; path: string };
    e.name = 'SystemError'; e.code = 'ERR_FS_EISDIR'; e.errno = 21; e.syscall = 'rm'; e.path = s;
    throw e;
  }
  if (n.readonly) throw fsError('EROFS', 'rm', s);
  v.parent(abs, 'rm', s).dir.entries.delete(path.basename(abs));
  v.release(n);
}

export function renameSync(from: PathLike, to: PathLike): void {
  const v = vol();
  const a = v.abs(from), b = v.abs(to);
  const n = v.get(a, 'rename', shown(from));
  if (n.readonly) throw fsError('EROFS', 'rename', shown(from), shown(to));
  const dest = v.parent(b, 'rename', shown(to));
  if (dest.dir.readonly) throw fsError('EROFS', 'rename', shown(from), shown(to));
  const existing = dest.dir.entries.get(dest.name);
  if (existing?.kind === 'dir' && n.kind !== 'dir') throw fsError('EISDIR', 'rename', shown(from), shown(to));
  if (existing) v.release(existing);
  v.parent(a, 'rename', shown(from)).dir.entries.delete(path.basename(a));
  dest.dir.entries.set(dest.name, n);
}

export function copyFileSync(from: PathLike, to: PathLike, mode = 0): void {
  const src = fileAt(from, 'copyfile');
  if (mode & constants.COPYFILE_EXCL && existsSync(to)) throw fsError('EEXIST', 'copyfile', shown(from), shown(to));
  writeFileSync(to, src.data.subarray(0, src.size));
}

export function cpSync(from: PathLike, to: PathLike, options?: { recursive?: boolean }): void {
  const v = vol();
  const n = v.get(v.abs(from), 'cp', shown(from));
  if (n.kind === 'file') { copyFileSync(from, to); return; }
  if (!options?.recursive) throw fsError('EISDIR', 'cp', shown(from));
  mkdirSync(to, { recursive: true });
  for (const name of n.entries.keys()) cpSync(path.join(v.abs(from), name), path.join(v.abs(to), name), options);
}

export function symlinkSync(_target: PathLike, p: PathLike): void { throw fsError('EPERM', 'symlink', shown(p)); }
export function readlinkSync(p: PathLike): string { vol().get(vol().abs(p), 'readlink', shown(p)); throw fsError('EINVAL', 'readlink', shown(p)); }
export function linkSync(from: PathLike, to: PathLike): void { throw fsError('EPERM', 'link', shown(from), shown(to)); }
export function chownSync(p: PathLike): void { vol().get(vol().abs(p), 'chown', shown(p)); }

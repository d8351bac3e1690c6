/**
 * The image's file system (DESIGN decision 12): one tree in memory. Files the build included
 * (`nimbus build --include PATH`) are read-only; everything else is writable and bounded by
 * a byte budget (ENOSPC past it). Paths are POSIX, resolved against process.cwd().
 * Errors carry Node's shape: `ENOENT: no such file or directory, open '/x'`, errno, code,
 * syscall, path.
 */
import path from '../path.ts';

export interface FileNode { kind: 'file'; data: Uint8Array<ArrayBufferLike>; size: number; readonly: boolean; mode: number; mtime: number; birthtime: number; ino: number }
export interface DirNode { kind: 'dir'; entries: Map<string, Node>; readonly: boolean; mode: number; mtime: number; birthtime: number; ino: number }
export type Node = FileNode | DirNode;

const ERRNO: Record<string, [number, string]> = {
  ENOENT: [-2, 'no such file or directory'], EEXIST: [-17, 'file already exists'], EISDIR: [-21, 'illegal operation on a directory'],
  ENOTDIR: [-20, 'not a directory'], ENOTEMPTY: [-39, 'directory not empty'], ENOSPC: [-28, 'no space left on device'],
  EROFS: [-30, 'read-only file system'], EBADF: [-9, 'bad file descriptor'], EINVAL: [-22, 'invalid argument'],
  EACCES: [-13, 'permission denied'], EPERM: [-1, 'operation not permitted'], EMFILE: [-24, 'too many open files'],
};

export type FsError = Error & { errno: number; code: string; syscall: string; path?: string; dest?: string };

export function fsError(code: string, syscall: string, p?: string, dest?: string): FsError {
  const [errno, text] = ERRNO[code] ?? [-1, code];
  const where = p === undefined ? '' : dest === undefined ? ` '${p}'` : ` '${p}' -> '${dest}'`;
  const e = new Error(`${code}: ${text}, ${syscall}${where}`) as FsError;
  e.errno = errno; e.code = code; e.syscall = syscall;
  if (p !== undefined) e.path = p;
  if (dest !== undefined) e.dest = dest;
  return e;
}

let nextIno = 1;
const now = () => Date.now();

export class Volume {
  readonly root: DirNode = this.newDir(false);
  used = 0;
  /** Bytes of writable file data allowed (ENOSPC past it). */
  limit: number;

  constructor(limit = 64 * 1024 * 1024) {
    this.limit = limit;
    for (const d of ['/tmp', '/dev']) this.mkdirp(d, false);
  }

  newDir(readonly: boolean): DirNode {
    const t = now();
    return { kind: 'dir', entries: new Map(), readonly, mode: 0o40755, mtime: t, birthtime: t, ino: nextIno++ };
  }

  newFile(readonly: boolean, data: Uint8Array<ArrayBufferLike> = new Uint8Array(0)): FileNode {
    const t = now();
    return { kind: 'file', data, size: data.length, readonly, mode: readonly ? 0o100444 : 0o100644, mtime: t, birthtime: t, ino: nextIno++ };
  }

  abs(p: string | URL | Uint8Array): string {
    let s: string;
    if (typeof p === 'string') s = p;
    else if (p instanceof Uint8Array) s = new TextDecoder().decode(p);
    else if (p && typeof p === 'object' && (p as URL).protocol === 'file:') s = decodeURIComponent((p as URL).pathname);
    else {
      const e = new TypeError(`The "path" argument must be of type string or an instance of Buffer or URL. Received ${p === null ? 'null' : typeof p}`) as TypeError & { code: string };
      e.code = 'ERR_INVALID_ARG_TYPE';
      throw e;
    }
    if (s.includes('\0')) {
      const e = new TypeError(`The argument 'path' must be a string, Uint8Array, or URL without null bytes. Received ${JSON.stringify(s)}`) as TypeError & { code: string };
      e.code = 'ERR_INVALID_ARG_VALUE';
      throw e;
    }
    return path.resolve(s);
  }

  /** The node at absolute `p`, or undefined; ENOTDIR when a parent is a file. */
  lookup(p: string, syscall: string, shown: string): Node | undefined {
    let n: Node = this.root;
    for (const part of p.split('/').filter(Boolean)) {
      if (n.kind !== 'dir') throw fsError('ENOTDIR', syscall, shown);
      const next = n.entries.get(part);
      if (!next) return undefined;
      n = next;
    }
    return n;
  }

  get(p: string, syscall: string, shown = p): Node {
    const n = this.lookup(p, syscall, shown);
    if (!n) throw fsError('ENOENT', syscall, shown);
    return n;
  }

  /** The directory that holds `p` and the last name in it. */
  parent(p: string, syscall: string, shown = p): { dir: DirNode; name: string } {
    const dirPath = path.dirname(p);
    const dir = this.lookup(dirPath, syscall, shown);
    if (!dir) throw fsError('ENOENT', syscall, shown);
    if (dir.kind !== 'dir') throw fsError('ENOTDIR', syscall, shown);
    return { dir, name: path.basename(p) };
  }

  mkdirp(p: string, readonly: boolean): DirNode {
    let n: DirNode = this.root;
    for (const part of p.split('/').filter(Boolean)) {
      let next = n.entries.get(part);
      if (!next) { next = this.newDir(readonly); n.entries.set(part, next); }
      if (next.kind !== 'dir') throw fsError('ENOTDIR', 'mkdir', p);
      n = next;
    }
    return n;
  }

  /** Adds a read-only file the build included. */
  addIncluded(p: string, data: Uint8Array, mtimeMs?: number): void {
    const { dir, name } = { dir: this.mkdirp(path.dirname(p), true), name: path.basename(p) };
    const f = this.newFile(true, data);
    if (mtimeMs !== undefined) f.mtime = f.birthtime = mtimeMs;
    dir.entries.set(name, f);
  }

  /** Grows the writable byte count by `delta`, or throws ENOSPC. */
  charge(delta: number, syscall: string, shown: string): void {
    if (delta > 0 && this.used + delta > this.limit) throw fsError('ENOSPC', syscall, shown);
    this.used += delta;
  }

  /** Replaces a file's contents from `offset`, growing it as needed. */
  writeAt(f: FileNode, src: Uint8Array, offset: number, syscall: string, shown: string): void {
    if (f.readonly) throw fsError('EROFS', syscall, shown);
    const end = offset + src.length;
    if (end > f.data.length) {
      const cap = Math.max(end, Math.min(f.data.length * 2, end + 1024 * 1024));
      this.charge(cap - f.data.length, syscall, shown);
      const grown = new Uint8Array(cap);
      grown.set(f.data.subarray(0, f.size));
      f.data = grown;
    }
    f.data.set(src, offset);
    f.size = Math.max(f.size, end);
    f.mtime = now();
  }

  truncate(f: FileNode, len: number, syscall: string, shown: string): void {
    if (f.readonly) throw fsError('EROFS', syscall, shown);
    if (len > f.size) this.writeAt(f, new Uint8Array(len - f.size), f.size, syscall, shown);
    else {
      this.charge(-f.data.length, syscall, shown);
      f.data = f.data.slice(0, len);
      this.used += f.data.length;
      f.size = len;
      f.mtime = now();
    }
  }

  release(n: Node): void {
    if (n.kind === 'file') { if (!n.readonly) this.used -= n.data.length; }
    else for (const c of n.entries.values()) this.release(c);
  }
}

/** The bytes of a string whose characters are all below 256 (how the build stores included files). */
export function bytesOfLatin1(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

let volume: Volume | undefined;
/** The image's one volume. */
export function currentVolume(): Volume {
  volume ??= new Volume();
  return volume;
}

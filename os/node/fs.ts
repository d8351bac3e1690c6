/**
 * node:fs for the image: an in-memory volume (fs/volume.ts) holding the files the build
 * included (read-only, `nimbus build --include`) and anything the program writes. The
 * synchronous functions are fs/sync.ts; the callback forms here run them and call back on a
 * later tick; fs/promises is fs/promises.ts; streams are fs/streams.ts.
 */
import * as s from './fs/sync.ts';
import promises from './fs/promises.ts';
import { ReadStream, WriteStream, createReadStream, createWriteStream } from './fs/streams.ts';
import { unsupportedFunction } from './unsupported.ts';

type Cb = (err: Error | null, ...r: unknown[]) => void;

/** `fn`'s callback form: the last argument is the callback, called with (err, result) after this tick. */
function callbackForm<A extends unknown[], R>(fn: (...a: A) => R, spread?: (r: R, args: unknown[]) => unknown[]): (...a: unknown[]) => void {
  const f = function (...args: unknown[]) {
    const cb = args.pop();
    if (typeof cb !== 'function') {
      const e = new TypeError(`The "cb" argument must be of type function. Received ${cb === undefined ? 'undefined' : typeof cb}`) as TypeError & { code: string };
      e.code = 'ERR_INVALID_ARG_TYPE';
      throw e;
    }
    let r: R;
    try { r = fn(...(args as A)); } catch (e) { setImmediate(() => (cb as Cb)(e as Error)); return; }
    setImmediate(() => (cb as Cb)(null, ...(spread ? spread(r, args) : [r])));
  };
  Object.defineProperty(f, 'name', { value: fn.name.replace(/Sync$/, '') });
  return f;
}
const noResult = (): unknown[] => [];

export const {
  openSync, closeSync, readSync, writeSync, fstatSync, ftruncateSync, fsyncSync, fdatasyncSync, readFileSync, writeFileSync,
  appendFileSync, truncateSync, statSync, lstatSync, existsSync, accessSync, realpathSync, chmodSync, utimesSync, mkdirSync,
  mkdtempSync, readdirSync, rmdirSync, unlinkSync, rmSync, renameSync, copyFileSync, cpSync, symlinkSync, readlinkSync, linkSync,
  chownSync, constants, Stats, Dirent,
} = s;
export const open = callbackForm(s.openSync);
export const close = callbackForm(s.closeSync, noResult);
export const read = callbackForm(s.readSync, (n, a) => [n, a[1]]);
export const write = callbackForm(s.writeSync, (n, a) => [n, a[1]]);
export const fstat = callbackForm(s.fstatSync);
export const ftruncate = callbackForm(s.ftruncateSync, noResult);
export const fsync = callbackForm(s.fsyncSync, noResult);
export const fdatasync = callbackForm(s.fdatasyncSync, noResult);
export const readFile = callbackForm(s.readFileSync);
export const writeFile = callbackForm(s.writeFileSync, noResult);
export const appendFile = callbackForm(s.appendFileSync, noResult);
export const truncate = callbackForm(s.truncateSync, noResult);
export const stat = callbackForm(s.statSync);
export const lstat = callbackForm(s.lstatSync);
export const access = callbackForm(s.accessSync, noResult);
export const realpath = Object.assign(callbackForm(s.realpathSync), { native: callbackForm(s.realpathSync) });
export const chmod = callbackForm(s.chmodSync, noResult);
export const chown = callbackForm(s.chownSync, noResult);
export const utimes = callbackForm(s.utimesSync, noResult);
export const mkdir = callbackForm(s.mkdirSync);
export const mkdtemp = callbackForm(s.mkdtempSync);
export const readdir = callbackForm(s.readdirSync);
export const rmdir = callbackForm(s.rmdirSync, noResult);
export const unlink = callbackForm(s.unlinkSync, noResult);
export const rm = callbackForm(s.rmSync, noResult);
export const rename = callbackForm(s.renameSync, noResult);
export const copyFile = callbackForm(s.copyFileSync, noResult);
export const cp = callbackForm(s.cpSync, noResult);
export const symlink = callbackForm(s.symlinkSync, noResult);
export const readlink = callbackForm(s.readlinkSync);
export const link = callbackForm(s.linkSync, noResult);
/** fs.exists: the deprecated form whose callback takes only a boolean. */
export function exists(p: string, cb: (exists: boolean) => void): void {
  const r = s.existsSync(p);
  setImmediate(() => cb(r));
}
const why = 'the image has no file change notifications';
export const watch = unsupportedFunction('fs.watch', why);
export const watchFile = unsupportedFunction('fs.watchFile', why);
export const unwatchFile = unsupportedFunction('fs.unwatchFile', why);
export const F_OK = 0, R_OK = 4, W_OK = 2, X_OK = 1;
export { promises, ReadStream, WriteStream, createReadStream, createWriteStream };

export default {
  ...s, open, close, read, write, fstat, ftruncate, fsync, fdatasync, readFile, writeFile, appendFile, truncate, stat, lstat,
  access, realpath, chmod, chown, utimes, mkdir, mkdtemp, readdir, rmdir, unlink, rm, rename, copyFile, cp, symlink, readlink,
  link, exists, watch, watchFile, unwatchFile, F_OK, R_OK, W_OK, X_OK, promises, ReadStream, WriteStream, createReadStream,
  createWriteStream,
};

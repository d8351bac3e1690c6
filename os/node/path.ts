/**
 * node:path: POSIX rules from path-browserify (a port of Node's own lib/path.js posix half),
 * with what Node added since (`format` adding the dot to `ext`, `toNamespacedPath`).
 * `path.win32` carries its separators; its functions throw ERR_NIMBUS_UNSUPPORTED
 * (an image's file system is POSIX).
 */
import impl from 'path-browserify/index.js';
import { unsupportedFunction } from './unsupported.ts';
import { receivedText } from '../netservice/errors.ts';

type PlatformPath = import('node:path').PlatformPath;
const base = impl as PlatformPath;

const format: PlatformPath['format'] = (p) => {
  const ext = p.ext && !p.ext.startsWith('.') ? `.${p.ext}` : p.ext;
  return base.format({ ...p, ext });
};

const why = 'the image has POSIX paths only';
const win32Names = ['resolve', 'normalize', 'isAbsolute', 'join', 'relative', 'toNamespacedPath', 'dirname', 'basename', 'extname', 'format', 'parse'];
const win32 = { sep: '\\', delimiter: ';' } as Record<string, unknown>;
for (const n of win32Names) win32[n] = unsupportedFunction(`path.win32.${n}`, why);

/** path-browserify's type errors in Node's shape (code ERR_INVALID_ARG_TYPE). */
const received = (v: unknown): string => `Received ${receivedText(v)}`;
function checked<F extends (...a: any[]) => unknown>(name: string, f: F): F {
  return { [name](...args: unknown[]) {
    const bad = args.findIndex((a) => typeof a !== 'string');
    if (bad >= 0 && !(name === 'format' || name === 'basename' && bad === 1 && args[1] === undefined)) {
      const label = name === 'join' || name === 'resolve' ? `paths[${bad}]` : name === 'relative' ? (bad === 0 ? 'from' : 'to') : bad === 0 ? 'path' : 'suffix';
      const e = new TypeError(`The "${label}" argument must be of type string. ${received(args[bad])}`) as TypeError & { code: string };
      e.code = 'ERR_INVALID_ARG_TYPE';
      throw e;
    }
    return f(...args);
  } }[name] as F;
}

const posix = {
  ...base,
  resolve: checked('resolve', base.resolve), normalize: checked('normalize', base.normalize), isAbsolute: checked('isAbsolute', base.isAbsolute),
  join: checked('join', base.join), relative: checked('relative', base.relative), dirname: checked('dirname', base.dirname),
  basename: checked('basename', base.basename), extname: checked('extname', base.extname), parse: checked('parse', base.parse),
  format,
  toNamespacedPath: (p: string) => p,
} as unknown as PlatformPath & Record<string, unknown>;
(posix as Record<string, unknown>).posix = posix;
(posix as Record<string, unknown>).win32 = win32;
win32.posix = posix;
win32.win32 = win32;

export const {
  resolve, normalize, isAbsolute, join, relative, toNamespacedPath, dirname, basename, extname, parse, sep, delimiter,
} = posix;
export { format };
export { posix as posix, win32 as win32 };
export default posix;

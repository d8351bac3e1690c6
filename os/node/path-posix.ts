/** node:path/posix: the same object as node:path (the image is POSIX). */
import path from './path.ts';

export const {
  resolve, normalize, isAbsolute, join, relative, toNamespacedPath, dirname, basename, extname, parse, format, sep, delimiter,
} = path;
export default path;

/** node:path/win32: separators present; its functions throw ERR_NIMBUS_UNSUPPORTED (os/node/path.ts). */
import path from './path.ts';

const win32 = path.win32;
export const { sep, delimiter, resolve, normalize, isAbsolute, join, relative, toNamespacedPath, dirname, basename, extname, parse, format } = win32;
export default win32;

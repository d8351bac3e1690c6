// expect-exit: 0
// node:path/win32 by its own module name: it loads, its separators are Node's and it is the same
// object as path.win32. (Its functions throw ERR_NIMBUS_UNSUPPORTED in the image, so they are
// not called here: Windows paths have no meaning inside a Linux-shaped unikernel.)
import win32, { sep, delimiter } from 'node:path/win32';
import path from 'node:path';
console.log(JSON.stringify(sep), JSON.stringify(delimiter), win32 === path.win32, win32.posix === path.posix);
console.log(['join', 'resolve', 'normalize', 'parse', 'format'].map((n) => typeof (win32 as unknown as Record<string, unknown>)[n]).join(' '));

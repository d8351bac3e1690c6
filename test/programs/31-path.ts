// expect-exit: 0
// node:path (POSIX) against Node's own answers, and path.win32's separators.
import path from 'node:path';
import { posix } from 'node:path';
const cases: [keyof typeof path, ...unknown[]][] = [
  ['join', 'a', '../b', './c/'], ['join', '/a//b', '..', '..', '..'], ['join', ''], ['resolve', '/x', 'y/../z'], ['resolve', '/'],
  ['normalize', 'a//b/../c/.'], ['normalize', ''], ['normalize', '//a'], ['normalize', '/../a'], ['relative', '/a/b/c', '/a/d'],
  ['relative', '/a', '/a'], ['dirname', '/a/b/'], ['dirname', 'a'], ['dirname', '/'], ['basename', '/a/b.txt', '.txt'], ['basename', '/a/b/'],
  ['basename', 'a.txt', 'a.txt'], ['extname', '.bashrc'], ['extname', 'a.b.c'], ['extname', 'a.'], ['parse', '/home/u/f.txt'],
  ['parse', 'rel/.hidden'], ['format', { dir: '/x', name: 'f', ext: 'txt' }], ['format', { root: '/', base: 'f.txt' }], ['isAbsolute', './x'],
  ['isAbsolute', '/x'], ['toNamespacedPath', '/x'],
];
for (const [f, ...args] of cases) console.log(f, JSON.stringify(args), JSON.stringify((path[f] as Function)(...args)));
console.log(path.sep, path.delimiter, path.posix === posix, path.posix.join('a', 'b'), path.win32.sep, path.win32.delimiter);
try { path.join(null as never); } catch (e) { console.log((e as { code: string }).code); }

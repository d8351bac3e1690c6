// expect-exit: 0
// node:fs and fs/promises on a fresh temporary folder: files, folders, descriptors, streams
// with ranges, and the codes and messages of the common failures.
import fs from 'node:fs';
import { readFile, writeFile, mkdir, readdir, stat, rm, appendFile, access } from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'corpus-fs-'));
  const p = (...s: string[]) => path.join(dir, ...s);
  const show = (s: string) => s.split(dir).join('<dir>');
  fs.writeFileSync(p('a.txt'), 'hello');
  fs.appendFileSync(p('a.txt'), ' world');
  console.log(fs.readFileSync(p('a.txt'), 'utf8'), fs.statSync(p('a.txt')).size, fs.statSync(p('a.txt')).isFile(), fs.statSync(dir).isDirectory());
  await mkdir(p('x/y/z'), { recursive: true });
  await writeFile(p('x/y/z/b.json'), JSON.stringify({ a: 1 }));
  await appendFile(p('x/y/z/b.json'), '\n');
  console.log(JSON.parse(await readFile(p('x/y/z/b.json'), 'utf8')), (await stat(p('x'))).isDirectory());
  console.log(fs.readdirSync(dir), fs.readdirSync(dir, { withFileTypes: true }).map((d) => [d.name, d.isDirectory(), d.isFile()]));
  console.log((await readdir(dir, { recursive: true })).sort());
  const failures: [string, () => unknown][] = [
    ['read missing', () => fs.readFileSync(p('nope'))], ['mkdir existing', () => fs.mkdirSync(dir)], ['read a folder', () => fs.readFileSync(dir)],
    ['rmdir non-empty', () => fs.rmdirSync(p('x'))], ['unlink a folder', () => fs.unlinkSync(p('x'))], ['open missing parent', () => fs.openSync(p('no/such/file'), 'w')],
    ['stat missing', () => fs.statSync(p('nope'))], ['exclusive create', () => fs.writeFileSync(p('a.txt'), 'x', { flag: 'wx' })],
    ['file as folder', () => fs.readdirSync(p('a.txt'))], ['rm folder without recursive', () => fs.rmSync(p('x'))],
  ];
  for (const [what, f] of failures) {
    try { f(); console.log(what, 'no error'); } catch (e) { const x = e as { code: string; syscall: string; errno: number; message: string }; console.log(what, x.code, x.syscall, x.errno, show(x.message)); }
  }
  console.log('statSync throwIfNoEntry', fs.statSync(p('nope'), { throwIfNoEntry: false }));
  fs.renameSync(p('a.txt'), p('c.txt'));
  fs.copyFileSync(p('c.txt'), p('d.txt'));
  console.log(fs.existsSync(p('a.txt')), fs.existsSync(p('d.txt')));
  await access(p('d.txt'));
  await access(p('nope')).catch((e: { code: string }) => console.log('access', e.code));
  const ranged: string[] = [];
  for await (const c of fs.createReadStream(p('d.txt'), { start: 2, end: 6, encoding: 'utf8' })) ranged.push(c as string);
  console.log('range', ranged);
  const ws = fs.createWriteStream(p('w.txt'));
  ws.write('one,');
  ws.end('two');
  await new Promise<void>((r) => ws.on('finish', () => r()));
  console.log(fs.readFileSync(p('w.txt'), 'utf8'), ws.bytesWritten);
  const fd = fs.openSync(p('w.txt'), 'r+');
  fs.writeSync(fd, 'ONE', 0);
  const b = Buffer.alloc(7);
  console.log('read', fs.readSync(fd, b, 0, 7, 0), b.toString(), fs.fstatSync(fd).size);
  fs.closeSync(fd);
  await new Promise<void>((res) => fs.readFile(p('nope'), (err) => { console.log('callback', err?.code); res(); }));
  await new Promise<void>((res) => fs.stat(p('d.txt'), (err, st) => { console.log('callback stat', err, st.size); res(); }));
  await rm(dir, { recursive: true });
  console.log('removed', fs.existsSync(dir));
  fs.writeSync(1, 'fs.writeSync(1) reaches stdout\n');
}
main();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSource } from '../runtime/vm-harness.test-helper.ts';

test('the volume: included files are read-only (EROFS), the writable part is bounded (ENOSPC) and frees on unlink', () => {
  const r = runSource(`
    import fs from 'node:fs';
    import { currentVolume, bytesOfLatin1 } from ${JSON.stringify(new URL('./fs/volume.ts', import.meta.url).pathname)};
    const v = currentVolume();
    v.addIncluded('/public/a.txt', bytesOfLatin1('included\\xff'), 1000);
    v.limit = 4096;
    const b = fs.readFileSync('/public/a.txt');
    console.log(b.length, b[8], fs.statSync('public/a.txt').mtimeMs, fs.readdirSync('/public'));
    for (const f of [() => fs.writeFileSync('/public/a.txt', 'x'), () => fs.unlinkSync('/public/a.txt'), () => fs.mkdirSync('/public/new'),
      () => fs.writeFileSync('/tmp/big', Buffer.alloc(5000))]) {
      try { f(); console.log('no error'); } catch (e) { console.log(e.code, e.message); }
    }
    fs.writeFileSync('/tmp/ok', Buffer.alloc(3000));
    try { fs.appendFileSync('/tmp/ok', Buffer.alloc(2000)); } catch (e) { console.log(e.code); }
    fs.unlinkSync('/tmp/ok');
    fs.writeFileSync('/tmp/ok2', Buffer.alloc(3000));
    console.log('freed', v.used <= 4096, fs.readdirSync('/tmp'));
  `);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, [
    "9 255 1000 [ 'a.txt' ]",
    "EROFS EROFS: read-only file system, open '/public/a.txt'",
    "EROFS EROFS: read-only file system, unlink '/public/a.txt'",
    "EROFS EROFS: read-only file system, mkdir '/public/new'",
    "ENOSPC ENOSPC: no space left on device, write '/tmp/big'",
    'ENOSPC',
    "freed true [ 'big', 'ok2' ]",
    '',
  ].join('\n'));
});

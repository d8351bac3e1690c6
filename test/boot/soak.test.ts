/**
 * Soak (issue 10): a 16 MB guest serves keep-alive load, new-connection load, 64 KB answers
 * and 1 MB uploads, and its JS heap returns to its starting band afterwards. Before the
 * fixes, cleared timers kept their closures, closed connections kept their grown buffers
 * in TIME-WAIT, and a 16 MB guest died (exit 122) within the first hundred 64 KB answers or
 * a few dozen uploads. Bounded: fixed request counts, one boot.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildTestImage, startServerVm } from './vm.ts';

const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

test('a 16 MB guest under keep-alive, new-connection and upload load returns to its starting heap band',
  { skip: (!have('ab') || !have('curl')) && 'ab or curl missing' }, async () => {
    const image = await buildTestImage(path.join(import.meta.dirname, 'programs', 'soak-server.ts'));
    const vm = await startServerVm(image, 8080, { memMiB: 16, testHooks: true });
    const dir = mkdtempSync(path.join(tmpdir(), 'nimbus-soak-'));
    const base = `http://127.0.0.1:${vm.hostPort}`;
    const heap = (): { heapUsed: number; heapTotal: number } =>
      JSON.parse(execFileSync('curl', ['-sS', '--max-time', '30', `${base}/heap`], { encoding: 'utf8' }));
    const ab = (args: string[]) => {
      const out = execFileSync('ab', ['-q', '-s', '30', ...args], { encoding: 'utf8', maxBuffer: 16 << 20 });
      assert.match(out, /Failed requests:\s+0\b/, out);
      return out;
    };
    try {
      await vm.waitFor('soak server ready');
      const upload = path.join(dir, 'upload.bin');
      writeFileSync(upload, Buffer.alloc(1 << 20, 0x62));
      const round = () => {
        ab(['-k', '-n', '800', '-c', '8', `${base}/`]);
        ab(['-n', '150', '-c', '8', `${base}/`]);
        ab(['-n', '60', '-c', '4', `${base}/64k`]);
        ab(['-n', '6', '-c', '2', '-p', upload, '-T', 'application/octet-stream', `${base}/upload`]);
      };
      const idle = () => new Promise((r) => setTimeout(r, 2500)); // keep-alive connections time out
      // The starting band is taken after one round, when code paths, tables and the TIME-WAIT
      // slab are at their working size; two more rounds (2,032 requests, 432 connections each
      // closed by the guest, 12 MB uploaded) must stay within 384 KB of it: a leak of ~190 bytes
      // a request would not (the old code leaked ~1.2 KB a request and died here).
      round();
      await idle();
      const start = heap();
      const samples = [start.heapUsed];
      for (let i = 0; i < 2; i++) { round(); samples.push(heap().heapUsed); }
      await idle();
      const end = heap();
      samples.push(end.heapUsed);
      const band = 384 * 1024;
      console.log(`soak heap (bytes): ${samples.join(' -> ')}, limit ${start.heapTotal}, band +${band}`);
      assert.ok(end.heapUsed <= start.heapUsed + band, `heap ${end.heapUsed} after the soak vs ${start.heapUsed} at the start`);
      const r = await vm.stop();
      assert.doesNotMatch(r.stderr, /out of memory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await vm.stop().catch(() => undefined);
    }
  });

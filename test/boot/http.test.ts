/**
 * HTTP served from a Nimbus image in QEMU (microvm and q35), reached through QEMU's user
 * network, and on the process target, reached through its user mode: curl, ab, a 20 MB
 * download, strict framing, timeouts. One boot per target.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import type { RunOptions } from '../../cli/run.ts';
import { buildTestImage, startServerVm } from './vm.ts';

const programs = path.join(import.meta.dirname, 'programs');
const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

function curl(args: string[]): string {
  return execFileSync('curl', ['-sS', '--max-time', '60', ...args], { encoding: 'latin1', maxBuffer: 64 << 20 });
}

/** Sends raw bytes, returns everything the server sent until it closed (or `timeoutMs`). */
function raw(port: number, payload: string | Buffer, timeoutMs = 20_000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const s = net.connect(port, '127.0.0.1', () => s.write(payload));
    const timer = setTimeout(() => { s.destroy(); resolve({ text: Buffer.concat(chunks).toString('latin1'), closed: false }); }, timeoutMs);
    s.on('data', (c) => chunks.push(c));
    s.on('close', () => { clearTimeout(timer); resolve({ text: Buffer.concat(chunks).toString('latin1'), closed: true }); });
    s.on('error', () => {});
  });
}

function expectedBig(total: number): string {
  const h = createHash('sha256');
  const b = Buffer.alloc(total);
  for (let i = 0; i < total; i++) b[i] = (i * 31 + (i >> 10)) & 0xff;
  return h.update(b).digest('hex');
}

const FRAMING: [string, string, number][] = [
  ['Content-Length with Transfer-Encoding', 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400],
  ['duplicate Content-Length', 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd', 400],
  ['bad chunk size', 'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n', 400],
  ['obs-fold', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n', 400],
  ['NUL in a header', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n', 400],
  ['space before colon', 'GET / HTTP/1.1\r\nHost : x\r\n\r\n', 400],
  ['headers over 16 KB', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`, 431],
  ['URI over 8 KB', `GET /${'a'.repeat(9 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414],
  ['body over the limit', `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${2 << 20}\r\n\r\n`, 413],
];

// The process target runs the same suite, its port published through its user mode.
const TARGETS: [string, Partial<RunOptions>][] = [['microvm', { machine: 'microvm' }], ['q35', { machine: 'q35' }], ['process target', { target: 'process' }]];

for (const [name, opts] of TARGETS) {
  test(`HTTP from the image (${name}): curl, ab, 20 MB, framing, timeouts`, { skip: !have('curl') && 'curl missing' }, async (t) => {
    const image = await buildTestImage(path.join(programs, 'http-server.ts'));
    const vm = await startServerVm(image, 8080, { ...opts, memMiB: 128 });
    const base = () => `http://127.0.0.1:${vm.hostPort}`;
    try {
      await vm.waitFor('http test server ready');

      await t.test('curl GET, POST, chunked upload and download', () => {
        assert.equal(curl([`${base()}/`]), 'Hello from Nimbus!\n');
        assert.equal(curl(['-d', 'posted body', `${base()}/echo`]), 'posted body');
        const up = curl(['-i', '-H', 'Transfer-Encoding: chunked', '--data-binary', 'x'.repeat(100_000), `${base()}/echo`]);
        assert.match(up, /x-chunked: true/i);
        assert.ok(up.endsWith('x'.repeat(100_000)));
        const down = curl(['-i', `${base()}/chunked`]);
        assert.match(down, /transfer-encoding: chunked/i);
        assert.ok(down.endsWith('part 0\npart 1\npart 2\npart 3\npart 4\n'));
        assert.match(curl(['-i', `${base()}/nope`]), /^HTTP\/1.1 404/);
      });

      await t.test('a 20 MB response arrives intact (sha256)', () => {
        const body = execFileSync('curl', ['-sS', '--max-time', '120', `${base()}/big?mb=20`], { maxBuffer: 64 << 20 });
        assert.equal(body.length, 20 << 20);
        assert.equal(createHash('sha256').update(body).digest('hex'), expectedBig(20 << 20));
      });

      await t.test('ab with and without keep-alive: no failed requests', { skip: !have('ab') && 'ab missing' }, () => {
        for (const args of [['-k', '-n', '2000', '-c', '8'], ['-n', '500', '-c', '8']]) {
          const out = execFileSync('ab', ['-q', '-s', '30', ...args, `${base()}/`], { encoding: 'utf8' });
          assert.match(out, /Complete requests:\s+(2000|500)/);
          assert.match(out, /Failed requests:\s+0\n/);
          assert.match(out, /Non-2xx responses:|Requests per second/);
          assert.doesNotMatch(out, /Non-2xx responses:\s+[1-9]/);
          if (args[0] === '-k') assert.match(out, /Keep-Alive requests:\s+2000/);
        }
      });

      await t.test('malformed framing gets the right status and a closed connection', async () => {
        for (const [name, request, status] of FRAMING) {
          const r = await raw(vm.hostPort, request);
          assert.match(r.text, new RegExp(`^HTTP/1.1 ${status} `), `${name}: ${JSON.stringify(r.text.slice(0, 80))}`);
          assert.match(r.text, /connection: close/i, name);
          assert.ok(r.closed, `${name}: connection closed`);
        }
      });

      await t.test('a slow client is cut by the header timeout while others are served', async () => {
        const slow = raw(vm.hostPort, 'GET / HTTP/1.1\r\nHost: x\r\n', 20_000); // never finishes its head
        assert.equal(curl([`${base()}/`]), 'Hello from Nimbus!\n');
        const r = await slow;
        assert.ok(r.closed, 'the server closed the slow connection');
        assert.match(r.text, /^(HTTP\/1.1 408 |$)/);
      });
    } finally {
      const r = await vm.stop();
      assert.equal(r.stderr, '', 'no errors from the VM');
    }
  });
}

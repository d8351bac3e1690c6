/**
 * A lossy link in QEMU (issue 10): the guest's virtio-net is a QEMU socket netdev whose frames
 * pass through test/interop/lossy-relay.py, which drops 5% of the frames each way, duplicates
 * and reorders some and delays all (by seed), to a tap in a test namespace where Linux's curl
 * is the peer. A 20 MB download and a 4 MB upload (echoed back) complete intact (sha256), and the guest's
 * retransmission counters say what happened. Skipped when not root.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Netns, skipReason, waitUntil } from '../interop/netns.ts';
import { boot, buildTestImage } from './vm.ts';

const skip = skipReason('qemu-system-x86_64', 'curl');
let ns: Netns | undefined;
after(async () => { await ns?.destroy(); });

const MB20 = 20 * 1024 * 1024;
const UP = 4 * 1024 * 1024;

/** sha256 of what /stream?n=N sends (flood-server.ts's pattern). */
function streamSha(n: number): string {
  const block = 64 * 1024;
  const base = new Uint8Array(block);
  for (let i = 0, x = 12345; i < block; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; base[i] = x >>> 24; }
  const h = createHash('sha256');
  for (let sent = 0, b = 0; sent < n; b++) {
    const chunk = base.slice(0, Math.min(block, n - sent));
    new DataView(chunk.buffer).setUint32(0, b);
    h.update(chunk);
    sent += chunk.length;
  }
  return h.digest('hex');
}

test('20 MB down and 4 MB up through a link losing 5% of frames arrive intact; the guest retransmitted', { skip, timeout: 590_000 }, async () => {
  ns = Netns.create({ linuxAddress: '10.79.5.1/24', tapName: 'nbloss0' });
  const stats = path.join(ns.dir, 'relay.json');
  const relay = ns.spawn(['/usr/bin/python3', path.join(import.meta.dirname, '..', 'interop', 'lossy-relay.py'), 'nbloss0', '47001', '47002',
    '--seed', '7', '--loss', '0.05', '--dup', '0.01', '--reorder', '0.02', '--delay', '1', '--stats', stats]);
  const image = await buildTestImage(path.join(import.meta.dirname, 'programs', 'flood-server.ts'));
  const vm = boot(image, {
    memMiB: 64, ip: '10.79.5.2/24', launcher: ['ip', 'netns', 'exec', ns.name],
    extraQemuArgs: ['-netdev', 'socket,id=n0,udp=127.0.0.1:47001,localaddr=127.0.0.1:47002', '-device', 'virtio-net-device,netdev=n0'],
  });
  const curl = (args: string[], ms = 30_000) => ns!.exec(['curl', '-sS', '--max-time', String(ms / 1000 - 5), ...args], ms);
  let up = false;
  for (let i = 0; i < 60 && !up; i++) up = await curl(['http://10.79.5.2:8080/']).then((t) => t === 'ok', () => false);
  assert.ok(up, `server answered (relay: ${relay.stderr})`);

  const down = path.join(ns.dir, 'down.bin');
  const t0 = Date.now();
  await curl(['-o', down, `http://10.79.5.2:8080/stream?n=${MB20}`], 330_000); // ~215 s under TCG
  const downMs = Date.now() - t0;
  const got = readFileSync(down);
  assert.equal(got.length, MB20);
  assert.equal(createHash('sha256').update(got).digest('hex'), streamSha(MB20), 'download intact');

  // The other way (the guest receives, reassembles out-of-order data, ACKs): an upload it echoes.
  const upFile = path.join(ns.dir, 'up.bin'), echoed = path.join(ns.dir, 'echo.bin');
  const body = randomBytes(UP);
  writeFileSync(upFile, body);
  await curl(['--data-binary', `@${upFile}`, '-H', 'content-type: application/octet-stream', '-o', echoed, 'http://10.79.5.2:8080/echo'], 240_000);
  assert.equal(createHash('sha256').update(readFileSync(echoed)).digest('hex'), createHash('sha256').update(body).digest('hex'), 'upload intact');

  const tcp = JSON.parse(await curl(['http://10.79.5.2:8080/stats'])) as Record<string, number>;
  await curl(['http://10.79.5.2:8080/quit']).catch(() => undefined);
  const r = await vm;
  await waitUntil(() => { try { return JSON.parse(readFileSync(stats, 'utf8'))['to-tap'].in > 0; } catch { return false; } }, 5000, 'relay stats');
  const link = JSON.parse(readFileSync(stats, 'utf8')) as Record<string, Record<string, number>>;
  console.log(`lossy link: ${JSON.stringify({ downMs, relay: link, guest: { retransmits: tcp.retransmits, fastRetransmits: tcp.fastRetransmits, timeouts: tcp.timeouts, oooDropped: tcp.oooDropped, segmentsOut: tcp.segmentsOut } })}`);
  assert.equal(r.code, 0, r.stderr);
  // The link did what it was told: about 5% lost each way (seeded, so the same every run).
  for (const d of ['to-tap', 'to-vm']) {
    const s = link[d]!;
    assert.ok(s.dropped! > 0.03 * s.in! && s.dropped! < 0.08 * s.in!, `${d}: ${JSON.stringify(s)}`);
    assert.ok(s.duplicated! > 0 && s.reordered! > 0, `${d}: ${JSON.stringify(s)}`);
  }
  // The guest repaired the losses of what it sent: retransmissions, fast ones among them.
  assert.ok(tcp.retransmits! > 0.02 * (MB20 / 1460), `retransmits ${tcp.retransmits}`);
  assert.ok(tcp.fastRetransmits! > 0, `fast retransmits ${tcp.fastRetransmits}`);
  relay.child.kill('SIGTERM');
  await ns.destroy();
  ns = undefined;
});

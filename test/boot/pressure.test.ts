/**
 * Memory pressure in QEMU (issue 10): an 8 MB guest (a ~5 MB JS heap) is driven with more
 * clients and uploads than fit: 200 idle connections held open, 40 concurrent 1 MB uploads
 * that it echoes, and `ab -c 64` on top. It must never exit; it sheds load with answers
 * (503 with Retry-After, RST for new connections under pressure), its receive windows shrink,
 * and a normal client is served afterwards. Skipped when not root.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Netns, skipReason } from '../interop/netns.ts';
import { boot, buildTestImage } from './vm.ts';

// NIMBUS_PRESSURE_MIB sets the guest's memory (default 8). What it took to pass (issue 10):
// the bytecode pages and conventional memory serve the heap (an 8 MB guest: a 4.2 MB limit, not
// 3.1 MB, idling at 2.6 MB), the connection cap is the room below the pressure line at start
// / 32 KiB (~40 here), open receive windows together promise at most a quarter of the headroom,
// the send buffer grows only by the headroom share, sockets read 4 KiB chunks under pressure,
// and every connection keeps a two-segment window so transfers never stall.
const skip = skipReason('qemu-system-x86_64', 'curl', 'ab');
let ns: Netns | undefined;
after(async () => { await ns?.destroy(); });

test('an 8 MB guest under more load than fits never exits, sheds load with answers, then serves', { skip, timeout: 420_000 }, async () => {
  ns = Netns.create({ linuxAddress: '10.79.6.1/24', tapName: 'nbpress0' });
  const image = await buildTestImage(path.join(import.meta.dirname, 'programs', 'flood-server.ts'));
  let exited: number | undefined;
  const vm = boot(image, { memMiB: Number(process.env.NIMBUS_PRESSURE_MIB ?? 8), net: { kind: 'tap', ifname: 'nbpress0' }, ip: '10.79.6.2/24', launcher: ['ip', 'netns', 'exec', ns.name] });
  void vm.then((r) => { exited = r.code; });
  const url = 'http://10.79.6.2:8080';
  const curl = (p: string) => ns!.exec(['curl', '-sS', '--max-time', '20', `${url}${p}`], 30_000);
  let up = false;
  for (let i = 0; i < 60 && !up; i++) up = await curl('/').then((t) => t === 'ok', () => false);
  if (!up) {
    const res = await Promise.race([vm, new Promise<undefined>((r) => setTimeout(r, 2000))]);
    assert.fail(`server did not answer: exited ${exited}: ${JSON.stringify(res)?.slice(-2000)}`);
  }
  const before = JSON.parse(await curl('/stats')) as Record<string, number>;

  // The load, from one shell script in the namespace (bounded: every curl has --max-time).
  writeFileSync(path.join(ns.dir, 'up.bin'), Buffer.alloc(1 << 20, 0x5a));
  const script = path.join(ns.dir, 'load.sh');
  writeFileSync(script, [
    'cd "$(dirname "$0")"',
    // 40 concurrent 1 MB uploads, echoed: status codes to codes.txt (000: refused or reset)
    `for i in $(seq 40); do curl -s -o /dev/null -w '%{http_code}\\n' --max-time 120 --data-binary @up.bin -H 'content-type: application/octet-stream' ${url}/echo >> codes.txt & done`,
    'sleep 2',
    // 200 idle connections held open (each asks /hold, which never answers) for 60 s: more
    // than the guest has room for, with the uploads in progress
    `for i in $(seq 200); do curl -s -o /dev/null --max-time 60 ${url}/hold & done`,
    // ab stops at 90 s whatever happens (timeout exits 124; its report so far is kept)
    `timeout 90 ab -q -s 30 -c 64 -n 2000 -r ${url}/ > ab.txt 2>&1`,
    'wait',
  ].join('\n'));
  await ns.exec(['sh', script], 240_000);
  if (exited !== undefined) {
    const res = await vm;
    assert.fail(`the guest exited ${exited} under the load: ${res.stderr.slice(-3000)} ${res.stdout.slice(-1000)}`);
  }

  // Afterwards a normal client is served at once.
  let served = false, why = '';
  for (let i = 0; i < 10 && !served; i++) served = await curl('/').then((t) => t === 'ok', (e) => { why = String(e); return false; });
  if (!served) {
    const ab = await ns.exec(['cat', path.join(ns.dir, 'ab.txt')]).catch(() => '');
    const res = await Promise.race([vm, new Promise<undefined>((r) => setTimeout(r, 2000))]);
    assert.fail(`a normal client is not served after the load: ${why}; vm: ${JSON.stringify(res)?.slice(-3000)}; ab: ${ab.slice(-1500)}`);
  }
  const stats = JSON.parse(await curl('/stats')) as Record<string, number>;
  const codes = (await ns.exec(['cat', path.join(ns.dir, 'codes.txt')])).trim().split('\n');
  const ab = await ns.exec(['cat', path.join(ns.dir, 'ab.txt')]);
  await curl('/quit').catch(() => undefined);
  const r = await vm;
  const tally: Record<string, number> = {};
  for (const c of codes) tally[c] = (tally[c] ?? 0) + 1;
  const non2xx = Number(/Non-2xx responses:\s+(\d+)/.exec(ab)?.[1] ?? 0);
  const failed = Number(/Failed requests:\s+(\d+)/.exec(ab)?.[1] ?? 0);
  const shed = { synRefused: stats.synRefused! - before.synRefused!, synEvicted: stats.synEvicted! - before.synEvicted!, windowsCapped: stats.windowsCapped! - before.windowsCapped! };
  console.log(`pressure: ${JSON.stringify({ uploads: tally, abNon2xx: non2xx, abFailed: failed, ...shed, heapUsed: stats.heapUsed, heapTotal: stats.heapTotal })}`);
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  assert.equal(codes.length, 40);
  assert.ok((tally['200'] ?? 0) > 0, 'some uploads were served');
  // Load was shed with answers: 503s to HTTP requests or RSTs to new connections.
  assert.ok(non2xx + (tally['503'] ?? 0) + shed.synRefused > 0, 'load was shed with 503 or RST');
});

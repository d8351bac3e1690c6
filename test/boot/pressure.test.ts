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

// Not green yet (issue 10). An 8 MB guest has a 3,042 KiB JS limit and idles at ~2,780 KiB
// (bytecode and module state; its pressure line is 2,585 KiB), so it used to answer every SYN
// with RST from the first one. Since the pressure floor (4 connections) it admits clients, but
// the first requests take it out of memory (exit 122: 2,874 KiB in use). At 10 MB the load
// runs it out of memory or past the script's 200 s. NIMBUS_PRESSURE_TEST=1 runs it;
// NIMBUS_PRESSURE_MIB sets the guest's memory.
const skip = skipReason('qemu-system-x86_64', 'curl', 'ab') || (!process.env.NIMBUS_PRESSURE_TEST && 'known failing: an 8 MB guest idles too close to its JS limit (NIMBUS_PRESSURE_TEST=1 runs it)');
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
    // 200 idle connections held open (each asks /hold, which never answers) for 60 s
    `for i in $(seq 200); do curl -s -o /dev/null --max-time 60 ${url}/hold & done`,
    'sleep 2',
    // 40 concurrent 1 MB uploads, echoed: status codes to codes.txt (000: refused or reset)
    `for i in $(seq 40); do curl -s -o /dev/null -w '%{http_code}\\n' --max-time 90 --data-binary @up.bin -H 'content-type: application/octet-stream' ${url}/echo >> codes.txt & done`,
    `ab -q -s 30 -c 64 -n 2000 -r ${url}/ > ab.txt 2>&1`,
    'wait',
  ].join('\n'));
  await ns.exec(['sh', script], 200_000);
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

/**
 * Floods in QEMU (issue 10): scapy in a test namespace sends SYNs from addresses on the link
 * that never answer ARP, far more than the SYN queue holds, while curl from the namespace
 * keeps being served; beyond its SYN queue the guest answers with SYN cookies (RFC 4987 §3.6)
 * and ends the half-open connections whose ARP fails. Before, the 129th such SYN locked clients out for ~75 s.
 * Skipped when not root or without scapy.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Netns, skipReason } from '../interop/netns.ts';
import { boot, buildTestImage } from './vm.ts';

const scapy = spawnSync('/usr/bin/python3', ['-c', 'import scapy.all']).status === 0;
const skip = skipReason('qemu-system-x86_64', 'curl') || (!scapy && 'python3-scapy missing');
let ns: Netns | undefined;
after(async () => { await ns?.destroy(); });

test('a SYN flood from sources that never answer ARP does not lock out a client', { skip, timeout: 240_000 }, async () => {
  ns = Netns.create({ linuxAddress: '10.79.3.1/24', tapName: 'nbflood0' });
  const image = await buildTestImage(path.join(import.meta.dirname, 'programs', 'flood-server.ts'));
  const vm = boot(image, {
    memMiB: 32, net: { kind: 'tap', ifname: 'nbflood0' }, ip: '10.79.3.2/24', launcher: ['ip', 'netns', 'exec', ns.name],
  });
  const curl = (p: string) => ns!.exec(['curl', '-sS', '--max-time', '20', `http://10.79.3.2:8080${p}`], 30_000);
  // Wait for the server (the first ARP exchange included).
  let up = false;
  for (let i = 0; i < 60 && !up; i++) up = await curl('/').then((t) => t === 'ok', () => false);
  assert.ok(up, 'server answered');
  // 600 SYNs from 10.79.3.100-249 (nobody there: their ARP requests go unanswered), 4 rounds.
  const flood = path.join(ns.dir, 'flood.py');
  writeFileSync(flood, [
    'from scapy.all import Ether, IP, TCP, sendp',
    'pkts = [Ether(dst="ff:ff:ff:ff:ff:ff")/IP(src="10.79.3.%d" % (100 + i % 150), dst="10.79.3.2")/TCP(sport=1024 + i, dport=8080, flags="S", seq=i) for i in range(600)]',
    'sendp(pkts, iface="nbflood0", verbose=False, inter=0.002)',
  ].join('\n'));
  const flooding = ns.exec(['/usr/bin/python3', flood], 60_000);
  const during: string[] = [];
  for (let i = 0; i < 3; i++) during.push(await curl('/'));
  await flooding;
  const after = await curl('/');
  const stats = JSON.parse(await curl('/stats')) as Record<string, number>;
  await curl('/quit').catch(() => undefined);
  const r = await vm;
  assert.deepEqual(during, ['ok', 'ok', 'ok'], 'served during the flood');
  assert.equal(after, 'ok', 'served after the flood');
  // Beyond the SYN queue the flood got cookies (RFC 4987 §3.6), no state; entries whose ARP failed ended.
  assert.ok(stats.synCookiesSent! > 0, `SYN cookies were sent: ${JSON.stringify(stats)}`);
  assert.equal(r.code, 0, r.stderr);
  console.log(`flood: ${JSON.stringify({ synCookiesSent: stats.synCookiesSent, synEvicted: stats.synEvicted, unreachableAborts: stats.unreachableAborts, synDropped: stats.synDropped, connections: stats.connections })}`);
  await ns.destroy();
  ns = undefined;
});

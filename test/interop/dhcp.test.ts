/**
 * DHCP and DNS interop: dnsmasq on the Linux end of the link (inside the test namespace)
 * leases the stack an address and answers its DNS queries.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { formatIpv4, parseIpv4, parseMac } from '../../os/net/addr.ts';
import type { DhcpState } from '../../os/net/dhcp.ts';
import { NodeStack } from './node-stack.ts';
import { Netns, skipReason, waitUntil, type Proc } from './netns.ts';
import { Capture } from './capture.ts';

const LINUX = '10.79.0.1';
const skip = skipReason('dnsmasq', 'tshark', 'dumpcap', 'ping');

let ns: Netns | undefined;
let node: NodeStack | undefined;
let dnsmasq: Proc | undefined;
let capture: Capture | undefined;
const states: DhcpState[] = [];

before(async () => {
  if (skip) return;
  ns = Netns.create({ linuxAddress: `${LINUX}/24` });
  const tap = await ns.openTap();
  dnsmasq = ns.spawn(['dnsmasq', '--no-daemon', '--conf-file=/dev/null', '--user=root', '--no-resolv', '--no-hosts',
    `--interface=${ns.tapName}`, '--bind-interfaces', '--dhcp-range=10.79.0.100,10.79.0.150,255.255.255.0,1h',
    '--dhcp-authoritative', '--no-ping', '--address=/example.test/10.79.0.42', '--log-dhcp', '--log-queries',
    `--pid-file=${join(ns.dir, 'dnsmasq.pid')}`, `--dhcp-leasefile=${join(ns.dir, 'leases')}`]);
  await dnsmasq.waitFor(/DHCP, IP range/, 10_000);
  capture = await Capture.start(ns, 'dhcp');
  node = new NodeStack({ tap, mac: parseMac('02:00:00:4e:42:77')!, onDhcpStateChange: (s) => { states.push(s); } });
  node.start();
});

after(async () => {
  node?.stop();
  await ns?.destroy();
});

test('the stack leases an address from dnsmasq and learns its DNS server', { skip, timeout: 20_000 }, async () => {
  await waitUntil(() => node!.stack.dhcp!.state === 'bound', 10_000, `DHCP to reach bound (states ${states.join(',')}; dnsmasq: ${dnsmasq?.stderr})`);
  const lease = node!.stack.dhcp!.lease!;
  const n = lease.address >>> 0;
  assert.ok(n >= parseIpv4('10.79.0.100')! && n <= parseIpv4('10.79.0.150')!, `address ${formatIpv4(lease.address)} in range`);
  assert.equal(lease.prefixLength, 24);
  assert.deepEqual(lease.dns.map(formatIpv4), [LINUX]);
  assert.equal(formatIpv4(lease.serverId), LINUX);
  const order = ['selecting', 'requesting', 'bound'].map((st) => states.indexOf(st as DhcpState));
  assert.ok(order.every((k, i) => k >= 0 && (i === 0 || k > order[i - 1]!)), `states in order: ${states.join(' → ')}`);
  assert.equal(node!.address, lease.address);
  // dnsmasq recorded the lease for our MAC.
  await waitUntil(() => /DHCPACK/.test(dnsmasq!.stderr), 2000, 'dnsmasq to log the DHCPACK');
  assert.match(dnsmasq!.stderr, new RegExp(`DHCPACK\\(${ns!.tapName}\\) ${formatIpv4(lease.address).replace(/\./g, '\\.')} 02:00:00:4e:42:77`));
  // And Linux reaches us at the leased address.
  const out = await ns!.exec(['ping', '-n', '-c', '1', '-W', '2', formatIpv4(lease.address)]);
  assert.match(out, /1 received/);
});

test('the stack resolves names through dnsmasq', { skip, timeout: 20_000 }, async () => {
  await waitUntil(() => node!.stack.dhcp!.state === 'bound', 10_000, 'DHCP to reach bound');
  const r = await node!.lookup('example.test');
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.addresses.map(formatIpv4), ['10.79.0.42']);
  const sub = await node!.lookup('www.example.test');
  assert.ok(sub.ok, JSON.stringify(sub));
  assert.deepEqual(sub.addresses.map(formatIpv4), ['10.79.0.42']);
  const missing = await node!.lookup('nothing.invalid');
  // dnsmasq without upstream servers refuses names it is not authoritative for.
  assert.deepEqual(missing, { ok: false, name: 'nothing.invalid', code: 'EREFUSED' });
});

test('the tshark capture of DHCP and DNS shows no malformed packet or bad checksum', { skip, timeout: 60_000 }, async (t) => {
  t.diagnostic(`dumpcap: ${await capture!.stop()}`);
  const c = await capture!.counts({
    dhcp: 'dhcp', dns: 'dns', malformed: '_ws.malformed', expertErrors: '_ws.expert.severity == error',
    badChecksum: 'udp.checksum.status == "Bad" || ip.checksum.status == "Bad"',
  });
  t.diagnostic(`capture: ${JSON.stringify(c)}`);
  assert.ok(c.dhcp >= 4 && c.dns >= 6, 'capture holds the DHCP exchange and the DNS queries');
  assert.equal(c.malformed, 0, 'malformed frames');
  assert.equal(c.badChecksum, 0, 'bad checksums');
  assert.equal(c.expertErrors, 0, 'expert errors');
});

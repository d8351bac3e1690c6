import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpv4 as ip, parseMac } from './addr.ts';
import { NetworkStack } from './stack.ts';
import { Link, seededRandom, type LinkEndpoint } from './testing/sim.ts';
import { Udp } from './udp.ts';
import { Interface } from './iface.ts';
import { dhcpLength, DhcpMessageType, emitDhcp, parseDhcp } from './wire/dhcp.ts';
import { dnsLength, emitDns, parseDns } from './wire/dns.ts';
import type { UdpMessage } from './udp.ts';

const A = ip('10.0.0.1')!, B = ip('10.0.0.2')!;
const macA = parseMac('02:00:00:00:00:01')!, macB = parseMac('02:00:00:00:00:02')!;

function twoStacks(linkSeed = 1, loss = 0) {
  const a = new NetworkStack({ mac: macA, random: seededRandom(100), ipv4: { address: A, prefixLength: 24 } });
  const b = new NetworkStack({ mac: macB, random: seededRandom(200), ipv4: { address: B, prefixLength: 24 } });
  const link = new Link(a, b, { seed: linkSeed, loss, latencyMs: 1 });
  return { a, b, link };
}

test('two stacks exchange UDP datagrams over an in-memory link (ARP resolved on the way)', () => {
  const { a, b, link } = twoStacks();
  const got: UdpMessage[] = [];
  b.udp.bind({ port: 9000, onMessage: (_t, m) => { got.push(m); } });
  const s = a.udp.bind({});
  s.send(B, 9000, new TextEncoder().encode('ping'));
  assert.ok(link.run(() => got.length === 1, 10_000));
  assert.equal(got[0]!.src, A);
  assert.equal(got[0]!.srcPort, s.localPort);
  assert.equal(new TextDecoder().decode(got[0]!.payload), 'ping');
});

test('a large UDP datagram is fragmented by one stack and reassembled by the other', () => {
  const { a, b, link } = twoStacks();
  const got: UdpMessage[] = [];
  b.udp.bind({ port: 9000, onMessage: (_t, m) => { got.push(m); } });
  const data = new Uint8Array(20_000).map((_, i) => i * 7);
  a.udp.bind({}).send(B, 9000, data);
  assert.ok(link.run(() => got.length === 1, 10_000));
  assert.deepEqual(got[0]!.payload, data);
});

test('the same seed gives the same run over a lossy link', () => {
  const run = (): number[] => {
    const { a, b, link } = twoStacks(42, 0.3);
    b.udp.bind({ port: 9000, onMessage: () => {} });
    const s = a.udp.bind({ port: 5000 });
    for (let i = 0; i < 20; i++) s.send(B, 9000, new Uint8Array([i]));
    link.run(() => false, 20_000);
    return link.log.map((e) => e.at * 1000 + e.frame.length);
  };
  assert.deepEqual(run(), run());
});

test('a stack gets its address from DHCP and resolves a name via the DHCP-provided server', () => {
  // The peer is a bare Interface + Udp acting as DHCP and DNS server.
  const SERVER = ip('192.168.7.1')!, OFFERED = ip('192.168.7.50')!;
  const serverIface = new Interface({ mac: macB, random: seededRandom(3) });
  const serverUdp = new Udp({ random: seededRandom(4), sourceAddress: () => SERVER });
  serverIface.addProtocol(serverUdp);
  serverIface.configure({ address: SERVER, prefixLength: 24 });
  const dhcpd = serverUdp.bind({ port: 67, onMessage: (_t, m) => {
    const r = parseDhcp(m.payload);
    if (!r.ok) return;
    const type = r.value.messageType === DhcpMessageType.DISCOVER ? DhcpMessageType.OFFER : DhcpMessageType.ACK;
    const reply = { ...r.value, op: 2, yiaddr: OFFERED, messageType: type, serverId: SERVER, leaseTime: 600, subnetMask: ip('255.255.255.0')!, routers: [SERVER], dnsServers: [SERVER], parameterRequestList: undefined, requestedIp: undefined, maxMessageSize: undefined, hostname: undefined };
    const b = new Uint8Array(dhcpLength(reply));
    emitDhcp(reply, b);
    dhcpd.send(0xffffffff, 68, b);
  } });
  const dnsd = serverUdp.bind({ port: 53, onMessage: (_t, m) => {
    const q = parseDns(m.payload);
    if (!q.ok) return;
    const name = q.value.questions[0]!.name;
    const resp = { ...q.value, response: true, answers: [{ name, type: 1, class: 1, ttl: 60, data: { kind: 'A' as const, address: ip('192.168.7.80')! } }] };
    const b = new Uint8Array(dnsLength(resp));
    emitDns(resp, b);
    dnsd.send(m.src, m.srcPort, b);
  } });
  const states: string[] = [];
  const client = new NetworkStack({ mac: macA, random: seededRandom(9), onDhcpStateChange: (s) => states.push(s) });
  const link = new Link(client, serverIface as LinkEndpoint, { seed: 5 });
  client.start(0);
  assert.ok(link.run(() => client.dhcp!.state === 'bound', 60_000));
  assert.equal(client.address, OFFERED);
  assert.deepEqual(client.iface.config?.dns, [SERVER]);
  assert.deepEqual(states, ['init', 'selecting', 'requesting', 'bound']);
  let answer: unknown;
  client.dns.lookup(link.now, 'db.internal', (r) => { answer = r; });
  assert.ok(link.run(() => answer !== undefined, link.now + 10_000));
  assert.deepEqual(answer, { ok: true, name: 'db.internal', addresses: [ip('192.168.7.80')], canonicalName: 'db.internal', ttl: 60 });
});

test('a stack is idle (pollAt Infinity) when nothing is pending', () => {
  const { a, b, link } = twoStacks();
  link.run(() => false, 5_000);
  assert.equal(a.pollAt(link.now), Infinity);
  assert.equal(b.pollAt(link.now), Infinity);
});

test('over a link with seeded loss, duplication, reordering and corruption nothing throws and valid datagrams arrive intact', () => {
  let caught = 0;
  for (const seed of [1, 2, 3, 4, 5]) {
    const a = new NetworkStack({ mac: macA, random: seededRandom(seed), ipv4: { address: A, prefixLength: 24 } });
    const b = new NetworkStack({ mac: macB, random: seededRandom(seed + 50), ipv4: { address: B, prefixLength: 24 } });
    const link = new Link(a, b, { seed, loss: 0.1, duplicate: 0.1, reorderJitterMs: 5, corrupt: 0.2 });
    const got: string[] = [];
    b.udp.bind({ port: 9000, onMessage: (_t, m) => { got.push(new TextDecoder().decode(m.payload)); } });
    const s = a.udp.bind({});
    for (let i = 0; i < 50; i++) s.send(B, 9000, new TextEncoder().encode(`message ${i} `.repeat(i % 3 === 0 ? 200 : 1)));
    link.run(() => false, 120_000);
    assert.ok(got.length > 0, `seed ${seed}: something arrived`);
    // Corruption is caught by the checksums: every delivered payload is one that was sent.
    for (const g of got) assert.match(g, /^(message (\d+) )+$/);
    caught += (b.iface.stats['ip-bad-checksum'] ?? 0) + (b.udp.stats['bad-checksum'] ?? 0);
  }
  assert.ok(caught > 0, 'some corrupted frames were detected and dropped');
});

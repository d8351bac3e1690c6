import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseIpv4 as ip, parseMac, type Ipv4Addr, type MacAddr } from './addr.ts';
import { Interface } from './iface.ts';
import { seededRandom } from './testing/sim.ts';
import type { OutgoingDatagram, TransportProtocol } from './transport.ts';
import { Udp } from './udp.ts';
import { ArpOp, emitArp, parseArp, ARP_LEN } from './wire/arp.ts';
import { emitEthernet, parseEthernet, EtherType } from './wire/ethernet.ts';
import { emitIcmp, icmpLength, parseIcmp } from './wire/icmp.ts';
import { emitIpv4, parseIpv4 } from './wire/ipv4.ts';
import { fromHex, hex } from './wire/result.ts';
import { emitUdp } from './wire/udp.ts';
import { emitTcp, emptyTcpRepr, parseTcp } from './wire/tcp.ts';
import type { TxOffload } from '../drivers/net-device.ts';

const MAC = parseMac('52:54:00:12:34:56')!;
const PEER_MAC = parseMac('52:55:0a:00:02:02')!;
const ME = ip('10.0.2.15')!, PEER = ip('10.0.2.2')!, GW = ip('10.0.2.1')!, FAR = ip('93.184.216.34')!;

// scapy Ether/IP(10.0.2.2 -> 10.0.2.15)/UDP(5353 -> 7777)/"hello"
const UDP_FRAME = fromHex('52540012345652550a00020208004500002100010000401162bb0a0002020a00020f14e91e61000d70a768656c6c6f');
// scapy Ether/IP(id=0x1234, DF)/ICMP echo request id=0x77 seq=1 "abcdefgh"
const PING_FRAME = fromHex('52540012345652550a00020208004500002412344000400110950a0002020a00020f080065f2007700016162636465666768');
// scapy fragment(IP(10.0.0.1 -> 10.0.0.2, id=0x4242)/UDP(1000 -> 2000)/"ABCDEFGH"*5, fragsize=16)
const FRAGMENTS = [
  '4500002442422000401104850a0000010a00000203e807d000308a6a4142434445464748',
  '4500002442422002401104830a0000010a00000241424344454647484142434445464748',
  '4500002442420004401124810a0000010a00000241424344454647484142434445464748',
].map(fromHex);

function setup(config = true): { iface: Interface; udp: Udp; out: Uint8Array[]; flush: (now: number) => Uint8Array[] } {
  const random = seededRandom(7);
  const iface = new Interface({ mac: MAC, random });
  const udp = new Udp({ random, sourceAddress: (d) => iface.sourceAddressFor(d) });
  iface.addProtocol(udp);
  if (config) iface.configure({ address: ME, prefixLength: 24, gateway: GW });
  const out: Uint8Array[] = [];
  const flush = (now: number): Uint8Array[] => {
    const frames: Uint8Array[] = [];
    iface.poll(now, (f) => { frames.push(f.slice()); });
    out.push(...frames);
    return frames;
  };
  if (config) flush(0); // gratuitous ARP
  return { iface, udp, out, flush };
}

function arpFrame(op: number, senderMac: MacAddr, senderIp: Ipv4Addr, targetMac: MacAddr, targetIp: Ipv4Addr, dst: MacAddr): Uint8Array {
  const f = new Uint8Array(14 + ARP_LEN);
  emitEthernet({ dst, src: senderMac, ethertype: EtherType.ARP }, f);
  emitArp({ operation: op, senderMac, senderIp, targetMac, targetIp }, f.subarray(14));
  return f;
}

function ipFrame(src: Ipv4Addr, dst: Ipv4Addr, protocol: number, payload: Uint8Array, dstMac: MacAddr = MAC): Uint8Array {
  const f = new Uint8Array(34 + payload.length);
  emitEthernet({ dst: dstMac, src: PEER_MAC, ethertype: EtherType.IPV4 }, f);
  emitIpv4({ src, dst, protocol, ttl: 64, ident: 1, tos: 0, dontFragment: false, moreFragments: false, fragmentOffset: 0, payloadLength: payload.length }, f.subarray(14));
  f.set(payload, 34);
  return f;
}

function udpPayload(src: Ipv4Addr, dst: Ipv4Addr, srcPort: number, dstPort: number, data: Uint8Array): Uint8Array {
  const b = new Uint8Array(8 + data.length);
  emitUdp({ srcPort, dstPort }, data, src, dst, b);
  return b;
}

function decode(frame: Uint8Array): { ethertype: number; dst: MacAddr; ip?: ReturnType<typeof parseIpv4>; arp?: ReturnType<typeof parseArp> } {
  const e = parseEthernet(frame);
  assert.ok(e.ok);
  const { ethertype, dst } = e.value.repr;
  if (ethertype === EtherType.ARP) return { ethertype, dst, arp: parseArp(e.value.payload) };
  return { ethertype, dst, ip: parseIpv4(e.value.payload) };
}

/** Make the interface know PEER's MAC by answering its ARP request. */
function learnPeer(iface: Interface, now: number): void {
  iface.receive(now, arpFrame(ArpOp.REQUEST, PEER_MAC, PEER, new Uint8Array(6), ME, MAC));
}

test('configure() announces the address with a gratuitous ARP', () => {
  const { out } = setup();
  assert.equal(out.length, 1);
  const d = decode(out[0]!);
  assert.ok(d.arp?.ok);
  assert.equal(d.arp.value.operation, ArpOp.REQUEST);
  assert.equal(d.arp.value.senderIp, ME);
  assert.equal(d.arp.value.targetIp, ME);
});

test('an ARP request for our address gets a reply and teaches us the sender', () => {
  const { iface, flush } = setup();
  // scapy: who-has 10.0.2.15 tell 10.0.2.2
  iface.receive(10, arpFrame(ArpOp.REQUEST, PEER_MAC, PEER, new Uint8Array(6), ME, parseMac('ff:ff:ff:ff:ff:ff')!));
  const [reply] = flush(10);
  const d = decode(reply!);
  assert.ok(d.arp?.ok);
  assert.deepEqual(d.dst, PEER_MAC);
  assert.equal(d.arp.value.operation, ArpOp.REPLY);
  assert.deepEqual(d.arp.value.senderMac, MAC);
  assert.equal(d.arp.value.targetIp, PEER);
  assert.deepEqual(iface.arp.lookup(10, PEER), PEER_MAC);
});

test('an ARP request for another address is not answered and creates no entry', () => {
  const { iface, flush } = setup();
  iface.receive(10, arpFrame(ArpOp.REQUEST, PEER_MAC, PEER, new Uint8Array(6), ip('10.0.2.99')!, parseMac('ff:ff:ff:ff:ff:ff')!));
  assert.equal(flush(10).length, 0);
  assert.equal(iface.arp.lookup(10, PEER), undefined);
});

test('a datagram to an unresolved on-link address waits for ARP, then is sent', () => {
  const { iface, udp, flush } = setup();
  const s = udp.bind({ port: 4000 });
  assert.deepEqual(s.send(PEER, 53, new Uint8Array([1, 2, 3])), { ok: true });
  const frames = flush(100);
  assert.equal(frames.length, 1);
  const req = decode(frames[0]!);
  assert.ok(req.arp?.ok);
  assert.equal(req.arp.value.targetIp, PEER);
  iface.receive(101, arpFrame(ArpOp.REPLY, PEER_MAC, PEER, MAC, ME, MAC));
  const [sent] = flush(101);
  const d = decode(sent!);
  assert.deepEqual(d.dst, PEER_MAC);
  assert.ok(d.ip?.ok);
  assert.equal(d.ip.value.repr.dst, PEER);
  assert.equal(d.ip.value.repr.src, ME);
  assert.equal(d.ip.value.repr.dontFragment, false);
});

test('ARP requests are limited to one per second per address and give up after three', () => {
  const { iface, udp, flush } = setup();
  const s = udp.bind({ port: 4000 });
  s.send(PEER, 53, new Uint8Array(1));
  assert.equal(flush(0).length, 1);
  s.send(PEER, 53, new Uint8Array(1));
  assert.equal(flush(500).length, 0, 'no second request within 1 s');
  assert.equal(iface.pollAt(500), 1000);
  assert.equal(flush(1000).length, 1);
  assert.equal(flush(2000).length, 1);
  assert.equal(flush(3000).length, 0);
  assert.equal(iface.arp.stats['unresolved'], 2);
  assert.equal(iface.pollAt(3000), Infinity);
});

test('the queue of datagrams waiting for one address is bounded', () => {
  const random = seededRandom(7);
  const iface = new Interface({ mac: MAC, random, arp: { maxQueuedPerAddress: 8 } });
  const udp = new Udp({ random, sourceAddress: (d) => iface.sourceAddressFor(d) });
  iface.addProtocol(udp);
  iface.configure({ address: ME, prefixLength: 24, gateway: GW });
  const flush = (now: number): Uint8Array[] => { const out: Uint8Array[] = []; iface.poll(now, (f) => { out.push(f); }); return out; };
  flush(0);
  const s = udp.bind({ port: 4000 });
  for (let i = 0; i < 20; i++) s.send(PEER, 53, new Uint8Array([i]));
  flush(0);
  assert.equal(iface.arp.stats['queue-overflow'], 12);
  iface.receive(1, arpFrame(ArpOp.REPLY, PEER_MAC, PEER, MAC, ME, MAC));
  const frames = flush(1);
  assert.equal(frames.length, 8);
  assert.equal(frames[0]![42], 12, 'the oldest were dropped');
});

test('ARP cache entries expire after 60 s', () => {
  const { iface } = setup();
  learnPeer(iface, 0);
  assert.ok(iface.arp.lookup(59_999, PEER));
  assert.equal(iface.arp.lookup(60_000, PEER), undefined);
});

test('the ARP cache size is capped', () => {
  const iface = new Interface({ mac: MAC, arp: { maxEntries: 4 } });
  iface.configure({ address: ME, prefixLength: 16 });
  for (let i = 0; i < 10; i++) iface.receive(i, arpFrame(ArpOp.REQUEST, PEER_MAC, PEER + 100 + i, new Uint8Array(6), ME, MAC));
  assert.equal(iface.arp.size, 4);
});

test('an off-link destination goes through the default gateway', () => {
  const { iface, udp, flush } = setup();
  udp.bind({ port: 4000 }).send(FAR, 80, new Uint8Array(4));
  const [req] = flush(0);
  const d = decode(req!);
  assert.ok(d.arp?.ok);
  assert.equal(d.arp.value.targetIp, GW);
  iface.addRoute({ destination: ip('93.184.0.0')!, prefixLength: 16, gateway: PEER });
  learnPeer(iface, 1);
  udp.bind({ port: 4001 }).send(FAR, 80, new Uint8Array(4));
  const frames = flush(1);
  assert.equal(frames.length, 2); // ARP reply to the peer, then the datagram via the more specific route
  assert.deepEqual(decode(frames[1]!).dst, PEER_MAC);
});

test('without an address only broadcast can be sent', () => {
  const { iface, udp, flush } = setup(false);
  const s = udp.bind({ port: 68 });
  s.send(PEER, 67, new Uint8Array(1));
  s.send(0xffffffff, 67, new Uint8Array(1));
  const frames = flush(0);
  assert.equal(frames.length, 1);
  const d = decode(frames[0]!);
  assert.deepEqual(d.dst, parseMac('ff:ff:ff:ff:ff:ff'));
  assert.ok(d.ip?.ok);
  assert.equal(d.ip.value.repr.src, 0);
  assert.equal(iface.stats['tx-no-route'], 1);
});

test('a captured UDP frame reaches the bound socket', () => {
  const { iface, udp } = setup();
  const s = udp.bind({ port: 7777 });
  iface.receive(5, UDP_FRAME);
  const m = s.receive();
  assert.ok(m);
  assert.equal(m.src, PEER);
  assert.equal(m.srcPort, 5353);
  assert.equal(new TextDecoder().decode(m.payload), 'hello');
});

test('a captured echo request is answered with an echo reply', () => {
  const { iface, flush } = setup();
  learnPeer(iface, 0);
  flush(0);
  iface.receive(1, PING_FRAME);
  const [reply] = flush(1);
  const d = decode(reply!);
  assert.ok(d.ip?.ok);
  assert.equal(d.ip.value.repr.dst, PEER);
  const icmp = parseIcmp(d.ip.value.payload);
  assert.deepEqual(icmp, { ok: true, value: { kind: 'echo-reply', ident: 0x77, seq: 1, data: new TextEncoder().encode('abcdefgh') } });
});

test('an echo request to the broadcast address is ignored', () => {
  const { iface, flush } = setup();
  const echo = { kind: 'echo-request' as const, ident: 1, seq: 1, data: new Uint8Array(0) };
  const b = new Uint8Array(icmpLength(echo));
  emitIcmp(echo, b);
  iface.receive(1, ipFrame(PEER, ip('10.0.2.255')!, 1, b, parseMac('ff:ff:ff:ff:ff:ff')!));
  assert.equal(flush(1).length, 0);
  assert.equal(iface.stats['icmp-echo-ignored'], 1);
});

test('UDP to a closed port gets port unreachable with the original header and 8 bytes', () => {
  const { iface, flush } = setup();
  learnPeer(iface, 0);
  flush(0);
  iface.receive(1, UDP_FRAME);
  const [frame] = flush(1);
  const d = decode(frame!);
  assert.ok(d.ip?.ok);
  const icmp = parseIcmp(d.ip.value.payload);
  assert.ok(icmp.ok && icmp.value.kind === 'dest-unreachable');
  assert.equal(icmp.value.code, 3);
  assert.equal(hex(icmp.value.original), hex(UDP_FRAME.subarray(14, 14 + 28)));
});

test('ICMP errors are rate limited by a token bucket', () => {
  const { iface, flush } = setup();
  learnPeer(iface, 0);
  flush(0);
  for (let i = 0; i < 30; i++) iface.receive(1, UDP_FRAME);
  assert.equal(flush(1).length, 10);
  assert.equal(iface.stats['icmp-rate-limited'], 20);
  for (let i = 0; i < 5; i++) iface.receive(501, UDP_FRAME);
  assert.equal(flush(501).length, 5, 'five tokens refilled in 500 ms');
});

test('an unknown protocol gets protocol unreachable; broadcasts get no ICMP errors', () => {
  const { iface, flush } = setup();
  learnPeer(iface, 0);
  flush(0);
  iface.receive(1, ipFrame(PEER, ME, 99, new Uint8Array(12)));
  const [frame] = flush(1);
  const d = decode(frame!);
  assert.ok(d.ip?.ok);
  const icmp = parseIcmp(d.ip.value.payload);
  assert.ok(icmp.ok && icmp.value.kind === 'dest-unreachable' && icmp.value.code === 2);
  iface.receive(2, ipFrame(PEER, 0xffffffff, 17, udpPayload(PEER, 0xffffffff, 1, 9, new Uint8Array(1)), parseMac('ff:ff:ff:ff:ff:ff')!));
  assert.equal(flush(2).length, 0);
});

test('registered transports receive datagrams by protocol number', () => {
  const { iface } = setup();
  const got: [Ipv4Addr, Ipv4Addr, number][] = [];
  const fake: TransportProtocol = {
    protocol: 6,
    input: (_now, src, dst, payload) => { got.push([src, dst, payload.length]); return true; },
    poll: () => {},
    pollAt: () => Infinity,
  };
  iface.addProtocol(fake);
  assert.throws(() => iface.addProtocol(fake), RangeError);
  iface.receive(0, ipFrame(PEER, ME, 6, new Uint8Array(20)));
  assert.deepEqual(got, [[PEER, ME, 20]]);
});

test('TCP datagrams are sent with DF; oversized UDP is fragmented to the MTU', () => {
  const { iface, flush } = setup();
  learnPeer(iface, 0);
  flush(0);
  const tcpOut: OutgoingDatagram = { src: ME, dst: PEER, protocol: 6, payload: new Uint8Array(20) };
  assert.ok(iface.send(0, tcpOut));
  assert.equal(iface.send(0, { ...tcpOut, payload: new Uint8Array(1481) }), false, 'DF and over the MTU');
  assert.ok(iface.send(0, { src: ME, dst: PEER, protocol: 17, payload: new Uint8Array(3000).fill(7) }));
  const frames = flush(0);
  assert.equal(frames.length, 4);
  const tcp = decode(frames[0]!);
  assert.ok(tcp.ip?.ok && tcp.ip.value.repr.dontFragment);
  const parts = frames.slice(1).map((f) => decode(f).ip!);
  for (const p of parts) assert.ok(p.ok);
  assert.ok(frames.slice(1).every((f) => f.length <= 1514));
  const reprs = parts.map((p) => (p.ok ? p.value.repr : undefined)!);
  assert.deepEqual(reprs.map((r) => [r.fragmentOffset, r.moreFragments, r.payloadLength]), [[0, true, 1480], [1480, true, 1480], [2960, false, 40]]);
  assert.ok(reprs.every((r) => r.ident === reprs[0]!.ident));
});

test('captured fragments arriving out of order are reassembled and delivered', () => {
  const iface = new Interface({ mac: MAC });
  const udp = new Udp({ random: seededRandom(1), sourceAddress: () => 0 });
  iface.addProtocol(udp);
  iface.configure({ address: ip('10.0.0.2')!, prefixLength: 24 });
  const s = udp.bind({ port: 2000 });
  const eth = (ipBytes: Uint8Array): Uint8Array => { const f = new Uint8Array(14 + ipBytes.length); emitEthernet({ dst: MAC, src: PEER_MAC, ethertype: 0x800 }, f); f.set(ipBytes, 14); return f; };
  for (const i of [2, 0, 1]) iface.receive(i, eth(FRAGMENTS[i]!));
  const m = s.receive();
  assert.ok(m);
  assert.equal(new TextDecoder().decode(m.payload), 'ABCDEFGH'.repeat(5));
  assert.equal(iface.reassembler.bufferedBytes, 0);
});

test('malformed frames are counted by reason, never thrown', () => {
  const { iface } = setup();
  iface.receive(0, new Uint8Array(5));
  const bad = UDP_FRAME.slice(); bad[14 + 10] ^= 1;
  iface.receive(0, bad);
  const other = UDP_FRAME.slice(); other[0] = 2;
  iface.receive(0, other);
  assert.equal(iface.stats['eth-truncated'], 1);
  assert.equal(iface.stats['ip-bad-checksum'], 1);
  assert.equal(iface.stats['eth-not-for-us'], 1);
});

test('Interface.receive() never throws on arbitrary frames', () => {
  const { iface, flush } = setup();
  iface.addProtocol({ protocol: 6, input: () => false, poll: () => {}, pollAt: () => Infinity });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), fc.boolean(), (body, asIp) => {
    const f = new Uint8Array(14 + body.length);
    f.set(MAC);
    f[12] = asIp ? 0x08 : 0x08; f[13] = asIp ? 0x00 : 0x06;
    f.set(body, 14);
    if (asIp && body.length > 0) f[14] = 0x45;
    iface.receive(0, f);
    flush(0);
  }), { numRuns: 2000 });
});

test('changing the address flushes the ARP cache and announces the new one; removing it removes its routes', () => {
  const { iface, flush } = setup();
  learnPeer(iface, 0);
  flush(0);
  iface.configure({ address: ip('10.0.2.16')!, prefixLength: 24, gateway: GW });
  assert.equal(iface.arp.lookup(1, PEER), undefined);
  const [g] = flush(1);
  const d = decode(g!);
  assert.ok(d.arp?.ok && d.arp.value.senderIp === ip('10.0.2.16') && d.arp.value.targetIp === ip('10.0.2.16'));
  iface.configure(undefined);
  assert.equal(iface.routes.nextHop(PEER), undefined);
  assert.throws(() => iface.configure({ address: ME, prefixLength: 33 }), RangeError);
});

test('a datagram with headroom becomes the frame in place (same buffer, no copy), via ARP too', () => {
  const { iface, flush } = setup();
  const payload = new Uint8Array(34 + 20).subarray(34);
  payload.fill(9);
  // Unresolved neighbour: the datagram waits for ARP, then goes out.
  assert.ok(iface.send(0, { src: ME, dst: PEER, protocol: 6, payload, headroom: true }));
  const arp = flush(0);
  assert.equal(arp.length, 1);
  learnPeer(iface, 1);
  let frames: Uint8Array[] = [];
  iface.poll(1, (f) => { frames.push(f); });
  assert.equal(frames.length, 2); // the waiting datagram and the ARP reply
  const sent = frames.find((f) => decode(f).ethertype === EtherType.IPV4)!;
  assert.deepEqual([...sent.subarray(34)], new Array(20).fill(9));
  // Resolved: the frame is the transport's own buffer with the headers written in front.
  const p2 = new Uint8Array(34 + 40).subarray(34).fill(5);
  assert.ok(iface.send(2, { src: ME, dst: PEER, protocol: 6, payload: p2, headroom: true }));
  frames = [];
  iface.poll(2, (f) => { frames.push(f); });
  assert.equal(frames.length, 1);
  assert.equal(frames[0]!.buffer, p2.buffer, 'no new buffer');
  const ip = decode(frames[0]!).ip!;
  assert.ok(ip.ok);
  assert.equal(ip.value.repr.dst, PEER);
  assert.equal(ip.value.repr.payloadLength, 40);
  assert.ok(ip.value.repr.dontFragment);
});

test('a transmit that refuses keeps frames queued in order until txResume(); nothing is dropped', () => {
  const { iface } = setup();
  learnPeer(iface, 0);
  iface.poll(0, () => {});
  for (let i = 0; i < 5; i++) {
    assert.ok(iface.send(0, { src: ME, dst: PEER, protocol: 17, payload: udpPayload(ME, PEER, 1000, 2000 + i, new Uint8Array(4)) }));
  }
  const got: number[] = [];
  const port = (f: Uint8Array) => (f[34 + 2]! << 8) | f[34 + 3]!;
  let room = 2;
  const transmit = (f: Uint8Array): boolean => {
    if (room === 0) return false;
    room--;
    got.push(port(f));
    return true;
  };
  iface.poll(1, transmit);
  assert.deepEqual(got, [2000, 2001]);
  assert.ok(iface.txBlocked);
  assert.equal(iface.txQueued, 3);
  assert.equal(iface.stats['tx-device-full'], 1);
  // Blocked: no busy polling, and poll() hands nothing over even with room.
  assert.ok(iface.pollAt(1) > 1);
  room = 10;
  iface.poll(2, transmit);
  assert.deepEqual(got, [2000, 2001]);
  iface.txResume();
  assert.equal(iface.pollAt(3), 3);
  iface.poll(3, transmit);
  assert.deepEqual(got, [2000, 2001, 2002, 2003, 2004]);
  assert.equal(iface.txQueued, 0);
  assert.equal(iface.stats['tx-queue-full'], undefined);
});

test('a transport is refused (keeps its data) while the transmit queue is full', () => {
  const iface = new Interface({ mac: MAC, random: seededRandom(1), maxTxQueue: 3 });
  iface.configure({ address: ME, prefixLength: 24 });
  learnPeer(iface, 0);
  iface.poll(0, () => {});
  let answers: (boolean | void)[] = [];
  const t: TransportProtocol = {
    protocol: 6,
    input: () => true,
    poll: (_now, emit) => { for (let i = 0; i < 5; i++) answers.push(emit({ src: ME, dst: PEER, protocol: 6, payload: new Uint8Array(20) })); },
    pollAt: () => Infinity,
  };
  iface.addProtocol(t);
  iface.poll(1, () => false);
  assert.deepEqual(answers, [true, true, true, false, false]);
  assert.equal(iface.stats['tx-queue-full'], undefined);
  answers = [];
  iface.poll(2, () => true); // still blocked: transports are not even asked
  assert.deepEqual(answers, []);
});

test('a transport checksum the device vouched for is not checked again; without that it is', () => {
  const bad = UDP_FRAME.slice();
  bad[bad.length - 1] ^= 0x01; // payload changed, UDP checksum now wrong (IPv4 header intact)
  const a = setup();
  const sa = a.udp.bind({ port: 7777 });
  a.iface.receive(5, bad);
  assert.equal(sa.receive(), undefined);
  assert.equal(a.udp.stats['bad-checksum'], 1);
  const b = setup();
  const sb = b.udp.bind({ port: 7777 });
  b.iface.receive(5, bad, true);
  assert.ok(sb.receive(), 'delivered: the device validated it (GUEST_CSUM)');
  // The IPv4 header checksum is always verified.
  const badIp = UDP_FRAME.slice();
  badIp[14 + 8] ^= 0x01; // TTL
  b.iface.receive(6, badIp, true);
  assert.equal(b.iface.stats['ip-bad-checksum'], 1);
});

/** A TCP super-segment with a partial checksum, as TCP emits it under TSO (n segments of mss). */
function superSegment(n: number, mss: number, flags = 0x18): Uint8Array {
  const repr = { ...emptyTcpRepr(), srcPort: 5000, dstPort: 80, seq: 100, ack: 1, flags, window: 1000 };
  const p = new Uint8Array(34 + 20 + n * mss).subarray(34);
  for (let i = 20; i < p.length; i++) p[i] = i & 255;
  emitTcp(repr, p, ME, PEER, n * mss, true);
  return p;
}

test('an offloaded super-segment goes to the device whole, beyond the MTU, with its offload request', () => {
  const { iface } = setup();
  learnPeer(iface, 0);
  const p = superSegment(10, 1460);
  assert.ok(iface.send(1, { src: ME, dst: PEER, protocol: 6, payload: p, headroom: true, partialChecksumAt: 16, segmentSize: 1460 }));
  const got: [Uint8Array, TxOffload | undefined][] = [];
  iface.poll(1, (f, o) => { got.push([f, o]); });
  const ipFrames = got.filter(([f]) => decode(f).ethertype === EtherType.IPV4);
  assert.equal(ipFrames.length, 1);
  const [frame, offload] = ipFrames[0]!;
  assert.deepEqual(offload, { checksumStart: 34, checksumOffset: 16, segmentSize: 1460 });
  assert.equal(frame.length, 34 + 20 + 14_600);
  const ipv4 = decode(frame).ip!;
  assert.ok(ipv4.ok, 'a valid IP header (the host delivers it locally as it is)');
  assert.equal(ipv4.value.repr.payloadLength, 20 + 14_600);
  assert.equal(iface.stats['tx-tso'], 1);
});

test('an offloaded super-segment waiting for ARP is segmented and checksummed in software', () => {
  const { iface, flush } = setup();
  const p = superSegment(3, 1000, 0x19); // ACK|PSH|FIN
  assert.ok(iface.send(0, { src: ME, dst: PEER, protocol: 6, payload: p, headroom: true, partialChecksumAt: 16, segmentSize: 1000 }));
  flush(0);
  learnPeer(iface, 1);
  const got: [Uint8Array, TxOffload | undefined][] = [];
  iface.poll(1, (f, o) => { got.push([f, o]); });
  const segs = got.filter(([f]) => decode(f).ethertype === EtherType.IPV4).map(([f, o]) => {
    assert.equal(o, undefined);
    const r = emptyTcpRepr();
    const hl = parseTcp(f.subarray(34), ME, PEER, r);
    assert.equal(hl, 20, 'a full, valid checksum');
    return [r.seq, f.length - 54, r.flags];
  });
  assert.deepEqual(segs, [[100, 1000, 0x10], [1100, 1000, 0x10], [2100, 1000, 0x19]]);
  assert.equal(iface.stats['tx-offload-in-software'], 1);
});

test('a partial checksum to our own address is finished before it loops back', () => {
  const { iface } = setup();
  const seen: Uint8Array[] = [];
  iface.addProtocol({ protocol: 6, input: (_n, _s, _d, payload) => { seen.push(payload.slice()); return true; }, poll() {}, pollAt: () => Infinity });
  const repr = { ...emptyTcpRepr(), srcPort: 1, dstPort: 2, seq: 5, flags: 0x10, window: 9 };
  const p = new Uint8Array(34 + 30).subarray(34).fill(3, 20);
  emitTcp(repr, p, ME, ME, 10, true);
  assert.ok(iface.send(0, { src: ME, dst: ME, protocol: 6, payload: p, headroom: true, partialChecksumAt: 16 }));
  iface.poll(0, () => {});
  assert.equal(seen.length, 1);
  assert.equal(parseTcp(seen[0]!, ME, ME, emptyTcpRepr()), 20);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpv4 as ip } from './addr.ts';
import { seededRandom } from './testing/sim.ts';
import type { OutgoingDatagram } from './transport.ts';
import { Udp } from './udp.ts';
import { emitUdp, parseUdp } from './wire/udp.ts';

const ME = ip('10.0.0.2')!, PEER = ip('10.0.0.1')!;
const udp = (): Udp => new Udp({ random: seededRandom(1), sourceAddress: () => ME });
const seg = (srcPort: number, dstPort: number, data: Uint8Array, dst = ME): Uint8Array => {
  const b = new Uint8Array(8 + data.length);
  emitUdp({ srcPort, dstPort }, data, PEER, dst, b);
  return b;
};

test('bind() refuses a port already in use and out-of-range ports', () => {
  const u = udp();
  u.bind({ port: 53 });
  assert.throws(() => u.bind({ port: 53 }), (e: Error & { code?: string }) => e.code === 'EADDRINUSE' && /already in use/.test(e.message));
  assert.throws(() => u.bind({ port: 70000 }), RangeError);
  u.bind({ port: 54, address: ME });
  assert.throws(() => u.bind({ port: 54 }), /in use/);
});

test('ephemeral ports are random within 49152-65535 and distinct', () => {
  const u = udp();
  const ports = new Set<number>();
  for (let i = 0; i < 200; i++) ports.add(u.bind({}).localPort);
  assert.equal(ports.size, 200);
  for (const p of ports) assert.ok(p >= 49152 && p <= 65535);
  const sorted = [...ports];
  assert.notDeepEqual(sorted, [...sorted].sort((a, b) => a - b), 'not sequential');
});

test('close() frees the port', () => {
  const u = udp();
  u.bind({ port: 9 }).close();
  assert.equal(u.bind({ port: 9 }).localPort, 9);
});

test('input() delivers to the socket, counts a full receive queue and reports closed ports', () => {
  const u = udp();
  let readable = 0;
  const s = u.bind({ port: 9, receiveQueueLimit: 2, onReadable: () => { readable++; } });
  for (let i = 0; i < 3; i++) assert.equal(u.input(0, PEER, ME, seg(1, 9, new Uint8Array([i]))), true);
  assert.equal(s.dropped, 1);
  assert.equal(readable, 1);
  assert.deepEqual(s.receive()?.payload, new Uint8Array([0]));
  assert.equal(u.input(0, PEER, ME, seg(1, 10, new Uint8Array(1))), false);
  const bad = seg(1, 9, new Uint8Array(1)); bad[8] ^= 1;
  assert.equal(u.input(0, PEER, ME, bad), true, 'malformed is consumed, not unreachable');
  assert.equal(u.stats['bad-checksum'], 1);
});

test('send() queues a checksummed datagram from the source address; pollAt says when', () => {
  const u = udp();
  const s = u.bind({ port: 5000 });
  assert.equal(u.pollAt(0), Infinity);
  assert.deepEqual(s.send(PEER, 53, new Uint8Array([1, 2])), { ok: true });
  assert.equal(u.pollAt(7), 7);
  const out: OutgoingDatagram[] = [];
  u.poll(7, (d) => { out.push(d); });
  assert.equal(out.length, 1);
  assert.equal(out[0]!.src, ME);
  const p = parseUdp(out[0]!.payload, ME, PEER);
  assert.ok(p.ok);
  assert.deepEqual(p.value.repr, { srcPort: 5000, dstPort: 53 });
  assert.deepEqual(s.send(PEER, 0, new Uint8Array(1)), { ok: false, reason: 'bad-port' });
  assert.deepEqual(s.send(PEER, 1, new Uint8Array(65508)), { ok: false, reason: 'too-large' });
  s.close();
  assert.deepEqual(s.send(PEER, 1, new Uint8Array(1)), { ok: false, reason: 'closed' });
});

test('the send queue is bounded', () => {
  const u = new Udp({ random: seededRandom(1), sourceAddress: () => ME, maxSendQueue: 3 });
  const s = u.bind({});
  const results = Array.from({ length: 5 }, () => s.send(PEER, 1, new Uint8Array(1)).ok);
  assert.deepEqual(results, [true, true, true, false, false]);
});

test('a wildcard socket receives datagrams sent to the broadcast address', () => {
  const u = udp();
  const wild = u.bind({ port: 7 });
  u.input(0, PEER, 0xffffffff, seg(1, 7, new Uint8Array(1), 0xffffffff));
  assert.equal(wild.queued, 1);
  assert.equal(wild.receive()?.dst, 0xffffffff);
});

test('datagrams refused by the transmit path stay queued, in order, and go out later', () => {
  const u = new Udp({ random: seededRandom(3), sourceAddress: () => ip('10.0.2.15')! });
  const s = u.bind({ port: 5000 });
  for (let i = 0; i < 3; i++) assert.ok(s.send(ip('10.0.2.2')!, 6000 + i, new Uint8Array([i])).ok);
  const ports: number[] = [];
  let room = 1;
  const emit = (d: OutgoingDatagram): boolean => {
    if (room === 0) return false;
    room--;
    ports.push((d.payload[2]! << 8) | d.payload[3]!);
    return true;
  };
  u.poll(0, emit);
  assert.deepEqual(ports, [6000]);
  assert.equal(u.pollAt(0), 0, 'still has work');
  room = 5;
  u.poll(1, emit);
  assert.deepEqual(ports, [6000, 6001, 6002]);
  assert.equal(u.stats.sent, 3);
  assert.equal(u.pollAt(2), Infinity);
});

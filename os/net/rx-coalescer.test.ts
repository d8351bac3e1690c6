import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpv4 as ip, parseMac } from './addr.ts';
import { RxCoalescer, tcpCandidate } from './rx-coalescer.ts';
import { NetworkStack } from './stack.ts';
import { Ipv4Packet } from './wire/ipv4.ts';
import { seededRandom } from './testing/sim.ts';
import { emitEthernet, EtherType } from './wire/ethernet.ts';
import { emitIpv4, IpProtocol } from './wire/ipv4.ts';
import { emptyTcpRepr, emitTcp, tcpHeaderLength, TcpFlags, type TcpRepr } from './wire/tcp.ts';
import { NewReno } from './tcp/congestion.ts';

const US = parseMac('02:00:00:00:00:01')!, PEER = parseMac('02:00:00:00:00:02')!;
const A = ip('10.0.0.1')!, B = ip('10.0.0.2')!;

/** A TCP frame from the peer to us: ACK `ack` on ports 80 -> `dstPort` unless `more` says otherwise. */
function frame(ack: number, more: Partial<TcpRepr> & { payload?: number; dstMac?: Uint8Array; pad?: number; tos?: number } = {}): Uint8Array {
  // payload bytes are a function of their sequence number, so joined payloads can be checked
  const repr = { ...emptyTcpRepr(), srcPort: 80, dstPort: 40000, seq: 5000, ack, flags: TcpFlags.ACK, window: 1000, ...more };
  const payload = more.payload ?? 0;
  const tcpLen = tcpHeaderLength(repr) + payload;
  const f = new Uint8Array(Math.max(14 + 20 + tcpLen, 14 + 20 + tcpLen + (more.pad ?? 0)));
  emitEthernet({ dst: more.dstMac ?? US, src: PEER, ethertype: EtherType.IPV4 }, f);
  emitIpv4({ src: B, dst: A, protocol: IpProtocol.TCP, ttl: 64, ident: 1, tos: more.tos ?? 0, dontFragment: true, moreFragments: false, fragmentOffset: 0, payloadLength: tcpLen }, f.subarray(14));
  const hl = tcpHeaderLength(repr);
  for (let i = 0; i < payload; i++) f[34 + hl + i] = ((repr.seq + i) * 31) & 0xff;
  emitTcp(repr, f.subarray(34), B, A, payload);
  return f;
}

const ackOf = (f: Uint8Array) => new DataView(f.buffer, f.byteOffset).getUint32(42);

function collector() {
  const got: { ack: number; acks: number; verified: boolean; length: number }[] = [];
  const frames: Uint8Array[] = [];
  const c = new RxCoalescer(US, (f, verified, acks) => { got.push({ ack: ackOf(f), acks, verified, length: f.length }); frames.push(f.slice()); });
  return { c, got, frames };
}

test('a run of advancing pure ACKs on one connection is delivered as its newest, counting the others', () => {
  const { c, got } = collector();
  for (const ack of [100, 1548, 2996, 4444]) c.receive(frame(ack), false);
  assert.deepEqual(got, [], 'held until a flush');
  assert.ok(c.holding);
  c.flush();
  assert.deepEqual(got, [{ ack: 4444, acks: 4, verified: false, length: 54 }]);
  assert.equal(c.coalescedAcks, 3);
  assert.equal(c.holding, false);
  // Across the 2^32 wrap: 0xfffffff0 -> 0x10 is ahead.
  c.receive(frame(0xfffffff0), false);
  c.receive(frame(0x10), false);
  c.flush();
  assert.deepEqual(got.slice(1).map((g: { ack: number; acks: number }) => [g.ack, g.acks]), [[0x10, 2]]);
});

test('duplicate ACKs, other connections and everything that is not a pure ACK pass, in order', () => {
  const { c, got } = collector();
  c.receive(frame(100), false);
  c.receive(frame(100), false); // a duplicate: fast retransmit counts each (RFC 5681 §3.2)
  c.receive(frame(100), false);
  c.receive(frame(50), false); // behind
  c.receive(frame(200, { dstPort: 40001 }), false); // another connection
  c.receive(frame(300, { payload: 10, flags: TcpFlags.ACK | TcpFlags.PSH | TcpFlags.URG }), false); // urgent data
  c.receive(frame(400, { flags: TcpFlags.ACK | TcpFlags.FIN }), false);
  c.receive(frame(500, { sackBlocks: [1, 2] }), false); // SACK: information in each
  c.receive(frame(600, { dstMac: PEER }), false); // not for us
  c.flush();
  assert.deepEqual(got.map((g) => [g.ack, g.acks]), [[100, 1], [100, 1], [100, 1], [50, 1], [200, 1], [300, 1], [400, 1], [500, 1], [600, 1]]);
  assert.equal(c.coalescedAcks, 0);
});

test('timestamps are allowed; Ethernet padding is dropped from the held copy; the verified flag must match', () => {
  assert.equal(tcpCandidate(frame(1, { tsVal: 7, tsEcr: 8 }), US), 52);
  assert.equal(tcpCandidate(frame(1, { pad: 6 }), US), 40, 'a 60-byte frame holds a 54-byte ACK');
  assert.equal(tcpCandidate(frame(1, { mss: 1460 }), US), 0, 'other options pass');
  const { c, got } = collector();
  c.receive(frame(100, { tsVal: 1, tsEcr: 1 }), true);
  c.receive(frame(200, { tsVal: 2, tsEcr: 1, pad: 0 }), true);
  c.receive(frame(300, { tsVal: 3, tsEcr: 1 }), false);
  c.flush();
  assert.deepEqual(got, [{ ack: 200, acks: 2, verified: true, length: 66 }, { ack: 300, acks: 1, verified: false, length: 66 }]);
});

test('the held copy is the frame as it was: a driver reusing its buffer changes nothing', () => {
  const { c, got } = collector();
  const lent = frame(100);
  c.receive(lent, false);
  lent.fill(0);
  c.flush();
  assert.equal(got[0]!.ack, 100);
});

test('NetworkStack with coalesce holds one frame until poll, and says so in pollAt', () => {
  const s = new NetworkStack({ mac: US, random: seededRandom(1), ipv4: { address: A, prefixLength: 24 }, coalesce: true });
  const delivered: number[] = [];
  const realReceive = s.iface.receive.bind(s.iface);
  s.iface.receive = (now, f, v, acks) => { delivered.push(acks ?? 1); realReceive(now, f, v, acks); };
  s.receive(0, frame(100), false);
  s.receive(0, frame(200), false);
  assert.deepEqual(delivered, []);
  assert.equal(s.pollAt(5), 5);
  s.poll(5, () => true);
  assert.deepEqual(delivered, [2]);
  assert.equal(s.coalescer?.coalescedAcks, 1);
  const plain = new NetworkStack({ mac: US, random: seededRandom(1), ipv4: { address: A, prefixLength: 24 } });
  assert.equal(plain.coalescer, undefined, 'off unless asked for');
});

test('slow start counts a coalesced ACK as the ACKs it stands for (RFC 5681 eq. 2 per ACK)', () => {
  const one = new NewReno(0), many = new NewReno(0);
  one.start(1000); many.start(1000);
  const before = one.cwnd;
  one.onNewAck(4000, 4000, 4000, 20000, 1000);
  many.onNewAck(4000, 4000, 4000, 20000, 1000, 4);
  assert.equal(one.cwnd, before + 1000, 'one ACK: at most one MSS');
  assert.equal(many.cwnd, before + 4000, 'four ACKs in one: up to four');
});

const seqOf = (f: Uint8Array) => new DataView(f.buffer, f.byteOffset).getUint32(38);
const data = (seq: number, n: number, more: Partial<TcpRepr> & { pad?: number; tos?: number } = {}) => frame(9000, { seq, payload: n, ...more });

test('in-order data segments of one connection are joined behind the first one\'s headers', () => {
  const { c, got, frames } = collector();
  let seq = 0xfffffa00; // across the 2^32 wrap
  for (let i = 0; i < 5; i++) { c.receive(data(seq, 1448, i === 4 ? { flags: TcpFlags.ACK | TcpFlags.PSH, window: 777 } : {}), false); seq = (seq + 1448) >>> 0; }
  c.flush();
  assert.equal(got.length, 1);
  assert.deepEqual({ ...got[0]!, ack: 0 }, { ack: 0, acks: 5, verified: true, length: 54 + 5 * 1448 });
  assert.equal(c.joinedSegments, 4);
  const f = frames[0]!;
  const ip = Ipv4Packet.parse(f.subarray(14));
  assert.ok(ip.ok && ip.value.checksumValid(), 'a new IPv4 header checksum');
  assert.equal(ip.ok && ip.value.totalLength, 40 + 5 * 1448);
  assert.equal(seqOf(f), 0xfffffa00);
  assert.equal(f[47], TcpFlags.ACK | TcpFlags.PSH, 'the last part\'s PSH');
  assert.equal((f[48]! << 8) | f[49]!, 777, 'and its window');
  for (let i = 0; i < 5 * 1448; i++) assert.equal(f[54 + i], ((0xfffffa00 + i) * 31) & 0xff, `payload byte ${i}`);
});

test('data is not joined across a gap, a changed ACK, options or ECN mark, a PSH, 64 KiB, or a damaged part', () => {
  const { c, got, frames } = collector();
  c.receive(data(1000, 100), false);
  c.receive(data(1200, 100), false); // a gap: 1100 was expected
  c.receive(data(1300, 100, { ack: 9001 }), false); // another ACK number
  c.receive(data(1400, 100, { tsVal: 1, tsEcr: 2 }), false); // other options
  c.receive(data(1500, 100, { tsVal: 1, tsEcr: 2 }), false); // joins the previous
  c.receive(data(1600, 100, { tsVal: 2, tsEcr: 2, flags: TcpFlags.ACK | TcpFlags.PSH }), false); // another timestamp
  c.receive(data(1700, 100), false); // after a PSH
  const bad = data(1800, 100); bad[80] ^= 0xff;
  c.receive(bad, false); // damaged: passes alone, unverified
  c.receive(data(1900, 100), false);
  const ce = data(2000, 100, { tos: 3 });
  c.receive(ce, false); // ECN CE (RFC 3168): never hidden behind a joined frame's first header
  c.flush();
  assert.deepEqual(got.map((g) => [seqOf(frames[got.indexOf(g)]!), g.acks, g.verified]),
    [[1000, 1, true], [1200, 1, true], [1300, 1, true], [1400, 2, true], [1600, 1, true], [1700, 1, true], [1800, 1, false], [1900, 1, true], [2000, 1, true]]);
  const big = collector();
  for (let i = 0; i < 50; i++) big.c.receive(data(i * 1448, 1448), false);
  big.c.flush();
  assert.deepEqual(big.got.map((g) => g.acks), [45, 5], '45 parts fill 64 KiB (65,214 bytes of IPv4), the rest starts anew');
  const gro = collector();
  gro.c.receive(data(0, 1000), false);
  gro.c.receive(data(1000, 40_000), false); // a host's GRO frame: not held, not copied
  assert.deepEqual(gro.got.map((g) => [g.acks, g.length]), [[1, 1054], [1, 40_054]], 'the held part first, then the big one as it came');
  assert.equal(gro.c.holding, false);
});

test('a device-verified part is still checked for its IPv4 header', () => {
  const { c, got } = collector();
  const badIp = data(0, 100); badIp[22] ^= 1; // TTL changed: the header checksum is wrong
  c.receive(badIp, true);
  c.flush();
  assert.deepEqual(got.map((g) => [g.acks, g.verified]), [[1, true]], 'passed alone, with the device\'s flag');
});

test('the last frame of a device batch goes straight on when nothing is held, and still joins what is', () => {
  const { c, got } = collector();
  c.receive(frame(100), false, false);
  assert.equal(c.holding, false, 'nothing could join it');
  assert.deepEqual(got.map((g) => g.ack), [100]);
  c.receive(frame(200), false, true);
  c.receive(frame(300), false, false);
  assert.equal(got.length, 1, 'joined to the held one');
  c.flush();
  assert.deepEqual(got.map((g) => [g.ack, g.acks]), [[100, 1], [300, 2]]);
});

/**
 * TSO and checksum offload (TcpOptions txChecksum/tsoMaxBytes, from a device's capabilities):
 * data leaves in super-segments of whole segments, with the pseudo-header sum as a partial
 * checksum; cut the way a device does (segmentTcp, Linux's tcp_gso_segment) they are exactly
 * the segments the stack sends without TSO.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutgoingDatagram } from '../transport.ts';
import { finish, pseudoHeaderSum, sumBytes } from '../wire/checksum.ts';
import { completeTcpChecksum, emptyTcpRepr, parseTcp, segmentTcp, TCP_CHECKSUM_OFFSET, TCP_PROTOCOL } from '../wire/tcp.ts';
import { decodeSeg, LOCAL, REMOTE, Script } from './sim/script.ts';
import { runTransfer } from './sim/transfer.ts';

const LP = 5000, RP = 80, IRS = 1000, MSS = 1000;
const add = (a: number, n: number) => (a + n) >>> 0;
const TSO = { txChecksum: true, tsoMaxBytes: 65455 };

/** An established connection; the peer announced MSS 1000 and a 64 KiB window. */
function established(options: object = TSO) {
  const s = new Script(options);
  const c = s.tcp.connect(0, { remoteAddress: REMOTE, remotePort: RP, localPort: LP });
  let syn: OutgoingDatagram | undefined;
  s.tcp.poll(0, (d) => { syn = d; return true; });
  const iss = parseSeq(syn!.payload);
  s.send(10, { sport: RP, dport: LP, flags: 'SYN|ACK', seq: IRS, ack: add(iss, 1), mss: MSS, window: 65535 });
  poll(s, 10);
  assert.equal(c.state, 'ESTABLISHED');
  return { s, c, iss };
}

const parseSeq = (p: Uint8Array) => ((p[4]! << 24) | (p[5]! << 16) | (p[6]! << 8) | p[7]!) >>> 0;

/** Raw datagrams the stack emits at `now`. */
function poll(s: Script, now: number): OutgoingDatagram[] {
  const out: OutgoingDatagram[] = [];
  for (let i = 0; i < 16 && s.tcp.pollAt(now) <= now; i++) s.tcp.poll(now, (d) => { out.push({ ...d, payload: d.payload.slice() }); return true; });
  return out;
}

/** What the device puts on the wire for `d`: finished checksums, cut when it is a super-segment. */
function wire(d: OutgoingDatagram): OutgoingDatagram[] {
  if (d.partialChecksumAt === undefined) return [d];
  const pieces = d.segmentSize ? segmentTcp(d.payload, d.src, d.dst, d.segmentSize) : [d.payload.slice()];
  if (!d.segmentSize) completeTcpChecksum(pieces[0]!, d.src, d.dst);
  return pieces.map((payload) => ({ ...d, payload, partialChecksumAt: undefined, segmentSize: undefined }));
}

const ack = (s: Script, now: number, iss: number, n: number, window = 65535) =>
  s.send(now, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 1, ack: add(iss, 1 + n), window });

test('with TSO, the initial window leaves as one super-segment of whole segments', () => {
  const { s, c, iss } = established();
  const data = new Uint8Array(20_000).map((_, i) => (i * 7) & 255);
  assert.equal(c.send(data), 20_000);
  const out = poll(s, 20);
  // RFC 5681 initial window for MSS 1000: 4 segments, in one datagram.
  assert.equal(out.length, 1);
  const d = out[0]!;
  assert.equal(d.segmentSize, MSS);
  assert.equal(d.partialChecksumAt, TCP_CHECKSUM_OFFSET);
  assert.equal(d.payload.length, 20 + 4 * MSS);
  assert.equal(parseSeq(d.payload), add(iss, 1));
  const segs = wire(d).map(decodeSeg);
  assert.deepEqual(segs.map((x) => [x.seq, x.len, x.flags]), [0, 1, 2, 3].map((i) => [add(iss, 1 + i * MSS), MSS, 'ACK']));
  assert.deepEqual(new Uint8Array(segs.flatMap((x) => [...x.data])), data.subarray(0, 4 * MSS));
  // ACKs grow cwnd (slow start): the next datagram carries more segments, still whole ones.
  ack(s, 30, iss, 4 * MSS);
  const next = poll(s, 30);
  assert.equal(next.length, 1);
  assert.equal(next[0]!.payload.length - 20, 5 * MSS, "one ACK grows cwnd by one MSS (RFC 5681 §3.1)");
  assert.equal(parseSeq(next[0]!.payload), add(iss, 1 + 4 * MSS));
});

test('the partial checksum is the folded pseudo-header sum; finishing it gives the full checksum', () => {
  const { s, c } = established();
  c.send(new Uint8Array(4321).fill(0xa5));
  const d = poll(s, 20)[0]!;
  const p = d.payload;
  const field = (p[16]! << 8) | p[17]!;
  let pseudo = pseudoHeaderSum(LOCAL, REMOTE, TCP_PROTOCOL, p.length);
  while (pseudo > 0xffff) pseudo = (pseudo & 0xffff) + (pseudo >>> 16);
  assert.equal(field, pseudo);
  assert.equal(parseTcp(p, LOCAL, REMOTE, emptyTcpRepr()), 'bad-checksum', 'not a finished checksum');
  // A device sums from checksumStart to the end (the field included) and stores the complement.
  const sum = finish(sumBytes(p));
  p[16] = sum >>> 8; p[17] = sum & 255;
  assert.equal(typeof parseTcp(p, LOCAL, REMOTE, emptyTcpRepr()), 'number');
});

test('PSH and FIN are on the last segment of the super-segment only', () => {
  const { s, c, iss } = established();
  c.send(new Uint8Array(3 * MSS + 500).fill(1));
  c.close();
  const out = poll(s, 20);
  assert.equal(out.length, 1, 'the short tail rides along when FIN follows it');
  const segs = wire(out[0]!).map(decodeSeg);
  assert.deepEqual(segs.map((x) => [x.seq, x.len, x.flags]), [
    [add(iss, 1), MSS, 'ACK'], [add(iss, 1 + MSS), MSS, 'ACK'], [add(iss, 1 + 2 * MSS), MSS, 'ACK'],
    [add(iss, 1 + 3 * MSS), 500, 'FIN|PSH|ACK'],
  ]);
});

test('a short tail waits for Nagle as it would without TSO; the full segments go at once', () => {
  const { s, c, iss } = established();
  c.send(new Uint8Array(2 * MSS + 300).fill(2));
  const out = poll(s, 20);
  assert.deepEqual(out.map((d) => [parseSeq(d.payload), d.payload.length - 20, d.segmentSize]), [[add(iss, 1), 2 * MSS, MSS]]);
  ack(s, 30, iss, 2 * MSS);
  const tail = poll(s, 30);
  assert.deepEqual(tail.map((d) => [parseSeq(d.payload), d.payload.length - 20, d.segmentSize]), [[add(iss, 1 + 2 * MSS), 300, undefined]]);
  assert.equal(wire(tail[0]!).map(decodeSeg)[0]!.flags, 'PSH|ACK');
});

test('a single segment gets a partial checksum but no segment size', () => {
  const { s, c } = established();
  c.send(new Uint8Array(MSS).fill(3));
  const [d] = poll(s, 20);
  assert.equal(d!.segmentSize, undefined);
  assert.equal(d!.partialChecksumAt, TCP_CHECKSUM_OFFSET);
  assert.equal(wire(d!).map(decodeSeg)[0]!.len, MSS);
});

test('the segments cut from super-segments equal those sent without TSO, and the window still limits them', () => {
  const run = (options: object) => {
    const { s, c, iss } = established(options);
    c.send(new Uint8Array(60_000).map((_, i) => (i * 13) & 255));
    const segs = [];
    let acked = 0;
    for (let t = 20; t < 400 && acked < 60_000; t += 10) {
      const out = poll(s, t).flatMap(wire).map(decodeSeg);
      segs.push(...out.map((x) => [x.seq, x.len, x.flags, [...x.data].reduce((a, b) => (a + b) % 65521, 0)]));
      acked = out.reduce((m, x) => Math.max(m, x.seq - iss - 1 + x.len), acked);
      ack(s, t + 5, iss, acked, 20_000); // a 20 KB window: not a multiple of the segment size
    }
    return segs;
  };
  const plain = run({});
  assert.ok(plain.length >= 60);
  assert.deepEqual(run(TSO), plain);
});

test('retransmission after a timeout sends one segment, not a super-segment', () => {
  const { s, c, iss } = established();
  c.send(new Uint8Array(8 * MSS).fill(4));
  assert.equal(poll(s, 20)[0]!.payload.length - 20, 4 * MSS);
  const rto = poll(s, 20 + 1100);
  assert.equal(rto.length, 1);
  assert.equal(parseSeq(rto[0]!.payload), add(iss, 1));
  assert.equal(rto[0]!.payload.length - 20, MSS);
  assert.equal(rto[0]!.segmentSize, undefined);
});

test('bulk transfer with TSO on both sides is intact under loss, reordering, duplication and corruption', () => {
  const r = runTransfer({ seed: 5, bytes: 2_000_000, bidirectional: true, loss: 0.02, reorder: 0.02, duplicate: 0.01, corrupt: 0.01, tcp: TSO, limit: 36_000_000 });
  assert.equal(r.done, true, `not finished: ${r.received} ${r.stateA}/${r.stateB}`);
  assert.equal(r.intact, true);
  assert.ok(r.net.link.offloaded > 0);
  assert.ok(r.net.link.sent > r.net.link.offloaded, 'super-segments were cut into several segments');
  for (const h of r.net.hosts) assert.ok(h.tcp.stats.segmentsOut < r.net.link.sent);
});

test('without the options nothing is offloaded', () => {
  const { s, c } = established({});
  c.send(new Uint8Array(5000));
  for (const d of poll(s, 20)) {
    assert.equal(d.partialChecksumAt, undefined);
    assert.equal(d.segmentSize, undefined);
    assert.ok(d.payload.length <= 20 + MSS);
  }
});

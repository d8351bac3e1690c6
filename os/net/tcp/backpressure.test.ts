/**
 * Refused transmit (back-pressure from the IP layer / driver): a segment the transmit path
 * does not take is not lost, not counted as sent, and goes out, in order, once there is room.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REMOTE, Script } from './sim/script.ts';

const LP = 5000, RP = 80, IRS = 1000;
const add = (a: number, n: number) => (a + n) >>> 0;

function established(): { s: Script; c: ReturnType<Script['tcp']['connect']>; iss: number } {
  const s = new Script();
  const c = s.tcp.connect(0, { remoteAddress: REMOTE, remotePort: RP, localPort: LP });
  const [syn] = s.recv(0);
  const iss = syn!.seq;
  s.send(10, { sport: RP, dport: LP, flags: 'SYN|ACK', seq: IRS, ack: add(iss, 1), mss: 1000, window: 65535 });
  s.recv(10);
  assert.equal(c.state, 'ESTABLISHED');
  return { s, c, iss };
}

test('segments refused by the transmit path are sent later, in order, without retransmission', () => {
  const { s, c, iss } = established();
  const data = new Uint8Array(3000).map((_, i) => i & 255);
  assert.equal(c.send(data), 3000);
  s.room = 1;
  const first = s.recv(20);
  assert.deepEqual(first.map((x) => [x.seq, x.len]), [[add(iss, 1), 1000]]);
  assert.equal(s.refused, 1);
  assert.equal(s.tcp.stats.transmitRefused, 1);
  assert.equal(s.tcp.stats.segmentsOut, 3, 'SYN, the handshake ACK and one data segment');
  // Still due: the stack wants to be polled again (the IP layer waits for the driver's onWritable).
  assert.equal(s.tcp.pollAt(20), 20);
  s.room = Infinity;
  const rest = s.recv(21);
  assert.deepEqual(rest.map((x) => [x.seq, x.len]), [[add(iss, 1001), 1000], [add(iss, 2001), 1000]]);
  assert.equal(s.tcp.stats.retransmits, 0);
  const bytes = new Uint8Array([...first, ...rest].flatMap((x) => [...x.data]));
  assert.deepEqual(bytes, data);
});

test('a refused pure ACK stays due and is sent once there is room', () => {
  const { s, iss } = established();
  s.room = 0;
  // Two full segments from the peer: RFC 5681 §4.2 wants an ACK at once.
  s.send(30, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 1, ack: add(iss, 1), data: 'a'.repeat(1000) });
  s.send(30, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 1001, ack: add(iss, 1), data: 'b'.repeat(1000) });
  assert.deepEqual(s.recv(30), []);
  assert.ok(s.refused >= 1);
  s.room = Infinity;
  const out = s.recv(31);
  assert.equal(out.length, 1);
  assert.equal(out[0]!.flags, 'ACK');
  assert.equal(out[0]!.ack, IRS + 2001);
});

test('a refused RST for a closed port is kept and sent later', () => {
  const s = new Script();
  s.room = 0;
  assert.equal(s.send(0, { sport: 1234, dport: 99, flags: 'SYN', seq: 7 }), false);
  assert.deepEqual(s.recv(0), []);
  s.room = Infinity;
  const out = s.recv(1);
  assert.equal(out.length, 1);
  assert.equal(out[0]!.flags, 'RST|ACK');
  assert.equal(s.tcp.stats.rstsSent, 1);
});

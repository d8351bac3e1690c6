/**
 * Scripted tests: a peer's segment at time t in, the exact segments out (smoltcp style).
 * Unless a test says otherwise the stack runs without window scaling, timestamps and SACK, its
 * ISS comes from a seeded random source, and the peer's ISS is 1000.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TcpOptions } from './config.ts';
import type { TcpConnection } from './connection.ts';
import { LOCAL, REMOTE, Script, type OutSeg } from './sim/script.ts';

const LP = 5000; // our port
const RP = 80; // peer port
const IRS = 1000;

function pick(s: OutSeg, keys: string[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const k of keys) o[k] = (s as unknown as Record<string, unknown>)[k];
  return o;
}
/** Compares only the keys the expectation names. */
function expectSegs(actual: OutSeg[], expected: Partial<OutSeg>[]): void {
  assert.equal(actual.length, expected.length, `got ${JSON.stringify(actual.map((a) => pick(a, ['flags', 'seq', 'ack', 'len', 'window'])))}`);
  expected.forEach((e, i) => assert.deepEqual(pick(actual[i]!, Object.keys(e)), e, `segment ${i}`));
}

const add = (a: number, n: number) => (a + n) >>> 0;

interface Est { s: Script; c: TcpConnection; iss: number; events: string[] }

/** Active open completed at t=100 (SYN at 0, SYN-ACK at 100: srtt 100, RTO 300). */
function established(options: Partial<TcpOptions> = {}, peer: { window?: number; mss?: number } = {}): Est {
  const s = new Script(options);
  const c = s.tcp.connect(0, { remoteAddress: REMOTE, remotePort: RP, localPort: LP });
  const events: string[] = [];
  c.onConnected = () => events.push('connected');
  c.onReadable = () => events.push('readable');
  c.onWritable = () => events.push('writable');
  c.onError = (e) => events.push(`error:${e}`);
  c.onClosed = () => events.push('closed');
  const [syn] = s.recv(0);
  const iss = syn!.seq;
  s.send(100, { sport: RP, dport: LP, flags: 'SYN|ACK', seq: IRS, ack: add(iss, 1), mss: peer.mss ?? 1460, window: peer.window ?? 65535 });
  expectSegs(s.recv(100), [{ flags: 'ACK', seq: add(iss, 1), ack: IRS + 1 }]);
  assert.equal(c.state, 'ESTABLISHED');
  return { s, c, iss, events };
}

const ack = (e: Est, t: number, ackOff: number, extra: Record<string, unknown> = {}) =>
  e.s.send(t, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 1, ack: add(e.iss, 1 + ackOff), window: 65535, ...extra });

describe('CLOSED / LISTEN', () => {
  test('a SYN to a closed port is answered with RST|ACK acknowledging it', () => {
    const s = new Script();
    assert.equal(s.send(0, { sport: 1234, dport: 99, flags: 'SYN', seq: 7 }), false);
    expectSegs(s.recv(0), [{ flags: 'RST|ACK', seq: 0, ack: 8, sport: 99, dport: 1234 }]);
  });

  test('connect() to a broadcast or multicast address fails at once (network unreachable)', () => {
    const s = new Script();
    for (const a of [0xffffffff, 0xe0000001, 0xefffffff]) {
      assert.throws(() => s.tcp.connect(0, { remoteAddress: a, remotePort: 80 }), /network unreachable/);
    }
    assert.equal(s.tcp.connectionCount, 0);
  });

  test('an ACK to a closed port gets a RST with SEQ = SEG.ACK, a RST gets nothing', () => {
    const s = new Script();
    s.send(0, { sport: 1234, dport: 99, flags: 'ACK', seq: 7, ack: 555, data: 'xy' });
    s.send(0, { sport: 1234, dport: 99, flags: 'RST', seq: 7 });
    expectSegs(s.recv(0), [{ flags: 'RST', seq: 555 }]);
  });

  test('a listener answers SYN with SYN-ACK and hands the connection to accept() on the ACK', () => {
    const s = new Script();
    const l = s.tcp.listen(RP === 80 ? 80 : RP);
    let announced = 0;
    l.onConnection = () => announced++;
    s.send(0, { sport: 4000, dport: 80, flags: 'SYN', seq: 100, mss: 1000, window: 5000 });
    const [sa] = s.recv(0);
    assert.equal(sa!.flags, 'SYN|ACK');
    assert.equal(sa!.ack, 101);
    assert.equal(sa!.mss, 1460);
    assert.equal(sa!.ws, undefined); // not offered by the peer
    assert.equal(l.accept(), undefined);
    assert.equal(l.halfOpen, 1);
    s.send(50, { sport: 4000, dport: 80, flags: 'ACK', seq: 101, ack: add(sa!.seq, 1), window: 5000 });
    assert.equal(announced, 1);
    const c = l.accept()!;
    assert.equal(c.state, 'ESTABLISHED');
    assert.equal(c.info.mss, 1000);
    assert.equal(c.remotePort, 4000);
    assert.equal(l.halfOpen, 0);
  });

  test('a listener resets a bare ACK and ignores a RST', () => {
    const s = new Script();
    s.tcp.listen(80);
    assert.equal(s.send(0, { sport: 4000, dport: 80, flags: 'ACK', seq: 1, ack: 99 }), true);
    s.send(0, { sport: 4000, dport: 80, flags: 'RST', seq: 1 });
    expectSegs(s.recv(0), [{ flags: 'RST', seq: 99 }]);
  });

  test('without cookies, a full SYN queue evicts its oldest half-open entry for a new SYN (RFC 4987 §3.4)', () => {
    const s = new Script({ synCookies: false });
    const l = s.tcp.listen(80, { synBacklog: 2 });
    for (const p of [4001, 4002, 4003]) s.send(0, { sport: p, dport: 80, flags: 'SYN', seq: 100 });
    const out = s.recv(0);
    assert.deepEqual(out.map((o) => o.dport), [4002, 4003]); // 4001 was evicted before its SYN-ACK went out
    assert.equal(l.halfOpen, 2);
    assert.equal(s.tcp.stats.synEvicted, 1);
    // the evicted peer's ACK finds no connection: RST, as for any unknown connection
    s.send(5, { sport: 4001, dport: 80, flags: 'ACK', seq: 101, ack: 12345 });
    expectSegs(s.recv(5), [{ flags: 'RST', seq: 12345 }]);
    // the newest completes its handshake
    s.send(6, { sport: 4003, dport: 80, flags: 'ACK', seq: 101, ack: add(out[1]!.seq, 1) });
    assert.equal(l.pending, 1);
  });

  test('a flood of never-completed SYNs does not lock out a client that completes the handshake', () => {
    const s = new Script();
    const l = s.tcp.listen(80, { synBacklog: 128 });
    for (let i = 0; i < 1000; i++) s.send(i, { src: 0x0b000000 + i, sport: 1024 + (i % 60000), dport: 80, flags: 'SYN', seq: i });
    s.recv(1000);
    s.send(1001, { sport: 4444, dport: 80, flags: 'SYN', seq: 7 });
    const synAck = s.recv(1001).find((o) => o.dport === 4444)!;
    assert.equal(synAck.flags, 'SYN|ACK');
    s.send(1002, { sport: 4444, dport: 80, flags: 'ACK', seq: 8, ack: add(synAck.seq, 1) });
    assert.equal(l.accept()?.remotePort, 4444);
    assert.equal(l.halfOpen, 128); // the flood's first entries; the rest got cookies, no state
    assert.equal(s.tcp.connectionCount, 129);
    // beyond the queue every SYN got a cookie, up to maxPendingRsts (64) between two polls; the rest were dropped
    assert.equal(s.tcp.stats.synCookiesSent, 64 + 1);
    assert.equal(s.tcp.stats.rstsDropped, 1000 - 128 - 64);
    assert.equal(s.tcp.stats.synCookiesAccepted, 1);
  });

  test('SYN cookies (RFC 4987 §3.6): a full SYN queue answers statelessly; the completing ACK (with data) creates the connection', () => {
    const s = new Script({ mss: 1460 });
    const l = s.tcp.listen(80, { synBacklog: 1 });
    s.send(0, { sport: 4001, dport: 80, flags: 'SYN', seq: 100 });
    s.send(0, { sport: 4002, dport: 80, flags: 'SYN', seq: 500, mss: 1400, ws: 7, ts: [5, 0], sackPerm: true });
    const out = s.recv(0);
    assert.equal(out.length, 2);
    const cookie = out.find((o) => o.dport === 4002)!;
    assert.equal(cookie.flags, 'SYN|ACK');
    assert.equal(cookie.ack, 501);
    assert.equal(cookie.mss, 1400);
    assert.equal(cookie.ws, undefined, 'no window scale on a cookie SYN-ACK');
    assert.equal(cookie.ts, undefined, 'no timestamps');
    assert.equal(cookie.sackPerm, false, 'no SACK');
    assert.equal(s.tcp.connectionCount, 1, 'no state for the cookie');
    assert.equal(s.tcp.stats.synCookiesSent, 1);
    s.send(50, { sport: 4002, dport: 80, flags: 'ACK|PSH', seq: 501, ack: add(cookie.seq, 1), data: 'hello' });
    const c = l.accept()!;
    assert.equal(c.remotePort, 4002);
    assert.equal(c.state, 'ESTABLISHED');
    assert.equal(c.info.mss, 1400);
    assert.equal(new TextDecoder().decode(c.recv()!), 'hello');
    assert.equal(s.tcp.stats.synCookiesAccepted, 1);
    const acks = s.recv(200);
    assert.ok(acks.some((o) => o.dport === 4002 && o.flags === 'ACK' && o.ack === 506), JSON.stringify(acks));
  });

  test('a valid cookie ACK at the connection cap is answered with RST, not dropped (the peer counts itself connected)', () => {
    const s = new Script({ maxConnections: 2 });
    const l = s.tcp.listen(80, { synBacklog: 1 });
    s.send(0, { sport: 4001, dport: 80, flags: 'SYN', seq: 100 });
    s.send(0, { sport: 4002, dport: 80, flags: 'SYN', seq: 500 });
    const cookie = s.recv(0).find((o) => o.dport === 4002)!;
    assert.equal(s.tcp.stats.synCookiesSent, 1);
    // Meanwhile another client fills the cap (the half-open 4001 plus one connect()).
    s.tcp.connect(5, { remoteAddress: REMOTE, remotePort: 9 });
    s.recv(5);
    s.send(10, { sport: 4002, dport: 80, flags: 'ACK', seq: 501, ack: add(cookie.seq, 1) });
    expectSegs(s.recv(10).filter((o) => o.dport === 4002), [{ flags: 'RST' }]);
    assert.equal(s.tcp.stats.synRefused, 1);
    assert.equal(l.pending, 0);
  });

  test('a forged or old cookie is answered with RST and creates nothing', () => {
    const s = new Script();
    const l = s.tcp.listen(80, { synBacklog: 1 });
    s.send(0, { sport: 4001, dport: 80, flags: 'SYN', seq: 100 });
    s.send(0, { sport: 4002, dport: 80, flags: 'SYN', seq: 500 });
    const cookie = s.recv(0).find((o) => o.dport === 4002)!;
    // forged: wrong cookie; wrong peer ISN; another port
    s.send(10, { sport: 4002, dport: 80, flags: 'ACK', seq: 501, ack: add(cookie.seq, 2) });
    s.send(10, { sport: 4002, dport: 80, flags: 'ACK', seq: 601, ack: add(cookie.seq, 1) });
    s.send(10, { sport: 4003, dport: 80, flags: 'ACK', seq: 501, ack: add(cookie.seq, 1) });
    expectSegs(s.recv(10), [{ flags: 'RST' }, { flags: 'RST' }, { flags: 'RST' }]);
    assert.equal(s.tcp.stats.synCookiesRejected, 3);
    // old: more than two 64 s steps later the right cookie no longer opens anything
    s.send(129_000, { sport: 4002, dport: 80, flags: 'ACK', seq: 501, ack: add(cookie.seq, 1) });
    expectSegs(s.recv(129_000), [{ flags: 'RST' }]);
    assert.equal(l.pending, 0);
    assert.equal(s.tcp.connectionCount, 0, 'the half-open entry timed out; nothing was created');
  });

  test('a full accept queue drops the handshake-completing ACK; the SYN-ACK is retransmitted', () => {
    const s = new Script();
    const l = s.tcp.listen(80, { backlog: 1, synBacklog: 4 });
    s.send(0, { sport: 4001, dport: 80, flags: 'SYN', seq: 100 });
    s.send(0, { sport: 4002, dport: 80, flags: 'SYN', seq: 200 });
    const [a, b] = s.recv(0);
    s.send(10, { sport: 4001, dport: 80, flags: 'ACK', seq: 101, ack: add(a!.seq, 1) });
    s.send(10, { sport: 4002, dport: 80, flags: 'ACK', seq: 201, ack: add(b!.seq, 1) });
    assert.equal(l.pending, 1);
    assert.equal(s.tcp.stats.acceptQueueFull, 1);
    expectSegs(s.recv(999), []);
    expectSegs(s.recv(1000), [{ flags: 'SYN|ACK', seq: b!.seq, dport: 4002 }]);
  });

  test('a half-open connection gives up after synRetries SYN-ACK retransmissions', () => {
    const s = new Script({ synRetries: 2 });
    const l = s.tcp.listen(80);
    s.send(0, { sport: 4001, dport: 80, flags: 'SYN', seq: 100 });
    expectSegs(s.recv(0), [{ flags: 'SYN|ACK' }]);
    expectSegs(s.recv(1000), [{ flags: 'SYN|ACK' }]);
    expectSegs(s.recv(3000), [{ flags: 'SYN|ACK' }]);
    expectSegs(s.recv(7000), []);
    assert.equal(s.tcp.connectionCount, 0);
    assert.equal(l.halfOpen, 0);
  });

  test('the connection cap makes connect() throw and listeners refuse SYNs with RST', () => {
    const s = new Script({ maxConnections: 1 });
    s.tcp.listen(80);
    s.tcp.connect(0, { remoteAddress: REMOTE, remotePort: 80 });
    assert.throws(() => s.tcp.connect(0, { remoteAddress: REMOTE, remotePort: 81 }), RangeError);
    s.recv(0);
    s.send(0, { sport: 4001, dport: 80, flags: 'SYN', seq: 100 });
    assert.equal(s.tcp.connectionCount, 1);
    assert.equal(s.tcp.stats.synRefused, 1);
    expectSegs(s.recv(0), [{ flags: 'RST|ACK', ack: 101, dport: 4001 }]);
  });

  test('under memory pressure a SYN replaces a half-open one older than an RTO, or is refused with RST', () => {
    let pressure = false;
    const s = new Script({ memoryPressure: () => pressure, pressureFloor: 1 });
    const l = s.tcp.listen(80);
    s.send(0, { sport: 4001, dport: 80, flags: 'SYN', seq: 100 });
    s.recv(0);
    pressure = true;
    // 1 ms later the half-open entry is most likely a real client whose ACK is on its way: keep it.
    s.send(1, { sport: 4002, dport: 80, flags: 'SYN', seq: 100 });
    expectSegs(s.recv(1), [{ flags: 'RST|ACK', ack: 101, dport: 4002 }]);
    assert.equal(s.tcp.stats.synEvicted, 0);
    assert.equal(l.halfOpen, 1);
    // Past the initial RTO (its SYN-ACK was resent, unanswered) it is the victim.
    s.send(1500, { sport: 4002, dport: 80, flags: 'SYN', seq: 100 });
    const synAck = s.recv(1500).find((g) => g.dport === 4002);
    expectSegs([synAck!], [{ flags: 'SYN|ACK', dport: 4002 }]);
    assert.equal(l.halfOpen, 1);
    assert.equal(s.tcp.stats.synEvicted, 1);
    s.send(1501, { sport: 4002, dport: 80, flags: 'ACK', seq: 101, ack: add(synAck!.seq, 1) });
    assert.equal(l.pending, 1);
    s.send(1502, { sport: 4003, dport: 80, flags: 'SYN', seq: 100 });
    expectSegs(s.recv(1502), [{ flags: 'RST|ACK', ack: 101, dport: 4003 }]);
    assert.equal(s.tcp.stats.synRefused, 2);
    pressure = false;
    s.send(1503, { sport: 4003, dport: 80, flags: 'SYN', seq: 100 });
    expectSegs(s.recv(1503), [{ flags: 'SYN|ACK', dport: 4003 }]);
  });

  test('memory pressure with fewer connections than the floor still admits clients (no lock-out)', () => {
    // A heap above the line at idle (the program's own memory, issue 10: an 8 MB guest) used to
    // refuse every SYN with RST for ever; refusing frees nothing while connections hold nothing.
    const s = new Script({ memoryPressure: () => true });
    const l = s.tcp.listen(80);
    for (let i = 0; i < 4; i++) {
      s.send(i, { sport: 4001 + i, dport: 80, flags: 'SYN', seq: 100 });
      const [synAck] = s.recv(i);
      expectSegs([synAck!], [{ flags: 'SYN|ACK', dport: 4001 + i }]);
      s.send(i, { sport: 4001 + i, dport: 80, flags: 'ACK', seq: 101, ack: add(synAck!.seq, 1) });
    }
    assert.equal(l.pending, 4);
    assert.equal(s.tcp.stats.synRefused, 0);
    // At the floor, pressure sheds load again: a RST, not silence.
    s.send(9, { sport: 4009, dport: 80, flags: 'SYN', seq: 100 });
    expectSegs(s.recv(9), [{ flags: 'RST|ACK', ack: 101, dport: 4009 }]);
    assert.equal(s.tcp.stats.synRefused, 1);
  });
});

describe('SYN-SENT', () => {
  test('connect() sends a SYN with MSS, window scale, SACK-permitted and timestamps when enabled', () => {
    const s = new Script({ windowScaling: true, timestamps: true, sack: true, receiveBufferSize: 1 << 20 });
    s.tcp.connect(0, { remoteAddress: REMOTE, remotePort: 80, localPort: LP });
    const [syn] = s.recv(0);
    assert.equal(syn!.flags, 'SYN');
    assert.equal(syn!.mss, 1460);
    assert.equal(syn!.ws, 5); // 1 MiB >> 5 fits in 16 bits
    assert.equal(syn!.sackPerm, true);
    assert.equal(syn!.ts![1], 0);
    assert.equal(syn!.window, 65535);
    assert.equal(syn!.src, LOCAL);
  });

  test('SYN-ACK completes the handshake and fires onConnected', () => {
    const e = established();
    assert.deepEqual(e.events, ['connected']);
    assert.equal(e.c.info.rto, 300); // RFC 6298: srtt 100, rttvar 50
  });

  test('the SYN is retransmitted at 1, 3, 7 s and the connect fails with ETIMEDOUT', () => {
    const s = new Script({ synRetries: 2 });
    const c = s.tcp.connect(0, { remoteAddress: REMOTE, remotePort: 80 });
    let err = '';
    c.onError = (code) => { err = code; };
    const [syn] = s.recv(0);
    expectSegs(s.recv(999), []);
    expectSegs(s.recv(1000), [{ flags: 'SYN', seq: syn!.seq }]);
    expectSegs(s.recv(3000), [{ flags: 'SYN', seq: syn!.seq }]);
    expectSegs(s.recv(6999), []);
    expectSegs(s.recv(7000), []);
    assert.equal(c.state, 'CLOSED');
    assert.equal(err, 'ETIMEDOUT');
    assert.equal(s.tcp.connectionCount, 0);
  });

  test('the connect timeout bounds the handshake', () => {
    const s = new Script({ connectTimeout: 2500 });
    const c = s.tcp.connect(0, { remoteAddress: REMOTE, remotePort: 80 });
    s.recv(0); s.recv(1000);
    s.recv(2500);
    assert.equal(c.error, 'ETIMEDOUT');
  });

  test('RST|ACK to the SYN refuses the connection', () => {
    const s = new Script();
    const c = s.tcp.connect(0, { remoteAddress: REMOTE, remotePort: 80, localPort: LP });
    const events: string[] = [];
    c.onError = (e) => events.push(e);
    c.onClosed = () => events.push('closed');
    const [syn] = s.recv(0);
    s.send(10, { sport: 80, dport: LP, flags: 'RST|ACK', seq: 0, ack: add(syn!.seq, 1) });
    assert.equal(c.state, 'CLOSED');
    assert.deepEqual(events, ['ECONNREFUSED', 'closed']);
  });

  test('an unacceptable ACK in SYN-SENT is answered with RST and the connection stays', () => {
    const s = new Script();
    const c = s.tcp.connect(0, { remoteAddress: REMOTE, remotePort: 80, localPort: LP });
    const [syn] = s.recv(0);
    s.send(10, { sport: 80, dport: LP, flags: 'SYN|ACK', seq: 5, ack: add(syn!.seq, 5) });
    expectSegs(s.recv(10), [{ flags: 'RST', seq: add(syn!.seq, 5) }]);
    assert.equal(c.state, 'SYN-SENT');
  });

  test('simultaneous open: SYN in SYN-SENT -> SYN-RECEIVED -> ESTABLISHED', () => {
    const s = new Script();
    const c = s.tcp.connect(0, { remoteAddress: REMOTE, remotePort: 80, localPort: LP });
    const [syn] = s.recv(0);
    s.send(10, { sport: 80, dport: LP, flags: 'SYN', seq: IRS, mss: 1460 });
    assert.equal(c.state, 'SYN-RECEIVED');
    expectSegs(s.recv(10), [{ flags: 'SYN|ACK', seq: syn!.seq, ack: IRS + 1 }]);
    s.send(20, { sport: 80, dport: LP, flags: 'SYN|ACK', seq: IRS, ack: add(syn!.seq, 1), mss: 1460 });
    assert.equal(c.state, 'ESTABLISHED');
    expectSegs(s.recv(20), [{ flags: 'ACK', seq: add(syn!.seq, 1), ack: IRS + 1 }]);
  });

  test('close() in SYN-SENT deletes the connection without a segment', () => {
    const s = new Script();
    const c = s.tcp.connect(0, { remoteAddress: REMOTE, remotePort: 80 });
    s.recv(0);
    c.close();
    expectSegs(s.recv(1), []);
    assert.equal(c.state, 'CLOSED');
    assert.equal(s.tcp.connectionCount, 0);
  });
});

describe('ESTABLISHED: data, ACKs, windows', () => {
  test('windows shrink to the memory headroom (issue 10): no more new buffer is promised than the share left', () => {
    let headroom = 1e9;
    const e = established({ memoryHeadroom: () => headroom });
    const d = new Uint8Array(1000);
    e.s.send(200, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 1, ack: add(e.iss, 1), data: d });
    e.s.send(201, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 1001, ack: add(e.iss, 1), data: d });
    expectSegs(e.s.recv(201), [{ flags: 'ACK', ack: IRS + 2001, window: 65535 }]);
    assert.equal(e.s.tcp.stats.windowsCapped, 0);
    // Short of memory: 10,000 bytes of headroom, one connection: it may grow by 5,000 at most.
    headroom = 10_000;
    e.s.send(202, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 2001, ack: add(e.iss, 1), data: d });
    e.s.send(203, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 3001, ack: add(e.iss, 1), data: d });
    const [a] = e.s.recv(203);
    // The right edge does not move back (RFC 9293 §3.8.6.2.2): what is left of the old window.
    assert.equal(a!.window, 65535 - 2000);
    assert.ok(e.s.tcp.stats.windowsCapped > 0);
    // The application reads: the buffer is released and the offer is what memory allows, not 64 KiB.
    while (e.c.recv()) { /* drain */ }
    e.s.send(3000, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 4001, ack: add(e.iss, 1), data: d });
    e.s.send(3001, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 5001, ack: add(e.iss, 1), data: d });
    const [b] = e.s.recv(3001);
    assert.equal(b!.window, 65535 - 4000, 'the right edge stays; the window does not reopen');
    // Memory back: the window opens fully again once the application reads.
    headroom = 1e9;
    while (e.c.recv()) { /* drain */ }
    e.s.send(3100, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 6001, ack: add(e.iss, 1), data: d });
    e.s.send(3101, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 7001, ack: add(e.iss, 1), data: d });
    const [c] = e.s.recv(3101);
    assert.equal(c!.window, 65535);
  });

  test('windows opened one after another promise no more than the headroom in all (issue 10)', () => {
    // The heap does not move until peers send: what open windows promise must count as taken,
    // or each new connection is offered a share of memory already promised to the others.
    const s = new Script({ memoryHeadroom: () => 400_000 });
    s.tcp.listen(80);
    let promised = 0;
    for (let i = 0; i < 10; i++) {
      s.send(i, { sport: 4001 + i, dport: 80, flags: 'SYN', seq: 100 });
      const synAck = s.recv(i).find((o) => o.dport === 4001 + i)!;
      assert.equal(synAck.flags, 'SYN|ACK');
      promised += synAck.window!;
    }
    assert.ok(promised <= 100_000, `windows promise ${promised} bytes of a quarter of 400,000`);
    assert.ok(promised > 50_000, `the headroom is shared, not withheld: ${promised}`);
  });

  test('with no memory headroom a connection still offers a two-segment window, so its transfer never stalls', () => {
    const e = established({ memoryHeadroom: () => 0, mss: 1000 });
    const d = new Uint8Array(1000);
    for (let i = 0; i < 3; i++) {
      // The peer fills the window, the application reads everything: the ring is released.
      e.s.send(200 + 10 * i, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 1 + 2000 * i, ack: add(e.iss, 1), data: d });
      e.s.send(201 + 10 * i, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 1001 + 2000 * i, ack: add(e.iss, 1), data: d });
      while (e.c.recv()) { /* drain */ }
      const acks = e.s.recv(202 + 10 * i);
      const last = acks[acks.length - 1]!;
      assert.equal(last.ack, IRS + 1 + 2000 * (i + 1));
      assert.ok(last.window! >= 2000, `window ${last.window} after round ${i}`);
    }
  });

  test('the send buffer grows only by the memory headroom share (issue 10), but always takes two segments', () => {
    let headroom = 0;
    const e = established({ memoryHeadroom: () => headroom, mss: 1460 });
    ack(e, 150, 0); // an input refreshes the stack's view of memory
    const big = new Uint8Array(100_000);
    const n = e.c.send(big);
    assert.equal(n, 2 * 1460, 'short of memory: two segments, not the 128 KiB buffer');
    e.s.recv(160);
    // The peer acknowledges them: the buffer empties and the writer hears it may go on.
    ack(e, 200, n);
    assert.ok(e.events.includes('writable'));
    headroom = 1e9;
    ack(e, 210, n);
    assert.equal(e.c.send(big), 100_000, 'memory back: the whole write fits');
  });

  test('received data is readable, ACKed after the 40 ms delayed-ACK timeout', () => {
    const e = established();
    e.s.send(200, { sport: RP, dport: LP, flags: 'PSH|ACK', seq: IRS + 1, ack: add(e.iss, 1), data: 'hello' });
    assert.deepEqual(e.events, ['connected', 'readable']);
    assert.equal(new TextDecoder().decode(e.c.recv()), 'hello');
    expectSegs(e.s.recv(239), []);
    expectSegs(e.s.recv(240), [{ flags: 'ACK', ack: IRS + 6 }]);
  });

  test('every second segment is ACKed at once', () => {
    const e = established();
    const d = new Uint8Array(1460);
    e.s.send(200, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 1, ack: add(e.iss, 1), data: d });
    e.s.send(201, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 1461, ack: add(e.iss, 1), data: d });
    expectSegs(e.s.recv(201), [{ flags: 'ACK', ack: IRS + 2921 }]);
  });

  test('the advertised window shrinks with unread data and a window update follows the read', () => {
    const e = established({ receiveBufferSize: 4000 });
    const d = new Uint8Array(1460);
    e.s.send(200, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 1, ack: add(e.iss, 1), data: d });
    e.s.send(200, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 1461, ack: add(e.iss, 1), data: d });
    expectSegs(e.s.recv(200), [{ flags: 'ACK', ack: IRS + 2921, window: 4000 - 2920 }]);
    e.c.recv();
    expectSegs(e.s.recv(210), [{ flags: 'ACK', ack: IRS + 2921, window: 4000 }]);
  });

  test('data beyond the receive window is trimmed and ACKed at once', () => {
    const e = established({ receiveBufferSize: 1000 });
    e.s.send(200, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 1, ack: add(e.iss, 1), data: new Uint8Array(1400) });
    expectSegs(e.s.recv(200), [{ flags: 'ACK', ack: IRS + 1001, window: 0 }]);
    assert.equal(e.c.readableLength, 1000);
  });

  test('send() applies back-pressure and onWritable follows the ACK', () => {
    const e = established({ sendBufferSize: 3000 });
    assert.equal(e.c.send(new Uint8Array(5000)), 3000);
    assert.equal(e.c.send(new Uint8Array(1)), 0);
    const out = e.s.recv(1000);
    // the 80-byte tail waits for Nagle
    expectSegs(out, [{ seq: add(e.iss, 1), len: 1460 }, { seq: add(e.iss, 1461), len: 1460 }]);
    ack(e, 1100, 1460);
    assert.deepEqual(e.events, ['connected', 'writable']);
    assert.equal(e.c.sendBufferFree, 1460);
  });

  test('Nagle holds a small segment while data is unacknowledged', () => {
    const e = established();
    e.c.send(new TextEncoder().encode('a'));
    expectSegs(e.s.recv(1000), [{ len: 1, seq: add(e.iss, 1) }]);
    e.c.send(new TextEncoder().encode('b'));
    e.c.send(new TextEncoder().encode('c'));
    expectSegs(e.s.recv(1001), []);
    ack(e, 1100, 1);
    const [seg] = e.s.recv(1100);
    assert.equal(new TextDecoder().decode(seg!.data), 'bc');
  });

  test('setNoDelay(true) sends small segments at once', () => {
    const e = established();
    e.c.setNoDelay(true);
    e.c.send(new TextEncoder().encode('a'));
    expectSegs(e.s.recv(1000), [{ len: 1 }]);
    e.c.send(new TextEncoder().encode('b'));
    expectSegs(e.s.recv(1001), [{ len: 1, seq: add(e.iss, 2) }]);
  });

  test('the initial window is 3 segments of MSS 1460 (RFC 5681) and slow start grows it per ACK', () => {
    const e = established();
    e.c.send(new Uint8Array(20000));
    assert.equal(e.s.recv(1000).length, 3);
    ack(e, 1100, 1460);
    assert.equal(e.c.info.cwnd, 4380 + 1460);
    assert.equal(e.s.recv(1100).length, 2);
  });

  test('the peer window limits the data in flight and a window-limited runt waits (sender SWS avoidance)', () => {
    const e = established({}, { window: 2000 });
    e.c.send(new Uint8Array(5000));
    expectSegs(e.s.recv(1000), [{ len: 1460 }]); // 540 < half the largest window: held
    ack(e, 1100, 1460, { window: 2000 });
    expectSegs(e.s.recv(1100), [{ len: 1460 }]);
  });

  test('a window smaller than a segment is used whole when it is at least half the largest window', () => {
    const e = established({}, { window: 500 });
    e.c.send(new Uint8Array(5000));
    expectSegs(e.s.recv(1000), [{ len: 500 }]);
  });
});

describe('retransmission (RFC 6298)', () => {
  test('RTO 300 ms doubles on each timeout and the connection gives up with ETIMEDOUT', () => {
    const e = established({ maxRetransmits: 3 });
    e.c.send(new TextEncoder().encode('hello'));
    expectSegs(e.s.recv(1000), [{ flags: 'PSH|ACK', seq: add(e.iss, 1), len: 5 }]);
    expectSegs(e.s.recv(1299), []);
    expectSegs(e.s.recv(1300), [{ seq: add(e.iss, 1), len: 5 }]);
    expectSegs(e.s.recv(1899), []);
    expectSegs(e.s.recv(1900), [{ seq: add(e.iss, 1), len: 5 }]);
    expectSegs(e.s.recv(3100), [{ seq: add(e.iss, 1), len: 5 }]);
    expectSegs(e.s.recv(5499), []);
    expectSegs(e.s.recv(5500), []);
    assert.equal(e.c.state, 'CLOSED');
    assert.deepEqual(e.events, ['connected', 'error:ETIMEDOUT', 'closed']);
  });

  test('the RTO never exceeds maxRto', () => {
    const e = established({ maxRto: 1000 });
    e.c.send(new TextEncoder().encode('x'));
    e.s.recv(1000);
    expectSegs(e.s.recv(1300), [{ len: 1 }]); // 300
    expectSegs(e.s.recv(1900), [{ len: 1 }]); // 600
    expectSegs(e.s.recv(2900), [{ len: 1 }]); // 1000 (capped)
    expectSegs(e.s.recv(3900), [{ len: 1 }]); // 1000
  });

  test("Karn's rule: no RTT sample from a retransmitted segment; the backed-off RTO stays until one", () => {
    const e = established();
    e.c.send(new TextEncoder().encode('a'));
    e.s.recv(1000);
    e.s.recv(1300); // retransmission, RTO now 600
    ack(e, 1350, 1);
    assert.equal(e.c.info.rto, 600);
    assert.equal(e.c.info.srtt, 100);
    e.c.send(new TextEncoder().encode('b'));
    e.s.recv(2000);
    ack(e, 2050, 2);
    // RFC 6298 §2.3 with R = 50: rttvar = 0.75*50 + 0.25*50 = 50, srtt = 0.875*100 + 0.125*50
    assert.equal(e.c.info.srtt, 93.75);
    assert.equal(e.c.info.rto, 93.75 + 200);
  });

  test('fast retransmit on the third duplicate ACK, NewReno partial ACK retransmits the next hole', () => {
    const e = established();
    const M = 1460;
    e.c.send(new Uint8Array(20 * M));
    assert.equal(e.s.recv(1000).length, 3);
    ack(e, 1100, M); ack(e, 1100, 2 * M); ack(e, 1100, 3 * M); // slow start: cwnd 4380 -> 8760
    const burst = e.s.recv(1100);
    assert.equal(burst.length, 6); // segments 3..8
    // segments 3 and 5 are lost; 4, 6, 7 arrive and produce duplicate ACKs for 3
    ack(e, 1200, 3 * M); ack(e, 1201, 3 * M);
    expectSegs(e.s.recv(1201), []);
    ack(e, 1202, 3 * M);
    expectSegs(e.s.recv(1202), [{ seq: add(e.iss, 1 + 3 * M), len: M }]);
    assert.equal(e.s.tcp.stats.fastRetransmits, 1);
    assert.equal(e.c.info.ssthresh, 3 * M);
    assert.equal(e.c.info.cwnd, 6 * M); // ssthresh + 3 MSS
    ack(e, 1203, 3 * M); // segment 8 arrives: inflate by one MSS, one new segment goes out
    expectSegs(e.s.recv(1203), [{ seq: add(e.iss, 1 + 9 * M) }]);
    ack(e, 1300, 5 * M); // partial ACK (up to the second hole): retransmit it; cwnd 7-2+1 = 6 MSS
    expectSegs(e.s.recv(1300), [{ seq: add(e.iss, 1 + 5 * M), len: M }, { seq: add(e.iss, 1 + 10 * M) }]);
    assert.equal(e.c.info.cwnd, 6 * M);
    ack(e, 1400, 10 * M); // covers recover: full ACK ends recovery
    assert.equal(e.c.info.cwnd, 2 * M); // min(ssthresh, max(flight = 1 MSS, MSS) + MSS)
  });
});

describe('zero window, keep-alive', () => {
  test('a zero window is probed with backoff and data flows when it opens', () => {
    const e = established();
    ack(e, 200, 0, { window: 0 });
    e.c.send(new TextEncoder().encode('abc'));
    expectSegs(e.s.recv(1000), []);
    expectSegs(e.s.recv(1299), []);
    expectSegs(e.s.recv(1300), [{ seq: add(e.iss, 1), len: 1 }]); // probe after one RTO
    ack(e, 1310, 0, { window: 0 });
    expectSegs(e.s.recv(1899), []);
    expectSegs(e.s.recv(1900), [{ seq: add(e.iss, 1), len: 1 }]); // then 2*RTO
    ack(e, 1910, 0, { window: 1000 });
    expectSegs(e.s.recv(1910), [{ seq: add(e.iss, 1), len: 3 }]);
    assert.equal(e.c.state, 'ESTABLISHED');
  });

  test('keep-alive probes an idle connection and times out after count probes', () => {
    const e = established({ keepAlive: { idle: 10_000, interval: 1000, count: 2 } });
    expectSegs(e.s.recv(10_099), []);
    expectSegs(e.s.recv(10_100), [{ flags: 'ACK', seq: e.iss, ack: IRS + 1, len: 0 }]);
    ack(e, 10_150, 0); // the answer restarts the idle time
    expectSegs(e.s.recv(11_100), []);
    expectSegs(e.s.recv(20_150), [{ seq: e.iss }]);
    expectSegs(e.s.recv(21_150), [{ seq: e.iss }]);
    e.s.recv(22_150);
    assert.equal(e.c.error, 'ETIMEDOUT');
  });

  test('keep-alive is off by default', () => {
    const e = established();
    assert.equal(e.s.tcp.pollAt(200), Infinity);
  });
});

describe('options: window scaling, timestamps, SACK', () => {
  test('window scaling applies the peer shift to its windows (not in the SYN) and scales ours', () => {
    const e = established({ windowScaling: true, receiveBufferSize: 1 << 20 });
    assert.equal(e.c.info.windowScaling, false); // peer did not offer it in established()
    const s = new Script({ windowScaling: true, receiveBufferSize: 1 << 20 });
    const c = s.tcp.connect(0, { remoteAddress: REMOTE, remotePort: RP, localPort: LP });
    const [syn] = s.recv(0);
    s.send(100, { sport: RP, dport: LP, flags: 'SYN|ACK', seq: IRS, ack: add(syn!.seq, 1), ws: 7, window: 100, mss: 1460 });
    assert.equal(c.info.sndWnd, 100);
    expectSegs(s.recv(100), [{ flags: 'ACK', window: (1 << 20) >> 5 }]);
    s.send(110, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 1, ack: add(syn!.seq, 1), window: 1000 });
    assert.equal(c.info.sndWnd, 128_000);
  });

  test('timestamps are echoed and PAWS drops a segment with an old TSval', () => {
    const s = new Script({ timestamps: true });
    const c = s.tcp.connect(0, { remoteAddress: REMOTE, remotePort: RP, localPort: LP });
    const [syn] = s.recv(0);
    const iss = syn!.seq;
    s.send(100, { sport: RP, dport: LP, flags: 'SYN|ACK', seq: IRS, ack: add(iss, 1), ts: [500, syn!.ts![0]], mss: 1460 });
    const [a] = s.recv(100);
    assert.equal(a!.ts![1], 500);
    assert.equal(a!.ts![0], (syn!.ts![0] + 100) >>> 0);
    s.send(200, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 1, ack: add(iss, 1), ts: [600, 0], data: 'new' });
    s.send(210, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 4, ack: add(iss, 1), ts: [400, 0], data: 'old' });
    assert.equal(s.tcp.stats.pawsDropped, 1);
    assert.equal(new TextDecoder().decode(c.recv()), 'new');
    const out = s.recv(210);
    assert.equal(out.at(-1)!.ack, IRS + 4);
    assert.equal(out.at(-1)!.ts![1], 600);
  });

  test('out-of-order data is ACKed at once with SACK blocks, most recent first, and reassembled', () => {
    const s = new Script({ sack: true });
    const c = s.tcp.connect(0, { remoteAddress: REMOTE, remotePort: RP, localPort: LP });
    const [syn] = s.recv(0);
    s.send(100, { sport: RP, dport: LP, flags: 'SYN|ACK', seq: IRS, ack: add(syn!.seq, 1), sackPerm: true, mss: 1460 });
    s.recv(100);
    const ack1 = add(syn!.seq, 1);
    s.send(200, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 11, ack: ack1, data: 'BBBBBBBBBB' });
    expectSegs(s.recv(200), [{ flags: 'ACK', ack: IRS + 1, sack: [IRS + 11, IRS + 21] }]);
    s.send(201, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 31, ack: ack1, data: 'DDDDDDDDDD' });
    expectSegs(s.recv(201), [{ ack: IRS + 1, sack: [IRS + 31, IRS + 41, IRS + 11, IRS + 21] }]);
    assert.equal(c.readableLength, 0);
    s.send(202, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 1, ack: ack1, data: 'AAAAAAAAAA' });
    expectSegs(s.recv(202), [{ ack: IRS + 21, sack: [IRS + 31, IRS + 41] }]);
    s.send(203, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 21, ack: ack1, data: 'CCCCCCCCCC' });
    expectSegs(s.recv(203), [{ ack: IRS + 41, sack: [] }]);
    assert.equal(new TextDecoder().decode(c.recv()), 'AAAAAAAAAABBBBBBBBBBCCCCCCCCCCDDDDDDDDDD');
  });

  test('the out-of-order range cap refuses a segment that needs one more range', () => {
    const e = established({ maxOooRanges: 2 });
    for (const off of [10, 30, 50]) {
      e.s.send(200, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 1 + off, ack: add(e.iss, 1), data: 'xxxxx' });
    }
    assert.equal(e.s.tcp.stats.oooDropped, 1);
    assert.equal(e.c.info.oooRanges, 2);
  });
});

describe('RST and challenge ACKs (RFC 5961)', () => {
  test('a RST at exactly RCV.NXT resets the connection', () => {
    const e = established();
    e.s.send(200, { sport: RP, dport: LP, flags: 'RST', seq: IRS + 1 });
    assert.equal(e.c.state, 'CLOSED');
    assert.deepEqual(e.events, ['connected', 'error:ECONNRESET', 'closed']);
    assert.equal(e.s.tcp.connectionCount, 0);
  });

  test('an in-window RST not at RCV.NXT gets a challenge ACK', () => {
    const e = established();
    e.s.send(200, { sport: RP, dport: LP, flags: 'RST', seq: IRS + 100 });
    assert.equal(e.c.state, 'ESTABLISHED');
    expectSegs(e.s.recv(200), [{ flags: 'ACK', seq: add(e.iss, 1), ack: IRS + 1 }]);
    assert.equal(e.s.tcp.stats.challengeAcks, 1);
  });

  test('a RST outside the window is dropped silently', () => {
    const e = established();
    e.s.send(200, { sport: RP, dport: LP, flags: 'RST', seq: IRS + 1_000_000 });
    expectSegs(e.s.recv(200), []);
    assert.equal(e.c.state, 'ESTABLISHED');
  });

  test('a SYN in ESTABLISHED gets a challenge ACK', () => {
    const e = established();
    e.s.send(200, { sport: RP, dport: LP, flags: 'SYN', seq: IRS + 5 });
    expectSegs(e.s.recv(200), [{ flags: 'ACK', ack: IRS + 1 }]);
    assert.equal(e.c.state, 'ESTABLISHED');
  });

  test('an ACK of unsent data gets a challenge ACK, rate-limited per second', () => {
    const e = established({ challengeAckLimit: 2 });
    for (let i = 0; i < 3; i++) ack(e, 200 + i, 5000);
    assert.equal(e.s.tcp.stats.challengeAcks, 2);
    assert.equal(e.s.tcp.stats.challengeAcksLimited, 1);
    ack(e, 1300, 5000);
    assert.equal(e.s.tcp.stats.challengeAcks, 3);
  });

  test('abort() sends RST and closes at once', () => {
    const e = established();
    e.c.abort();
    assert.equal(e.c.state, 'CLOSED');
    expectSegs(e.s.recv(200), [{ flags: 'RST|ACK', seq: add(e.iss, 1) }]);
    assert.deepEqual(e.events, ['connected', 'closed']);
  });
});

describe('closing', () => {
  test('active close: FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT for 2*MSL, then gone', () => {
    const e = established({ msl: 1000 });
    e.c.close();
    assert.equal(e.c.state, 'FIN-WAIT-1');
    expectSegs(e.s.recv(200), [{ flags: 'FIN|ACK', seq: add(e.iss, 1) }]);
    ack(e, 300, 1);
    assert.equal(e.c.state, 'FIN-WAIT-2');
    e.s.send(400, { sport: RP, dport: LP, flags: 'FIN|ACK', seq: IRS + 1, ack: add(e.iss, 2) });
    assert.equal(e.c.state, 'TIME-WAIT');
    assert.equal(e.c.readEnded, true);
    expectSegs(e.s.recv(400), [{ flags: 'ACK', ack: IRS + 2 }]);
    assert.deepEqual(e.events, ['connected', 'readable', 'closed']);
    // a retransmitted FIN is ACKed again and restarts 2*MSL
    e.s.send(1000, { sport: RP, dport: LP, flags: 'FIN|ACK', seq: IRS + 1, ack: add(e.iss, 2) });
    expectSegs(e.s.recv(1000), [{ flags: 'ACK', ack: IRS + 2 }]);
    // the connection object is done (CLOSED); a compact record holds TIME-WAIT (RFC 9293 §3.6.1)
    assert.equal(e.c.state, 'CLOSED');
    assert.equal(e.s.tcp.connectionCount, 0);
    e.s.recv(2999);
    assert.equal(e.s.tcp.timeWaitCount, 1);
    e.s.recv(3000);
    assert.equal(e.s.tcp.timeWaitCount, 0);
    // after TIME-WAIT the port answers as closed
    e.s.send(3001, { sport: RP, dport: LP, flags: 'FIN|ACK', seq: IRS + 1, ack: add(e.iss, 2) });
    expectSegs(e.s.recv(3001), [{ flags: 'RST' }]);
  });

  /** A listener's connection closed by us first, now a TIME-WAIT record (peer 10.0.0.2:RP, our port 80). */
  function passiveTimeWait(options: Partial<TcpOptions> = {}) {
    const s = new Script({ msl: 1000, ...options });
    const l = s.tcp.listen(80);
    let c: TcpConnection | undefined;
    l.onConnection = () => { c = l.accept(); c!.close(); };
    s.send(0, { sport: RP, dport: 80, flags: 'SYN', seq: IRS, ts: options.timestamps ? [500, 0] : undefined });
    const [synAck] = s.recv(0);
    const iss = synAck!.seq;
    s.send(10, { sport: RP, dport: 80, flags: 'ACK', seq: IRS + 1, ack: add(iss, 1), ts: options.timestamps ? [510, synAck!.ts![0]] : undefined });
    expectSegs(s.recv(10), [{ flags: 'FIN|ACK' }]);
    s.send(20, { sport: RP, dport: 80, flags: 'FIN|ACK', seq: IRS + 1, ack: add(iss, 2), ts: options.timestamps ? [520, 0] : undefined });
    expectSegs(s.recv(20), [{ flags: 'ACK', ack: IRS + 2 }]);
    assert.equal(s.tcp.timeWaitCount, 1);
    assert.equal(c!.state, 'CLOSED');
    return { s, iss, l };
  }

  test('TIME-WAIT record: an exact RST ends it, an inexact one is ignored', () => {
    const { s } = passiveTimeWait();
    s.send(30, { sport: RP, dport: 80, flags: 'RST', seq: IRS + 5 });
    assert.equal(s.tcp.timeWaitCount, 1);
    s.send(31, { sport: RP, dport: 80, flags: 'RST', seq: IRS + 2 });
    assert.equal(s.tcp.timeWaitCount, 0);
    assert.deepEqual(s.recv(31), []);
  });

  test('TIME-WAIT record: a SYN beyond the old sequence space opens a new connection (RFC 6191), an old one is ACKed', () => {
    const { s } = passiveTimeWait();
    s.send(30, { sport: RP, dport: 80, flags: 'SYN', seq: IRS });
    expectSegs(s.recv(30), [{ flags: 'ACK', ack: IRS + 2 }]);
    assert.equal(s.tcp.timeWaitCount, 1);
    s.send(40, { sport: RP, dport: 80, flags: 'SYN', seq: IRS + 100_000 });
    expectSegs(s.recv(40), [{ flags: 'SYN|ACK', ack: IRS + 100_001 }]);
    assert.equal(s.tcp.timeWaitCount, 0);
    assert.equal(s.tcp.connectionCount, 1);
  });

  test('TIME-WAIT record: with timestamps the ACK carries them and a SYN with a newer TSval reopens', () => {
    const { s } = passiveTimeWait({ timestamps: true });
    s.send(30, { sport: RP, dport: 80, flags: 'FIN|ACK', seq: IRS + 1, ack: 0, ts: [530, 0] });
    const [a] = s.recv(30);
    assert.equal(a!.flags, 'ACK');
    assert.equal(a!.ts![1], 520);
    s.send(40, { sport: RP, dport: 80, flags: 'SYN', seq: IRS - 50, ts: [600, 0] }); // lower seq, newer TSval
    expectSegs(s.recv(40), [{ flags: 'SYN|ACK', ack: IRS - 49 }]);
  });

  test('TIME-WAIT records are capped: the oldest is evicted when the table is full', () => {
    const s = new Script({ msl: 60_000, maxTimeWait: 3 });
    const l = s.tcp.listen(80);
    l.onConnection = () => { let c; while ((c = l.accept())) c.close(); };
    for (let i = 0; i < 5; i++) {
      const port = 2000 + i;
      s.send(i * 10, { sport: port, dport: 80, flags: 'SYN', seq: IRS });
      const [synAck] = s.recv(i * 10);
      s.send(i * 10 + 1, { sport: port, dport: 80, flags: 'ACK', seq: IRS + 1, ack: add(synAck!.seq, 1) });
      s.recv(i * 10 + 1);
      s.send(i * 10 + 2, { sport: port, dport: 80, flags: 'FIN|ACK', seq: IRS + 1, ack: add(synAck!.seq, 2) });
      s.recv(i * 10 + 2);
    }
    assert.equal(s.tcp.timeWaitCount, 3);
    assert.equal(s.tcp.stats.timeWaitEvicted, 2);
    // the evicted (oldest) tuple now answers as a closed connection: its FIN gets a RST
    s.send(100, { sport: 2000, dport: 80, flags: 'FIN|ACK', seq: IRS + 1, ack: 1 });
    expectSegs(s.recv(100), [{ flags: 'RST' }]);
    s.send(101, { sport: 2004, dport: 80, flags: 'FIN|ACK', seq: IRS + 1, ack: 1 });
    expectSegs(s.recv(101), [{ flags: 'ACK', ack: IRS + 2 }]);
  });

  test('FIN goes after queued data, piggybacked on the last segment', () => {
    const e = established();
    e.c.send(new TextEncoder().encode('bye'));
    e.c.close();
    expectSegs(e.s.recv(200), [{ flags: 'FIN|PSH|ACK', seq: add(e.iss, 1), len: 3 }]);
    assert.equal(e.c.send(new Uint8Array(1)), 0);
  });

  test('passive close: CLOSE-WAIT, then LAST-ACK, then CLOSED', () => {
    const e = established();
    e.s.send(200, { sport: RP, dport: LP, flags: 'FIN|ACK', seq: IRS + 1, ack: add(e.iss, 1) });
    assert.equal(e.c.state, 'CLOSE-WAIT');
    assert.equal(e.c.readEnded, true);
    expectSegs(e.s.recv(200), [{ flags: 'ACK', ack: IRS + 2 }]);
    e.c.send(new TextEncoder().encode('last'));
    e.c.close();
    assert.equal(e.c.state, 'LAST-ACK');
    expectSegs(e.s.recv(210), [{ flags: 'FIN|PSH|ACK', len: 4 }]);
    ack(e, 300, 5, { seq: IRS + 2 });
    assert.equal(e.c.state, 'CLOSED');
    assert.equal(e.s.tcp.connectionCount, 0);
  });

  test('simultaneous close: FIN-WAIT-1 -> CLOSING -> TIME-WAIT', () => {
    const e = established({ msl: 500 });
    e.c.close();
    expectSegs(e.s.recv(200), [{ flags: 'FIN|ACK' }]);
    e.s.send(210, { sport: RP, dport: LP, flags: 'FIN|ACK', seq: IRS + 1, ack: add(e.iss, 1) });
    assert.equal(e.c.state, 'CLOSING');
    expectSegs(e.s.recv(210), [{ flags: 'ACK', ack: IRS + 2 }]);
    ack(e, 220, 1, { seq: IRS + 2 });
    assert.equal(e.c.state, 'TIME-WAIT');
    e.s.recv(220);
    assert.equal(e.s.tcp.timeWaitCount, 1);
    e.s.recv(1220);
    assert.equal(e.s.tcp.timeWaitCount, 0);
  });

  test('FIN and ACK in one segment in FIN-WAIT-1 go straight to TIME-WAIT', () => {
    const e = established();
    e.c.close();
    e.s.recv(200);
    e.s.send(210, { sport: RP, dport: LP, flags: 'FIN|ACK', seq: IRS + 1, ack: add(e.iss, 2) });
    assert.equal(e.c.state, 'TIME-WAIT');
  });

  test('the FIN is retransmitted like data', () => {
    const e = established();
    e.c.close();
    expectSegs(e.s.recv(200), [{ flags: 'FIN|ACK', seq: add(e.iss, 1) }]);
    expectSegs(e.s.recv(500), [{ flags: 'FIN|ACK', seq: add(e.iss, 1) }]);
  });

  test('FIN-WAIT-2 times out when the peer stays silent', () => {
    const e = established({ finWait2Timeout: 5000 });
    e.c.close();
    e.s.recv(200);
    ack(e, 300, 1);
    e.s.recv(5299);
    assert.equal(e.c.state, 'FIN-WAIT-2');
    e.s.recv(5300);
    assert.equal(e.c.state, 'CLOSED');
  });

  test('a FIN that arrives before missing data is held until the gap fills', () => {
    const e = established();
    e.s.send(200, { sport: RP, dport: LP, flags: 'FIN|ACK', seq: IRS + 6, ack: add(e.iss, 1), data: 'world' });
    assert.equal(e.c.state, 'ESTABLISHED');
    e.s.send(210, { sport: RP, dport: LP, flags: 'ACK', seq: IRS + 1, ack: add(e.iss, 1), data: 'hello' });
    assert.equal(e.c.state, 'CLOSE-WAIT');
    assert.equal(new TextDecoder().decode(e.c.recv()), 'helloworld');
    expectSegs(e.s.recv(210), [{ flags: 'ACK', ack: IRS + 12 }]);
  });

  test('callbacks may call send and close re-entrantly', () => {
    const e = established();
    e.c.onReadable = () => {
      const d = e.c.recv();
      if (d) e.c.send(d);
      if (e.c.readEnded) e.c.close();
    };
    e.s.send(200, { sport: RP, dport: LP, flags: 'FIN|PSH|ACK', seq: IRS + 1, ack: add(e.iss, 1), data: 'echo' });
    expectSegs(e.s.recv(200), [{ flags: 'FIN|PSH|ACK', ack: IRS + 6, len: 4 }]);
    assert.equal(e.c.state, 'LAST-ACK');
  });
});

/**
 * Property tests on the receive path: arbitrary segments (flags, sequence numbers near and far
 * from the live ones, options, payloads) and application actions, at increasing times, into a
 * stack holding connections in several states. The stack must never throw, must always settle
 * (polling at a fixed time stops being due), and must stay within its caps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { TcpOptions } from './config.ts';
import { decodeSeg, encodeSeg, LOCAL, REMOTE, Script, type OutSeg, type Seg } from './sim/script.ts';

const CAPS: Partial<TcpOptions> = {
  receiveBufferSize: 4096, sendBufferSize: 4096, maxConnections: 8, maxOooRanges: 4, backlog: 2, synBacklog: 2,
  windowScaling: true, timestamps: true, sack: true, maxPendingRsts: 8, msl: 2000, connectTimeout: 20_000,
  keepAlive: { idle: 5000, interval: 1000, count: 2 },
};
const IRS = 1000;

interface World { s: Script; isses: number[]; now: number; out: OutSeg[] }

function setup(): World {
  const s = new Script(CAPS);
  const isses: number[] = [];
  s.tcp.listen(80);
  // an established active connection 5000 -> 81
  s.tcp.connect(0, { remoteAddress: REMOTE, remotePort: 81, localPort: 5000 });
  const syn = s.recv(0).find((x) => x.sport === 5000)!;
  isses.push(syn.seq);
  s.send(10, { sport: 81, dport: 5000, flags: 'SYN|ACK', seq: IRS, ack: (syn.seq + 1) >>> 0, mss: 1000, ws: 2, sackPerm: true, ts: [1, syn.ts![0]] });
  // a passive one 4000 -> 80
  s.send(10, { sport: 4000, dport: 80, flags: 'SYN', seq: IRS, mss: 1000, ws: 2, sackPerm: true, ts: [1, 0] });
  const sa = s.recv(10).find((x) => x.dport === 4000)!;
  isses.push(sa.seq);
  s.send(20, { sport: 4000, dport: 80, flags: 'ACK', seq: IRS + 1, ack: (sa.seq + 1) >>> 0, ts: [2, sa.ts![0]] });
  // CLOSE-WAIT (5002 -> 83, peer sent FIN) and FIN-WAIT-2 (5003 -> 84, we closed, peer ACKed)
  for (const [lp, rp] of [[5002, 83], [5003, 84]] as const) {
    const c = s.tcp.connect(20, { remoteAddress: REMOTE, remotePort: rp, localPort: lp });
    const sy = s.recv(20).find((x) => x.sport === lp)!;
    isses.push(sy.seq);
    s.send(20, { sport: rp, dport: lp, flags: 'SYN|ACK', seq: IRS, ack: (sy.seq + 1) >>> 0, mss: 1000, ws: 2, sackPerm: true, ts: [1, sy.ts![0]] });
    if (lp === 5002) s.send(20, { sport: rp, dport: lp, flags: 'FIN|ACK', seq: IRS + 1, ack: (sy.seq + 1) >>> 0, ts: [2, 0] });
    else { c.close(); s.recv(20); s.send(20, { sport: rp, dport: lp, flags: 'ACK', seq: IRS + 1, ack: (sy.seq + 2) >>> 0, ts: [2, 0] }); }
    s.recv(20);
  }
  // a connection left in SYN-SENT
  s.tcp.connect(20, { remoteAddress: REMOTE, remotePort: 82, localPort: 5001 });
  for (const x of s.recv(20)) if (x.sport === 5001) isses.push(x.seq);
  return { s, isses, now: 20, out: [] };
}

const segArb = fc.record({
  kind: fc.constant('seg' as const),
  dt: fc.integer({ min: 0, max: 3000 }),
  port: fc.constantFrom<[number, number]>([81, 5000], [4000, 80], [82, 5001], [83, 5002], [84, 5003], [4001, 80], [4002, 80], [9, 9], [81, 5001]),
  flags: fc.integer({ min: 0, max: 255 }),
  seqMode: fc.constantFrom('near', 'far'),
  seqOff: fc.integer({ min: -70_000, max: 70_000 }),
  seqFar: fc.integer({ min: 0, max: 0xffffffff }),
  ackWhich: fc.integer({ min: 0, max: 4 }),
  ackOff: fc.integer({ min: -70_000, max: 70_000 }),
  window: fc.integer({ min: 0, max: 65535 }),
  mss: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
  ws: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
  ts: fc.option(fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff })), { nil: undefined }),
  sack: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 6 }),
  len: fc.integer({ min: 0, max: 3000 }),
});
const appArb = fc.record({
  kind: fc.constantFrom('send' as const, 'recv' as const, 'close' as const, 'abort' as const, 'connect' as const, 'accept' as const),
  dt: fc.integer({ min: 0, max: 3000 }),
  which: fc.nat(),
  len: fc.integer({ min: 0, max: 6000 }),
});
type Action = typeof segArb extends fc.Arbitrary<infer T> ? T : never;
type App = typeof appArb extends fc.Arbitrary<infer T> ? T : never;

function settle(w: World): void {
  // Polling at one instant must stop being due after a few rounds (no busy loop).
  for (let i = 0; i < 20; i++) {
    if (w.s.tcp.pollAt(w.now) > w.now) return;
    w.s.tcp.poll(w.now, (d) => { w.out.push(decodeSeg(d)); });
  }
  assert.fail(`stack still due at ${w.now} after 20 polls`);
}

function checkCaps(w: World): void {
  const tcp = w.s.tcp;
  assert.ok(tcp.connectionCount <= 8);
  assert.equal(tcp.connections().length, tcp.connectionCount);
  for (const c of tcp.connections()) {
    assert.ok(c.readableLength <= 4096);
    assert.ok(c.bufferedAmount <= 4096);
    assert.ok(c.info.rcvAllocated <= 4096 && c.info.sndAllocated <= 4096);
    assert.ok(c.info.oooRanges <= 4);
    assert.ok(c.info.rto >= 200 && c.info.rto <= 60_000);
  }
  for (const o of w.out) {
    assert.equal(o.src, LOCAL);
    assert.ok(o.len <= 1460);
  }
  w.out.length = 0;
}

function applySeg(w: World, a: Action): void {
  w.now += a.dt;
  const flags: string[] = [];
  const names = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];
  for (let i = 0; i < 8; i++) if (a.flags & (1 << i)) flags.push(names[i]!);
  const iss = w.isses[a.ackWhich % w.isses.length]!;
  const seq = a.seqMode === 'near' ? (IRS + 1 + a.seqOff) >>> 0 : a.seqFar;
  const seg: Seg = {
    sport: a.port[0], dport: a.port[1], flags: flags.join('|'), seq, ack: (iss + 1 + a.ackOff) >>> 0,
    window: a.window, mss: a.mss, ws: a.ws, ts: a.ts, sack: a.sack.slice(0, a.sack.length & ~1),
    data: new Uint8Array(a.len),
  };
  let bytes: Uint8Array | undefined;
  while (!bytes) {
    try { bytes = encodeSeg(seg); } catch { seg.sack = seg.sack!.slice(0, -2); } // keep options within 40 bytes
  }
  w.s.tcp.input(w.now, REMOTE, LOCAL, bytes);
}

function applyApp(w: World, a: App): void {
  w.now += a.dt;
  const conns = w.s.tcp.connections();
  const c = conns.length ? conns[a.which % conns.length] : undefined;
  switch (a.kind) {
    case 'send': c?.send(new Uint8Array(a.len)); break;
    case 'recv': c?.recv(a.len || undefined); break;
    case 'close': c?.close(); break;
    case 'abort': c?.abort(); break;
    case 'connect':
      try { w.s.tcp.connect(w.now, { remoteAddress: REMOTE, remotePort: 1 + (a.which % 1000) }); } catch (e) { assert.ok(e instanceof RangeError || e instanceof Error); }
      break;
    case 'accept': break;
  }
}

test('property: arbitrary segments and app actions never throw, always settle and respect every cap', () => {
  fc.assert(fc.property(fc.array(fc.oneof({ arbitrary: segArb, weight: 4 }, { arbitrary: appArb, weight: 1 }), { minLength: 10, maxLength: 80, size: 'max' }), (actions) => {
    const w = setup();
    for (const a of actions) {
      if (a.kind === 'seg') applySeg(w, a); else applyApp(w, a);
      settle(w);
      checkCaps(w);
    }
    // run the clock forward: every timer must eventually fire and the stack go idle or quiet
    for (let i = 0; i < 200; i++) {
      const t = w.s.tcp.pollAt(w.now);
      if (t === Infinity) break;
      w.now = Math.max(w.now, t);
      settle(w);
      checkCaps(w);
    }
  }), { numRuns: 300 });
});

test('property: arbitrary bytes as TCP payload are counted as malformed, never thrown', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
    const w = setup();
    w.s.tcp.input(30, REMOTE, LOCAL, bytes);
    settle(w);
    checkCaps(w);
  }), { numRuns: 300 });
});

test('without keep-alive an idle established stack eventually has nothing scheduled but nothing leaks', () => {
  const s = new Script({ ...CAPS, keepAlive: false });
  s.tcp.connect(0, { remoteAddress: REMOTE, remotePort: 81, localPort: 5000 });
  // never answered: the SYN gives up and the stack becomes idle
  let now = 0;
  for (let i = 0; i < 100 && s.tcp.pollAt(now) !== Infinity; i++) {
    now = Math.max(now, s.tcp.pollAt(now));
    s.tcp.poll(now, () => {});
  }
  assert.equal(s.tcp.pollAt(now), Infinity);
  assert.equal(s.tcp.connectionCount, 0);
});

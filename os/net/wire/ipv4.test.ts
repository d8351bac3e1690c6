import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseIpv4 as ip } from '../addr.ts';
import { emitIpv4, Ipv4Packet, IPV4_HEADER_LEN, parseIpv4, type Ipv4Repr } from './ipv4.ts';
import { fromHex, hex } from './result.ts';

// scapy IP(src=10.0.2.2, dst=10.0.2.15, id=0x1234, flags=DF, ttl=64)/ICMP(echo id=0x77 seq=1)/"abcdefgh"
const PING = fromHex('4500002412344000400110950a0002020a00020f080065f2007700016162636465666768');
// scapy IP with a record-route option (IHL 7), UDP 1->2 "x"
const WITH_OPTIONS = fromHex('4700002500070000031190b40a0000010a000002070704010203040000010002000973d678');
// scapy fragment(): second fragment (offset 16, MF) of id 0x4242
const FRAGMENT = fromHex('4500002442422002401104830a0000010a00000241424344454647484142434445464748');

test('parseIpv4() reads a captured header', () => {
  const r = parseIpv4(PING);
  assert.ok(r.ok);
  assert.deepEqual(r.value.repr, {
    src: ip('10.0.2.2'), dst: ip('10.0.2.15'), protocol: 1, ttl: 64, ident: 0x1234, tos: 0,
    dontFragment: true, moreFragments: false, fragmentOffset: 0, payloadLength: 16,
  });
});

test('parseIpv4() skips options', () => {
  const r = parseIpv4(WITH_OPTIONS);
  assert.ok(r.ok);
  assert.equal(r.value.repr.protocol, 17);
  assert.equal(hex(r.value.payload), '000100020009' + '73d6' + '78');
});

test('parseIpv4() reads fragment fields', () => {
  const r = parseIpv4(FRAGMENT);
  assert.ok(r.ok);
  assert.equal(r.value.repr.moreFragments, true);
  assert.equal(r.value.repr.fragmentOffset, 16);
});

test('emitIpv4() reproduces the captured header and checksum', () => {
  const buf = new Uint8Array(IPV4_HEADER_LEN);
  const r = parseIpv4(PING);
  assert.ok(r.ok);
  emitIpv4(r.value.repr, buf);
  assert.equal(hex(buf), hex(PING.subarray(0, 20)));
});

test('parseIpv4() ignores link padding past the total length', () => {
  const padded = new Uint8Array(PING.length + 10);
  padded.set(PING);
  const r = parseIpv4(padded);
  assert.ok(r.ok);
  assert.equal(r.value.payload.length, 16);
});

test('parseIpv4() rejects truncated datagrams', () => {
  for (let n = 0; n < PING.length; n++) assert.equal(parseIpv4(PING.subarray(0, n)).ok, false, `length ${n}`);
});

test('parseIpv4() rejects bad version, IHL, total length and checksum with reasons', () => {
  const mutate = (f: (b: Uint8Array) => void): string => {
    const b = PING.slice(); f(b);
    const r = parseIpv4(b);
    assert.ok(!r.ok);
    return r.reason;
  };
  assert.equal(mutate((b) => { b[0] = 0x65; }), 'bad-version');
  assert.equal(mutate((b) => { b[0] = 0x44; }), 'bad-header-length');
  assert.equal(mutate((b) => { b[0] = 0x4f; }), 'truncated');
  assert.equal(mutate((b) => { b[3] = 10; }), 'bad-total-length');
  assert.equal(mutate((b) => { b[3] = 0xff; }), 'truncated');
  assert.equal(mutate((b) => { b[8] = 1; }), 'bad-checksum');
  assert.equal(mutate((b) => { b[6] |= 0x80; }), 'reserved-flag');
});

test('parseIpv4() never throws on arbitrary bytes', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
    const r = parseIpv4(b);
    if (r.ok) assert.ok(r.value.payload.length <= b.length);
  }));
  fc.assert(fc.property(fc.uint8Array({ minLength: 20, maxLength: 80 }), (b) => {
    b[0] = 0x40 | (b[0]! & 0xf); // mostly valid versions, random IHL
    const p = Ipv4Packet.parse(b);
    if (p.ok) { p.value.options; p.value.payload; p.value.checksumValid(); }
  }));
});

test('parseIpv4(emitIpv4(x)) = x', () => {
  const repr = fc.record({
    src: fc.integer({ min: 0, max: 0xffffffff }), dst: fc.integer({ min: 0, max: 0xffffffff }),
    protocol: fc.integer({ min: 0, max: 255 }), ttl: fc.integer({ min: 0, max: 255 }), ident: fc.integer({ min: 0, max: 0xffff }),
    tos: fc.integer({ min: 0, max: 255 }), dontFragment: fc.boolean(), moreFragments: fc.boolean(),
    fragmentOffset: fc.integer({ min: 0, max: 0x1fff }).map((x) => x * 8), payloadLength: fc.integer({ min: 0, max: 40 }),
  });
  fc.assert(fc.property(repr, (x: Ipv4Repr) => {
    const buf = new Uint8Array(20 + x.payloadLength);
    emitIpv4(x, buf);
    const r = parseIpv4(buf);
    assert.ok(r.ok);
    assert.deepEqual(r.value.repr, { ...x });
  }));
});

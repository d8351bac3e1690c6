import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { emitIcmp, icmpLength, parseIcmp, UnreachableCode, type IcmpRepr } from './icmp.ts';
import { fromHex, hex } from './result.ts';

// scapy ICMP(type=8, id=0x77, seq=1)/"abcdefgh"
const ECHO = fromHex('080065f2007700016162636465666768');
// scapy ICMP(type=3, code=3)/IP(...)/UDP(5353->7777)/"hello" (the ICMP part)
const UNREACH = fromHex('0303152c000000004500002100010000401162bb0a0002020a00020f14e91e61000d70a768656c6c6f');

test('parseIcmp() reads a captured echo request', () => {
  const r = parseIcmp(ECHO);
  assert.ok(r.ok);
  assert.deepEqual(r.value, { kind: 'echo-request', ident: 0x77, seq: 1, data: new TextEncoder().encode('abcdefgh') });
});

test('parseIcmp() reads a captured port unreachable with the original datagram', () => {
  const r = parseIcmp(UNREACH);
  assert.ok(r.ok && r.value.kind === 'dest-unreachable');
  assert.equal(r.value.code, UnreachableCode.PORT);
  assert.equal(r.value.original.length, 33);
});

test('emitIcmp() reproduces captured messages', () => {
  for (const bytes of [ECHO, UNREACH]) {
    const r = parseIcmp(bytes);
    assert.ok(r.ok);
    const buf = new Uint8Array(icmpLength(r.value));
    emitIcmp(r.value, buf);
    assert.equal(hex(buf), hex(bytes));
  }
});

test('parseIcmp() rejects truncated messages and bad checksums', () => {
  assert.deepEqual(parseIcmp(ECHO.subarray(0, 7)), { ok: false, reason: 'truncated' });
  assert.deepEqual(parseIcmp(ECHO.subarray(0, 12)), { ok: false, reason: 'bad-checksum' });
  const b = ECHO.slice(); b[9] ^= 1;
  assert.deepEqual(parseIcmp(b), { ok: false, reason: 'bad-checksum' });
});

test('parseIcmp() keeps unknown types as other', () => {
  const repr: IcmpRepr = { kind: 'other', type: 13, code: 0, rest: 0x01020304, data: new Uint8Array([1, 2]) };
  const buf = new Uint8Array(icmpLength(repr));
  emitIcmp(repr, buf);
  assert.deepEqual(parseIcmp(buf), { ok: true, value: repr });
});

test('parseIcmp() never throws on arbitrary bytes', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => { parseIcmp(b); }));
});

test('parseIcmp(emitIcmp(x)) = x', () => {
  const data = fc.uint8Array({ maxLength: 32 });
  const u16 = fc.integer({ min: 0, max: 0xffff });
  const repr: fc.Arbitrary<IcmpRepr> = fc.oneof(
    fc.record({ kind: fc.constantFrom('echo-request' as const, 'echo-reply' as const), ident: u16, seq: u16, data }),
    fc.record({ kind: fc.constant('dest-unreachable' as const), code: fc.integer({ min: 0, max: 255 }), nextHopMtu: u16, original: data }),
    fc.record({ kind: fc.constant('other' as const), type: fc.integer({ min: 0, max: 255 }).filter((t) => t !== 0 && t !== 3 && t !== 8), code: fc.integer({ min: 0, max: 255 }), rest: fc.integer({ min: 0, max: 0xffffffff }), data }),
  );
  fc.assert(fc.property(repr, (x) => {
    const buf = new Uint8Array(icmpLength(x));
    emitIcmp(x, buf);
    assert.deepEqual(parseIcmp(buf), { ok: true, value: { ...x } });
  }));
});

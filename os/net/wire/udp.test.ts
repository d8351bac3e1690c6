import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseIpv4 as ip } from '../addr.ts';
import { emitUdp, parseUdp, UdpPacket } from './udp.ts';
import { fromHex, hex } from './result.ts';

// scapy IP(10.0.2.2 -> 10.0.2.15)/UDP(5353 -> 7777)/"hello" (the UDP part)
const SRC = ip('10.0.2.2')!, DST = ip('10.0.2.15')!;
const HELLO = fromHex('14e91e61000d70a768656c6c6f');

test('parseUdp() reads a captured datagram and verifies its checksum', () => {
  const r = parseUdp(HELLO, SRC, DST);
  assert.ok(r.ok);
  assert.deepEqual(r.value.repr, { srcPort: 5353, dstPort: 7777 });
  assert.equal(new TextDecoder().decode(r.value.payload), 'hello');
});

test('emitUdp() reproduces the captured datagram', () => {
  const buf = new Uint8Array(13);
  assert.equal(emitUdp({ srcPort: 5353, dstPort: 7777 }, new TextEncoder().encode('hello'), SRC, DST, buf), 13);
  assert.equal(hex(buf), hex(HELLO));
});

test('parseUdp() rejects a checksum computed for other addresses', () => {
  assert.deepEqual(parseUdp(HELLO, SRC, DST + 1), { ok: false, reason: 'bad-checksum' });
});

test('parseUdp() accepts a zero checksum as none', () => {
  const b = HELLO.slice(); b[6] = 0; b[7] = 0;
  assert.ok(parseUdp(b, 1, 2).ok);
});

test('parseUdp() rejects a length shorter than the header or past the buffer', () => {
  const b = HELLO.slice(); b[5] = 7;
  assert.deepEqual(UdpPacket.parse(b), { ok: false, reason: 'bad-length' });
  const c = HELLO.slice(); c[5] = 14;
  assert.deepEqual(UdpPacket.parse(c), { ok: false, reason: 'truncated' });
  assert.deepEqual(UdpPacket.parse(HELLO.subarray(0, 7)), { ok: false, reason: 'truncated' });
});

test('emitUdp() sends a computed zero checksum as 0xffff', () => {
  // Find a payload whose checksum folds to zero: search over one 16-bit word (bounded loop).
  const buf = new Uint8Array(10);
  let found = false;
  for (let w = 0; w <= 0xffff && !found; w++) {
    emitUdp({ srcPort: 1, dstPort: 2 }, new Uint8Array([w >>> 8, w & 255]), 0, 0, buf);
    if (buf[6] === 0xff && buf[7] === 0xff) found = true;
  }
  assert.ok(found);
  assert.ok(parseUdp(buf, 0, 0).ok);
});

test('parseUdp() never throws on arbitrary bytes', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 0, max: 0xffffffff }), (b, a) => { parseUdp(b, a, a); }));
});

test('parseUdp(emitUdp(x)) = x', () => {
  const port = fc.integer({ min: 0, max: 0xffff });
  const addr = fc.integer({ min: 0, max: 0xffffffff });
  fc.assert(fc.property(port, port, fc.uint8Array({ maxLength: 64 }), addr, addr, (srcPort, dstPort, payload, src, dst) => {
    const buf = new Uint8Array(8 + payload.length);
    emitUdp({ srcPort, dstPort }, payload, src, dst, buf);
    const r = parseUdp(buf, src, dst);
    assert.ok(r.ok);
    assert.deepEqual(r.value.repr, { srcPort, dstPort });
    assert.deepEqual(r.value.payload, payload);
  }));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseMac } from '../addr.ts';
import { EthernetFrame, EtherType, emitEthernet, parseEthernet, ETHERNET_HEADER_LEN } from './ethernet.ts';
import { fromHex, hex } from './result.ts';

// scapy: Ether(src="52:54:00:12:34:56", dst="ff:ff:ff:ff:ff:ff")/ARP(...)
const ARP_FRAME = fromHex('ffffffffffff525400123456080600010800060400015254001234560a00020f0000000000000a000202');

test('parseEthernet() reads addresses, ethertype and payload of a captured frame', () => {
  const r = parseEthernet(ARP_FRAME);
  assert.ok(r.ok);
  assert.deepEqual(r.value.repr.dst, parseMac('ff:ff:ff:ff:ff:ff'));
  assert.deepEqual(r.value.repr.src, parseMac('52:54:00:12:34:56'));
  assert.equal(r.value.repr.ethertype, EtherType.ARP);
  assert.equal(r.value.payload.length, 28);
});

test('emitEthernet() reproduces the captured header', () => {
  const buf = new Uint8Array(ETHERNET_HEADER_LEN);
  emitEthernet({ dst: ARP_FRAME.subarray(0, 6), src: ARP_FRAME.subarray(6, 12), ethertype: 0x0806 }, buf);
  assert.equal(hex(buf), hex(ARP_FRAME.subarray(0, 14)));
});

test('EthernetFrame.parse() rejects a frame shorter than the header', () => {
  assert.deepEqual(EthernetFrame.parse(ARP_FRAME.subarray(0, 13)), { ok: false, reason: 'truncated' });
});

test('parseEthernet() keeps unknown ethertypes', () => {
  const f = new Uint8Array(14);
  f[12] = 0x88; f[13] = 0xcc; // LLDP
  const r = parseEthernet(f);
  assert.ok(r.ok);
  assert.equal(r.value.repr.ethertype, 0x88cc);
});

test('parseEthernet() never throws on arbitrary bytes', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => { parseEthernet(b); }));
});

test('parseEthernet(emitEthernet(x)) = x', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), fc.uint8Array({ minLength: 6, maxLength: 6 }), fc.integer({ min: 0, max: 0xffff }), (dst, src, ethertype) => {
    const buf = new Uint8Array(14);
    emitEthernet({ dst, src, ethertype }, buf);
    const r = parseEthernet(buf);
    assert.ok(r.ok);
    assert.deepEqual(r.value.repr, { dst, src, ethertype });
  }));
});

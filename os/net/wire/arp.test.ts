import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseIpv4 as ip, parseMac } from '../addr.ts';
import { ArpOp, ArpPacket, ARP_LEN, emitArp, parseArp, type ArpRepr } from './arp.ts';
import { fromHex, hex } from './result.ts';

// scapy ARP who-has 10.0.2.2 tell 10.0.2.15, and the reply (payload after the 14-byte Ethernet header)
const REQUEST = fromHex('00010800060400015254001234560a00020f0000000000000a000202');
const REPLY = fromHex('000108000604000252550a0002020a0002025254001234560a00020f');

test('parseArp() reads a captured request', () => {
  const r = parseArp(REQUEST);
  assert.ok(r.ok);
  assert.equal(r.value.operation, ArpOp.REQUEST);
  assert.deepEqual(r.value.senderMac, parseMac('52:54:00:12:34:56'));
  assert.equal(r.value.senderIp, ip('10.0.2.15'));
  assert.equal(r.value.targetIp, ip('10.0.2.2'));
});

test('emitArp() reproduces a captured reply', () => {
  const repr: ArpRepr = { operation: ArpOp.REPLY, senderMac: parseMac('52:55:0a:00:02:02')!, senderIp: ip('10.0.2.2')!, targetMac: parseMac('52:54:00:12:34:56')!, targetIp: ip('10.0.2.15')! };
  const buf = new Uint8Array(ARP_LEN);
  assert.equal(emitArp(repr, buf), 28);
  assert.equal(hex(buf), hex(REPLY));
});

test('parseArp() rejects truncated packets', () => {
  for (let n = 0; n < 28; n++) assert.equal(ArpPacket.parse(REQUEST.subarray(0, n)).ok, false);
});

test('parseArp() rejects non-Ethernet/IPv4 hardware and bad address lengths', () => {
  const b = REQUEST.slice(); b[1] = 6;
  assert.deepEqual(parseArp(b), { ok: false, reason: 'unsupported-hardware' });
  const c = REQUEST.slice(); c[4] = 8;
  assert.deepEqual(parseArp(c), { ok: false, reason: 'bad-address-length' });
});

test('parseArp() never throws on arbitrary bytes', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (b) => { parseArp(b); }));
});

test('parseArp(emitArp(x)) = x', () => {
  const mac = fc.uint8Array({ minLength: 6, maxLength: 6 });
  const addr = fc.integer({ min: 0, max: 0xffffffff });
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff }), mac, addr, mac, addr, (operation, senderMac, senderIp, targetMac, targetIp) => {
    const repr = { operation, senderMac, senderIp, targetMac, targetIp };
    const buf = new Uint8Array(ARP_LEN);
    emitArp(repr, buf);
    assert.deepEqual(parseArp(buf), { ok: true, value: repr });
  }));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseIpv4 as ip, parseMac } from '../addr.ts';
import { dhcpLength, DhcpMessageType, DhcpPacket, emitDhcp, parseDhcp, DHCP_MIN_LEN, type DhcpRepr } from './dhcp.ts';
import { parseIpv4 } from './ipv4.ts';
import { parseUdp } from './udp.ts';
import { fromHex } from './result.ts';

// scapy IP(0.0.0.0 -> 255.255.255.255)/UDP(68 -> 67)/BOOTP(xid=0x3903f326, broadcast)/DHCP(discover, params 1,3,6,51)
const DISCOVER_IP = fromHex('4500011600010000401179d700000000ffffffff0044004301029b57010106003903f32600008000000000000000000000000000000000005254001234560000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000063825363350101370401030633ff');
// scapy BOOTP(op=2, yiaddr=192.168.1.100)/DHCP(offer, server_id, lease 86400, T1 43200, T2 75600, mask, router, DNS 8.8.8.8 1.1.1.1)
const OFFER = fromHex('020106003903f3260000000000000000c0a80164c0a801010000000052540012345600000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000638253633501023604c0a801013304000151803a040000a8c03b04000127500104ffffff000304c0a8010106080808080801010101ff');

function discoverPayload(): Uint8Array {
  const i = parseIpv4(DISCOVER_IP);
  assert.ok(i.ok);
  const u = parseUdp(i.value.payload, i.value.repr.src, i.value.repr.dst);
  assert.ok(u.ok);
  return u.value.payload;
}

test('parseDhcp() reads a captured discover', () => {
  const r = parseDhcp(discoverPayload());
  assert.ok(r.ok);
  assert.equal(r.value.op, 1);
  assert.equal(r.value.xid, 0x3903f326);
  assert.equal(r.value.broadcast, true);
  assert.equal(r.value.messageType, DhcpMessageType.DISCOVER);
  assert.deepEqual(r.value.chaddr, parseMac('52:54:00:12:34:56'));
  assert.deepEqual(r.value.parameterRequestList, [1, 3, 6, 51]);
});

test('parseDhcp() reads every option of a captured offer', () => {
  const r = parseDhcp(OFFER);
  assert.ok(r.ok);
  const v = r.value;
  assert.equal(v.messageType, DhcpMessageType.OFFER);
  assert.equal(v.yiaddr, ip('192.168.1.100'));
  assert.equal(v.serverId, ip('192.168.1.1'));
  assert.equal(v.leaseTime, 86400);
  assert.equal(v.renewalTime, 43200);
  assert.equal(v.rebindingTime, 75600);
  assert.equal(v.subnetMask, ip('255.255.255.0'));
  assert.deepEqual(v.routers, [ip('192.168.1.1')]);
  assert.deepEqual(v.dnsServers, [ip('8.8.8.8'), ip('1.1.1.1')]);
});

test('emitDhcp() output parses back to the captured offer and is at least 300 bytes', () => {
  const r = parseDhcp(OFFER);
  assert.ok(r.ok);
  const buf = new Uint8Array(dhcpLength(r.value));
  const n = emitDhcp(r.value, buf);
  assert.ok(n >= DHCP_MIN_LEN);
  assert.deepEqual(parseDhcp(buf.subarray(0, n)), r);
  // The fixed part and options are byte-identical (emit orders options like the capture).
  assert.deepEqual(buf.subarray(0, OFFER.length), OFFER);
});

test('parseDhcp() rejects truncated messages, a bad cookie and non-Ethernet hardware', () => {
  assert.deepEqual(DhcpPacket.parse(OFFER.subarray(0, 239)), { ok: false, reason: 'truncated' });
  const b = OFFER.slice(); b[236] = 0;
  assert.deepEqual(parseDhcp(b), { ok: false, reason: 'bad-magic' });
  const c = OFFER.slice(); c[2] = 16;
  assert.deepEqual(parseDhcp(c), { ok: false, reason: 'unsupported-hardware' });
});

test('parseDhcp() rejects options that run past the end or have wrong lengths', () => {
  assert.deepEqual(parseDhcp(OFFER.subarray(0, OFFER.length - 3)), { ok: false, reason: 'truncated-option' });
  const b = OFFER.slice(); b[241] = 2; // message type with length 2
  assert.equal(parseDhcp(b).ok, false);
  const c = OFFER.slice(); c[240] = 1; c[241] = 3; // subnet mask with length 3
  assert.deepEqual(parseDhcp(c), { ok: false, reason: 'bad-option-length' });
});

test('parseDhcp() skips pad and unknown options', () => {
  const b = new Uint8Array(OFFER.length + 5);
  b.set(OFFER.subarray(0, 240));
  b.set([0, 0, 200, 1, 9], 240);
  b.set(OFFER.subarray(240), 245);
  const r = parseDhcp(b);
  assert.ok(r.ok);
  assert.equal(r.value.leaseTime, 86400);
});

test('parseDhcp() never throws on arbitrary bytes', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => { parseDhcp(b); }));
  // Random options after a valid fixed part exercise the option walker.
  fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (opts) => {
    const b = new Uint8Array(240 + opts.length);
    b.set(OFFER.subarray(0, 240));
    b.set(opts, 240);
    parseDhcp(b);
  }));
});

test('parseDhcp(emitDhcp(x)) = x', () => {
  const addr = fc.integer({ min: 0, max: 0xffffffff });
  const u32 = addr;
  const repr = fc.record({
    op: fc.constantFrom(1, 2), xid: u32, secs: fc.integer({ min: 0, max: 0xffff }), broadcast: fc.boolean(),
    ciaddr: addr, yiaddr: addr, siaddr: addr, giaddr: addr, chaddr: fc.uint8Array({ minLength: 6, maxLength: 6 }),
    messageType: fc.integer({ min: 1, max: 8 }), serverId: addr, requestedIp: addr, leaseTime: u32, renewalTime: u32,
    rebindingTime: u32, subnetMask: addr, routers: fc.array(addr, { minLength: 1, maxLength: 3 }),
    dnsServers: fc.array(addr, { minLength: 1, maxLength: 3 }), parameterRequestList: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }),
    maxMessageSize: fc.integer({ min: 0, max: 0xffff }), hostname: fc.string({ minLength: 1, maxLength: 20 }).map((s) => s.replace(/[^\x20-\x7e]/g, 'x')),
  }, { requiredKeys: ['op', 'xid', 'secs', 'broadcast', 'ciaddr', 'yiaddr', 'siaddr', 'giaddr', 'chaddr'] });
  fc.assert(fc.property(repr, (x) => {
    const value: DhcpRepr = { ...x };
    const buf = new Uint8Array(dhcpLength(value));
    emitDhcp(value, buf);
    assert.deepEqual(parseDhcp(buf), { ok: true, value });
  }));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpv4 as ip, parseMac } from './addr.ts';
import { DhcpClient, type DhcpState } from './dhcp.ts';
import type { Ipv4Config } from './iface.ts';
import { seededRandom } from './testing/sim.ts';
import type { OutgoingDatagram } from './transport.ts';
import { Udp } from './udp.ts';
import { dhcpLength, DhcpMessageType, emitDhcp, parseDhcp, type DhcpRepr } from './wire/dhcp.ts';
import { emitUdp, parseUdp } from './wire/udp.ts';

const MAC = parseMac('52:54:00:12:34:56')!;
const SERVER = ip('192.168.1.1')!, OFFERED = ip('192.168.1.100')!;

function harness() {
  let address = 0;
  const configs: (Ipv4Config | undefined)[] = [];
  const states: DhcpState[] = [];
  const udp = new Udp({ random: seededRandom(3), sourceAddress: () => address });
  const client = new DhcpClient({
    udp, mac: MAC, random: seededRandom(5),
    configure: (c) => { configs.push(c); address = c?.address ?? 0; },
    onStateChange: (s) => states.push(s),
  });
  /** Run the client's timers and return what it sent, decoded. */
  const sent = (now: number): { d: OutgoingDatagram; m: DhcpRepr }[] => {
    client.poll(now);
    const out: OutgoingDatagram[] = [];
    udp.poll(now, (d) => { out.push(d); });
    return out.map((d) => {
      const u = parseUdp(d.payload, d.src, d.dst);
      assert.ok(u.ok);
      assert.equal(u.value.repr.dstPort, 67);
      const m = parseDhcp(u.value.payload);
      assert.ok(m.ok);
      return { d, m: m.value };
    });
  };
  const reply = (now: number, to: DhcpRepr, type: number, extra: Partial<DhcpRepr> = {}, srcPort = 67): void => {
    const r: DhcpRepr = {
      op: 2, xid: to.xid, secs: 0, broadcast: true, ciaddr: 0, yiaddr: type === DhcpMessageType.NAK ? 0 : OFFERED, siaddr: 0, giaddr: 0,
      chaddr: MAC, messageType: type, serverId: SERVER, leaseTime: 3600, subnetMask: ip('255.255.255.0')!, routers: [SERVER], dnsServers: [ip('8.8.8.8')!], ...extra,
    };
    const dhcp = new Uint8Array(dhcpLength(r));
    emitDhcp(r, dhcp);
    const seg = new Uint8Array(8 + dhcp.length);
    emitUdp({ srcPort, dstPort: 68 }, dhcp, SERVER, 0xffffffff, seg);
    udp.input(now, SERVER, 0xffffffff, seg);
  };
  return { client, udp, configs, states, sent, reply };
}

/** Drive a harness to BOUND at t=0; returns the last request. */
function bind(h: ReturnType<typeof harness>): DhcpRepr {
  h.client.start(0);
  const [discover] = h.sent(0);
  h.reply(10, discover!.m, DhcpMessageType.OFFER);
  const [request] = h.sent(10);
  h.reply(20, request!.m, DhcpMessageType.ACK);
  return request!.m;
}

test('INIT: start() broadcasts a DISCOVER from 0.0.0.0 with the broadcast flag and parameter list', () => {
  const h = harness();
  h.client.start(0);
  const [s] = h.sent(0);
  assert.equal(s!.d.src, 0);
  assert.equal(s!.d.dst, 0xffffffff);
  assert.equal(s!.m.messageType, DhcpMessageType.DISCOVER);
  assert.equal(s!.m.broadcast, true);
  assert.deepEqual(s!.m.chaddr, MAC);
  assert.deepEqual(s!.m.parameterRequestList, [1, 3, 6, 51, 58, 59]);
  assert.equal(h.client.state, 'selecting');
});

test('SELECTING: DISCOVER is retransmitted at 4, 8, 16 s (±1 s) and capped at 64 s', () => {
  const h = harness();
  h.client.start(0);
  h.sent(0);
  let last = 0;
  const gaps: number[] = [];
  for (let i = 0; i < 7; i++) {
    const at = h.client.pollAt(last);
    assert.equal(h.sent(at - 1).length, 0);
    assert.equal(h.sent(at).length, 1);
    gaps.push(at - last);
    last = at;
  }
  const bases = [4000, 8000, 16000, 32000, 64000, 64000, 64000];
  gaps.forEach((g, i) => assert.ok(Math.abs(g - bases[i]!) <= 1000, `gap ${i} = ${g}`));
});

test('SELECTING: the xid is random and replies with another xid, chaddr or source port are ignored', () => {
  const h = harness();
  h.client.start(0);
  const [d] = h.sent(0);
  assert.notEqual(d!.m.xid, 0);
  h.reply(1, { ...d!.m, xid: d!.m.xid ^ 1 }, DhcpMessageType.OFFER);
  h.reply(1, d!.m, DhcpMessageType.OFFER, { chaddr: parseMac('00:00:00:00:00:01')! });
  h.reply(1, d!.m, DhcpMessageType.OFFER, {}, 1234);
  assert.equal(h.client.state, 'selecting');
  assert.equal(h.client.stats['not-ours'], 2);
  assert.equal(h.client.stats['wrong-port'], 1);
});

test('SELECTING → REQUESTING: an OFFER is answered by a broadcast REQUEST naming the server and address', () => {
  const h = harness();
  h.client.start(0);
  const [d] = h.sent(0);
  h.reply(5, d!.m, DhcpMessageType.OFFER);
  assert.equal(h.client.state, 'requesting');
  const [r] = h.sent(5);
  assert.equal(r!.d.dst, 0xffffffff);
  assert.equal(r!.m.messageType, DhcpMessageType.REQUEST);
  assert.equal(r!.m.requestedIp, OFFERED);
  assert.equal(r!.m.serverId, SERVER);
  assert.equal(r!.m.xid, d!.m.xid);
});

test('REQUESTING → BOUND: an ACK configures address, prefix, gateway and DNS', () => {
  const h = harness();
  bind(h);
  assert.equal(h.client.state, 'bound');
  assert.deepEqual(h.configs, [{ address: OFFERED, prefixLength: 24, gateway: SERVER, dns: [ip('8.8.8.8')] }]);
  const l = h.client.lease!;
  assert.equal(l.renewAt, 20 + 1_800_000);
  assert.equal(l.rebindAt, 20 + 3_150_000);
  assert.equal(l.expiresAt, 20 + 3_600_000);
  assert.equal(h.client.pollAt(100), l.renewAt);
});

test('REQUESTING: unanswered REQUESTs restart from INIT', () => {
  const h = harness();
  h.client.start(0);
  const [d] = h.sent(0);
  h.reply(1, d!.m, DhcpMessageType.OFFER);
  h.sent(1);
  let now = 1;
  let discover = false;
  for (let i = 0; i < 6 && !discover; i++) {
    now = h.client.pollAt(now);
    discover = h.sent(now).some((s) => s.m.messageType === DhcpMessageType.DISCOVER);
  }
  assert.ok(discover);
  assert.equal(h.client.stats['request-timeout'], 1);
});

test('REQUESTING: a NAK returns to INIT', () => {
  const h = harness();
  h.client.start(0);
  const [d] = h.sent(0);
  h.reply(1, d!.m, DhcpMessageType.OFFER);
  const [r] = h.sent(1);
  h.reply(2, r!.m, DhcpMessageType.NAK);
  assert.equal(h.client.state, 'init');
  assert.equal(h.sent(2).length, 0, 'waits before restarting');
  const [again] = h.sent(1002);
  assert.equal(again!.m.messageType, DhcpMessageType.DISCOVER);
  assert.notEqual(again!.m.xid, r!.m.xid);
});

test('BOUND → RENEWING at T1: REQUEST unicast to the server from our address; ACK extends the lease', () => {
  const h = harness();
  bind(h);
  const t1 = h.client.lease!.renewAt;
  assert.equal(h.sent(t1 - 1).length, 0);
  const [r] = h.sent(t1);
  assert.equal(h.client.state, 'renewing');
  assert.equal(r!.d.dst, SERVER);
  assert.equal(r!.d.src, OFFERED);
  assert.equal(r!.m.ciaddr, OFFERED);
  assert.equal(r!.m.broadcast, false);
  assert.equal(r!.m.requestedIp, undefined);
  h.reply(t1 + 5, r!.m, DhcpMessageType.ACK);
  assert.equal(h.client.state, 'bound');
  assert.equal(h.client.lease!.expiresAt, t1 + 5 + 3_600_000);
  assert.equal(h.configs.length, 1, 'same configuration is not re-applied');
});

test('RENEWING retransmits after half the time to T2, at least 60 s', () => {
  const h = harness();
  bind(h);
  const t1 = h.client.lease!.renewAt;
  h.sent(t1);
  // T2 - T1 = 1350 s → next at +675 s
  assert.equal(h.client.pollAt(t1), t1 + 675_000);
});

test('RENEWING → REBINDING at T2: broadcast REQUEST; lease expiry → INIT and address removed', () => {
  const h = harness();
  bind(h);
  const l = h.client.lease!;
  h.sent(l.renewAt);
  const [rb] = h.sent(l.rebindAt);
  assert.equal(h.client.state, 'rebinding');
  assert.equal(rb!.d.dst, 0xffffffff);
  assert.equal(rb!.m.ciaddr, OFFERED);
  let now = l.rebindAt;
  for (let i = 0; i < 10 && h.client.state === 'rebinding'; i++) {
    now = h.client.pollAt(now);
    h.sent(now);
  }
  assert.equal(now, l.expiresAt);
  assert.equal(h.configs.at(-1), undefined);
  assert.equal(h.client.lease, undefined);
  assert.ok(h.states.includes('init'));
  assert.equal(h.client.state, 'selecting', 'immediately rediscovers');
});

test('RENEWING: a NAK removes the address and returns to INIT', () => {
  const h = harness();
  bind(h);
  const [r] = h.sent(h.client.lease!.renewAt);
  h.reply(h.client.lease!.renewAt + 1, r!.m, DhcpMessageType.NAK);
  assert.equal(h.client.state, 'init');
  assert.equal(h.configs.at(-1), undefined);
});

test('an ACK with T1/T2 options uses them; a bad subnet mask is rejected', () => {
  const h = harness();
  h.client.start(0);
  const [d] = h.sent(0);
  h.reply(0, d!.m, DhcpMessageType.OFFER);
  const [r] = h.sent(0);
  h.reply(0, r!.m, DhcpMessageType.ACK, { subnetMask: ip('255.0.255.0')! });
  assert.equal(h.client.state, 'requesting');
  h.reply(0, r!.m, DhcpMessageType.ACK, { renewalTime: 100, rebindingTime: 200, leaseTime: 300 });
  assert.equal(h.client.lease!.renewAt, 100_000);
  assert.equal(h.client.lease!.rebindAt, 200_000);
});

test('stop() releases the lease and removes the address', () => {
  const h = harness();
  bind(h);
  h.client.stop(30);
  const out: OutgoingDatagram[] = [];
  h.udp.poll(30, (d) => { out.push(d); });
  assert.equal(out.length, 1);
  const m = parseDhcp(parseUdp(out[0]!.payload, out[0]!.src, out[0]!.dst).ok ? out[0]!.payload.subarray(8) : new Uint8Array());
  assert.ok(m.ok);
  assert.equal(m.value.messageType, DhcpMessageType.RELEASE);
  assert.equal(h.configs.at(-1), undefined);
  assert.equal(h.client.state, 'stopped');
});

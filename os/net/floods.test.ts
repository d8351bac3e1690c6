/**
 * Issue 10 floods, at the stack level (IP + ARP + TCP): an ARP failure ends the handshakes
 * waiting on it, so SYNs from sources that never answer ARP cannot hold the SYN queue, and a
 * connect() to an address that never resolves fails with EHOSTUNREACH in seconds, not 75 s.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpv4 as ip, parseMac } from './addr.ts';
import { NetworkStack } from './stack.ts';
import { seededRandom } from './testing/sim.ts';
import { Tcp } from './tcp/index.ts';
import { encodeSeg } from './tcp/sim/script.ts';
import { emitEthernet, ETHERNET_HEADER_LEN, EtherType } from './wire/ethernet.ts';
import { emitIpv4, IPV4_HEADER_LEN } from './wire/ipv4.ts';

const ME = ip('10.0.0.1')!;
const myMac = parseMac('02:00:00:00:00:01')!;

function stack() {
  const tcp = new Tcp({ random: seededRandom(9), localAddress: () => ME });
  const s = new NetworkStack({ mac: myMac, random: seededRandom(8), ipv4: { address: ME, prefixLength: 8 }, transports: [tcp] });
  return { s, tcp };
}

/** An Ethernet frame carrying a TCP SYN from `src` (whose MAC the stack never learns). */
function synFrame(src: number, sport: number, dport: number): Uint8Array {
  const seg = encodeSeg({ src, dst: ME, sport, dport, flags: 'SYN', seq: 1000 });
  const frame = new Uint8Array(ETHERNET_HEADER_LEN + IPV4_HEADER_LEN + seg.length);
  emitEthernet({ dst: myMac, src: parseMac('02:00:00:00:00:99')!, ethertype: EtherType.IPV4 }, frame);
  emitIpv4({ src, dst: ME, protocol: 6, ttl: 64, ident: 1, tos: 0, dontFragment: true, moreFragments: false, fragmentOffset: 0, payloadLength: seg.length }, frame.subarray(ETHERNET_HEADER_LEN));
  frame.set(seg, ETHERNET_HEADER_LEN + IPV4_HEADER_LEN);
  return frame;
}

function run(s: NetworkStack, from: number, to: number): void {
  for (let t = from; t <= to; t += 50) s.poll(t, () => {});
}

test('SYNs from sources that never answer ARP leave the SYN queue once ARP gives up', () => {
  const { s, tcp } = stack();
  const l = tcp.listen(80);
  for (let i = 0; i < 40; i++) s.receive(0, synFrame(ip('10.9.0.0')! + i, 2000 + i, 80));
  run(s, 0, 0);
  assert.equal(l.halfOpen, 40);
  run(s, 50, 4000); // three ARP requests, 1 s apart, then the datagrams are dropped
  assert.equal(l.halfOpen, 0);
  assert.equal(tcp.connectionCount, 0);
  assert.equal(tcp.stats.unreachableAborts, 40);
});

test('connect() to an address that never resolves fails with EHOSTUNREACH after the ARP retries', () => {
  const { s, tcp } = stack();
  const c = tcp.connect(0, { remoteAddress: ip('10.0.0.77')!, remotePort: 80 });
  let error: string | undefined;
  c.onError = (e) => { error = e; };
  run(s, 0, 4000);
  assert.equal(error, 'EHOSTUNREACH');
  assert.equal(c.state, 'CLOSED');
});

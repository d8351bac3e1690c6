/**
 * Link-level interop with Linux over a tap in a private namespace (netns.ts): ARP both ways,
 * UDP through the stack's socket API, ICMP echo answered by the stack to Linux's ping(8).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpv4 } from '../../os/net/addr.ts';
import { NodeStack } from './node-stack.ts';
import { Netns, skipReason } from './netns.ts';

const LINUX = '10.78.0.1', STACK = '10.78.0.2';
const skip = skipReason();

let ns: Netns | undefined;
let node: NodeStack | undefined;

before(async () => {
  if (skip) return;
  ns = Netns.create({ linuxAddress: `${LINUX}/24` });
  const tap = await ns.openTap();
  node = new NodeStack({ tap, ipv4: { address: parseIpv4(STACK)!, prefixLength: 24 } });
  node.start();
});

after(async () => {
  node?.stop();
  await ns?.destroy();
});

test('Linux exchanges UDP with the stack (ARP both ways)', { skip, timeout: 20_000 }, async () => {
  const echo = node!.stack.udp.bind({ port: 7, onMessage: (_t, m) => { echo.send(m.src, m.srcPort, m.payload); node!.kick(); } });
  const client = 'import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.settimeout(3)\n' +
    `for i in range(3):\n  s.sendto(b"hello %d" % i, ("${STACK}", 7))\n  print(s.recvfrom(100)[0].decode())\n`;
  const out = await ns!.exec(['python3', '-c', client]);
  assert.equal(out, 'hello 0\nhello 1\nhello 2\n');
  // Linux learnt our MAC from ARP; we learnt Linux's (the replies went out).
  assert.match(await ns!.exec(['ip', 'neigh', 'show', STACK]), /lladdr 02:00:00:4e:42:01/);
});

test('Linux pings the stack and every echo request is answered', { skip: skip || skipReason('ping'), timeout: 20_000 }, async () => {
  const out = await ns!.exec(['ping', '-n', '-c', '3', '-i', '0.2', '-W', '2', '-s', '1000', STACK], 15_000);
  assert.match(out, /3 packets transmitted, 3 received, 0% packet loss/);
});

test('Linux pings the stack with a fragmented 4000-byte echo and gets it back whole', { skip: skip || skipReason('ping'), timeout: 20_000 }, async () => {
  const out = await ns!.exec(['ping', '-n', '-c', '2', '-i', '0.2', '-W', '2', '-s', '4000', STACK], 15_000);
  assert.match(out, /2 packets transmitted, 2 received, 0% packet loss/);
  assert.match(out, /4008 bytes from/);
});

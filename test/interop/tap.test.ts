import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { parseIpv4 as ip, parseMac } from '../../os/net/addr.ts';
import { NetworkStack } from '../../os/net/stack.ts';
import { seededRandom } from '../../os/net/testing/sim.ts';
import { openTap } from './tap.ts';

const isRoot = process.getuid?.() === 0;
const NS = 'nbtest-ns0', TAP = 'nbtest0';
const ip_ = (...args: string[]): void => { execFileSync('ip', args, { stdio: 'ignore' }); };

test('Linux exchanges UDP with the stack through a tap in a private namespace (ARP both ways)', { skip: !isRoot && 'needs root', timeout: 20_000 }, async () => {
  try { ip_('netns', 'del', NS); } catch { /* absent */ }
  ip_('netns', 'add', NS);
  try {
    ip_('-n', NS, 'tuntap', 'add', 'dev', TAP, 'mode', 'tap');
    ip_('-n', NS, 'addr', 'add', '10.99.0.1/24', 'dev', TAP);
    ip_('-n', NS, 'link', 'set', TAP, 'up');
    const stack = new NetworkStack({ mac: parseMac('02:00:00:aa:bb:cc')!, random: seededRandom(1), ipv4: { address: ip('10.99.0.2')!, prefixLength: 24 } });
    const echo = stack.udp.bind({ port: 7, onMessage: (_t, m) => { echo.send(m.src, m.srcPort, m.payload); } });
    const tap = openTap(TAP, { netns: NS });
    await tap.ready;
    tap.onFrame((f) => stack.receive(performance.now(), f));
    const pump = setInterval(() => stack.poll(performance.now(), (f) => tap.send(f)), 5);
    try {
      const out = await new Promise<string>((resolve, reject) => {
        // ping(8) is not installed on every host: a Python UDP client in the namespace.
        const client = 'import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.settimeout(3)\n' +
          'for i in range(3):\n  s.sendto(b"hello %d" % i, ("10.99.0.2", 7))\n  print(s.recvfrom(100)[0].decode())\n';
        const p = spawn('ip', ['netns', 'exec', NS, 'python3', '-c', client], { stdio: ['ignore', 'pipe', 'pipe'] });
        let text = '';
        p.stdout.on('data', (d: Buffer) => { text += d.toString(); });
        p.stderr.on('data', (d: Buffer) => { text += d.toString(); });
        p.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`UDP client failed: ${text}`))));
      });
      assert.equal(out, 'hello 0\nhello 1\nhello 2\n');
    } finally {
      clearInterval(pump);
      tap.close();
    }
  } finally {
    ip_('netns', 'del', NS);
  }
});

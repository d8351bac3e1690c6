import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFakeHw } from '../hw/fake.ts';
import { formatIpv4 } from '../net/addr.ts';
import { installRuntime } from '../runtime/runtime.ts';
import * as net from '../node/net.ts';
import * as dns from '../node/dns.ts';
import { attachNetwork, createNetworkService, getNetwork, setNetwork, staticConfigFromCmdline } from './index.ts';
import { ADDR_B, createTestNetwork } from './testing.ts';

test('static configuration comes from the kernel command line', () => {
  assert.deepEqual(staticConfigFromCmdline('console=ttyS0 nimbus.ip=10.0.2.15/24 nimbus.gateway=10.0.2.2 nimbus.dns=10.0.2.3,1.1.1.1'), {
    address: '10.0.2.15', prefixLength: 24, gateway: '10.0.2.2', dns: ['10.0.2.3', '1.1.1.1'],
  });
  assert.equal(staticConfigFromCmdline('console=ttyS0'), undefined);
  assert.throws(() => staticConfigFromCmdline('nimbus.ip=10.0.2/24'), TypeError);
  const hw = createFakeHw({ cmdline: 'nimbus.ip=192.168.1.5/16 nimbus.dns=192.168.0.1' });
  const rt = installRuntime(hw, {});
  const svc = createNetworkService({ loop: rt.loop, mac: new Uint8Array([2, 0, 0, 0, 0, 9]), transmit: () => true });
  assert.equal(formatIpv4(svc.address!), '192.168.1.5');
  assert.equal(svc.stack.iface.config?.prefixLength, 16);
  assert.equal(svc.stack.dhcp, undefined);
  svc.close();
});

test('without a static configuration DHCP starts and transmits a DISCOVER from the loop', () => {
  const hw = createFakeHw();
  const rt = installRuntime(hw, {});
  const frames: Uint8Array[] = [];
  setNetwork(undefined);
  const svc = attachNetwork({ mac: new Uint8Array([2, 0, 0, 0, 0, 8]), transmit: (f) => { frames.push(f.slice()); return true; } });
  assert.equal(getNetwork(), svc);
  assert.throws(() => attachNetwork({ mac: new Uint8Array(6), transmit: () => true }), /already/);
  assert.equal(svc.stack.dhcp?.state, 'init');
  // Nothing is ref'd: one loop run polls the stack (the DISCOVER is due now) and ends.
  rt.loop.run();
  assert.equal(svc.stack.dhcp?.state, 'selecting');
  assert.ok(frames.length >= 1);
  assert.equal(frames[0]![12], 0x08); // IPv4
  assert.equal(frames[0]![23], 17); // UDP
  setNetwork(undefined);
  svc.close();
});

test('a detached service fails connects with ENETUNREACH and lookups with EAI_AGAIN', async () => {
  const hw = createFakeHw();
  const rt = installRuntime(hw, {});
  rt.loop.setUncaughtHandler((e) => { throw e; });
  setNetwork(undefined);
  const svc = getNetwork();
  assert.equal(svc.attached, false);
  let connectErr: (Error & { code?: string }) | undefined;
  let lookupErr: (Error & { code?: string }) | undefined;
  net.connect(80, '10.0.0.9').on('error', (e: Error) => { connectErr = e; });
  dns.lookup('example.com', (e: Error) => { lookupErr = e; });
  rt.loop.run();
  await new Promise((r) => setImmediate(r));
  assert.equal(connectErr?.message, 'connect ENETUNREACH 10.0.0.9:80');
  assert.equal(lookupErr?.code, 'EAI_AGAIN');
  setNetwork(undefined);
  svc.close();
});

test('a destroyed connection keeps the program alive until its data and FIN are delivered', async () => {
  // 20% loss: the bytes already in the TCP buffer need retransmissions after 'close'.
  const t = createTestNetwork({ link: { loss: 0.2, seed: 5 } });
  const total = 100_000; // fits the TCP send buffer, so destroy() discards nothing
  let received = 0;
  let serverEndedAt = -1;
  const server = net.createServer({ network: t.b }, (sock) => {
    sock.on('data', (d: Buffer) => { received += d.length; });
    sock.on('end', () => { serverEndedAt = t.hw.now(); server.close(); });
  }).listen(8000);
  let clientClosedAt = -1;
  const c = net.connect(8000, ADDR_B, () => {
    c.write(new Uint8Array(total));
    c.destroy();
  });
  c.on('close', () => { clientClosedAt = t.hw.now(); });
  await t.run();
  assert.ok(clientClosedAt >= 0);
  assert.equal(received, total);
  assert.ok(serverEndedAt > clientClosedAt, `server end at ${serverEndedAt}, client close at ${clientClosedAt}`);
  assert.equal(t.a.tcp.connections().filter((x) => x.state !== 'TIME-WAIT' && x.state !== 'CLOSED').length, 0);
});

test('ref counting: a listening server or open socket keeps the loop alive; unref releases it', async () => {
  const t = createTestNetwork();
  const server = net.createServer({ network: t.b }, (s) => {
    s.resume();
    c.unref();
    server.unref();
  }).listen(8001);
  assert.equal(t.b.refCount, 1);
  const c = net.connect(8001, ADDR_B);
  assert.equal(t.a.refCount, 1);
  await t.run();
  assert.equal(t.a.refCount, 0);
  assert.equal(t.b.refCount, 0 + 1); // the accepted socket on B holds its own ref (as in Node)
  assert.equal(c.readyState, 'open');
  c.destroy();
  server.close();
  await t.run();
  assert.equal(t.b.refCount, 0);
  assert.equal(t.loop.isAlive(), false);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFakeHw } from '../hw/fake.ts';
import { formatIpv4 } from '../net/addr.ts';
import { installRuntime } from '../runtime/runtime.ts';
import * as net from '../node/net.ts';
import * as dns from '../node/dns.ts';
import { attachNetwork, createNetworkService, getNetwork, setNetwork, staticConfigFromCmdline } from './index.ts';
import { ADDR_B, createTestNetwork } from './testing.ts';
import type { NetworkDevice } from '../drivers/net-device.ts';

/** A NetworkDevice that records what it is given to transmit. */
function recordingDevice(mac: Uint8Array, frames: Uint8Array[]): NetworkDevice {
  return {
    name: 'recorder', mac, mtu: 1500, irqMask: 0, hasPendingWork: false,
    transmit: (f) => { frames.push(f.slice()); return true; },
    flush() {}, onReceive() {}, onWritable() {}, service() {},
  };
}

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
  assert.equal(svc.config?.prefixLength, 16);
  assert.equal(svc.dhcpState, undefined);
  svc.close();
});

test('without a static configuration DHCP starts and transmits a DISCOVER from the loop', () => {
  const hw = createFakeHw();
  const rt = installRuntime(hw, {});
  const frames: Uint8Array[] = [];
  setNetwork(undefined);
  const svc = attachNetwork(recordingDevice(new Uint8Array([2, 0, 0, 0, 0, 8]), frames));
  assert.equal(getNetwork(), svc);
  assert.throws(() => attachNetwork(recordingDevice(new Uint8Array(6), [])), /already/);
  assert.equal(svc.dhcpState, 'init');
  // Nothing is ref'd: one loop run polls the stack (the DISCOVER is due now) and ends.
  rt.loop.run();
  assert.equal(svc.dhcpState, 'selecting');
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
  assert.equal(t.a.connectionStates().filter((x) => x !== 'TIME-WAIT' && x !== 'CLOSED').length, 0);
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

test('a NetworkDevice is driven through its interface: service on its IRQ lines, back-pressure, receive', () => {
  const hw = createFakeHw();
  const rt = installRuntime(hw, {});
  rt.loop.setUncaughtHandler((e) => { throw e; });
  const sent: Uint8Array[] = [];
  const serviced: number[] = [];
  let full = true;
  let writable: (() => void) | undefined;
  let receive: ((frame: Uint8Array, verified: boolean) => void) | undefined;
  const device: NetworkDevice = {
    name: 'scripted', mac: new Uint8Array([2, 0, 0, 0, 0, 7]), mtu: 1500, irqMask: 1 << 5, hasPendingWork: false,
    transmit: (f) => { if (full) return false; sent.push(f.slice()); return true; },
    flush() {},
    onReceive(h) { receive = h; },
    onWritable(h) { writable = h; },
    service(_now, ready) {
      serviced.push(ready);
      if (ready & (1 << 5)) { full = false; writable?.(); }
    },
  };
  const svc = createNetworkService({ loop: rt.loop, device, static: { address: '10.1.0.2', prefixLength: 24 } });
  assert.equal(svc.attached, true);
  assert.ok(receive && writable, 'the service registered its receive and writable handlers');
  // An ARP request for our address, from 10.1.0.1 (RFC 826): the reply is refused (full).
  const arp = new Uint8Array(42);
  arp.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06]);
  arp.set([0, 1, 0x08, 0x00, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 1, 0, 1, 0, 0, 0, 0, 0, 0, 10, 1, 0, 2], 14);
  receive!(arp, false);
  svc.source.run(hw.now(), 0);
  assert.equal(sent.length, 0);
  assert.ok(svc.txRefused >= 1, 'the refusal was counted');
  // The device's line fires: service() frees room and calls onWritable; the queued reply goes out.
  svc.source.run(hw.now(), 1 << 5);
  assert.deepEqual(serviced, [0, 1 << 5]);
  // Both frames refused while full went out, in order: the gratuitous ARP announcing our
  // address (RFC 5227 §2.3), then the reply to 02:00:00:00:00:01.
  assert.equal(sent.length, 2);
  assert.deepEqual(sent.map((f) => [f[12], f[13], f[21]]), [[0x08, 0x06, 1], [0x08, 0x06, 2]]);
  assert.deepEqual([...sent[1]!.subarray(0, 6)], [2, 0, 0, 0, 0, 1]);
  assert.equal(svc.source.irqMask, 1 << 5);
  svc.close();
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dgram from './dgram.ts';
import { ADDR_A, ADDR_B, createTestNetwork } from '../netservice/testing.ts';

test('ping-pong between two sockets with rinfo, implicit bind and close', async () => {
  const t = createTestNetwork();
  const log: string[] = [];
  const server = dgram.createSocket({ type: 'udp4', network: t.b });
  server.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
    assert.ok(Buffer.isBuffer(msg));
    log.push(`server got ${msg.toString()} from ${rinfo.address} size ${rinfo.size}`);
    assert.equal(rinfo.family, 'IPv4');
    server.send(`pong ${msg.toString()}`, rinfo.port, rinfo.address);
  });
  server.on('listening', () => {
    assert.deepEqual(server.address(), { address: '0.0.0.0', family: 'IPv4', port: 4000 });
    log.push('listening');
  });
  server.bind(4000);
  const client = dgram.createSocket('udp4');
  let pongs = 0;
  client.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
    assert.equal(rinfo.address, ADDR_B);
    assert.equal(rinfo.port, 4000);
    log.push(`client got ${msg.toString()}`);
    if (++pongs === 2) { client.close(); server.close(() => log.push('server closed')); }
  });
  client.send('ping1', 4000, ADDR_B, (err: Error | null, n: number) => { assert.equal(err, null); log.push(`sent ${n}`); });
  client.send(new Uint8Array([0x70, 0x69, 0x6e, 0x67, 0x32, 0x78]), 0, 5, 4000, ADDR_B);
  await t.run();
  assert.deepEqual(log, [
    'listening', 'sent 5',
    `server got ping1 from ${ADDR_A} size 5`, `server got ping2 from ${ADDR_A} size 5`,
    'client got pong ping1', 'client got pong ping2', 'server closed',
  ]);
  assert.equal(t.a.refCount, 0);
  assert.equal(t.b.refCount, 0);
  assert.throws(() => client.send('x', 1, ADDR_B), { code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' });
});

test('binding a taken port emits EADDRINUSE; address() before bind throws', async () => {
  const t = createTestNetwork();
  const a = dgram.createSocket('udp4');
  assert.throws(() => a.address(), { code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' });
  a.bind(5353);
  const b = dgram.createSocket('udp4');
  let err: (Error & { code?: string }) | undefined;
  b.on('error', (e: Error) => { err = e; a.close(); });
  b.bind(5353);
  await t.run();
  assert.equal(err?.code, 'EADDRINUSE');
  assert.equal(err?.message, 'bind EADDRINUSE 0.0.0.0:5353');
});

test('datagrams to a hostname resolve with dns; localhost reaches the own address', async () => {
  const t = createTestNetwork();
  const { startDnsResponder } = await import('../netservice/dns-responder.ts');
  startDnsResponder(t.b, { 'peer.test': ADDR_B });
  const got: string[] = [];
  const server = dgram.createSocket({ type: 'udp4', network: t.b }, (msg: Buffer) => { got.push(msg.toString()); if (got.length === 1) server.close(); });
  server.bind(4001);
  const self = dgram.createSocket('udp4', (msg: Buffer) => { got.push(`self ${msg.toString()}`); self.close(); });
  self.bind(4002, () => {
    const c = dgram.createSocket('udp4');
    c.send('via name', 4001, 'peer.test', () => c.close());
    self.send('to me', 4002, 'localhost');
  });
  await t.run();
  assert.deepEqual(got.sort(), ['self to me', 'via name']);
});

test('unref() lets the program end with a bound socket', async () => {
  const t = createTestNetwork();
  const s = dgram.createSocket('udp4');
  s.bind(4003);
  s.unref();
  await t.run();
  assert.equal(t.loop.isAlive(), false);
  s.ref();
  assert.equal(t.loop.isAlive(), true);
  s.close();
  assert.equal(t.loop.isAlive(), false);
});

/**
 * Issue 10: memory a connection holds is bounded and returns. Buffers are released when they
 * drain and when the connection closes; a connection in TIME-WAIT is kept as a compact record
 * (RFC 9293 §3.6.1), not as the whole connection with its grown buffers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { TcpConnection } from './connection.ts';
import { SimNetwork, type SimHost } from './sim/sim.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function memory(): number {
  gc(); gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const A = 0x0a000001, B = 0x0a000002;
const KB = 1024;

/** Reads everything; on the peer's FIN closes its side. */
function drainAndClose(c: TcpConnection): void {
  c.onReadable = () => { while (c.recv()) { /* drop */ } if (c.readEnded) c.close(); };
}

/**
 * `n` sequential exchanges: the client uploads `up` bytes, the server (which closes first,
 * as an HTTP server does after `Connection: close`) answers `down` bytes and closes.
 */
function exchanges(net: SimNetwork, server: SimHost, client: SimHost, n: number, up: number, down: number): void {
  const l = server.tcp.listen(80);
  l.onConnection = () => {
    let c;
    while ((c = l.accept())) {
      const conn = c;
      let got = 0;
      conn.onReadable = () => {
        let d;
        while ((d = conn.recv())) got += d.length;
        if (got >= up) {
          let left = down;
          const pump = () => { while (left > 0) { const k = conn.send(new Uint8Array(Math.min(left, 16 * KB))); if (k === 0) return; left -= k; } conn.close(); };
          conn.onWritable = pump;
          conn.onReadable = () => { while (conn.recv()) { /* ignore */ } };
          pump();
        }
      };
    }
  };
  for (let i = 0; i < n; i++) {
    const c = client.tcp.connect(net.now, { remoteAddress: server.addr, remotePort: 80 });
    let left = up;
    const pump = () => { while (left > 0) { const k = c.send(new Uint8Array(Math.min(left, 16 * KB))); if (k === 0) return; left -= k; } };
    c.onConnected = pump;
    c.onWritable = pump;
    drainAndClose(c);
    let closed = false;
    c.onClosed = () => { closed = true; };
    assert.ok(net.run(() => closed, net.now + 600_000), `exchange ${i} did not finish`);
  }
  l.close();
}

test('TIME-WAIT is a compact record: 1000 closed 64 KB exchanges hold a few dozen bytes each', () => {
  const net = new SimNetwork({ seed: 5, latency: 1 });
  const server = net.addHost(A, { msl: 60_000 });
  const client = net.addHost(B);
  exchanges(net, server, client, 5, 64 * KB, 64 * KB); // warm up code paths and maps
  net.runUntil(net.now + 130_000);
  assert.equal(server.tcp.timeWaitCount, 0);
  const before = memory();
  exchanges(net, server, client, 1000, 64 * KB, 64 * KB);
  assert.equal(server.tcp.connectionCount, 0);
  assert.equal(server.tcp.timeWaitCount, 1000);
  // The table's own storage: 48 bytes a record at full load (slab + deadline + index), and
  // the slab grows by doubling.
  assert.ok(server.tcp.timeWaitBytes / 1000 <= 2 * 48 + 16, `${server.tcp.timeWaitBytes} bytes of TIME-WAIT table`);
  // Whole heap (GC noise is a few hundred KB): whole connections held ~72 KB each here.
  const perEntry = (memory() - before) / 1000;
  assert.ok(perEntry < 1024, `${perEntry.toFixed(0)} bytes per TIME-WAIT entry`);
  net.runUntil(net.now + 130_000);
  assert.equal(server.tcp.timeWaitCount, 0);
});

test('receive and send buffers are released once drained, and on close', () => {
  const net = new SimNetwork({ seed: 6, latency: 1 });
  const server = net.addHost(A);
  const client = net.addHost(B);
  const l = server.tcp.listen(80);
  let sc: TcpConnection | undefined;
  l.onConnection = () => { sc = l.accept(); };
  const c = client.tcp.connect(net.now, { remoteAddress: A, remotePort: 80 });
  let up = 100 * KB;
  const pump = () => { while (up > 0) { const k = c.send(new Uint8Array(Math.min(up, 16 * KB))); if (k === 0) return; up -= k; } };
  c.onConnected = pump;
  c.onWritable = pump;
  let down = 0;
  c.onReadable = () => { let d; while ((d = c.recv())) down += d.length; };
  // The server does not read: 100 KB pile up in its receive buffer.
  assert.ok(net.run(() => sc !== undefined && sc.readableLength === 100 * KB, 60_000));
  assert.ok(sc!.info.rcvAllocated >= 100 * KB);
  let got = 0;
  let d;
  while ((d = sc!.recv())) got += d.length;
  assert.equal(got, 100 * KB);
  assert.equal(sc!.info.rcvAllocated, 0, 'a drained receive buffer keeps no storage');
  // Server sends 100 KB; once all is acknowledged its send buffer keeps no storage.
  assert.equal(sc!.send(new Uint8Array(100 * KB)), 100 * KB);
  assert.ok(sc!.info.sndAllocated >= 100 * KB);
  assert.ok(net.run(() => down === 100 * KB && sc!.bufferedAmount === 0, net.now + 60_000));
  assert.equal(sc!.info.sndAllocated, 0, 'a drained send buffer keeps no storage');
  // An idle established connection holds no buffer storage at all.
  assert.equal(c.info.sndAllocated + c.info.rcvAllocated, 0);
  sc!.abort();
  net.runUntil(net.now + 1000);
  assert.equal(sc!.info.sndAllocated + sc!.info.rcvAllocated, 0);
});

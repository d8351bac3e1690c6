import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from './net.ts';
import { ADDR_A, ADDR_B, createTestNetwork } from '../netservice/testing.ts';

function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) >>> 0; out[i] = s >>> 24; }
  return out;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out;
}

test('echo server and client exchange data both ways, then end and close', async () => {
  const t = createTestNetwork();
  const events: string[] = [];
  const server = net.createServer({ network: t.b }, (sock) => {
    events.push(`server connection from ${sock.remoteAddress}`);
    assert.equal(sock.remoteAddress, ADDR_A);
    assert.equal(sock.localAddress, ADDR_B);
    assert.equal(sock.localPort, 7000);
    sock.on('data', (d: Buffer) => { assert.ok(Buffer.isBuffer(d)); sock.write(d); });
    sock.on('end', () => events.push('server end'));
    sock.on('close', (hadError: boolean) => { events.push(`server close ${hadError}`); server.close(); });
  });
  server.on('listening', () => events.push('listening'));
  server.on('close', () => events.push('server closed'));
  server.listen(7000);
  const received: Buffer[] = [];
  const client = net.connect(7000, ADDR_B, () => {
    events.push('connect');
    assert.equal(client.remoteAddress, ADDR_B);
    assert.equal(client.remotePort, 7000);
    assert.equal(client.remoteFamily, 'IPv4');
    assert.equal(client.localAddress, ADDR_A);
    assert.ok(client.localPort! >= 49152);
    client.write('hello, ');
    client.write(new TextEncoder().encode('world'), () => events.push('write cb'));
  });
  assert.equal(client.readyState, 'opening');
  assert.equal(client.connecting, true);
  client.on('ready', () => events.push('ready'));
  client.on('data', (d: Buffer) => {
    received.push(d);
    if (Buffer.concat(received).toString() === 'hello, world') client.end();
  });
  client.on('end', () => events.push('client end'));
  client.on('close', (hadError: boolean) => events.push(`client close ${hadError}`));
  await t.run();
  assert.equal(Buffer.concat(received).toString(), 'hello, world');
  assert.equal(client.bytesRead, 12);
  assert.equal(client.bytesWritten, 12);
  assert.equal(client.readyState, 'closed');
  assert.ok(client.destroyed);
  for (const e of ['listening', 'connect', 'ready', 'write cb', `server connection from ${ADDR_A}`, 'server end', 'server close false', 'client end', 'client close false', 'server closed']) {
    assert.ok(events.includes(e), `missing event ${e} in ${events.join(', ')}`);
  }
  assert.ok(events.indexOf('connect') < events.indexOf('ready'));
  assert.ok(events.indexOf('client end') < events.indexOf('client close false'));
  assert.ok(events.indexOf('server close false') < events.indexOf('server closed'));
  assert.equal(t.a.refCount, 0);
  assert.equal(t.b.refCount, 0);
});

test('a large transfer applies back-pressure: write returns false and drain follows', async () => {
  const t = createTestNetwork();
  const total = 1024 * 1024;
  const payload = bytes(total);
  const got: Uint8Array[] = [];
  const server = net.createServer({ network: t.b }, (sock) => {
    sock.on('data', (d: Buffer) => got.push(new Uint8Array(d)));
    sock.on('end', () => server.close());
  }).listen(9000);
  let falses = 0;
  let drains = 0;
  const client = net.connect({ port: 9000, host: ADDR_B });
  client.on('connect', () => {
    let off = 0;
    const pump = (): void => {
      while (off < total) {
        const chunk = payload.subarray(off, off + 64 * 1024);
        off += chunk.length;
        if (!client.write(chunk)) { falses++; client.once('drain', () => { drains++; pump(); }); return; }
      }
      client.end();
    };
    pump();
  });
  await t.run();
  assert.ok(falses > 0, 'write() never returned false');
  assert.equal(drains, falses);
  const all = concat(got);
  assert.equal(all.length, total);
  assert.deepEqual(all, payload);
  assert.ok(client.destroyed);
});

test('pause() holds data in TCP (window closes) and resume() delivers it all', async () => {
  const t = createTestNetwork();
  const total = 512 * 1024;
  const payload = bytes(total, 3);
  const got: Uint8Array[] = [];
  let serverSock: net.Socket | undefined;
  const server = net.createServer({ network: t.b }, (sock) => {
    serverSock = sock;
    sock.pause();
    sock.on('data', (d: Buffer) => got.push(new Uint8Array(d)));
    sock.on('end', () => server.close());
    t.loop.setTimeout(() => {
      assert.equal(got.length, 0);
      assert.ok(sock.readableLength > 0);
      sock.resume();
    }, 5000);
  }).listen(9001);
  const client = net.connect(9001, ADDR_B, () => { client.end(payload); });
  await t.run();
  assert.ok(serverSock);
  assert.deepEqual(concat(got), payload);
});

test('half-close with allowHalfOpen: the server keeps writing after the client ended', async () => {
  const t = createTestNetwork();
  const log: string[] = [];
  const server = net.createServer({ network: t.b, allowHalfOpen: true }, (sock) => {
    let body = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => { body += d; });
    sock.on('end', () => {
      log.push('server end');
      assert.equal(sock.readyState, 'writeOnly');
      // Half-open: still writable after the peer's FIN.
      sock.write(`got ${body.length} bytes`);
      t.loop.setTimeout(() => sock.end(' bye'), 100);
    });
    sock.on('close', () => { log.push('server close'); server.close(); });
  }).listen(7001);
  let reply = '';
  const client = net.connect({ port: 7001, host: ADDR_B, allowHalfOpen: true } as net.TcpSocketConnectOpts, () => {
    client.end('abcdef');
  });
  client.setEncoding('utf8');
  client.on('data', (d: string) => { reply += d; });
  client.on('finish', () => log.push('client finish'));
  client.on('end', () => log.push('client end'));
  client.on('close', () => log.push('client close'));
  await t.run();
  assert.equal(reply, 'got 6 bytes bye');
  assert.deepEqual(log.filter((e) => e.startsWith('client')), ['client finish', 'client end', 'client close']);
  assert.ok(log.includes('server end') && log.includes('server close'));
});

test('connect to a closed port fails with ECONNREFUSED in Node\'s format', async () => {
  const t = createTestNetwork();
  let err: (Error & { code?: string; errno?: number; syscall?: string; address?: string; port?: number }) | undefined;
  let closed: boolean | undefined;
  const s = net.connect(81, ADDR_B);
  s.on('error', (e) => { err = e; });
  s.on('close', (hadError: boolean) => { closed = hadError; });
  await t.run();
  assert.ok(err);
  assert.equal(err.message, `connect ECONNREFUSED ${ADDR_B}:81`);
  assert.equal(err.code, 'ECONNREFUSED');
  assert.equal(err.errno, -111);
  assert.equal(err.syscall, 'connect');
  assert.equal(err.address, ADDR_B);
  assert.equal(err.port, 81);
  assert.equal(closed, true);
});

test('listening twice on a port fails with EADDRINUSE; port 0 picks an ephemeral port', async () => {
  const t = createTestNetwork();
  const s1 = net.createServer({ network: t.b }).listen(80);
  const s2 = net.createServer({ network: t.b });
  let err: (Error & { code?: string }) | undefined;
  s2.on('error', (e) => { err = e; });
  s2.listen(80);
  const s3 = net.createServer({ network: t.b });
  s3.listen({ port: 0, host: '0.0.0.0' }, () => {
    const a = s3.address()!;
    assert.equal(a.family, 'IPv4');
    assert.equal(a.address, '0.0.0.0');
    assert.ok(a.port >= 49152 && a.port <= 65535);
    s3.close();
  });
  s1.on('listening', () => {
    assert.deepEqual(s1.address(), { address: '::', family: 'IPv6', port: 80 });
  });
  await t.run();
  assert.ok(err);
  assert.equal(err.message, 'listen EADDRINUSE: address already in use :::80');
  assert.equal(err.code, 'EADDRINUSE');
  assert.equal(s2.listening, false);
  s1.close();
  let closeErr: (Error & { code?: string }) | undefined;
  s2.close((e) => { closeErr = e; });
  await t.run();
  assert.equal(closeErr?.code, 'ERR_SERVER_NOT_RUNNING');
});

test('server.close() waits for open connections before emitting close', async () => {
  const t = createTestNetwork();
  const log: string[] = [];
  let serverSide: net.Socket | undefined;
  const server = net.createServer({ network: t.b }, (sock) => {
    serverSide = sock;
    server.close(() => log.push('server closed'));
    assert.equal(server.listening, false);
    server.getConnections((e, n) => log.push(`connections ${n}`));
    t.loop.setTimeout(() => { log.push('ending'); sock.end(); }, 1000);
  }).listen(7002);
  const c = net.connect(7002, ADDR_B);
  c.resume();
  c.on('close', () => log.push('client close'));
  await t.run();
  assert.ok(serverSide);
  assert.deepEqual(log.slice(0, 2), ['connections 1', 'ending']);
  assert.ok(log.indexOf('server closed') > log.indexOf('ending'));
  // A second connect after close is refused.
  let err: (Error & { code?: string }) | undefined;
  net.connect(7002, ADDR_B).on('error', (e) => { err = e; });
  await t.run();
  assert.equal(err?.code, 'ECONNREFUSED');
});

test('setTimeout fires timeout after inactivity and is reset by traffic', async () => {
  const t = createTestNetwork();
  const server = net.createServer({ network: t.b }, (sock) => {
    sock.resume();
    sock.on('end', () => sock.end());
  }).listen(7003);
  let connectedAt = 0;
  let timeoutAt = 0;
  const c = net.connect(7003, ADDR_B, () => {
    connectedAt = t.hw.now();
    // Activity at +1000 ms pushes the 3000 ms idle timeout to +4000 ms.
    t.loop.setTimeout(() => c.write('x'), 1000);
  });
  c.setTimeout(3000, () => {
    timeoutAt = t.hw.now();
    assert.equal(c.destroyed, false); // 'timeout' only notifies, as in Node
    c.end();
    server.close();
  });
  await t.run();
  assert.ok(timeoutAt > 0);
  const idle = timeoutAt - connectedAt;
  assert.ok(idle >= 4000 && idle < 4100, `timeout after ${idle} ms`);
});

test('destroy(err) resets the peer, which sees ECONNRESET', async () => {
  const t = createTestNetwork();
  let serverErr: (Error & { code?: string; syscall?: string }) | undefined;
  const server = net.createServer({ network: t.b }, (sock) => {
    sock.resume();
    sock.write('hello');
    sock.on('error', (e: Error & { code?: string; syscall?: string }) => { serverErr = e; });
    sock.on('close', () => server.close());
  }).listen(7004);
  let clientErr: Error | undefined;
  let hadError: boolean | undefined;
  const c = net.connect(7004, ADDR_B);
  c.on('data', () => {
    c.write('some data');
    c.destroy(new Error('boom'));
  });
  c.on('error', (e) => { clientErr = e; });
  c.on('close', (h: boolean) => { hadError = h; });
  await t.run();
  assert.equal(clientErr?.message, 'boom');
  assert.equal(hadError, true);
  assert.equal(serverErr?.code, 'ECONNRESET');
  assert.equal(serverErr?.message, 'read ECONNRESET');
});

test('connecting to a hostname resolves it with dns; unknown names fail with ENOTFOUND', async () => {
  const t = createTestNetwork();
  const { startDnsResponder } = await import('../netservice/dns-responder.ts');
  startDnsResponder(t.b, { 'echo.test': ADDR_B });
  const server = net.createServer({ network: t.b }, (sock) => sock.pipe(sock)).listen(7005);
  let reply = '';
  let lookup: unknown[] = [];
  const c = net.connect({ port: 7005, host: 'echo.test' }, () => c.end('ping'));
  c.on('lookup', (...args: unknown[]) => { lookup = args; });
  c.setEncoding('utf8');
  c.on('data', (d: string) => { reply += d; });
  c.on('close', () => server.close());
  let err: (Error & { code?: string; hostname?: string; syscall?: string }) | undefined;
  net.connect(80, 'nope.test').on('error', (e) => { err = e; });
  await t.run();
  assert.equal(reply, 'ping');
  assert.deepEqual(lookup, [null, ADDR_B, 4, 'echo.test']);
  assert.equal(err?.code, 'ENOTFOUND');
  assert.equal(err?.message, 'getaddrinfo ENOTFOUND nope.test');
  assert.equal(err?.syscall, 'getaddrinfo');
  assert.equal(err?.hostname, 'nope.test');
});

test('localhost has no loopback interface but is redirected to the own address', async () => {
  const t = createTestNetwork();
  const server = net.createServer({ network: t.a }, (sock) => sock.end('hi from myself')).listen(7006, '127.0.0.1');
  let reply = '';
  const c = net.connect(7006, 'localhost');
  c.setEncoding('utf8');
  c.on('data', (d: string) => { reply += d; });
  // Another host cannot reach a server bound to 127.0.0.1.
  let err: (Error & { code?: string }) | undefined;
  net.connect({ port: 7006, host: ADDR_A, network: t.b }).on('error', (e) => { err = e; server.close(); });
  await t.run();
  assert.equal(reply, 'hi from myself');
  assert.equal(c.remoteAddress, '127.0.0.1');
  assert.equal(err?.code, 'ECONNRESET');
});

test('async iteration yields the chunks until end', async () => {
  const t = createTestNetwork();
  const server = net.createServer({ network: t.b }, (sock) => { sock.end(bytes(100_000, 9)); }).listen(7007);
  const c = net.connect(7007, ADDR_B);
  const chunks: Uint8Array[] = [];
  const done = (async () => {
    for await (const chunk of c) chunks.push(chunk as Buffer);
  })();
  await t.run();
  await done;
  server.close();
  await t.run();
  assert.deepEqual(concat(chunks), bytes(100_000, 9));
});

test('unref() lets the program end while a server listens; ref() keeps it alive', async () => {
  const t = createTestNetwork();
  const server = net.createServer({ network: t.b }).listen(7008);
  server.unref();
  await t.run();
  assert.equal(t.loop.isAlive(), false);
  server.ref();
  assert.equal(t.loop.isAlive(), true);
  server.close();
  assert.equal(t.loop.isAlive(), false);
});

test('maxConnections drops connections above the limit', async () => {
  const t = createTestNetwork();
  const server = net.createServer({ network: t.b }, (sock) => { sock.resume(); });
  server.maxConnections = 1;
  let drops = 0;
  server.on('drop', () => { drops++; });
  server.listen(7009);
  const c1 = net.connect(7009, ADDR_B);
  c1.resume();
  let c2Ended = false;
  const c2 = net.connect(7009, ADDR_B);
  c2.resume();
  c2.on('end', () => { c2Ended = true; c1.end(); server.close(); });
  await t.run();
  assert.equal(drops, 1);
  assert.ok(c2Ended);
});

test('argument validation and isIP follow Node', () => {
  assert.equal(net.isIP('10.0.0.1'), 4);
  assert.equal(net.isIP('::1'), 6);
  assert.equal(net.isIP('fe80::1%eth0'), 6);
  assert.equal(net.isIP('1:2:3:4:5:6:7:8'), 6);
  assert.equal(net.isIP('::ffff:10.0.0.1'), 6);
  assert.equal(net.isIP('1:2:3:4:5:6:7:8:9'), 0);
  assert.equal(net.isIP('1::2::3'), 0);
  assert.equal(net.isIP('010.0.0.1'), 0);
  assert.equal(net.isIP('256.0.0.1'), 0);
  assert.equal(net.isIP('example.com'), 0);
  assert.equal(net.isIPv4('127.0.0.1'), true);
  assert.equal(net.isIPv6('127.0.0.1'), false);
  createTestNetwork();
  assert.throws(() => net.connect(70000, ADDR_B), { code: 'ERR_SOCKET_BAD_PORT', name: 'RangeError' });
  assert.throws(() => net.createServer().listen(-1), { code: 'ERR_SOCKET_BAD_PORT' });
});

test('the HTTP server (os/http) runs on this module: Socket satisfies net-types.ts', async () => {
  const { createServerFactory } = await import('../http/server.ts');
  const t = createTestNetwork();
  const http = createServerFactory({ net, wrapChunk: (u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength) });
  const server = http.createServer((req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.end(`hello ${req.url}`);
  });
  server.listen(8080);
  let response = '';
  // The client runs on B (the default network of the HTTP server is A).
  const c = net.connect({ port: 8080, host: ADDR_A, network: t.b }, () => {
    c.write('GET /there HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
  });
  c.setEncoding('latin1');
  c.on('data', (d: string) => { response += d; });
  c.on('close', () => server.close());
  await t.run();
  assert.match(response, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(response, /\r\n\r\nhello \/there$/);
});

test('Socket is a stream.Duplex: pipeline through a Transform with back-pressure, Node\'s event order', async () => {
  const { Duplex, Transform, pipeline } = await import('./stream.ts');
  const t = createTestNetwork();
  const server = net.createServer({ network: t.b }, (sock) => {
    assert.ok(sock instanceof Duplex);
    // Echo upper-cased through a Transform: socket -> transform -> socket.
    pipeline(sock, new Transform({ transform(c, _e, cb) { cb(null, String(c).toUpperCase()); } }), sock, (e) => { if (e) throw e; });
  }).listen(7100);
  const events: string[] = [];
  const total = 300_000;
  let got = '';
  const c = net.connect(7100, ADDR_B);
  assert.ok(c instanceof Duplex);
  for (const e of ['connect', 'ready', 'end', 'finish', 'close']) c.on(e, () => events.push(e));
  c.setEncoding('latin1');
  c.on('data', (d: string) => { if (!events.includes('data')) events.push('data'); got += d; });
  c.on('connect', () => { c.end('ab'.repeat(total / 2)); });
  await t.run();
  server.close();
  assert.equal(got.length, total);
  assert.equal(got, 'AB'.repeat(total / 2));
  assert.deepEqual(events, ['connect', 'ready', 'data', 'finish', 'end', 'close']);
  assert.equal(c.bytesWritten, total);
  assert.equal(c.bytesRead, total);
});

test('with allowHalfOpen false a write after the peer ended fails with EPIPE; readable side back-pressure keeps bytes in TCP', async () => {
  const t = createTestNetwork();
  let serverSock: net.Socket | undefined;
  const server = net.createServer({ network: t.b }, (sock) => { serverSock = sock; sock.end('bye'); }).listen(7101);
  const c = net.connect(7101, ADDR_B);
  let err: (Error & { code?: string }) | undefined;
  c.on('end', () => { t.loop.setTimeout(() => c.write('late', (e?: Error | null) => { err = e ?? undefined; }), 1); });
  c.on('error', () => {});
  c.resume();
  await t.run();
  server.close();
  assert.ok(serverSock);
  assert.equal(err?.code, 'EPIPE');
  assert.equal(err?.message, 'This socket has been ended by the other party');
  // A paused reader: the stream holds at most its high-water mark, the rest waits in TCP.
  const t2 = createTestNetwork();
  const big = bytes(400_000);
  const s2 = net.createServer({ network: t2.b }, (sock) => { sock.end(big); }).listen(7102);
  const r = net.connect({ port: 7102, host: ADDR_B, network: t2.a });
  r.pause();
  const chunks: Buffer[] = [];
  let whilePaused = { buffered: -1, read: -1 };
  t2.loop.setTimeout(() => {
    whilePaused = { buffered: r.readableLength, read: r.bytesRead };
    r.on('data', (d: Buffer) => chunks.push(d));
    r.resume();
  }, 3000);
  await t2.run();
  assert.ok(whilePaused.buffered >= 0 && whilePaused.buffered <= r.readableHighWaterMark + 64 * 1024, `buffered ${whilePaused.buffered}`);
  assert.ok(whilePaused.read < big.length, `read ${whilePaused.read} of ${big.length} while paused`);
  s2.close();
  assert.deepEqual(new Uint8Array(Buffer.concat(chunks)), big);
});

test('_consume: the server takes the bytes itself, in order; pause() holds them, _consume(undefined) gives them back', async () => {
  const t = createTestNetwork();
  const total = 256 * 1024;
  const payload = bytes(total, 5);
  const arrived: Uint8Array[] = []; // in arrival order, by either path
  let consumedBytes = 0, dataAfterConsume = 0, consuming = false, ended = false;
  const server = net.createServer({ network: t.b }, (sock) => {
    sock.on('data', (d: Buffer) => { arrived.push(new Uint8Array(d)); if (!consuming && consumedBytes > 0) dataAfterConsume += d.length; });
    sock.on('end', () => { ended = true; server.close(); });
    consuming = true;
    sock._consume((d: Uint8Array) => {
      assert.ok(consuming, 'no bytes for a consumer that was given back');
      arrived.push(d);
      const before = consumedBytes;
      consumedBytes += d.length;
      if (before < 64 * 1024 && consumedBytes >= 64 * 1024) {
        // Back-pressure as the server applies it: nothing arrives while paused.
        sock.pause();
        const held = consumedBytes;
        t.loop.setTimeout(() => {
          assert.equal(consumedBytes, held);
          sock.resume();
        }, 2000);
      }
      if (before < 128 * 1024 && consumedBytes >= 128 * 1024) { consuming = false; sock._consume(undefined); }
    });
  }).listen(9002);
  const client = net.connect(9002, ADDR_B, () => { client.end(payload); });
  await t.run();
  assert.ok(consumedBytes >= 128 * 1024 && dataAfterConsume > 0, `${consumedBytes} consumed, ${dataAfterConsume} as data after`);
  assert.deepEqual(concat(arrived), payload);
  assert.ok(ended, "the peer's FIN is still 'end'");
});

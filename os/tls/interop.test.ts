// Interop with the real openssl (Debian's) on loopback: our client against s_server and
// our server against s_client, for every suite, group and certificate key type.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { decodePem, parsePrivateKey } from '../crypto/index.ts';
import { TlsClient, type ClientOptions } from './client.ts';
import { TlsServer, type ServerOptions } from './server.ts';
import { connectDriver, makeDir, random, runClient, selfSigned, SocketDriver, startServer, type Pki } from './testing/openssl.ts';
import { parseCertificate } from './x509/certificate.ts';
import { verifyChain } from './x509/verify.ts';

let pki: Pki;
const KINDS = ['ec256', 'ec384', 'rsa2048', 'ed25519'] as const;

before(() => {
  pki = makeDir();
  for (const k of KINDS) selfSigned(pki, k, k);
});

function trustOnly(name: string): ClientOptions['verify'] {
  const root = parseCertificate(decodePem(pki.read(`${name}.crt`))[0].der);
  return (chain, now) => { const r = verifyChain(chain, [root], now); return 'chain' in r ? null : r; };
}

async function clientRun(serverArgs: string[], opts: Partial<ClientOptions> = {}, cert = 'ec256') {
  const srv = await startServer(pki, ['-cert', `${cert}.crt`, '-key', `${cert}.key`, '-rev', ...serverArgs]);
  try {
    const c = new TlsClient({ random, serverName: 'localhost', verify: trustOnly(cert), ...opts });
    const d = await connectDriver(srv.port, c);
    await d.until(() => d.events.some((e) => e.type === 'secure' || e.type === 'error'));
    if (c.state === 'open') {
      d.apply(c.write(new TextEncoder().encode('hello world\n')));
      await d.until(() => d.text().includes('dlrow olleh'));
    }
    d.socket.destroy();
    return { c, d };
  } finally {
    srv.stop();
  }
}

describe('our client against openssl s_server', () => {
  for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) {
    for (const group of ['X25519', 'P-256', 'P-384']) {
      test(`${suite} with ${group}`, async () => {
        const { c, d } = await clientRun(['-ciphersuites', suite, '-groups', group]);
        assert.equal(d.error(), undefined);
        assert.equal(c.version, 'TLSv1.3');
        assert.equal(c.suite!.name, suite);
        assert.equal(c.authorized, true);
        assert.match(d.text(), /dlrow olleh/);
      });
    }
  }
  for (const kind of KINDS) {
    test(`${kind} certificate`, async () => {
      const { c, d } = await clientRun([], {}, kind);
      assert.equal(d.error(), undefined);
      assert.equal(c.peerCertificates[0].publicKey!.type, kind.startsWith('ec') ? 'ec' : kind === 'rsa2048' ? 'rsa' : 'ed25519');
      assert.match(d.text(), /dlrow olleh/);
    });
  }
  test('a HelloRetryRequest when the server wants a group we sent no share for', async () => {
    const { c, d } = await clientRun(['-groups', 'P-384']);
    assert.equal(d.error(), undefined);
    assert.equal(c.state, 'open');
  });
  test('ALPN', async () => {
    const { c, d } = await clientRun(['-alpn', 'h2,http/1.1'], { alpnProtocols: ['http/1.1'] });
    assert.equal(d.error(), undefined);
    assert.equal(c.alpnProtocol, 'http/1.1');
  });
  test('an untrusted certificate aborts the handshake with Node\'s code', async () => {
    const { c, d } = await clientRun([], { verify: trustOnly('rsa2048') });
    assert.equal(d.error()?.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.notEqual(c.state, 'open');
  });
  test('rejectUnauthorized: false connects and reports the error', async () => {
    const { c, d } = await clientRun([], { verify: trustOnly('rsa2048'), rejectUnauthorized: false });
    assert.equal(d.error(), undefined);
    assert.equal(c.authorized, false);
    assert.equal(c.authorizationError, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  });
  test('a server that only speaks TLS 1.2 (ECDHE-ECDSA-AES128-GCM, extended master secret)', async () => {
    const { c, d } = await clientRun(['-tls1_2']);
    assert.equal(d.error(), undefined);
    assert.equal(c.version, 'TLSv1.2');
    assert.equal(c.suite!.name, 'ECDHE-ECDSA-AES128-GCM-SHA256');
    assert.match(d.text(), /dlrow olleh/);
  });
  for (const cipher of ['ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305', 'ECDHE-RSA-AES128-GCM-SHA256']) {
    test(`TLS 1.2 ${cipher}`, async () => {
      const { c, d } = await clientRun(['-tls1_2', '-cipher', cipher], {}, 'rsa2048');
      assert.equal(d.error(), undefined);
      assert.equal(c.suite!.name, cipher);
      assert.match(d.text(), /dlrow olleh/);
    });
  }
  test('a 1.3-only client refuses a 1.2 server', async () => {
    const r = await clientRun(['-tls1_2'], { minVersion: 'TLSv1.3' });
    assert.equal(r.d.error()?.code, 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
  });
  test('TLS 1.2 renegotiation requested by the server is refused with no_renegotiation (RFC 5746)', async () => {
    // Not -rev: s_server reads its stdin commands only in the default mode.
    const srv = await startServer(pki, ['-cert', 'ec256.crt', '-key', 'ec256.key', '-tls1_2']);
    try {
      const c = new TlsClient({ random, serverName: 'localhost', verify: trustOnly('ec256') });
      const d = await connectDriver(srv.port, c);
      await d.until(() => c.state === 'open');
      await new Promise((r) => setTimeout(r, 200));
      const before = d.socket.bytesWritten;
      srv.proc.stdin!.write('r\n'); // s_server: renegotiate (sends a HelloRequest)
      await d.until(() => d.socket.bytesWritten > before, 3000);
      assert.ok(d.socket.bytesWritten > before, 'we answered the HelloRequest');
      assert.equal(c.state, 'open');
      assert.equal(d.error(), undefined);
      // OpenSSL reads our warning alert and gives up the renegotiation (and the connection).
      await d.until(() => srv.output().includes('no renegotiation'), 3000);
      assert.match(srv.output(), /no renegotiation/);
      d.socket.destroy();
    } finally { srv.stop(); }
  });
  test('session resumption from a ticket', async () => {
    const srv = await startServer(pki, ['-cert', 'ec256.crt', '-key', 'ec256.key', '-rev']);
    try {
      const c1 = new TlsClient({ random, serverName: 'localhost', verify: trustOnly('ec256') });
      const d1 = await connectDriver(srv.port, c1);
      await d1.until(() => d1.events.some((e) => e.type === 'session'));
      const ev = d1.events.find((e) => e.type === 'session') as { session: Uint8Array };
      d1.socket.destroy();
      const c2 = new TlsClient({ random, serverName: 'localhost', verify: trustOnly('ec256'), session: ev.session });
      const d2 = await connectDriver(srv.port, c2);
      await d2.until(() => c2.state !== 'handshake');
      assert.equal(d2.error(), undefined);
      assert.equal(c2.resumed, true);
      assert.equal(c2.peerCertificates.length, 0);
      d2.apply(c2.write(new TextEncoder().encode('again\n')));
      await d2.until(() => d2.text().includes('niaga'));
      assert.match(d2.text(), /niaga/);
      d2.socket.destroy();
    } finally { srv.stop(); }
  });
  test('KeyUpdate both ways', async () => {
    const srv = await startServer(pki, ['-cert', 'ec256.crt', '-key', 'ec256.key', '-rev']);
    try {
      const c = new TlsClient({ random, serverName: 'localhost', verify: trustOnly('ec256') });
      const d = await connectDriver(srv.port, c);
      await d.until(() => c.state === 'open');
      d.apply(c.keyUpdate(true));
      d.apply(c.write(new TextEncoder().encode('after update\n')));
      await d.until(() => d.text().includes('etadpu retfa'));
      assert.match(d.text(), /etadpu retfa/);
      // 'K' asks s_server to send a KeyUpdate requesting ours; data must still flow after it.
      srv.proc.stdin!.write('K\n');
      await new Promise((r) => setTimeout(r, 300));
      d.apply(c.write(new TextEncoder().encode('second\n')));
      await d.until(() => d.text().includes('dnoces'));
      assert.match(d.text(), /dnoces/);
      assert.equal(d.error(), undefined);
      d.socket.destroy();
    } finally { srv.stop(); }
  });
});

describe('openssl s_client against our server', () => {
  let server: net.Server;
  let port = 0;
  let last: TlsServer | null = null;
  const ticketKey = random(32);
  before(async () => {
    const ids = KINDS.map((k) => ({ chain: decodePem(pki.read(`${k}.crt`)).map((b) => b.der), key: parsePrivateKey(pki.read(`${k}.key`)) }));
    server = net.createServer((sock) => {
      const opts: ServerOptions = { random, identities: ids, alpnProtocols: ['http/1.1'], ticketKey, ticketCount: 2 };
      const ep = new TlsServer(opts);
      last = ep;
      const d = new SocketDriver(ep, sock);
      sock.on('data', () => { for (const x of d.data.splice(0)) d.apply(ep.write(new TextEncoder().encode(Buffer.from(x).toString().toUpperCase()))); });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  after(() => server.close());

  for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) {
    for (const group of ['X25519', 'P-256', 'P-384']) {
      test(`${suite} with ${group}`, async () => {
        const r = await runClient(pki, port, ['-CAfile', 'ec256.crt', '-servername', 'localhost', '-ciphersuites', suite, '-groups', group, '-sigalgs', 'ECDSA+SHA256'], 'hello\n');
        assert.match(r.out, new RegExp(`Cipher is ${suite}`));
        assert.match(r.out, /Verify return code: 0 \(ok\)/);
        assert.match(r.out, /HELLO/);
      });
    }
  }
  for (const [sigalgs, ca] of [['ECDSA+SHA384', 'ec384'], ['RSA-PSS+SHA256', 'rsa2048'], ['ed25519', 'ed25519']]) {
    test(`signature algorithm ${sigalgs}`, async () => {
      const r = await runClient(pki, port, ['-CAfile', `${ca}.crt`, '-sigalgs', sigalgs], 'hello\n');
      assert.match(r.out, /Verify return code: 0 \(ok\)/);
      assert.match(r.out, /HELLO/);
    });
  }
  test('HelloRetryRequest for a client that sends only a P-384 share first but prefers x25519 second', async () => {
    const r = await runClient(pki, port, ['-CAfile', 'ec256.crt', '-groups', 'P-384:X25519', '-sigalgs', 'ECDSA+SHA256'], 'hello\n');
    assert.match(r.out, /HELLO/);
  });
  test('ALPN', async () => {
    const r = await runClient(pki, port, ['-CAfile', 'ec256.crt', '-alpn', 'h2,http/1.1'], 'x\n');
    assert.match(r.out, /ALPN protocol: http\/1.1/);
    const bad = await runClient(pki, port, ['-alpn', 'h2'], 'x\n');
    assert.match(bad.out, /no application protocol/i);
  });
  test('SNI reaches the server and picks the identity', async () => {
    const r = await runClient(pki, port, ['-CAfile', 'ec256.crt', '-servername', 'example.test'], 'x\n');
    assert.match(r.out, /X/);
    assert.equal(last!.serverName, 'example.test');
  });
  test('resumption with our ticket', async () => {
    const first = await runClient(pki, port, ['-CAfile', 'ec256.crt', '-sess_out', 'sess.pem'], 'x\n');
    assert.match(first.out, /^New, TLSv1.3/m);
    const second = await runClient(pki, port, ['-CAfile', 'ec256.crt', '-sess_in', 'sess.pem'], 'y\n');
    assert.match(second.out, /^Reused, TLSv1.3/m);
    assert.equal(last!.resumed, true);
    assert.match(second.out, /Y/);
  });
  test('a TLS 1.2-only client gets protocol_version', async () => {
    const r = await runClient(pki, port, ['-tls1_2'], 'x\n');
    assert.match(r.out, /protocol version/i);
  });
});

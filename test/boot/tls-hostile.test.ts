/**
 * Hostile peers against the image's https server in QEMU (the peer is this test, over the
 * user network): truncated and oversized records, a bad MAC, a wrong version, unexpected
 * messages, a renegotiation attempt and a client that stops mid-handshake. Each gets the RFC
 * 8446 alert (§6.2) and a closed connection, and the server keeps serving: a stalled client
 * stays open through all of it while others are served, and Node's https client is served
 * after. The same inputs are checked in memory in os/tls/hostile.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { copyFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import { buildImage } from '../../cli/build.ts';
import { startServerVm } from './vm.ts';
import { issued, makeDir, random, selfSigned, SocketDriver } from '../../os/tls/testing/openssl.ts';
import { TlsClient } from '../../os/tls/client.ts';
import { Alert } from '../../os/tls/constants.ts';

/** Connects, sends `bytes` (then FIN when `end`), and collects what comes back until close (bounded). */
function raw(port: number, bytes: Uint8Array, end = false, ms = 60_000): Promise<{ got: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => { s.write(bytes); if (end) s.end(); });
    const got: Buffer[] = [];
    const t = setTimeout(() => { s.destroy(); resolve({ got: Buffer.concat(got), closed: false }); }, ms);
    s.on('data', (c) => got.push(c));
    s.on('error', () => {});
    s.on('close', () => { clearTimeout(t); resolve({ got: Buffer.concat(got), closed: true }); });
  });
}

const alertRecord = (a: number) => [21, 3, 3, 0, 2, 2, a];

/** Our TLS client (os/tls) on the host: a full handshake, then `attack` gets the open endpoint. */
async function afterHandshake(port: number, attack: (c: TlsClient, d: SocketDriver) => void): Promise<{ alert?: number; closed: boolean }> {
  const c = new TlsClient({ random, serverName: 'localhost', rejectUnauthorized: false });
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((r, j) => { socket.once('connect', () => r()); socket.once('error', j); });
  const d = new SocketDriver(c, socket);
  d.apply(c.start(Date.now()));
  assert.ok(await d.until(() => c.state === 'open', 60_000), 'handshake with the image');
  attack(c, d);
  await d.until(() => socket.destroyed || d.events.some((e) => e.type === 'error'), 60_000);
  const e = d.events.find((x) => x.type === 'error') as { error: { alert?: number } } | undefined;
  const closed = await Promise.race([d.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 30_000))]);
  socket.destroy();
  return { alert: e?.error.alert, closed };
}

function get(port: number, ca: string, p: string): Promise<string> {
  return new Promise((resolve, reject) => {
    https.get({ host: '127.0.0.1', port, path: p, ca, timeout: 60_000 }, (res) => {
      let s = '';
      res.on('data', (c) => (s += c));
      res.on('end', () => resolve(s));
    }).on('error', reject);
  });
}

test('hostile peers against the image\'s TLS server: the right alert, a closed connection, the server keeps serving', async () => {
  const pki = makeDir();
  selfSigned(pki, 'ca', 'ec256', { cn: 'Hostile CA', ca: true, san: 'DNS:ca.invalid' });
  issued(pki, 'vm', 'ca', 'ec256', { cn: 'localhost', san: 'DNS:localhost,IP:127.0.0.1' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-tls-hostile-'));
  copyFileSync(path.join(import.meta.dirname, 'programs', 'tls-hostile.ts'), path.join(dir, 'tls-hostile.ts'));
  const { image } = await buildImage({ entry: path.join(dir, 'tls-hostile.ts'), output: path.join(dir, 'tls-hostile.img') });
  const vm = await startServerVm(image, 8443, { env: { KEY_PEM: pki.read('vm.key'), CERT_PEM: pki.read('vm.crt') }, memMiB: 128 });
  const port = vm.hostPort;
  try {
    await vm.waitFor('listening on', 60_000);
    // A client that stops mid-handshake: half a ClientHello, then silence, held open throughout.
    const stalled = net.connect(port, '127.0.0.1', () => stalled.write(Buffer.from([22, 3, 1, 0, 200, 1, 0, 0, 196, 3, 3])));
    let stalledClosed = false;
    stalled.on('close', () => (stalledClosed = true));
    stalled.on('error', () => {});
    assert.equal(await get(port, pki.read('ca.crt'), '/during'), 'still serving /during\n', 'served while a handshake is stalled');

    // RFC 8446 §5.1: a record longer than 2^14 bytes is record_overflow.
    const big = new Uint8Array(5 + 20000);
    big.set([22, 3, 1, 20000 >> 8, 20000 & 255]);
    const over = await raw(port, big);
    assert.deepEqual([...over.got.subarray(0, 7)], alertRecord(Alert.record_overflow), 'oversized record');
    assert.ok(over.closed);

    // A truncated record (the header promises 200 bytes, 20 come, then FIN): closed, no hang.
    const trunc = new Uint8Array(25);
    trunc.set([22, 3, 1, 0, 200, 1, 0, 0, 196, 3, 3]);
    const cut = await raw(port, trunc, true);
    assert.ok(cut.closed, 'truncated record: the server closes');

    // Wrong version: a TLS 1.2-only ClientHello gets protocol_version (§4.2.1).
    const old = new TlsClient({ random, serverName: 'localhost', maxVersion: 'TLSv1.2' });
    const v = await raw(port, Buffer.concat(old.start(Date.now()).wire));
    assert.deepEqual([...v.got.subarray(0, 7)], alertRecord(Alert.protocol_version), 'wrong version');
    assert.ok(v.closed);

    // A plaintext HTTP request: closed without an alert, as Node (OpenSSL's "http request").
    const http = await raw(port, new Uint8Array(Buffer.from('GET / HTTP/1.1\r\n\r\n')));
    assert.deepEqual([...http.got], [], 'HTTP instead of TLS');
    assert.ok(http.closed, 'HTTP instead of TLS');

    // Unexpected messages: application data first, a Finished first.
    for (const [name, bytes] of [
      ['application data first', [23, 3, 3, 0, 3, 1, 2, 3]],
      ['Finished first', [22, 3, 3, 0, 8, 20, 0, 0, 4, 1, 2, 3, 4]],
    ] as const) {
      const u = await raw(port, new Uint8Array(bytes));
      assert.deepEqual([...u.got.subarray(0, 7)], alertRecord(Alert.unexpected_message), name);
      assert.ok(u.closed, name);
    }

    // A flipped bit in an encrypted record: bad_record_mac (§5.2), under the traffic keys.
    const mac = await afterHandshake(port, (c, d) => {
      const wire = Buffer.concat(c.write(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n')).wire);
      wire[wire.length - 3] ^= 1;
      d.socket.write(wire);
    });
    assert.equal(mac.alert, Alert.bad_record_mac, 'bad MAC');
    assert.ok(mac.closed, 'bad MAC: closed');

    // Renegotiation: a ClientHello after the handshake is unexpected_message in TLS 1.3 (§4).
    const reneg = await afterHandshake(port, (c, d) => {
      const out: Uint8Array[] = [];
      (c as unknown as { records: { encode(t: number, b: Uint8Array, o: Uint8Array[]): void } }).records.encode(22, new Uint8Array([1, 0, 0, 0]), out);
      d.socket.write(Buffer.concat(out));
    });
    assert.equal(reneg.alert, Alert.unexpected_message, 'renegotiation');
    assert.ok(reneg.closed, 'renegotiation: closed');

    assert.equal(stalledClosed, false, 'the stalled client is still connected (its handshake timeout is the server\'s)');
    assert.equal(await get(port, pki.read('ca.crt'), '/after'), 'still serving /after\n', 'served after the hostile peers');
    stalled.destroy();
  } finally {
    const r = await vm.stop();
    assert.equal(r.stderr, '', 'no errors from the VM');
  }
});

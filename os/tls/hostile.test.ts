// Our client and server in memory, and hostile input: every malformed record or message
// ends in the RFC's alert and a closed endpoint, never an exception or a hang.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { decodePem, parsePrivateKey } from '../crypto/index.ts';
import { TlsClient } from './client.ts';
import { TlsServer, type ServerIdentity } from './server.ts';
import type { TlsEndpoint, TlsOutput } from './connection.ts';
import { Alert } from './constants.ts';
import { makeDir, random, selfSigned } from './testing/openssl.ts';

let id: ServerIdentity;
before(() => {
  const pki = makeDir();
  selfSigned(pki, 'ec', 'ec256');
  id = { chain: decodePem(pki.read('ec.crt')).map((b) => b.der), key: parsePrivateKey(pki.read('ec.key')) };
});

const T = 1_000_000;
const client = () => new TlsClient({ random, serverName: 'localhost', rejectUnauthorized: false });
const server = () => new TlsServer({ random, identities: [id], ticketKey: new Uint8Array(32).fill(9) });
const cat = (a: Uint8Array[]) => new Uint8Array(Buffer.concat(a));

/** Runs a handshake to completion, returning the endpoints and the last outputs. */
function pair() {
  const c = client(), s = server();
  let toServer = c.start(T).wire;
  for (let i = 0; i < 10 && toServer.length; i++) {
    const so = s.receive(cat(toServer), T);
    const co = c.receive(cat(so.wire), T);
    toServer = co.wire;
  }
  assert.equal(c.state, 'open');
  assert.equal(s.state, 'open');
  return { c, s };
}

function alertOf(o: TlsOutput): number | undefined {
  const e = o.events.find((x) => x.type === 'error') as { error: { alert?: number } } | undefined;
  return e?.error.alert;
}

describe('in-memory handshake', () => {
  test('data both ways, KeyUpdate with update_requested, close_notify', () => {
    const { c, s } = pair();
    const hello = new TextEncoder().encode('hello');
    assert.deepEqual(Buffer.from(cat(s.receive(cat(c.write(hello).wire), T).data)).toString(), 'hello');
    const ku = c.keyUpdate(true);
    const reply = s.receive(cat(ku.wire), T); // server answers with its own KeyUpdate
    c.receive(cat(reply.wire), T);
    const back = s.write(new TextEncoder().encode('after'));
    assert.equal(Buffer.from(cat(c.receive(cat(back.wire), T).data)).toString(), 'after');
    assert.equal(Buffer.from(cat(s.receive(cat(c.write(hello).wire), T).data)).toString(), 'hello');
    const end = s.receive(cat(c.close().wire), T);
    assert.ok(end.events.some((e) => e.type === 'end'));
  });
  test('a 100 kB write crosses in records of at most 2^14 bytes', () => {
    const { c, s } = pair();
    const big = new Uint8Array(100_000).map((_, i) => i & 255);
    const o = c.write(big);
    assert.ok(o.wire.every((r) => r.length <= 5 + (1 << 14) + 256));
    assert.deepEqual(cat(s.receive(cat(o.wire), T).data), big);
  });
  test('resumption with the server\'s ticket', () => {
    const c = client(), s = server();
    let wire = c.start(T).wire, session: Uint8Array | undefined;
    for (let i = 0; i < 10 && wire.length; i++) {
      const so = s.receive(cat(wire), T);
      const co = c.receive(cat(so.wire), T);
      session ??= (co.events.find((e) => e.type === 'session') as { session: Uint8Array } | undefined)?.session;
      wire = co.wire;
    }
    assert.ok(session);
    const c2 = new TlsClient({ random, serverName: 'localhost', rejectUnauthorized: false, session });
    const s2 = server();
    let w = c2.start(T + 1000).wire;
    for (let i = 0; i < 10 && w.length; i++) w = c2.receive(cat(s2.receive(cat(w), T + 1000).wire), T + 1000).wire;
    assert.equal(c2.state, 'open');
    assert.equal(c2.resumed, true);
    assert.equal(s2.resumed, true);
  });
});

describe('hostile peers', () => {
  test('an oversized record gets record_overflow', () => {
    const s = server();
    const rec = new Uint8Array(5 + 20000);
    rec.set([22, 3, 1, 20000 >> 8, 20000 & 255]);
    const o = s.receive(rec, T);
    assert.equal(alertOf(o), Alert.record_overflow);
    assert.equal(s.state, 'closed');
    assert.deepEqual(Array.from(o.wire[0]), [21, 3, 3, 0, 2, 2, Alert.record_overflow]);
  });
  test('a flipped bit in an encrypted record gets bad_record_mac', () => {
    const { c, s } = pair();
    const r = cat(c.write(new Uint8Array(10)).wire);
    r[r.length - 3] ^= 1;
    assert.equal(alertOf(s.receive(r, T)), Alert.bad_record_mac);
  });
  test('a truncated ClientHello waits for more; then a bad length gets decode_error', () => {
    const c = client(), s = server();
    const ch = cat(c.start(T).wire);
    const half = s.receive(ch.subarray(0, 40), T);
    assert.equal(half.wire.length, 0);
    assert.equal(s.state, 'handshake');
    const bad = ch.slice();
    bad[5 + 4 + 2 + 32] = 200; // session id length beyond the message
    assert.equal(alertOf(server().receive(bad, T)), Alert.decode_error);
  });
  test('a non-TLS first byte sequence is refused', () => {
    const o = server().receive(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'), T);
    assert.equal(alertOf(o), Alert.unexpected_message);
  });
  test('wrong version: a TLS 1.2-only ClientHello gets protocol_version', () => {
    const c = new TlsClient({ random, maxVersion: 'TLSv1.2' });
    assert.equal(alertOf(server().receive(cat(c.start(T).wire), T)), Alert.protocol_version);
  });
  test('application data before the handshake gets unexpected_message', () => {
    const o = server().receive(new Uint8Array([23, 3, 3, 0, 3, 1, 2, 3]), T);
    assert.equal(alertOf(o), Alert.unexpected_message);
  });
  test('a second ClientHello after the handshake (renegotiation) gets unexpected_message', () => {
    const { c, s } = pair();
    // Send a ClientHello-typed handshake message under the application keys.
    const fake = (c as unknown as { records: { encode(t: number, d: Uint8Array, o: Uint8Array[]): void } }).records;
    const out: Uint8Array[] = [];
    fake.encode(22, new Uint8Array([1, 0, 0, 0]), out);
    assert.equal(alertOf(s.receive(cat(out), T)), Alert.unexpected_message);
  });
  test('an endless stream of ChangeCipherSpec records is cut off', () => {
    const c = client(), s = server();
    s.receive(cat(c.start(T).wire), T);
    const ccs = new Uint8Array(6 * 100);
    for (let i = 0; i < 100; i++) ccs.set([20, 3, 3, 0, 1, 1], i * 6);
    assert.equal(alertOf(s.receive(ccs, T)), Alert.unexpected_message);
  });
  test('a peer alert closes with Node\'s code', () => {
    const c = client();
    c.start(T);
    const o = c.receive(new Uint8Array([21, 3, 3, 0, 2, 2, 40]), T);
    const e = o.events.find((x) => x.type === 'error') as { error: { code: string } };
    assert.equal(e.error.code, 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE');
    assert.equal(c.state, 'closed');
  });
  test('random bytes never throw and never leave the server half-open after an alert', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 0, max: 3 }), (bytes, prefix) => {
      const s = server();
      const head = [new Uint8Array([22, 3, 1]), new Uint8Array([23, 3, 3]), new Uint8Array([21, 3, 3]), new Uint8Array(0)][prefix];
      const o = s.receive(cat([head, bytes]), T);
      if (o.events.some((e) => e.type === 'error')) assert.equal(s.state, 'closed');
    }), { numRuns: 400 });
  });
  test('mutated ClientHellos never throw', () => {
    const ch = cat(client().start(T).wire);
    fc.assert(fc.property(fc.integer({ min: 5, max: ch.length - 1 }), fc.integer({ min: 0, max: 255 }), (pos, v) => {
      const m = ch.slice();
      m[pos] = v;
      const s = server();
      const o = s.receive(m, T);
      assert.ok(Array.isArray(o.wire));
    }), { numRuns: 300 });
  });
});

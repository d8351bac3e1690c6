/**
 * peekServerName: the host name from a client's first bytes however TCP splits them, a
 * ClientHello split over records (RFC 8446 §5.1), and `none` for what is not a ClientHello.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { TlsClient } from './client.ts';
import { peekServerName } from './sni-peek.ts';
import { concatBytes } from '../crypto/hash.ts';

const random = (n: number) => new Uint8Array(randomBytes(n));
const hello = (serverName?: string) => concatBytes(...new TlsClient({ random, serverName, rejectUnauthorized: false }).start(Date.now()).wire);

test('the name is read once the ClientHello is whole, at every split of its bytes', () => {
  const bytes = hello('api.example.test');
  for (let cut = 0; cut < bytes.length; cut++) assert.deepEqual(peekServerName(bytes.subarray(0, cut)), { kind: 'more' }, `after ${cut} bytes`);
  assert.deepEqual(peekServerName(bytes), { kind: 'name', serverName: 'api.example.test' });
});

test('a ClientHello split over two handshake records', () => {
  const bytes = hello('split.test');
  const body = bytes.subarray(5);
  const record = (b: Uint8Array) => concatBytes(new Uint8Array([22, 3, 1, b.length >> 8, b.length & 255]), b);
  const two = concatBytes(record(body.subarray(0, 3)), record(body.subarray(3)));
  assert.deepEqual(peekServerName(two.subarray(0, 8 + 3)), { kind: 'more' });
  assert.deepEqual(peekServerName(two), { kind: 'name', serverName: 'split.test' });
});

test('no name, another record type, another message, a long or broken ClientHello: none', () => {
  assert.deepEqual(peekServerName(hello()), { kind: 'none' });
  assert.deepEqual(peekServerName(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n')), { kind: 'none' });
  assert.deepEqual(peekServerName(new Uint8Array([22, 3, 1, 0, 4, 2, 0, 0, 0])), { kind: 'none' }, 'a ServerHello');
  assert.deepEqual(peekServerName(new Uint8Array([22, 3, 1, 0, 4, 1, 1, 0, 0])), { kind: 'none' }, 'a ClientHello of 64 KiB');
  assert.deepEqual(peekServerName(new Uint8Array([22, 3, 1, 0, 6, 1, 0, 0, 2, 3, 3])), { kind: 'none' }, 'a truncated body');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { checkOnce, formatHealth, parseHealth } from './health.ts';

test('parseHealth() takes tcp:PORT and http:[PORT]/PATH, and says what it takes otherwise', () => {
  assert.deepEqual(parseHealth('tcp:80'), { kind: 'tcp', port: 80 });
  assert.deepEqual(parseHealth('http:/healthz'), { kind: 'http', port: 80, path: '/healthz' });
  assert.deepEqual(parseHealth('http:8080/'), { kind: 'http', port: 8080, path: '/' });
  assert.equal(formatHealth(parseHealth('http:8080/x')), 'http:8080/x');
  for (const bad of ['tcp:', 'tcp:0', 'tcp:70000', 'http:', 'http:healthz', 'udp:53']) assert.throws(() => parseHealth(bad), RangeError, bad);
});

async function server(handler: (s: net.Socket) => void): Promise<{ port: number; close: () => void }> {
  const s = net.createServer(handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { port: (s.address() as net.AddressInfo).port, close: () => s.close() };
}

test('checkOnce(): tcp passes on a connection; http passes below 400, fails at 500, on garbage and on silence', async () => {
  const answer = (text: string) => (s: net.Socket) => s.once('data', () => s.end(text));
  const ok = await server(answer('HTTP/1.1 204 No Content\r\n\r\n'));
  const bad = await server(answer('HTTP/1.1 503 Busy\r\n\r\n'));
  const junk = await server(answer('SSH-2.0-x\r\n'));
  const mute = await server(() => {});
  try {
    assert.equal(await checkOnce({ kind: 'tcp', port: mute.port }, '127.0.0.1'), true);
    assert.equal(await checkOnce({ kind: 'http', port: ok.port, path: '/' }, '127.0.0.1'), true);
    assert.equal(await checkOnce({ kind: 'http', port: bad.port, path: '/' }, '127.0.0.1'), false);
    assert.equal(await checkOnce({ kind: 'http', port: junk.port, path: '/' }, '127.0.0.1'), false);
    assert.equal(await checkOnce({ kind: 'http', port: mute.port, path: '/' }, '127.0.0.1', 200), false);
    mute.close();
    const closed = mute.port;
    assert.equal(await checkOnce({ kind: 'tcp', port: closed }, '127.0.0.1'), false);
  } finally {
    for (const s of [ok, bad, junk]) s.close();
  }
});

/** Issue 10: under memory pressure a request is refused with 503 and Retry-After, not taken. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { createServerFactory } from './server.ts';
import type { NetModuleLike } from './net-types.ts';
import { parseResponses, raw } from './test-util.ts';

test('a request that arrives under memory pressure gets 503 with Retry-After; the next one is served', async () => {
  let pressure = false;
  const http = createServerFactory({ net: net as unknown as NetModuleLike, memoryPressure: () => pressure });
  let handled = 0;
  const server = http.createServer((_req, res) => { handled++; res.end('ok'); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  try {
    pressure = true;
    const refused = await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const [r] = parseResponses(refused.text);
    assert.equal(r!.head.statusCode, 503);
    assert.equal(r!.headers['retry-after'], '1');
    assert.equal(r!.headers.connection, 'close');
    assert.equal(refused.closed, true);
    assert.equal(handled, 0);
    pressure = false;
    const served = await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(parseResponses(served.text)[0]!.head.statusCode, 200);
    assert.equal(handled, 1);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

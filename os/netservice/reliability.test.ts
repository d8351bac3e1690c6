/** Issue 10 (smaller items): connects that cannot succeed fail at once, as on Linux/Node. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from '../node/net.ts';
import { connectionLimitFor } from './index.ts';
import { createTestNetwork } from './testing.ts';

test('connect to broadcast or multicast fails with ENETUNREACH at once; to 0.0.0.0 reaches this host', async () => {
  const t = createTestNetwork();
  const codes: Record<string, string | undefined> = {};
  const started = t.hw.now();
  for (const host of ['255.255.255.255', '224.0.0.1', '0.0.0.0']) {
    net.connect({ port: 9, host, network: t.a } as Parameters<typeof net.connect>[0]).on('error', (e: Error & { code?: string }) => { codes[host] = e.code; });
  }
  await t.run();
  assert.deepEqual(codes, { '255.255.255.255': 'ENETUNREACH', '224.0.0.1': 'ENETUNREACH', '0.0.0.0': 'ECONNREFUSED' });
  assert.ok(t.hw.now() - started < 100, `took ${t.hw.now() - started} ms of simulated time`);
});

test('the connection limit scales with the heap: 32 KiB a connection, 16 at least', () => {
  assert.equal(connectionLimitFor(14 << 20), 448);
  assert.equal(connectionLimitFor(58 << 20), 1856);
  assert.equal(connectionLimitFor(100_000), 16);
  assert.equal(connectionLimitFor(8 * 2 ** 30), 65_535);
});

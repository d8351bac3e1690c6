import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTransfer, type TransferOptions } from './sim/transfer.ts';

const MB = 1_000_000;

function check(o: TransferOptions): ReturnType<typeof runTransfer> {
  const r = runTransfer(o);
  assert.equal(r.done, true, `transfer did not finish: received ${r.received}, states ${r.stateA}/${r.stateB}`);
  assert.equal(r.intact, true, `data differs (first bad byte at ${r.firstMismatch})`);
  for (const h of r.net.hosts) assert.equal(h.tcp.stats.timeouts, 0);
  return r;
}

for (const loss of [0, 0.01, 0.05, 0.1]) {
  test(`10 MB each way arrive byte-identical at ${loss * 100}% loss with reordering, duplication and corruption`, () => {
    const r = check({ seed: 42, bytes: 10 * MB, bidirectional: true, loss, reorder: 0.02, duplicate: 0.01, corrupt: 0.01, limit: 36_000_000 });
    const bad = r.net.hosts.reduce((n, h) => n + h.tcp.stats.badChecksum + h.tcp.stats.malformed, 0);
    // every corrupted copy was caught: dropped as a bad checksum or a malformed header
    assert.equal(bad, r.net.link.corrupted);
    assert.ok(r.net.link.corrupted > 0 && r.net.link.duplicated > 0 && r.net.link.reordered > 0);
    if (loss > 0) assert.ok(r.net.link.lost > 0);
  });
}

test('the same seed gives the same segment trace; another seed a different one', () => {
  const o: TransferOptions = { seed: 7, bytes: MB, bidirectional: true, loss: 0.05, reorder: 0.05, duplicate: 0.02, corrupt: 0.01 };
  const a = check(o);
  const b = check(o);
  const c = check({ ...o, seed: 8 });
  assert.equal(a.traceHash, b.traceHash);
  assert.equal(a.net.link.sent, b.net.link.sent);
  assert.equal(a.simTime, b.simTime);
  assert.notEqual(a.traceHash, c.traceHash);
});

test('a bottleneck link with queueing still delivers everything (window-limited sender)', () => {
  check({ seed: 3, bytes: 2 * MB, bidirectional: false, loss: 0.01, perByte: 0.0008, latency: 20 });
});

test('small buffers without window scaling, timestamps or SACK still transfer intact at 5% loss', () => {
  check({
    seed: 5, bytes: MB, bidirectional: true, loss: 0.05, reorder: 0.05, duplicate: 0.01,
    tcp: { windowScaling: false, timestamps: false, sack: false, sendBufferSize: 8192, receiveBufferSize: 6000 },
  });
});

test('Nagle off and a 0 ms delayed-ACK timeout transfer intact', () => {
  check({ seed: 9, bytes: MB, bidirectional: true, loss: 0.02, tcp: { noDelay: true, delayedAckTimeout: 0 } });
});

for (const seed of [11, 12, 13, 14, 15, 16]) {
  test(`1 MB each way at 10% loss with heavy reordering, seed ${seed}`, () => {
    check({ seed, bytes: MB, bidirectional: true, loss: 0.1, reorder: 0.2, duplicate: 0.05, corrupt: 0.02, limit: 36_000_000 });
  });
}

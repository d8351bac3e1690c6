import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Reassembler, type FragmentInfo } from './reassembly.ts';

const frag = (offset: number, more: boolean, ident = 1): FragmentInfo => ({ src: 1, dst: 2, protocol: 17, ident, offset, moreFragments: more });
const bytes = (n: number, v: number): Uint8Array => new Uint8Array(n).fill(v);

test('fragments in any order complete the datagram once every hole is filled', () => {
  const r = new Reassembler();
  assert.equal(r.add(0, frag(16, false), bytes(4, 3)), undefined);
  assert.equal(r.add(0, frag(0, true), bytes(8, 1)), undefined);
  const out = r.add(0, frag(8, true), bytes(8, 2));
  assert.deepEqual(out, new Uint8Array([1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3]));
  assert.equal(r.bufferedBytes, 0);
  assert.equal(r.inProgress, 0);
});

test('an exact duplicate is ignored; a partial overlap drops the datagram', () => {
  const r = new Reassembler();
  r.add(0, frag(0, true), bytes(16, 1));
  r.add(0, frag(0, true), bytes(16, 9));
  assert.equal(r.stats['frag-duplicate'], 1);
  assert.equal(r.add(0, frag(8, true), bytes(16, 2)), undefined);
  assert.equal(r.stats['frag-overlap'], 1);
  assert.equal(r.inProgress, 0);
  assert.equal(r.bufferedBytes, 0);
});

test('conflicting last fragments and data past the end drop the datagram', () => {
  const r = new Reassembler();
  r.add(0, frag(16, false), bytes(8, 1));
  r.add(0, frag(32, false), bytes(8, 1));
  assert.equal(r.stats['frag-inconsistent'], 1);
  assert.equal(r.inProgress, 0);
});

test('non-final fragments must carry a multiple of 8 bytes', () => {
  const r = new Reassembler();
  assert.equal(r.add(0, frag(0, true), bytes(7, 1)), undefined);
  assert.equal(r.stats['frag-bad-length'], 1);
});

test('incomplete datagrams expire after 30 s', () => {
  const r = new Reassembler();
  r.add(1000, frag(0, true), bytes(8, 1));
  assert.equal(r.pollAt(), 31_000);
  r.expire(30_999);
  assert.equal(r.inProgress, 1);
  r.expire(31_000);
  assert.equal(r.inProgress, 0);
  assert.equal(r.stats['frag-timeout'], 1);
});

test('per-datagram and total memory are capped; the oldest datagrams are evicted', () => {
  const r = new Reassembler();
  assert.equal(r.add(0, frag(65528, true), bytes(8, 1)), undefined);
  assert.equal(r.stats['frag-too-big'], 1);
  for (let id = 0; id < 10; id++) r.add(0, frag(0, true, id), bytes(60_000, 1));
  assert.ok(r.bufferedBytes <= 256 * 1024);
  assert.ok((r.stats['frag-evicted'] ?? 0) >= 6);
});

test('any sequence of fragments keeps memory within the caps and never throws', () => {
  const f = fc.record({ offset: fc.integer({ min: 0, max: 8200 }).map((x) => x * 8), more: fc.boolean(), len: fc.integer({ min: 0, max: 3000 }), ident: fc.integer({ min: 0, max: 3 }), t: fc.integer({ min: 0, max: 40_000 }) });
  fc.assert(fc.property(fc.array(f, { maxLength: 40 }), (frags) => {
    const r = new Reassembler({ maxDatagramBytes: 64 * 1024, maxTotalBytes: 20_000, maxDatagrams: 3, timeoutMs: 30_000 });
    let now = 0;
    for (const x of frags) {
      now += x.t % 1000;
      const out = r.add(now, frag(x.offset, x.more, x.ident), bytes(x.len, 1));
      if (out) assert.ok(out.length <= 64 * 1024);
      assert.ok(r.bufferedBytes <= 20_000 && r.bufferedBytes >= 0);
      assert.ok(r.inProgress <= 3);
    }
  }));
});

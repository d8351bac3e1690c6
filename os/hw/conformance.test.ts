import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runConformance } from './conformance.ts';
import { createFakeHw, FakeExit } from './fake.ts';
import type { Hw } from './hw.ts';
import { referenceChecksum } from './checksum-reference.ts';
import { referenceEncodeText } from './text-reference.ts';
import { referenceSegmentTcp } from './segment-reference.ts';

const failures = (hw: Hw) => runConformance(hw).filter((r) => !r.ok);

test('the fake passes the conformance suite with the PVH groups and with none (the process target)', () => {
  const pvh = runConformance(createFakeHw());
  assert.deepEqual(pvh.filter((r) => !r.ok), []);
  assert.equal(pvh.length, 13 + 5, 'group checks, required groups, and one per PVH optional group');
  const bare = runConformance(createFakeHw({ groups: [] }));
  assert.deepEqual(bare.filter((r) => !r.ok), []);
  assert.equal(bare.length, 13);
});

test('the suite catches the disagreements it was written for', () => {
  // exit() that masks an out-of-range code (the old fake) instead of refusing it.
  const masking = createFakeHw();
  masking.exit = (code: number): never => { throw new FakeExit(code & 0xff); };
  assert.match(failures(masking).map((f) => `${f.name}: ${f.detail}`).join('\n'), /^exit: .*exit\(256\): threw Error/);
  // A member missing although its group is listed (memoryUsage, absent from the old fake).
  const missing = createFakeHw();
  delete (missing as Partial<Hw>).memoryUsage;
  assert.deepEqual(failures(missing).map((f) => f.name.split(':')[0]), ['groups', 'engine']);
  // A checksum that drops the odd byte, or ignores the carry of its partial sum.
  const oddLost = createFakeHw();
  oddLost.checksum = (b: Uint8Array, p?: number) => referenceChecksum(b.subarray(0, b.length & ~1), p);
  assert.match(failures(oddLost).map((f) => f.detail).join('\n'), /checksum\(len 1, offset 0, partial 0\)/);
  const noCarry = createFakeHw();
  noCarry.checksum = (b: Uint8Array, p = 0) => (referenceChecksum(b) + p) & 0xffff;
  assert.match(failures(noCarry).map((f) => f.detail).join('\n'), /checksum\(len 0, offset 0, partial 131070\) = 65534, RFC 1071 says 65535/);
  // Text encoders that keep a lone surrogate's WTF-8 bytes, or mask Latin-1 as ASCII.
  const wtf8 = createFakeHw();
  wtf8.encodeText = (s: string, e: 'utf8' | 'latin1') => e === 'utf8' ? Uint8Array.from(Buffer.from(s.replace(/\ud800(?![\udc00-\udfff])/g, 'X'), 'utf8')) : referenceEncodeText(s, e);
  assert.match(failures(wtf8).map((f) => f.detail).join('\n'), /encodeText\("lone \\ud800 high", utf8\)/);
  const ascii = createFakeHw();
  ascii.encodeText = (s: string, e: 'utf8' | 'latin1') => e === 'latin1' ? referenceEncodeText(s, e).map((b) => b & 0x7f) : referenceEncodeText(s, e);
  assert.match(failures(ascii).map((f) => f.detail).join('\n'), /latin1\) = /);
  // Software TSO that keeps PSH on every segment, or does not finish the TCP checksum.
  const pshKept = createFakeHw();
  pshKept.segmentTcp = (f, k, size, out) => { const n = referenceSegmentTcp(f, k, size, out); out[14 + 24 + 13]! |= f[14 + 24 + 13]! & 0x08; return n; };
  assert.match(failures(pshKept).map((f) => f.detail).join('\n'), /segment 0: flags 0x98/);
  const partialKept = createFakeHw();
  partialKept.segmentTcp = (f, k, size, out) => { const n = referenceSegmentTcp(f, k, size, out); out.set(f.subarray(14 + 24 + 16, 14 + 24 + 18), 14 + 24 + 16); return n; };
  assert.match(failures(partialKept).map((f) => f.detail).join('\n'), /segment 0: the TCP checksum verifies/);
  // IRQ lines counted differently (the old fake accepted lines up to 31).
  const lines = { ...createFakeHw(), irqLines: 32 };
  assert.equal(failures(lines)[0]?.name.split(':')[0], 'irq');
  // Members of a group that is not offered.
  const extra = { ...createFakeHw({ groups: [] }), pciRead: () => 0 };
  assert.match(failures(extra)[0]?.detail ?? '', /pciRead is absent/);
});

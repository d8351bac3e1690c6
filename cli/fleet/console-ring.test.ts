import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConsoleRing, lastLines, readRing } from './console-ring.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'nimbus-ring-'));

test('a ring keeps everything until it is full, then the newest bytes, in a file of fixed size', () => {
  const dir = tmp();
  try {
    const f = path.join(dir, 'r');
    const ring = new ConsoleRing(f, 100);
    ring.append(Buffer.from('line 1\nline 2\n'));
    assert.equal(readRing(f).bytes.toString(), 'line 1\nline 2\n');
    let all = 'line 1\nline 2\n';
    for (let i = 3; i <= 60; i++) {
      const l = `line ${i}\n`;
      ring.append(Buffer.from(l));
      all += l;
    }
    const size = statSync(f).size;
    const got = readRing(f).bytes.toString();
    // The newest 100 bytes, less the partial line they start with.
    const tail = all.slice(-100);
    assert.equal(got, tail.slice(tail.indexOf('\n') + 1));
    assert.ok(got.endsWith('line 60\n'));
    assert.equal(statSync(f).size, size, 'the file does not grow');
    assert.deepEqual(lastLines(f, 2), ['line 59', 'line 60']);
    ring.close();
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a reader follows from where it stopped, and a reopened ring appends after its old contents', () => {
  const dir = tmp();
  try {
    const f = path.join(dir, 'r');
    let ring = new ConsoleRing(f, 64);
    ring.append(Buffer.from('abc'));
    const first = readRing(f);
    ring.close();
    ring = new ConsoleRing(f, 4096); // the capacity on disk wins
    ring.append(Buffer.from('defgh'));
    const next = readRing(f, first.next);
    assert.equal(next.bytes.toString(), 'defgh');
    assert.equal(next.lost, false);
    ring.append(Buffer.alloc(200, 0x78)); // more than the ring holds: only the newest 64 bytes stay
    const late = readRing(f, next.next - 3n);
    assert.equal(late.lost, true);
    assert.equal(readRing(f).bytes.length <= 64, true);
    ring.close();
    assert.equal(readRing(path.join(dir, 'missing')).bytes.length, 0);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HwNet } from '../../hw/hw.ts';
import { HwNetLink } from './net.ts';

/** A link whose receive queue and transmit room the test controls. */
function fakeNet(line = 0) {
  const rx: Uint8Array[] = [];
  const sent: Uint8Array[] = [];
  let room = Infinity;
  const net: HwNet = {
    mac: Uint8Array.of(2, 0, 0, 0, 0, 1),
    mtu: 1500,
    line,
    receive(buf) {
      const f = rx.shift();
      if (!f) return 0;
      buf.set(f);
      return f.length;
    },
    transmit(frame) {
      if (room <= 0) return false;
      room--;
      sent.push(frame.slice());
      return true;
    },
    droppedRx: () => 3,
  };
  return { net, rx, sent, setRoom: (n: number) => (room = n) };
}

const frame = (n: number, len = 60) => new Uint8Array(len).fill(n);

test('frames waiting on the link reach onReceive from service(), unverified, in order', () => {
  const f = fakeNet(2);
  const link = new HwNetLink(f.net);
  assert.equal(link.irqMask, 1 << 2);
  assert.deepEqual([...link.mac], [2, 0, 0, 0, 0, 1]);
  f.rx.push(frame(1), frame(2, 1514));
  const got: [number, number, boolean][] = [];
  link.onReceive((fr, verified) => got.push([fr[0]!, fr.length, verified]));
  link.service(0, 1 << 2);
  assert.deepEqual(got, [[1, 60, false], [2, 1514, false]]);
  assert.equal(link.hasPendingWork, false);
  assert.equal(link.stats.rxFrames, 2);
  assert.equal(link.stats.rxDropped, 3);
});

test('service() drains at most 64 frames, then says it has work left', () => {
  const f = fakeNet();
  const link = new HwNetLink(f.net);
  for (let i = 0; i < 70; i++) f.rx.push(frame(i));
  let n = 0;
  link.onReceive(() => n++);
  link.service(0, 1);
  assert.equal(n, 64);
  assert.equal(link.hasPendingWork, true);
  link.service(0, 0);
  assert.equal(n, 70);
  assert.equal(link.hasPendingWork, false);
});

test('a refused transmit blocks until the line fires, then onWritable lets the stack retry', () => {
  const f = fakeNet();
  const link = new HwNetLink(f.net);
  let writable = 0;
  link.onWritable(() => writable++);
  f.setRoom(1);
  assert.equal(link.transmit(frame(1)), true);
  assert.equal(link.transmit(frame(2)), false);
  f.setRoom(5);
  assert.equal(link.transmit(frame(3)), false, 'still blocked until the line says there is room');
  link.service(0, 0);
  assert.equal(writable, 0, 'a deadline wake-up is not room');
  link.service(0, 1);
  assert.equal(writable, 1);
  assert.equal(link.transmit(frame(2)), true);
  assert.deepEqual(f.sent.map((x) => x[0]), [1, 2]);
  assert.equal(link.stats.txRefused, 2);
});

test('frames of 0 or more than mtu + 18 bytes are refused with a RangeError', () => {
  const link = new HwNetLink(fakeNet().net);
  assert.throws(() => link.transmit(new Uint8Array(0)), RangeError);
  assert.throws(() => link.transmit(new Uint8Array(1519)), RangeError);
  assert.equal(link.transmit(new Uint8Array(1518)), true);
});

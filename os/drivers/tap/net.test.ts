import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HW_NET_OFFLOAD, VNET_HDR, type HwNet } from '../../hw/hw.ts';
import { HwNetLink } from './net.ts';

/** hw.net.receive over a queue of frames the test pushes: one per call, 0 when empty. */
function receiveFrom(rx: Uint8Array[]): HwNet['receive'] {
  return (buf) => {
    const f = rx.shift();
    if (!f) return 0;
    buf.set(f);
    return f.length;
  };
}

/** A link whose receive queue and transmit room the test controls. */
function fakeNet(line = 0) {
  const rx: Uint8Array[] = [];
  const sent: Uint8Array[] = [];
  let room = Infinity;
  const net: HwNet = {
    mac: Uint8Array.of(2, 0, 0, 0, 0, 1),
    mtu: 1500,
    line,
    offloads: 0,
    headerLength: 0,
    receive: receiveFrom(rx),
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

/**
 * A tap with a 10-byte virtio_net_hdr and the given offloads, refusing headers as the core's
 * hw_net_transmit does (core/platform/process/net.c header_ok).
 */
function vnetNet(offloads: number) {
  const rx: Uint8Array[] = [];
  const sent: Uint8Array[] = [];
  const le16 = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
  const net: HwNet = {
    mac: Uint8Array.of(2, 0, 0, 0, 0, 1), mtu: 1500, line: 0, offloads, headerLength: 10,
    receive: receiveFrom(rx),
    transmit(frame) {
      const flags = frame[0]!, gso = frame[1]!;
      const bad = (flags & ~VNET_HDR.F_NEEDS_CSUM) !== 0 || (flags !== 0 && !(offloads & HW_NET_OFFLOAD.csum)) ||
        (flags !== 0 && le16(frame, 6) + le16(frame, 8) + 2 + 10 > frame.length) ||
        (gso !== 0 && (gso !== VNET_HDR.GSO_TCPV4 || !(offloads & HW_NET_OFFLOAD.tso4) || flags === 0 || le16(frame, 4) === 0)) ||
        frame.length > 10 + (gso ? 14 + 65535 : 1518);
      if (bad) throw new RangeError('net.transmit: invalid argument');
      sent.push(frame.slice());
      return true;
    },
    droppedRx: () => 0,
  };
  return { net, rx, sent };
}

/** A received frame behind a header with these flags and gso_type. */
function withHeader(flags: number, gsoType: number, frameLen: number): Uint8Array {
  const b = new Uint8Array(10 + frameLen).fill(7, 10);
  b[0] = flags; b[1] = gsoType;
  return b;
}

test('without a vnet header the link offers no offloads and passes frames bare', () => {
  const link = new HwNetLink(fakeNet().net);
  assert.equal(link.txChecksum, undefined);
  assert.equal(link.tso, undefined);
  assert.throws(() => link.transmit(frame(1), false, { checksumStart: 34, checksumOffset: 16, segmentSize: 0 }), RangeError);
});

test('received frames flagged DATA_VALID or NEEDS_CSUM count as verified; the header is stripped', () => {
  const f = vnetNet(HW_NET_OFFLOAD.csum | HW_NET_OFFLOAD.tso4);
  const link = new HwNetLink(f.net);
  f.rx.push(withHeader(0, 0, 60), withHeader(VNET_HDR.F_DATA_VALID, 0, 60), withHeader(VNET_HDR.F_NEEDS_CSUM, 0, 1514));
  const got: [number, number, boolean][] = [];
  link.onReceive((fr, verified) => got.push([fr[0]!, fr.length, verified]));
  link.service(0, 1);
  assert.deepEqual(got, [[7, 60, false], [7, 60, true], [7, 1514, true]]);
  assert.equal(link.stats.rxChecksumVerified, 2);
});

test('a GRO frame of 64 KiB reaches the stack whole', () => {
  const f = vnetNet(HW_NET_OFFLOAD.csum | HW_NET_OFFLOAD.tso4);
  const link = new HwNetLink(f.net);
  f.rx.push(withHeader(VNET_HDR.F_NEEDS_CSUM, VNET_HDR.GSO_TCPV4, 14 + 65535));
  const lens: number[] = [];
  link.onReceive((fr) => lens.push(fr.length));
  link.service(0, 1);
  assert.deepEqual(lens, [14 + 65535]);
  assert.equal(link.stats.rxGso, 1);
});

test('a plain transmit gets an all-zero header in front', () => {
  const f = vnetNet(HW_NET_OFFLOAD.csum | HW_NET_OFFLOAD.tso4);
  const link = new HwNetLink(f.net);
  assert.equal(link.txChecksum, true);
  assert.deepEqual(link.tso, { maxBytes: 65455 });
  assert.equal(link.transmit(frame(5, 1514)), true);
  const s = f.sent[0]!;
  assert.equal(s.length, 1524);
  assert.deepEqual([...s.subarray(0, 10)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(s.subarray(10), frame(5, 1514));
});

test('a super-segment goes out with NEEDS_CSUM, GSO_TCPV4, gso_size and the checksum offsets', () => {
  const f = vnetNet(HW_NET_OFFLOAD.csum | HW_NET_OFFLOAD.tso4);
  const link = new HwNetLink(f.net);
  const big = frame(9, 14 + 20 + 32 + 10 * 1448);
  assert.equal(link.transmit(big, true, { checksumStart: 34, checksumOffset: 16, segmentSize: 1448 }), true);
  const s = f.sent[0]!;
  const v = new DataView(s.buffer, s.byteOffset);
  assert.equal(s[0], VNET_HDR.F_NEEDS_CSUM);
  assert.equal(s[1], VNET_HDR.GSO_TCPV4);
  assert.equal(v.getUint16(VNET_HDR.GSO_SIZE, true), 1448);
  assert.equal(v.getUint16(VNET_HDR.CSUM_START, true), 34);
  assert.equal(v.getUint16(VNET_HDR.CSUM_OFFSET, true), 16);
  assert.equal(v.getUint16(VNET_HDR.HDR_LEN, true), 34 + 18);
  assert.deepEqual(s.subarray(10), big);
  assert.equal(link.stats.txGso, 1);
  // Then a checksum-only frame: NEEDS_CSUM without GSO.
  assert.equal(link.transmit(frame(3, 100), false, { checksumStart: 34, checksumOffset: 16, segmentSize: 0 }), true);
  assert.deepEqual([f.sent[1]![0], f.sent[1]![1]], [VNET_HDR.F_NEEDS_CSUM, VNET_HDR.GSO_NONE]);
});

test('with checksum offload only, the link offers no TSO and refuses a super-segment', () => {
  const link = new HwNetLink(vnetNet(HW_NET_OFFLOAD.csum).net);
  assert.equal(link.txChecksum, true);
  assert.equal(link.tso, undefined);
  assert.throws(() => link.transmit(frame(1, 3000), false, { checksumStart: 34, checksumOffset: 16, segmentSize: 1448 }), RangeError);
  assert.throws(() => link.transmit(frame(1, 1519)), RangeError);
});

test('a header with no offloads still frames every packet (a tap whose kernel refused TUNSETOFFLOAD)', () => {
  const f = vnetNet(0);
  const link = new HwNetLink(f.net);
  assert.equal(link.txChecksum, undefined);
  f.rx.push(withHeader(0, 0, 60));
  let len = 0;
  link.onReceive((fr) => (len = fr.length));
  link.service(0, 1);
  assert.equal(len, 60);
  assert.equal(link.transmit(frame(1)), true);
  assert.equal(f.sent[0]!.length, 70);
});

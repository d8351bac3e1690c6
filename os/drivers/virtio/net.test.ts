import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GSO_BUFFERS, GSO_BUFFER_BYTES, SOFTWARE_TSO_MAX_SEGMENTS, VirtioNet } from './net.ts';
import { emitEthernet, EtherType } from '../../net/wire/ethernet.ts';
import { emitIpv4, IpProtocol, Ipv4Packet } from '../../net/wire/ipv4.ts';
import { emitTcp, emptyTcpRepr, segmentTcp, tcpChecksumOk, TcpFlags } from '../../net/wire/tcp.ts';
import { VirtioMmioTransport } from './mmio.ts';
import { VirtioPciTransport } from './pci.ts';
import type { FakeHw } from './testing/fake-hw.ts';
import type { NetDeviceModel } from './testing/net-model.ts';
import { F_EVENT_IDX, F_VERSION_1 } from './testing/device-model.ts';
import { DEFAULT_NET_FEATURES, NET_F_CSUM, NET_F_GUEST_CSUM, NET_F_GUEST_TSO4, NET_F_HOST_TSO4, NET_F_MRG_RXBUF } from './testing/net-model.ts';
import { MMIO_BASE, frame, microvmWith, netModel, pump, q35With } from './testing/harness.ts';

type Setup = { hw: FakeHw; dev: NetDeviceModel; net: VirtioNet };

function overMmio(opts?: Parameters<typeof netModel>[0], queueSize?: number): Setup {
  const { hw, mmio } = microvmWith(netModel(opts));
  const t = VirtioMmioTransport.probe(hw, { base: MMIO_BASE, size: 512, irq: 12 })!;
  return { hw, dev: mmio.device as NetDeviceModel, net: VirtioNet.start(hw, t, { queueSize }) };
}

function overPci(opts?: Parameters<typeof netModel>[0], _queueSize?: number, netOpts: Parameters<typeof VirtioNet.start>[2] = {}): Setup {
  const { hw, pci } = q35With(netModel(opts));
  return { hw, dev: pci.device as NetDeviceModel, net: VirtioNet.start(hw, VirtioPciTransport.open(hw, 3 << 3, 1), netOpts) };
}

for (const [name, make] of [['mmio', overMmio], ['pci', overPci]] as const) {
  describe(`virtio-net over ${name}`, () => {
    it('receives 70000 frames intact, refilling every buffer (used/avail idx wrap 2^16)', () => {
      const { hw, dev, net } = make();
      let n = 0;
      let bad = 0;
      net.onReceive((f) => {
        const expect = frame(n, 60 + (n % 1400));
        if (f.length !== expect.length || !f.every((b, i) => b === expect[i])) bad++;
        n++;
      });
      for (let i = 0; i < 70000; i++) {
        assert.ok(dev.inject(frame(i, 60 + (i % 1400))));
        if (i % 37 === 36) pump(hw, [net]);
      }
      pump(hw, [net]);
      assert.equal(n, 70000);
      assert.equal(bad, 0);
      assert.equal(dev.availPending(0), 256, 'every buffer back with the device');
      assert.equal(dev.rxNoBuffer, 0);
      assert.equal(net.stats.rxPackets, 70000);
      assert.equal(net.rxQueueStats.badId + net.rxQueueStats.notInFlight + net.rxQueueStats.badLength, 0);
      assert.equal(dev.queues[0]!.usedShadow, 70000 - 65536);
    });

    it('transmits 70000 frames in order and reclaims every TX buffer', () => {
      const { dev, net } = make();
      dev.keepSent = false;
      let n = 0;
      let bad = 0;
      dev.onSend = (f) => {
        const expect = frame(n++, 64 + (n % 1000));
        if (f.length !== expect.length || !f.every((b, i) => b === expect[i])) bad++;
      };
      for (let i = 0; i < 70000; i++) assert.ok(net.transmit(frame(i, 64 + ((i + 1) % 1000))));
      assert.equal(n, 70000);
      assert.equal(bad, 0);
      assert.equal(net.txAvailable, 256);
      assert.equal(net.stats.txPackets, 70000);
    });
  });
}

describe('virtio-net transmit', () => {
  it('applies back-pressure when every TX buffer is in flight, then signals onWritable', () => {
    const { hw, dev, net } = overMmio();
    dev.autoProcess = false; // a busy device: completes only when told
    let writable = 0;
    net.onWritable(() => writable++);
    for (let i = 0; i < 256; i++) assert.ok(net.transmit(frame(i)));
    assert.equal(net.transmit(frame(256)), false);
    assert.equal(net.stats.txFull, 1);
    dev.process(1);
    assert.equal(dev.interrupts[1], 1, 'driver asked for a completion interrupt');
    pump(hw, [net]);
    assert.equal(writable, 1);
    assert.ok(net.transmit(frame(256)));
    dev.process(1);
    assert.equal(dev.sent.length, 257);
    assert.equal(dev.interrupts[1], 1, 'completion interrupts are off again');
  });

  it('flushes frames queued with more=true when the pool runs dry', () => {
    const { dev, net } = overMmio();
    dev.autoProcess = false;
    for (let i = 0; i < 256; i++) assert.ok(net.transmit(frame(i), true));
    assert.equal(dev.notifications[1], 0);
    assert.equal(net.transmit(frame(256), true), false);
    assert.equal(dev.notifications[1], 1, 'the device learns about the queued frames');
    dev.process(1);
    assert.ok(net.transmit(frame(256)));
  });

  it('sends only the first notification while the device is busy (EVENT_IDX)', () => {
    const { dev, net } = overMmio();
    dev.autoProcess = false;
    for (let i = 0; i < 10; i++) net.transmit(frame(i));
    assert.equal(dev.notifications[1], 1);
    assert.equal(net.txQueueStats.notificationsSuppressed, 9);
    dev.process(1);
    net.transmit(frame(10));
    assert.equal(dev.notifications[1], 2);
    dev.process(1);
    assert.equal(dev.sent.length, 11);
  });

  it('notifies on every kick without EVENT_IDX (the model never sets NO_NOTIFY)', () => {
    const { dev, net } = overMmio({ features: 1n << F_VERSION_1 });
    dev.autoProcess = false;
    for (let i = 0; i < 10; i++) net.transmit(frame(i));
    assert.equal(dev.notifications[1], 10);
  });

  it('batches frames sent with more=true into one notification', () => {
    const { dev, net } = overMmio();
    for (let i = 0; i < 5; i++) net.transmit(frame(i), true);
    assert.equal(dev.notifications[1], 0);
    net.flush();
    assert.equal(dev.notifications[1], 1);
    assert.equal(dev.sent.length, 5);
  });

  it('sends a frame built in place with txBuffer() and send()', () => {
    const { dev, net } = overMmio();
    const buf = net.txBuffer()!;
    assert.equal(buf.length, net.maxFrame);
    assert.equal(net.txBuffer(), buf, 'same buffer until sent');
    buf.set(frame(42, 100));
    assert.ok(net.send(100));
    assert.deepEqual(dev.sent[0], frame(42, 100));
  });

  it('rejects frames that are empty or above maxFrame', () => {
    const { net } = overMmio();
    assert.throws(() => net.transmit(new Uint8Array(0)), RangeError);
    assert.throws(() => net.transmit(new Uint8Array(net.maxFrame + 1)), /Cannot transmit a 1519-byte frame/);
    assert.ok(net.transmit(new Uint8Array(net.maxFrame)));
  });
});

describe('virtio-net receive', () => {
  it('is interrupted once for a burst until it has serviced the queue (used_event)', () => {
    const { hw, dev, net } = overMmio();
    let n = 0;
    net.onReceive(() => n++);
    for (let i = 0; i < 100; i++) dev.inject(frame(i));
    assert.equal(dev.interrupts[0], 1);
    pump(hw, [net]);
    assert.equal(n, 100);
    dev.inject(frame(100));
    assert.equal(dev.interrupts[0], 2);
    pump(hw, [net]);
    assert.equal(n, 101);
  });

  it('picks up frames used after the budget ran out without a new interrupt', () => {
    const { hw, mmio } = microvmWith(netModel());
    const net = VirtioNet.start(hw, VirtioMmioTransport.probe(hw, { base: MMIO_BASE, size: 512, irq: 12 })!, { rxBudget: 16 });
    const dev = mmio.device as NetDeviceModel;
    let n = 0;
    net.onReceive(() => n++);
    for (let i = 0; i < 200; i++) dev.inject(frame(i));
    hw.time = 1;
    net.service(hw.now(), hw.takeReady());
    assert.equal(n, 16);
    assert.equal(net.hasPendingWork, true);
    pump(hw, [net]);
    assert.equal(n, 200);
    assert.equal(net.hasPendingWork, false);
  });

  it('drops frames while no handler is set, keeping the ring full', () => {
    const { hw, dev, net } = overMmio();
    dev.inject(frame(1));
    pump(hw, [net]);
    assert.equal(net.stats.rxDropped, 1);
    assert.equal(dev.availPending(0), 256);
  });

  it('rethrows a handler error after the batch, with every buffer re-posted', () => {
    const { hw, dev, net } = overMmio();
    let n = 0;
    net.onReceive(() => { n++; if (n === 2) throw new Error('boom'); });
    for (let i = 0; i < 5; i++) dev.inject(frame(i));
    assert.throws(() => pump(hw, [net]), /boom/);
    assert.equal(n, 5);
    assert.equal(dev.availPending(0), 256);
    assert.equal(hw.inService, 0, 'line acknowledged despite the error');
  });

  it('hands out a view that aliases DMA memory only for the duration of the call', () => {
    const { hw, dev, net } = overMmio();
    const views: Uint8Array[] = [];
    net.onReceive((f) => views.push(f));
    dev.inject(frame(7, 80));
    pump(hw, [net]);
    assert.equal(views[0]!.length, 80);
    assert.equal(views[0]!.byteOffset % 64, 12, 'frame follows the 12-byte header in its buffer');
  });

  it('tells the handler whether more frames follow in the batch', () => {
    const { hw, dev, net } = overMmio();
    const more: boolean[] = [];
    net.onReceive((_f, _v, m) => more.push(m!));
    for (let i = 0; i < 3; i++) assert.ok(dev.inject(frame(i, 60)));
    pump(hw, [net]);
    assert.deepEqual(more, [true, true, false]);
  });

  it('follows link status changes and fails on DEVICE_NEEDS_RESET', () => {
    const { hw, dev, net } = overMmio();
    dev.setLink(false);
    pump(hw, [net]);
    assert.equal(net.linkUp, false);
    dev.setLink(true);
    pump(hw, [net]);
    assert.equal(net.linkUp, true);
    dev.needsReset();
    pump(hw, [net]);
    assert.match(net.failed ?? '', /DEVICE_NEEDS_RESET/);
    assert.equal(dev.status & 128, 128);
    assert.equal(net.transmit(frame(1)), false);
  });
});

describe('virtio-net receive checksum offload (GUEST_CSUM, §5.1.6.4)', () => {
  const receive = (setup: Setup, hdrFlags?: number): boolean[] => {
    const got: boolean[] = [];
    setup.net.onReceive((_f, verified) => got.push(verified));
    assert.ok(setup.dev.inject(frame(1, 60), { hdrFlags }));
    pump(setup.hw, [setup.net]);
    return got;
  };

  it('is negotiated when offered; DATA_VALID and NEEDS_CSUM frames are marked verified, others not', () => {
    const withCsum = () => overPci({ features: DEFAULT_NET_FEATURES | (1n << NET_F_GUEST_CSUM) });
    let s = withCsum();
    assert.ok(s.net.rxChecksumOffload);
    assert.equal((s.net.features >> NET_F_GUEST_CSUM) & 1n, 1n);
    assert.deepEqual(receive(s, 2), [true]);
    assert.equal(s.net.stats.rxChecksumVerified, 1);
    s = withCsum();
    assert.deepEqual(receive(s, 1), [true]);
    s = withCsum();
    assert.deepEqual(receive(s, 0), [false]);
    assert.equal(s.net.stats.rxChecksumVerified, 0);
  });

  it('is not negotiated when the device does not offer it: frames are never marked verified', () => {
    const s = overPci({ features: (1n << F_VERSION_1) | (1n << F_EVENT_IDX) });
    assert.equal(s.net.rxChecksumOffload, false);
    assert.deepEqual(receive(s), [false]);
  });

  it('can be declined (guestChecksum: false)', () => {
    const s = overPci({ features: DEFAULT_NET_FEATURES | (1n << NET_F_GUEST_CSUM) }, undefined, { guestChecksum: false });
    assert.equal(s.net.rxChecksumOffload, false);
    assert.throws(() => s.dev.inject(frame(1, 60), { hdrFlags: 2 }), /without GUEST_CSUM/);
  });
});

describe('virtio-net transmit offloads (CSUM, HOST_TSO4)', () => {
  const TAP = DEFAULT_NET_FEATURES | (1n << NET_F_CSUM) | (1n << NET_F_HOST_TSO4);
  const tcp = { checksumStart: 34, checksumOffset: 16 };

  it('are negotiated when offered: partial checksums and super-segments carry their header', () => {
    const { dev, net } = overPci({ features: TAP });
    assert.equal(net.txChecksum, true);
    assert.deepEqual(net.tso, { maxBytes: GSO_BUFFER_BYTES - 12 - 14 - 20 - 60 });
    assert.ok(net.transmit(frame(1, 200), false, { ...tcp, segmentSize: 0 }));
    // The same buffers again, plain: their headers must be all zero (the model checks each one).
    for (let i = 0; i < 300; i++) assert.ok(net.transmit(frame(2 + i, 60)));
    const big = frame(9, 14 + 20 + 32 + 20_000);
    assert.ok(net.transmit(big, false, { ...tcp, segmentSize: 1448 }));
    assert.deepEqual(dev.sentHeaders[0], { flags: 1, gsoType: 0, hdrLen: 52, gsoSize: 0, csumStart: 34, csumOffset: 16 });
    assert.deepEqual(dev.sentHeaders[1], { flags: 0, gsoType: 0, hdrLen: 0, gsoSize: 0, csumStart: 0, csumOffset: 0 });
    assert.deepEqual(dev.sentHeaders.at(-1), { flags: 1, gsoType: 1, hdrLen: 52, gsoSize: 1448, csumStart: 34, csumOffset: 16 });
    assert.deepEqual(dev.sent.at(-1), big);
    assert.equal(net.stats.txChecksumOffloaded, 2);
    assert.equal(net.stats.txSuperSegments, 1);
  });

  it('keep super-segments back while every GSO buffer is in flight, then say writable', () => {
    const { hw, dev, net } = overPci({ features: TAP });
    dev.autoProcess = false;
    let writable = 0;
    net.onWritable(() => writable++);
    const seg = (n: number) => frame(n, 14 + 20 + 32 + 30_000);
    for (let i = 0; i < GSO_BUFFERS; i++) assert.ok(net.transmit(seg(i), false, { ...tcp, segmentSize: 1448 }));
    assert.equal(net.transmit(seg(99), false, { ...tcp, segmentSize: 1448 }), false);
    assert.ok(net.transmit(frame(5, 60)), 'plain frames still go: their buffers are separate');
    assert.equal(net.stats.txFull, 1);
    dev.process(1);
    pump(hw, [net]);
    assert.equal(writable, 1);
    assert.ok(net.transmit(seg(99), false, { ...tcp, segmentSize: 1448 }));
    dev.process(1);
    assert.equal(dev.sent.length, GSO_BUFFERS + 2);
  });

  it('are declined with txOffloads: false, and TSO never comes without CSUM', () => {
    const off = overPci({ features: TAP }, undefined, { txOffloads: false, softwareOffloads: false });
    assert.equal(off.net.txChecksum, undefined);
    assert.equal(off.net.tso, undefined);
    assert.equal((off.net.features >> NET_F_CSUM) & 1n, 0n);
    const tsoOnly = overPci({ features: DEFAULT_NET_FEATURES | (1n << NET_F_HOST_TSO4) }, undefined, { softwareOffloads: false });
    assert.equal(tsoOnly.net.tso, undefined);
    assert.equal((tsoOnly.net.features >> NET_F_HOST_TSO4) & 1n, 0n);
    assert.throws(() => tsoOnly.net.transmit(frame(1, 100), false, { ...tcp, segmentSize: 0 }), /without CSUM/);
  });

  it('refuse what breaks the header rules', () => {
    const { net } = overPci({ features: TAP });
    assert.throws(() => net.transmit(frame(1, 40), false, { ...tcp, segmentSize: 0 }), /past the frame's end/);
    assert.throws(() => net.transmit(frame(1, GSO_BUFFER_BYTES), false, { ...tcp, segmentSize: 1448 }), /super-segment: must be/);
    assert.throws(() => net.transmit(frame(1, 3000)), /must be 1\.\.1518 bytes/);
  });
});

/**
 * A real IPv4 TCP super-segment (Ethernet + IPv4 + TCP with a timestamp option + `payload`
 * bytes, ACK|PSH|FIN) whose checksum field holds only the pseudo-header sum, as the stack leaves it.
 */
function superSegment(payload: number, seq = 0xfffff000): Uint8Array {
  const f = new Uint8Array(14 + 20 + 32 + payload);
  for (let i = 0; i < payload; i++) f[66 + i] = (i * 13 + 5) & 0xff;
  emitEthernet({ dst: new Uint8Array(6).fill(2), src: new Uint8Array(6).fill(4), ethertype: EtherType.IPV4 }, f);
  emitIpv4({ src: 0x0a00020f, dst: 0x0a000202, protocol: IpProtocol.TCP, ttl: 64, ident: 0x1234, tos: 0, dontFragment: true, moreFragments: false, fragmentOffset: 0, payloadLength: 32 + payload }, f.subarray(14));
  const repr = { ...emptyTcpRepr(), srcPort: 80, dstPort: 40000, seq, ack: 1, flags: TcpFlags.ACK | TcpFlags.PSH | TcpFlags.FIN, window: 65535, tsVal: 7, tsEcr: 9 };
  emitTcp(repr, f.subarray(34), 0x0a00020f, 0x0a000202, payload, true);
  return f;
}

describe('virtio-net transmit offloads in software (no CSUM: hw.segmentTcp)', () => {
  const tcp = { checksumStart: 34, checksumOffset: 16 };
  const SRC = 0x0a00020f, DST = 0x0a000202;

  it('are offered on a device without CSUM; the device sees plain frames, each a finished segment', () => {
    const { dev, net } = overPci();
    assert.equal(net.txChecksum, true);
    assert.deepEqual(net.tso, { maxBytes: 65535 - 20 - 60, maxSegments: Math.min(SOFTWARE_TSO_MAX_SEGMENTS, 128) });
    assert.equal((net.features >> NET_F_CSUM) & 1n, 0n, 'nothing extra is negotiated');
    const big = superSegment(20_000);
    assert.ok(net.transmit(big, false, { ...tcp, segmentSize: 1448 }));
    // The stack's own software segmentation (wire/tcp.ts) is the independent answer.
    const want = segmentTcp(big.subarray(34), SRC, DST, 1448);
    assert.equal(dev.sent.length, want.length);
    assert.equal(dev.sent.length, Math.ceil(20_000 / 1448));
    dev.sent.forEach((f, k) => {
      assert.ok(f.length <= 1514, `segment ${k} fits the MTU`);
      assert.deepEqual(f.subarray(0, 14), big.subarray(0, 14));
      const ip = Ipv4Packet.parse(f.subarray(14));
      assert.ok(ip.ok && ip.value.checksumValid(), `segment ${k}: IPv4 header checksum`);
      assert.equal(ip.ok && ip.value.ident, (0x1234 + k) & 0xffff);
      assert.ok(tcpChecksumOk(f.subarray(34), SRC, DST), `segment ${k}: TCP checksum`);
      assert.deepEqual(f.subarray(34), want[k], `segment ${k}: as wire/tcp.ts segments it`);
    });
    for (const h of dev.sentHeaders) assert.deepEqual(h, { flags: 0, gsoType: 0, hdrLen: 0, gsoSize: 0, csumStart: 0, csumOffset: 0 });
    assert.equal(net.stats.txSegmentedInSoftware, 1);
    assert.equal(net.stats.txPackets, want.length);
  });

  it('finish the checksum of a frame that is one segment, and refuse what cannot be cut', () => {
    const { dev, net } = overPci();
    const small = superSegment(100);
    assert.ok(net.transmit(small, false, { ...tcp, segmentSize: 0 }));
    assert.equal(dev.sent.length, 1);
    assert.ok(tcpChecksumOk(dev.sent[0]!.subarray(34), SRC, DST));
    assert.equal(dev.sent[0]![47], 0x19, 'every flag kept');
    assert.equal(net.stats.txChecksumInSoftware, 1);
    assert.equal(net.stats.txSegmentedInSoftware, 0);
    assert.throws(() => net.transmit(superSegment(2000), false, { ...tcp, segmentSize: 0 }), /must be 1\.\.1518 bytes/);
    assert.throws(() => net.transmit(superSegment(65 * 600), false, { ...tcp, segmentSize: 600 }), /needs 65 buffers, over 64/);
    const udp = superSegment(100); udp[23] = 17;
    assert.throws(() => net.transmit(udp, false, { ...tcp, segmentSize: 0 }), /not an IPv4 TCP packet/);
    assert.equal(net.txAvailable, 256, 'a refused frame keeps no buffer');
  });

  it('send a super-segment whole or not at all, and say writable once there is room for all of it', () => {
    const { hw, dev, net } = overPci(undefined, undefined, { queueSize: 64 });
    assert.equal(net.tso?.maxSegments, 32, 'at most half the queue');
    dev.autoProcess = false;
    let writable = 0;
    net.onWritable(() => writable++);
    const seg = () => superSegment(30 * 1448);
    assert.ok(net.transmit(seg(), false, { ...tcp, segmentSize: 1448 }));
    assert.ok(net.transmit(seg(), false, { ...tcp, segmentSize: 1448 }));
    assert.equal(net.txAvailable, 4);
    assert.equal(net.transmit(seg(), false, { ...tcp, segmentSize: 1448 }), false, '4 buffers are not 30');
    assert.equal(net.txAvailable, 4, 'nothing of it was queued');
    dev.process(1, 20);
    pump(hw, [net]);
    assert.equal(writable, 0, '24 free buffers are still not enough');
    dev.process(1, 10);
    pump(hw, [net]);
    assert.equal(writable, 1);
    assert.ok(net.transmit(seg(), false, { ...tcp, segmentSize: 1448 }));
    dev.process(1);
    assert.equal(dev.sent.length, 3 * 30);
    const seqs = dev.sent.map((f) => new DataView(f.buffer, f.byteOffset).getUint32(38));
    assert.deepEqual(seqs.slice(60), Array.from({ length: 30 }, (_, k) => (0xfffff000 + k * 1448) >>> 0));
  });

  it('are off with softwareOffloads: false: the stack is told to checksum and segment itself', () => {
    const { net } = overPci(undefined, undefined, { softwareOffloads: false });
    assert.equal(net.txChecksum, undefined);
    assert.equal(net.tso, undefined);
    assert.throws(() => net.transmit(superSegment(100), false, { ...tcp, segmentSize: 0 }), /without CSUM/);
  });
});

describe('virtio-net receive offloads (GUEST_TSO4 with MRG_RXBUF)', () => {
  const RX = DEFAULT_NET_FEATURES | (1n << NET_F_GUEST_CSUM) | (1n << NET_F_GUEST_TSO4) | (1n << NET_F_MRG_RXBUF);
  const collect = (s: Setup) => {
    const got: { frame: Uint8Array; verified: boolean }[] = [];
    s.net.onReceive((f, verified) => got.push({ frame: f.slice(), verified }));
    return got;
  };

  it('are negotiated together when offered; a 64 KiB packet over many buffers arrives whole', () => {
    const s = overPci({ features: RX });
    assert.equal((s.net.features >> NET_F_GUEST_TSO4) & 1n, 1n);
    assert.equal((s.net.features >> NET_F_MRG_RXBUF) & 1n, 1n);
    const got = collect(s);
    const sizes = [60, 1514, 1600, 3000, 65535 + 14, 200];
    for (const [i, n] of sizes.entries()) assert.ok(s.dev.inject(frame(i, n), { hdrFlags: 1 }));
    pump(s.hw, [s.net]);
    assert.deepEqual(got.map((g) => g.frame.length), sizes);
    for (const [i, n] of sizes.entries()) assert.deepEqual(got[i]!.frame, frame(i, n), `packet ${i} intact`);
    assert.ok(got.every((g) => g.verified));
    assert.equal(s.net.stats.rxMerged, 3);
    assert.equal(s.dev.availPending(0), 256, 'every buffer went back to the device');
  });

  it('drop a merged packet whose buffer count is wrong, and carry on', () => {
    const s = overPci({ features: RX });
    const got = collect(s);
    // A device that lies about num_buffers garbles what it sent then (its other buffers read as
    // packets of their own, also dropped), never the ring: later packets arrive.
    assert.ok(s.dev.inject(frame(1, 5000), { numBuffers: 0 }));
    pump(s.hw, [s.net]);
    assert.equal(got.length, 0);
    assert.equal(s.dev.availPending(0), 256);
    assert.ok(s.dev.inject(frame(2, 100)));
    assert.ok(s.dev.inject(frame(3, 9000)));
    pump(s.hw, [s.net]);
    assert.deepEqual(got.map((g) => g.frame.length), [100, 9000]);
    const s2 = overPci({ features: RX });
    const got2 = collect(s2);
    assert.ok(s2.dev.inject(frame(3, 5000), { numBuffers: 9 })); // 4 buffers used, 9 claimed
    pump(s2.hw, [s2.net]);
    assert.equal(got2.length, 0);
    assert.equal(s2.net.stats.rxMergedBad, 1);
    assert.equal(s2.dev.availPending(0), 256);
  });

  it('are not taken without MRG_RXBUF or GUEST_CSUM, or with rxOffloads: false', () => {
    for (const [features, opts] of [
      [RX & ~(1n << NET_F_MRG_RXBUF), {}], [RX & ~(1n << NET_F_GUEST_CSUM), {}], [RX, { rxOffloads: false }], [RX, { guestChecksum: false }],
    ] as const) {
      const s = overPci({ features }, undefined, opts);
      assert.equal((s.net.features >> NET_F_GUEST_TSO4) & 1n, 0n);
      assert.equal((s.net.features >> NET_F_MRG_RXBUF) & 1n, 0n);
    }
  });
});

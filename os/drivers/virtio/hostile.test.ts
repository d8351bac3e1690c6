/**
 * A hostile or broken device: every used-ring lie is counted and survived, the driver never
 * throws because of device input, and a clearly broken device is marked FAILED.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { VirtioNet } from './net.ts';
import { VirtioRng } from './rng.ts';
import { VirtioMmioTransport } from './mmio.ts';
import type { NetDeviceModel, RngDeviceModel } from './testing/net-model.ts';
import { DEFAULT_NET_FEATURES, NET_F_GUEST_CSUM, NET_F_GUEST_TSO4, NET_F_MRG_RXBUF } from './testing/net-model.ts';
import { MMIO_BASE, frame, microvmWith, netModel, pump, q35With, rngModel } from './testing/harness.ts';
import { VirtioPciTransport } from './pci.ts';

function setup(queueSize = 256) {
  const { hw, mmio } = microvmWith(netModel({ queueSize }));
  const net = VirtioNet.start(hw, VirtioMmioTransport.probe(hw, { base: MMIO_BASE, size: 512, irq: 12 })!);
  const dev = mmio.device as NetDeviceModel;
  const got: Uint8Array[] = [];
  net.onReceive((f) => got.push(f.slice()));
  return { hw, net, dev, got };
}

describe('hostile virtio-net device', () => {
  it('drops used ids outside the queue', () => {
    const { hw, net, dev, got } = setup();
    dev.pushUsed(0, 9999, 100);
    dev.pushUsed(0, 256, 100);
    dev.flushUsed(0);
    pump(hw, [net]);
    assert.equal(net.rxQueueStats.badId, 2);
    assert.equal(got.length, 0);
    dev.inject(frame(1));
    pump(hw, [net]);
    assert.equal(got.length, 1, 'still working');
    assert.equal(net.failed, undefined);
  });

  it('drops ids that are not in flight and duplicate completions', () => {
    const { hw, net, dev } = setup();
    dev.autoProcess = false;
    net.transmit(frame(1));
    net.transmit(frame(2));
    const a = dev.popAvail(1)!;
    dev.pushUsed(1, a.head, 0);
    dev.pushUsed(1, a.head, 0); // duplicate
    dev.pushUsed(1, 200, 0); // valid range, never posted
    dev.flushUsed(1);
    pump(hw, [net]);
    assert.equal(net.txAvailable, 255, 'exactly one buffer reclaimed');
    assert.equal(net.txQueueStats.notInFlight, 2);
    assert.equal(net.txQueueStats.completed, 1);
  });

  it('drops a completion one byte longer than header + maxFrame (found by the property test)', () => {
    const { hw, net, dev, got } = setup(16);
    dev.autoProcess = false;
    dev.pushUsed(0, 0, 12 + net.maxFrame + 1);
    dev.flushUsed(0);
    pump(hw, [net]);
    assert.equal(got.length, 0);
    assert.equal(net.rxQueueStats.badLength, 1);
    assert.equal(net.failed, undefined);
  });

  it('drops a frame whose length exceeds its buffer and recycles the buffer', () => {
    const { hw, net, dev, got } = setup();
    const c = dev.popAvail(0)!;
    dev.pushUsed(0, c.head, 5000);
    dev.flushUsed(0);
    pump(hw, [net]);
    assert.equal(net.rxQueueStats.badLength, 1);
    assert.equal(net.stats.rxDropped, 1);
    assert.equal(got.length, 0);
    assert.equal(dev.availPending(0), 256, 'buffer re-posted');
  });

  it('rejects a TX completion claiming written bytes', () => {
    const { hw, net, dev } = setup();
    dev.autoProcess = false;
    net.transmit(frame(1));
    const c = dev.popAvail(1)!;
    dev.pushUsed(1, c.head, 1);
    dev.flushUsed(1);
    pump(hw, [net]); // TX completions do not interrupt; txAvailable reaps them
    assert.equal(net.txAvailable, 256, 'buffer reclaimed anyway');
    assert.equal(net.txQueueStats.badLength, 1);
  });

  it('marks the device failed when the used index jumps past the queue size', () => {
    const { hw, net, dev, got } = setup();
    dev.forceUsedIdx(0, 300);
    assert.doesNotThrow(() => pump(hw, [net]));
    assert.equal(net.rxQueueStats.idxJump, 1);
    assert.match(net.failed ?? '', /used idx advanced by 300/);
    assert.equal(dev.status & 128, 128, 'FAILED written to the device');
    assert.equal(got.length, 0);
    assert.equal(net.transmit(frame(1)), false);
    dev.raiseAgain();
    assert.doesNotThrow(() => pump(hw, [net]), 'a failed driver still acks its line');
  });

  it('keeps de-asserting INTx for a failed device so its line cannot storm', () => {
    const { hw, pci } = q35With(netModel(), { msixEntries: 0 });
    const net = VirtioNet.start(hw, VirtioPciTransport.open(hw, 3 << 3, 1));
    pci.device.forceUsedIdx(0, 1000);
    pump(hw, [net]);
    assert.ok(net.failed);
    pci.device.raiseAgain();
    assert.equal(pci.isr, 1);
    pump(hw, [net]);
    assert.equal(pci.isr, 0, 'ISR read even though the driver gave up');
  });

  it('gives up after as many invalid elements as the queue has entries', () => {
    const { hw, net, dev } = setup(16);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 8; i++) dev.pushUsed(0, 1000 + i, 0);
      dev.flushUsed(0);
      pump(hw, [net]);
    }
    assert.equal(net.rxQueueStats.badId, 16);
    assert.match(net.failed ?? '', /16 invalid used elements/);
  });

  it('never throws and keeps its bookkeeping sane whatever the used ring says', () => {
    fc.assert(fc.property(
      fc.array(fc.record({
        id: fc.oneof(fc.nat(20), fc.nat(0xffffffff)),
        len: fc.oneof(fc.nat(2000), fc.nat(0xffffffff)),
        queue: fc.constantFrom(0, 1),
        legit: fc.boolean(),
      }), { maxLength: 60 }),
      (events) => {
        const { hw, net, dev, got } = setup(16);
        dev.autoProcess = false;
        for (const e of events) {
          if (e.legit && e.queue === 0) {
            try {
              if (!net.failed) dev.inject(frame(1));
            } catch {
              // The model's own ring view is inconsistent after it lied: not the driver's fault.
            }
          } else if (e.legit) {
            net.transmit(frame(2));
          } else if (!net.failed) {
            dev.pushUsed(e.queue, e.id, e.len);
            dev.flushUsed(e.queue);
          }
          pump(hw, [net]);
        }
        for (const f of got) assert.ok(f.length <= net.maxFrame);
        const rx = net.rxQueueStats;
        assert.equal(net.stats.rxPackets + net.stats.rxDropped, rx.completed + rx.badLength);
        assert.ok(net.txAvailable <= 16);
      }));
  });
});

describe('hostile virtio-rng device', () => {
  it('counts empty and over-long completions and survives', () => {
    const { hw, mmio } = microvmWith(rngModel());
    const rng = VirtioRng.start(hw, VirtioMmioTransport.probe(hw, { base: MMIO_BASE, size: 512, irq: 12 })!);
    const dev = mmio.device as RngDeviceModel;
    dev.autoProcess = false;
    let bytes = 0;
    rng.onEntropy((b) => { bytes += b.length; });
    rng.request();
    const a = dev.popAvail(0)!;
    const b = dev.popAvail(0)!;
    dev.pushUsed(0, a.head, 0);
    dev.pushUsed(0, b.head, 65);
    dev.flushUsed(0);
    pump(hw, [rng]);
    assert.equal(bytes, 0);
    assert.equal(rng.stats.empty, 2);
    assert.equal(rng.queueStats.badLength, 1);
    assert.equal(rng.outstanding, 2);
    assert.equal(rng.failed, undefined);
  });
});

describe('hostile virtio-net device with merged receive buffers (GUEST_TSO4 + MRG_RXBUF)', () => {
  it('survives any num_buffers and packet size: never throws, never stalls, keeps every buffer posted', () => {
    const features = DEFAULT_NET_FEATURES | (1n << NET_F_GUEST_CSUM) | (1n << NET_F_GUEST_TSO4) | (1n << NET_F_MRG_RXBUF);
    fc.assert(fc.property(
      fc.array(fc.record({ size: fc.integer({ min: 14, max: 65535 + 14 }), lie: fc.option(fc.integer({ min: 0, max: 70000 }), { freq: 3 }) }), { minLength: 1, maxLength: 12 }),
      (packets) => {
        const { hw, pci } = q35With(netModel({ features }));
        const net = VirtioNet.start(hw, VirtioPciTransport.open(hw, 3 << 3, 1));
        const dev = pci.device as NetDeviceModel;
        let got = 0;
        net.onReceive(() => { got++; });
        for (const [i, p] of packets.entries()) {
          assert.ok(dev.inject(frame(i, p.size), { numBuffers: p.lie ?? undefined }));
          pump(hw, [net]);
          assert.equal(dev.availPending(0), 256, 'every buffer back with the device');
        }
        // Whatever came before, an honest packet now arrives.
        const before = got;
        assert.ok(dev.inject(frame(99, 3000)));
        pump(hw, [net]);
        assert.equal(got, before + 1);
        assert.equal(net.failed, undefined);
      },
    ), { numRuns: 150 });
  });
});

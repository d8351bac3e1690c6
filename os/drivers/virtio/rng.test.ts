import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { VirtioRng } from './rng.ts';
import { VirtioMmioTransport } from './mmio.ts';
import type { RngDeviceModel } from './testing/net-model.ts';
import { MMIO_BASE, microvmWith, pump, rngModel } from './testing/harness.ts';

function setup(opts?: { buffers?: number; bufferSize?: number }) {
  const { hw, mmio } = microvmWith(rngModel());
  const rng = VirtioRng.start(hw, VirtioMmioTransport.probe(hw, { base: MMIO_BASE, size: 512, irq: 12 })!, opts);
  return { hw, rng, dev: mmio.device as RngDeviceModel };
}

describe('virtio-rng', () => {
  it('delivers the bytes the device wrote, buffer by buffer', () => {
    const { hw, rng, dev } = setup({ buffers: 2, bufferSize: 32 });
    const chunks: number[][] = [];
    rng.onEntropy((b) => chunks.push([...b]));
    assert.equal(rng.request(), 2);
    pump(hw, [rng]);
    assert.equal(chunks.length, 2);
    assert.deepEqual(chunks.flat(), Array.from({ length: 64 }, (_, i) => i));
    assert.equal(rng.stats.bytes, 64);
    assert.equal(dev.status, 15);
  });

  it('does not re-post buffers on its own (no interrupt storm)', () => {
    const { hw, rng, dev } = setup();
    rng.onEntropy(() => {});
    rng.request();
    pump(hw, [rng]);
    assert.equal(dev.availPending(0), 0);
    assert.equal(rng.outstanding, 0);
    assert.equal(dev.interrupts[0], 1);
    rng.request();
    pump(hw, [rng]);
    assert.equal(rng.stats.bytes, 2 * 4 * 64);
  });

  it('passes on partial fills and counts empty completions', () => {
    const { hw, rng, dev } = setup({ buffers: 3 });
    dev.fillLimit = 10;
    let total = 0;
    rng.onEntropy((b) => { total += b.length; });
    rng.request();
    pump(hw, [rng]);
    assert.equal(total, 30);
    dev.fillLimit = 0;
    rng.request();
    pump(hw, [rng]);
    assert.equal(rng.stats.empty, 3);
  });

  it('posts no more than the buffers it owns', () => {
    const { rng, dev } = setup({ buffers: 4 });
    dev.autoProcess = false;
    assert.equal(rng.request(), 4);
    assert.equal(rng.request(), 0);
    assert.equal(dev.availPending(0), 4);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { needEvent, Virtqueue, virtqueueLayout } from './virtqueue.ts';
import { openQueue } from './device.ts';
import type { VirtioTransport } from './transport.ts';
import { FakeHw } from './testing/fake-hw.ts';
import { F_EVENT_IDX, F_VERSION_1, VirtioDeviceModel } from './testing/device-model.ts';

/** A queue wired straight to a device model (no transport): notify counts, device acts on demand. */
function setup(size: number, eventIdx = true) {
  const hw = new FakeHw();
  const dev = new VirtioDeviceModel(hw, 99, (1n << F_VERSION_1) | (1n << F_EVENT_IDX), [size], 0);
  dev.driverFeatures = (1n << F_VERSION_1) | (eventIdx ? 1n << F_EVENT_IDX : 0n);
  dev.status = 15;
  dev.autoProcess = false;
  const mem = Virtqueue.allocate(hw, size);
  const broken: string[] = [];
  const vq = new Virtqueue({ index: 0, size, mem, eventIdx, notify: () => dev.notify(0), onBroken: (w) => broken.push(w) });
  Object.assign(dev.queues[0]!, { size, desc: vq.descPhys, driver: vq.availPhys, device: vq.usedPhys, ready: true });
  const bufs = hw.dmaAlloc(size * 64);
  return { hw, dev, vq, bufs, broken };
}

describe('needEvent (vring_need_event, §2.7.10)', () => {
  it('is true exactly when the event index lies in [old, new)', () => {
    assert.equal(needEvent(5, 6, 5), true);
    assert.equal(needEvent(5, 5, 4), false);
    assert.equal(needEvent(4, 6, 5), false);
    assert.equal(needEvent(7, 10, 5), true);
    assert.equal(needEvent(10, 10, 5), false);
  });

  it('handles the 2^16 wrap of ring indices', () => {
    assert.equal(needEvent(0xffff, 1, 0xfffe), true);
    assert.equal(needEvent(0, 1, 0xffff), true);
    assert.equal(needEvent(0xfffd, 1, 0xfffe), false);
  });

  it('matches a direct interval check for all small windows', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 300 }),
      fc.integer({ min: 0, max: 0xffff }), (old, step, event) => {
        const nw = (old + step) & 0xffff;
        const inWindow = ((event - old) & 0xffff) < step;
        assert.equal(needEvent(event, nw, old), inWindow);
      }));
  });
});

describe('Virtqueue', () => {
  it('rejects sizes that are not a power of two', () => {
    const hw = new FakeHw();
    const mem = hw.dmaAlloc(virtqueueLayout(256).total);
    assert.throws(() => new Virtqueue({ index: 0, size: 100, mem, eventIdx: false, notify: () => {} }), RangeError);
  });

  it('returns descriptors to the free list and refuses buffers when full', () => {
    const { dev, vq, bufs } = setup(8);
    for (let i = 0; i < 8; i++) assert.ok(vq.addBuffer(bufs.phys + 64 * i, 64, true, i));
    assert.equal(vq.addBuffer(bufs.phys, 64, true, 99), false);
    assert.equal(vq.numFree, 0);
    for (let i = 0; i < 8; i++) {
      const c = dev.popAvail(0)!;
      dev.pushUsed(0, c.head, 10 + i);
    }
    dev.flushUsed(0);
    const tokens: number[] = [];
    for (let t; (t = vq.popUsed()) >= 0;) {
      tokens.push(t);
      assert.equal(vq.usedLength, 10 + tokens.length - 1);
    }
    assert.deepEqual(tokens, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(vq.numFree, 8);
  });

  it('links chains readable-first and frees every descriptor of a chain', () => {
    const { dev, vq, bufs } = setup(8);
    const p = bufs.phys;
    assert.ok(vq.addChain([p, p + 64, p + 128], [16, 32, 1], 1, 7));
    assert.ok(vq.addChain([p + 192, p + 256], [8, 8], 2, 8));
    assert.equal(vq.numFree, 3);
    assert.equal(vq.addChain([p, p, p, p], [1, 1, 1, 1], 0, 9), false);
    const a = dev.popAvail(0)!;
    assert.deepEqual(a.segments.map((s) => [s.len, s.write]), [[16, false], [32, true], [1, true]]);
    const b = dev.popAvail(0)!;
    dev.pushUsed(0, b.head, 0);
    dev.pushUsed(0, a.head, 33);
    dev.flushUsed(0);
    assert.equal(vq.popUsed(), 8);
    assert.equal(vq.popUsed(), 7);
    assert.equal(vq.usedLength, 33);
    assert.equal(vq.numFree, 8);
    // All 8 descriptors usable again as one long chain.
    assert.ok(vq.addChain(Array(8).fill(p), Array(8).fill(4), 8, 1));
  });

  it('survives 2^16 index wrap-around over 70000 round trips with a shuffled completion order', () => {
    const { dev, vq, bufs } = setup(8);
    let next = 0;
    let expectedSum = 0;
    let gotSum = 0;
    for (let round = 0; round < 70000 / 4; round++) {
      for (let i = 0; i < 4; i++) {
        assert.ok(vq.addBuffer(bufs.phys + 64 * (next % 8), 64, true, next));
        expectedSum += next++;
      }
      vq.kick();
      const chains = [dev.popAvail(0)!, dev.popAvail(0)!, dev.popAvail(0)!, dev.popAvail(0)!];
      for (const c of [chains[2]!, chains[0]!, chains[3]!, chains[1]!]) dev.pushUsed(0, c.head, 64);
      dev.flushUsed(0);
      for (let t; (t = vq.popUsed()) >= 0;) gotSum += t;
    }
    assert.equal(gotSum, expectedSum);
    assert.equal(vq.numFree, 8);
    assert.equal(vq.stats.completed, 70000);
    assert.equal(vq.broken, undefined);
    assert.ok(dev.queues[0]!.lastAvail < 70000 - 65536 + 1); // really wrapped
  });

  it('notifies only when the device asked for it (avail_event)', () => {
    const { dev, vq, bufs } = setup(16);
    vq.addBuffer(bufs.phys, 64, true, 0);
    assert.equal(vq.kick(), true); // avail_event starts at 0: the first entry is wanted
    vq.addBuffer(bufs.phys, 64, true, 1);
    assert.equal(vq.kick(), false); // device has not consumed: still busy
    while (dev.popAvail(0)) { /* drain: avail_event = 2 */ }
    vq.addBuffer(bufs.phys, 64, true, 2);
    assert.equal(vq.kick(), true);
    assert.equal(dev.notifications[0], 2);
    assert.equal(vq.stats.notificationsSuppressed, 1);
    assert.equal(vq.kick(), false); // nothing new: never notifies
  });

  it('without EVENT_IDX, honours the used ring NO_NOTIFY flag', () => {
    const { hw, dev, vq, bufs } = setup(16, false);
    vq.addBuffer(bufs.phys, 64, true, 0);
    assert.equal(vq.kick(), true);
    hw.dmaView(dev.queues[0]!.device, 2).setUint16(0, 1, true);
    vq.addBuffer(bufs.phys, 64, true, 1);
    assert.equal(vq.kick(), false);
  });

  it('enableInterrupts reports elements already used (lost-wakeup re-check)', () => {
    const { dev, vq, bufs } = setup(16);
    vq.addBuffer(bufs.phys, 64, true, 0);
    vq.disableInterrupts();
    const c = dev.popAvail(0)!;
    dev.pushUsed(0, c.head, 1);
    assert.equal(dev.flushUsed(0), false); // suppressed
    assert.equal(vq.enableInterrupts(), true);
    assert.equal(vq.popUsed(), 0);
    assert.equal(vq.enableInterrupts(), false);
  });

  it('keeps its invariants under random add/complete sequences', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.boolean(), fc.nat(7)), { maxLength: 400 }),
      (ops) => {
        const { dev, vq, bufs } = setup(8);
        const inFlight = new Map<number, number>(); // token → chain length
        let token = 0;
        const pendingChains: number[] = [];
        for (const [n, complete, pick] of ops) {
          if (!complete) {
            const freeBefore = vq.numFree;
            const ok = vq.addChain(Array(n).fill(bufs.phys), Array(n).fill(8), 0, token);
            assert.equal(ok, freeBefore >= n);
            if (ok) inFlight.set(token, n);
            token++;
            let c;
            while ((c = dev.popAvail(0))) pendingChains.push(c.head);
          } else if (pendingChains.length > 0) {
            const [head] = pendingChains.splice(pick % pendingChains.length, 1);
            dev.pushUsed(0, head!, 0);
            dev.flushUsed(0);
            const t = vq.popUsed();
            assert.ok(inFlight.delete(t));
          }
          assert.equal(vq.broken, undefined);
          let used = 0;
          for (const len of inFlight.values()) used += len;
          assert.equal(vq.numFree, 8 - used);
        }
      }));
  });
});

describe('Virtqueue descriptor layout', () => {
  it('writes a 64-bit address, length, flags and next little-endian (§2.7.5), also above 4 GiB', () => {
    const hw = new FakeHw();
    const mem = Virtqueue.allocate(hw, 8);
    const vq = new Virtqueue({ index: 0, size: 8, mem, eventIdx: true, notify: () => {} });
    const phys = 0x12_3456_789a;
    assert.ok(vq.addChain([phys, 0x1000], [0x4321, 64], 1, 7));
    const v = new DataView(mem.buffer);
    assert.equal(v.getUint32(0, true), 0x3456_789a);
    assert.equal(v.getUint32(4, true), 0x12);
    assert.equal(v.getUint32(8, true), 0x4321);
    assert.equal(v.getUint16(12, true), 1); // NEXT, device-readable
    assert.equal(v.getUint16(14, true), 1);
    assert.equal(v.getUint32(16, true), 0x1000);
    assert.equal(v.getUint32(20, true), 0);
    assert.equal(v.getUint16(28, true), 2); // WRITE, end of chain
    const { avail } = virtqueueLayout(8);
    assert.equal(v.getUint16(avail + 2, true), 1, 'avail idx');
    assert.equal(v.getUint16(avail + 4, true), 0, 'ring[0] = head');
  });
});

describe('Virtqueue single-buffer descriptors (addBuffer, written inline)', () => {
  it('rewrites every field of a reused descriptor: address above 4 GiB, length, flags, next = 0', () => {
    const hw = new FakeHw();
    const mem = Virtqueue.allocate(hw, 8);
    const vq = new Virtqueue({ index: 0, size: 8, mem, eventIdx: true, notify: () => {} });
    const v = new DataView(mem.buffer);
    const { used } = virtqueueLayout(8);
    // A chain takes ids 0 and 1 (id 0 links to 1); the device returns it, id 0 is free again.
    assert.ok(vq.addChain([0x1000, 0x2000], [64, 64], 1, 3));
    v.setUint32(used + 4, 0, true);
    v.setUint32(used + 8, 64, true);
    v.setUint16(used + 2, 1, true);
    assert.equal(vq.popUsed(), 3);
    assert.equal(vq.numFree, 8);
    // A writable buffer reuses id 0: next must no longer point at 1, nor flags say NEXT.
    assert.ok(vq.addBuffer(0x7_0000_1000, 1526, true, 5));
    assert.equal(v.getUint32(0, true), 0x1000);
    assert.equal(v.getUint32(4, true), 7);
    assert.equal(v.getUint32(8, true), 1526);
    assert.equal(v.getUint16(12, true), 2, 'flags: WRITE only');
    assert.equal(v.getUint16(14, true), 0, 'next');
    // A device-readable one reuses id 1 (the free list's next): flags 0.
    assert.ok(vq.addBuffer(0x3000, 60, false, 6));
    assert.equal(v.getUint32(16, true), 0x3000);
    assert.equal(v.getUint32(20, true), 0);
    assert.equal(v.getUint16(28, true), 0, 'flags: device-readable');
    assert.equal(v.getUint16(30, true), 0, 'next');
    const { avail } = virtqueueLayout(8);
    assert.equal(v.getUint16(avail + 2, true), 3, 'avail idx');
    assert.deepEqual([v.getUint16(avail + 6, true), v.getUint16(avail + 8, true)], [0, 1], 'ring[1..2] = ids');
    // The readable one comes back with 0 bytes written (the most a device-readable buffer allows).
    v.setUint32(used + 12, 1, true);
    v.setUint32(used + 16, 0, true);
    v.setUint16(used + 2, 2, true);
    assert.equal(vq.popUsed(), 6);
    assert.equal(vq.usedLength, 0);
  });
});

describe('Virtqueue memory fence (event-index checks against a concurrent device)', () => {
  // The fence callback plays a device on another CPU that acts exactly at the barrier: what
  // the driver reads after it must include that action (a load issued before it would not).
  it('kick() publishes idx, fences, then reads avail_event', () => {
    const hw = new FakeHw();
    const size = 8;
    const mem = Virtqueue.allocate(hw, size);
    const { avail, used } = virtqueueLayout(size);
    const v = new DataView(mem.buffer);
    const availEvent = used + 4 + 8 * size;
    let notified = 0;
    let idxAtFence = -1;
    const vq = new Virtqueue({
      index: 0, size, mem, eventIdx: true, notify: () => notified++,
      fence: () => {
        idxAtFence = v.getUint16(avail + 2, true);
        v.setUint16(availEvent, 0, true); // the device caught up: "tell me about index 0"
      },
    });
    v.setUint16(availEvent, 0x8000, true); // before: "don't tell me"
    assert.ok(vq.addBuffer(0x1000, 64, false, 1));
    assert.equal(vq.kick(), true, 'the avail_event written at the fence was read');
    assert.equal(notified, 1);
    assert.equal(idxAtFence, 1, 'idx was published before the fence');
  });

  it('enableInterrupts() writes used_event, fences, then looks at the used idx', () => {
    const hw = new FakeHw();
    const size = 8;
    const mem = Virtqueue.allocate(hw, size);
    const { avail, used } = virtqueueLayout(size);
    const v = new DataView(mem.buffer);
    let usedEventAtFence = -1;
    let fenceArmed = false;
    const vq = new Virtqueue({
      index: 0, size, mem, eventIdx: true, notify: () => {},
      fence: () => {
        if (!fenceArmed) return;
        usedEventAtFence = v.getUint16(avail + 4 + 2 * size, true);
        // The device completes the buffer exactly now, and sees used_event (no interrupt owed).
        v.setUint32(used + 4, 0, true);
        v.setUint32(used + 8, 10, true);
        v.setUint16(used + 2, 1, true);
      },
    });
    assert.ok(vq.addBuffer(0x1000, 64, true, 7));
    vq.kick();
    fenceArmed = true;
    assert.equal(vq.enableInterrupts(), true, 'the element used at the fence is seen: poll again');
    assert.equal(usedEventAtFence, 0, 'used_event was written before the fence');
    assert.equal(vq.popUsed(), 7);
  });

  it('openQueue gives every driver queue hw.dmaFence', () => {
    const hw = new FakeHw();
    const transport = { description: 'stub', queueMaxSize: () => 8, enableQueue: () => {}, notify: () => {} } as unknown as VirtioTransport;
    const vq = openQueue(hw, transport, 0, 8, true, () => {});
    assert.ok(vq.addBuffer(0x1000, 64, false, 1));
    vq.kick();
    vq.enableInterrupts();
    assert.equal(hw.fences, 2);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { discoverDevices, hasPci } from './index.ts';
import { FakeHw } from './virtio/testing/fake-hw.ts';
import { createFakeHw } from '../hw/fake.ts';
import { MmioModel, addEmptyMmioSlot } from './virtio/testing/mmio-model.ts';
import { NetDeviceModel, RngDeviceModel } from './virtio/testing/net-model.ts';
import { PciModel, addHostBridge } from './virtio/testing/pci-model.ts';
import { VirtioDeviceModel, F_VERSION_1 } from './virtio/testing/device-model.ts';
import { frame, pump } from './virtio/testing/harness.ts';

describe('discoverDevices', () => {
  it('finds and starts virtio-net and virtio-rng on q35 PCI (modern and transitional ids)', () => {
    const hw = new FakeHw({ machine: 'q35' });
    addHostBridge(hw);
    const netPci = new PciModel(hw, new NetDeviceModel(hw), { bdf: 2 << 3, bar4: 0xfe00_0000, bar1: 0xfeb0_0000 });
    new PciModel(hw, new RngDeviceModel(hw), { bdf: 5 << 3, bar4: 0x8_0000_4000, bar1: 0xfeb0_1000, transitional: true });
    const found = discoverDevices(hw);
    assert.deepEqual(found.errors, []);
    assert.equal(found.net.length, 1);
    assert.equal(found.rng.length, 1);
    assert.equal(found.drivers.length, 2);
    assert.match(found.net[0]!.name, /pci 00:02\.0 \(virtio net\)/);

    const got: number[] = [];
    found.net[0]!.onReceive((f) => got.push(f.length));
    (netPci.device as NetDeviceModel).inject(frame(1, 99));
    pump(hw, found.drivers);
    assert.deepEqual(got, [99]);
  });

  it('follows a PCI-to-PCI bridge to its secondary bus', () => {
    const hw = new FakeHw({ machine: 'q35' });
    addHostBridge(hw);
    const bridge = new Uint8Array(256);
    const v = new DataView(bridge.buffer);
    v.setUint16(0, 0x1b36, true);
    v.setUint16(2, 0x000c, true);
    v.setUint8(0x0e, 1); // header type 1
    v.setUint8(0x19, 1); // secondary bus 1
    hw.addPci(0x1e << 3, {
      configRead: (off, w) => { let x = 0; for (let i = w - 1; i >= 0; i--) x = x * 256 + bridge[off + i]!; return x; },
      configWrite: () => {},
    });
    new PciModel(hw, new NetDeviceModel(hw), { bdf: 1 << 8, bar4: 0xfe00_0000 });
    const found = discoverDevices(hw);
    assert.deepEqual(found.errors, []);
    assert.match(found.net[0]!.name, /pci 01:00\.0/);
  });

  it('uses the cmdline on microvm, skipping empty slots and reporting bad devices', () => {
    const hw = new FakeHw({
      machine: 'microvm',
      cmdline: 'console=ttyS0 virtio_mmio.device=512@0xfeb00000:5 virtio_mmio.device=512@0xfeb00200:6 '
        + 'virtio_mmio.device=512@0xfeb00400:7 virtio_mmio.device=512@0xfeb00600:8 virtio_mmio.device=junk',
    });
    new MmioModel(hw, new NetDeviceModel(hw), 0xfeb0_0000, 5);
    addEmptyMmioSlot(hw, 0xfeb0_0200);
    const legacy = new MmioModel(hw, new RngDeviceModel(hw), 0xfeb0_0400, 7);
    legacy.version = 1;
    new MmioModel(hw, new VirtioDeviceModel(hw, 2, 1n << F_VERSION_1, [128], 60), 0xfeb0_0600, 8);
    assert.equal(hasPci(hw), false);
    const found = discoverDevices(hw);
    assert.equal(found.net.length, 1);
    assert.equal(found.rng.length, 0);
    assert.deepEqual(found.skipped, ['mmio@0xfeb00600 (virtio block): no driver for virtio block']);
    assert.equal(found.errors.length, 2);
    assert.ok(found.errors.some((e) => /legacy virtio-mmio device/.test(e)));
    assert.ok(found.errors.some((e) => /Cannot parse "virtio_mmio.device=junk"/.test(e)));
    assert.equal(found.net[0]!.irqMask, 1);
  });

  it('keeps going when one device fails to initialise', () => {
    const hw = new FakeHw({ machine: 'q35' });
    addHostBridge(hw);
    const broken = new NetDeviceModel(hw);
    broken.acceptFeatures = () => false;
    new PciModel(hw, broken, { bdf: 2 << 3, bar4: 0xfe00_0000, bar1: 0xfeb0_0000 });
    new PciModel(hw, new RngDeviceModel(hw), { bdf: 3 << 3, bar4: 0xfe00_4000, bar1: 0xfeb0_1000 });
    const found = discoverDevices(hw);
    assert.equal(found.rng.length, 1);
    assert.equal(found.net.length, 0);
    assert.match(found.errors[0]!, /pci 00:02\.0 \(virtio net\): device refused features/);
  });
});

describe('discoverDevices on a platform without device groups (the process target)', () => {
  it('scans no PCI and reports a listed virtio-mmio device as needing the missing group', () => {
    const hw = createFakeHw({ groups: [], cmdline: 'virtio_mmio.device=512@0xfeb00000:5' });
    assert.equal(hasPci(hw), false);
    const found = discoverDevices(hw);
    assert.equal(found.drivers.length, 0);
    assert.deepEqual(found.errors, [
      "virtio-mmio device mmio@0xfeb00000 needs the hw groups 'mmio', 'irq', which this platform (unknown) does not offer",
    ]);
    assert.deepEqual(discoverDevices(createFakeHw({ groups: [] })).errors, [], 'nothing listed, nothing to report');
  });
});

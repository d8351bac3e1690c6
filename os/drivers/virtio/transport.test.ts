import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { VirtioNet } from './net.ts';
import { VirtioRng } from './rng.ts';
import { parseMmioCmdline, VirtioMmioTransport } from './mmio.ts';
import { VirtioPciTransport } from './pci.ts';
import { VirtioError } from './transport.ts';
import { F_EVENT_IDX, F_VERSION_1 } from './testing/device-model.ts';
import { DEFAULT_NET_FEATURES, NET_F_MAC, NET_F_MTU, NET_F_STATUS, type NetDeviceModel } from './testing/net-model.ts';
import { MMIO_BASE, frame, microvmWith, netModel, pump, q35With, rngModel } from './testing/harness.ts';

const mmioSpec = { base: MMIO_BASE, size: 512, irq: 12 };

function openMmio(hw: Parameters<typeof VirtioMmioTransport.probe>[0]) {
  const t = VirtioMmioTransport.probe(hw, mmioSpec);
  assert.ok(t);
  return t;
}

describe('virtio-mmio transport', () => {
  it('completes the §3.1.1 handshake and negotiates only what the driver supports', () => {
    const { hw, mmio } = microvmWith(netModel());
    const net = VirtioNet.start(hw, openMmio(hw));
    const dev = mmio.device;
    assert.equal(dev.status, 1 | 2 | 8 | 4);
    assert.equal(dev.driverFeatures,
      (1n << F_VERSION_1) | (1n << F_EVENT_IDX) | (1n << NET_F_MAC) | (1n << NET_F_STATUS)); // no CSUM
    assert.deepEqual(dev.queues.map((q) => [q.ready, q.size]), [[true, 256], [true, 256]]);
    assert.deepEqual([...net.mac], [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
    assert.equal(net.mtu, 1500);
    assert.equal(net.linkUp, true);
    assert.equal(hw.gsiOfLine[0], 12);
    assert.equal(net.irqMask, 1);
    assert.equal(dev.resets, 1);
    assert.equal(dev.availPending(0), 256, 'receive ring filled');
    assert.equal(dev.notifications[0], 1, 'receive ring announced once, after DRIVER_OK');
  });

  it('delivers interrupts through the GSI and acknowledges InterruptStatus then the line', () => {
    const { hw, mmio } = microvmWith(netModel());
    const net = VirtioNet.start(hw, openMmio(hw));
    const got: number[] = [];
    net.onReceive((f) => got.push(f.length));
    (mmio.device as NetDeviceModel).inject(frame(1, 100));
    assert.equal(mmio.interruptStatus, 1);
    pump(hw, [net]);
    assert.deepEqual(got, [100]);
    assert.equal(mmio.interruptStatus, 0);
    assert.deepEqual(hw.acks, [0]);
  });

  it('rejects a legacy (version 1) device with a message naming the fix', () => {
    const { hw, mmio } = microvmWith(netModel());
    mmio.version = 1;
    assert.throws(() => VirtioMmioTransport.probe(hw, mmioSpec),
      (e: unknown) => e instanceof VirtioError && e.code === 'ERR_VIRTIO_LEGACY' && /version 2/.test(e.message));
  });

  it('rejects a window without the virtio magic value', () => {
    const { hw, mmio } = microvmWith(netModel());
    mmio.magic = 0;
    assert.throws(() => VirtioMmioTransport.probe(hw, mmioSpec), /bad magic/);
  });

  it('reports a device that never completes reset instead of spinning', () => {
    const { hw, mmio } = microvmWith(netModel());
    mmio.device.stuckInReset = true;
    assert.throws(() => VirtioNet.start(hw, openMmio(hw)), (e: unknown) => (e as VirtioError).code === 'ERR_VIRTIO_RESET');
  });
});

describe('feature negotiation failures', () => {
  it('fails a device that does not offer VIRTIO_F_VERSION_1 and sets FAILED', () => {
    const { hw, mmio } = microvmWith(netModel({ features: (1n << NET_F_MAC) | (1n << F_EVENT_IDX) }));
    assert.throws(() => VirtioNet.start(hw, openMmio(hw)),
      (e: unknown) => e instanceof VirtioError && e.code === 'ERR_VIRTIO_LEGACY' && /VERSION_1/.test(e.message));
    assert.equal(mmio.device.status & 128, 128);
    assert.equal(mmio.device.status & 4, 0, 'never DRIVER_OK');
  });

  it('fails when the device refuses FEATURES_OK', () => {
    const { hw, mmio } = microvmWith(netModel());
    mmio.device.acceptFeatures = () => false;
    assert.throws(() => VirtioNet.start(hw, openMmio(hw)),
      (e: unknown) => e instanceof VirtioError && e.code === 'ERR_VIRTIO_FEATURES' && /FEATURES_OK/.test(e.message));
    assert.equal(mmio.device.status & 128, 128);
  });

  it('fails when a required queue does not exist', () => {
    const { hw, mmio } = microvmWith(netModel());
    mmio.device.queues[1]!.maxSize = 0;
    assert.throws(() => VirtioNet.start(hw, openMmio(hw)), /queue 1 does not exist/);
    assert.equal(mmio.device.status & 128, 128);
  });

  it('works without EVENT_IDX, using ring flags instead', () => {
    const { hw, mmio } = microvmWith(netModel({ features: (1n << F_VERSION_1) | (1n << NET_F_MAC) }));
    const net = VirtioNet.start(hw, openMmio(hw));
    const got: number[] = [];
    net.onReceive((f) => got.push(f[0]!));
    (mmio.device as NetDeviceModel).inject(frame(5));
    pump(hw, [net]);
    assert.deepEqual(got, [5]);
    assert.equal(net.linkUp, true, 'no STATUS feature: link assumed up');
  });

  it('accepts a device MTU up to 9000 and declines a larger one', () => {
    const big = microvmWith(netModel({ features: DEFAULT_NET_FEATURES | (1n << NET_F_MTU), mtu: 9000 }));
    const a = VirtioNet.start(big.hw, openMmio(big.hw));
    assert.equal(a.mtu, 9000);
    assert.equal(a.maxFrame, 9018);
    const huge = microvmWith(netModel({ features: DEFAULT_NET_FEATURES | (1n << NET_F_MTU), mtu: 65535 }));
    const b = VirtioNet.start(huge.hw, openMmio(huge.hw));
    assert.equal(b.mtu, 1500);
    assert.equal(huge.mmio.device.has(NET_F_MTU), false);
  });

  it('makes up a locally administered unicast MAC when the device has none', () => {
    const { hw } = microvmWith(netModel({ features: (1n << F_VERSION_1) }));
    const net = VirtioNet.start(hw, openMmio(hw));
    assert.equal(net.mac[0]! & 3, 2);
  });
});

describe('virtio-pci transport', () => {
  it('finds the capabilities, maps a 64-bit BAR above 4 GiB and uses MSI-X', () => {
    const { hw, pci } = q35With(netModel());
    const t = VirtioPciTransport.open(hw, 3 << 3, 1);
    const net = VirtioNet.start(hw, t);
    assert.equal(t.interruptMode, 'msix');
    assert.equal(pci.command & 0x406, 0x406, 'memory, bus master, INTx disabled');
    assert.ok(pci.msixEnabled);
    assert.equal(pci.device.status, 15);
    assert.deepEqual(pci.device.queues.map((q) => q.msixVector), [0, 0]);
    assert.ok(hw.isMapped(0x8_0000_0000, 4));
    assert.equal(pci.msixTable[3], 0, 'entry 0 unmasked');
    assert.equal(net.irqMask, 0b11, 'queue line and config line');

    const got: number[] = [];
    net.onReceive((f) => got.push(f.length));
    (pci.device as NetDeviceModel).inject(frame(1, 1514));
    assert.equal(pci.msiSent, 1);
    pump(hw, [net]);
    assert.deepEqual(got, [1514]);
    assert.deepEqual(hw.acks, [0]);
  });

  it('uses one MSI-X vector for the queues and none for config with a 1-entry table', () => {
    const { hw, pci } = q35With(netModel(), { msixEntries: 1 });
    const t = VirtioPciTransport.open(hw, 3 << 3, 1);
    const net = VirtioNet.start(hw, t);
    assert.equal(t.interruptMode, 'msix');
    assert.equal(net.irqMask, 1);
    (pci.device as NetDeviceModel).setLink(false);
    assert.equal(hw.pending, 0, 'config change not signalled (NO_VECTOR)');
  });

  it('falls back to INTx and acknowledges by reading the ISR', () => {
    const { hw, pci } = q35With(netModel(), { msixEntries: 0, interruptLine: 10 });
    const t = VirtioPciTransport.open(hw, 3 << 3, 1);
    const net = VirtioNet.start(hw, t);
    assert.equal(t.interruptMode, 'intx');
    assert.equal(hw.gsiOfLine[0], 10);
    const got: number[] = [];
    net.onReceive((f) => got.push(f.length));
    (pci.device as NetDeviceModel).inject(frame(1, 64));
    assert.equal(pci.isr, 1);
    pump(hw, [net]);
    assert.deepEqual(got, [64]);
    assert.equal(pci.isr, 0);
  });

  it('falls back to INTx when the machine cannot allocate MSI lines', () => {
    const { hw } = q35With(netModel());
    hw.msiSupported = false;
    const t = VirtioPciTransport.open(hw, 3 << 3, 1);
    VirtioNet.start(hw, t);
    assert.equal(t.interruptMode, 'intx');
    assert.equal(hw.gsiOfLine[0], 11);
  });

  it('refuses a legacy-only function with a clear error', () => {
    const { hw } = q35With(netModel(), { legacyOnly: true, msixEntries: 0 });
    assert.throws(() => VirtioPciTransport.open(hw, 3 << 3, 1), /missing virtio capabilities.*legacy/);
  });

  it('refuses an unassigned BAR', () => {
    const { hw } = q35With(netModel(), { unassigned: true });
    assert.throws(() => VirtioPciTransport.open(hw, 3 << 3, 1), /BAR4 is unassigned/);
  });

  it('reports config changes through the config MSI-X vector', () => {
    const { hw, pci } = q35With(netModel());
    const net = VirtioNet.start(hw, VirtioPciTransport.open(hw, 3 << 3, 1));
    (pci.device as NetDeviceModel).setLink(false);
    pump(hw, [net]);
    assert.equal(net.linkUp, false);
    assert.equal(net.stats.configChanges, 1);
    assert.deepEqual(hw.acks, [1]);
  });

  it('drives virtio-rng the same way', () => {
    const { hw, pci } = q35With(rngModel());
    const rng = VirtioRng.start(hw, VirtioPciTransport.open(hw, 3 << 3, 4));
    assert.equal(pci.device.status, 15);
    let bytes = 0;
    rng.onEntropy((b) => { bytes += b.length; });
    rng.request();
    pump(hw, [rng]);
    assert.equal(bytes, 4 * 64);
  });
});

describe('parseMmioCmdline', () => {
  it('reads Linux-style virtio_mmio.device tokens', () => {
    const { devices, errors } = parseMmioCmdline(
      'console=ttyS0 virtio_mmio.device=512@0xfeb00e00:12 virtio_mmio.device=4K@0xd0000000:5:3  virtio_mmio.device=1024@4273995264:7');
    assert.deepEqual(devices, [
      { base: 0xfeb00e00, size: 512, irq: 12 },
      { base: 0xd0000000, size: 4096, irq: 5 },
      { base: 4273995264, size: 1024, irq: 7 },
    ]);
    assert.deepEqual(errors, []);
  });

  it('reports malformed tokens without dropping the good ones', () => {
    const { devices, errors } = parseMmioCmdline(
      'virtio_mmio.device=512@0xfeb00e00 virtio_mmio.device=16@0x1000:5 virtio_mmio.device=0x200@0x2000:3');
    assert.deepEqual(devices, [{ base: 0x2000, size: 0x200, irq: 3 }]);
    assert.equal(errors.length, 2);
    assert.match(errors[0]!, /Cannot parse/);
  });
});

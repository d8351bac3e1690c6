/**
 * The virtio transport contract (virtio 1.x §4): what a device driver needs from PCI or MMIO,
 * and the generic initialisation sequence of §3.1.1 written once on top of it.
 *
 * Drivers only ever talk to a `VirtioTransport`; `pci.ts` and `mmio.ts` implement it. Only
 * modern (1.x) devices are supported: VIRTIO_F_VERSION_1 is required.
 *
 * Initialisation order, as the spec and both transports require:
 *   beginInit (reset, ACKNOWLEDGE, DRIVER, feature negotiation, FEATURES_OK re-read)
 *   → transport.setupInterrupts() (MSI-X vectors must exist before queues are enabled)
 *   → transport.enableQueue(...) for each queue, device-specific setup, buffers added
 *   → finishInit (DRIVER_OK); only then may the driver notify the device (§3.1.1 step 8).
 */

import {
  F_VERSION_1, STATUS_ACKNOWLEDGE, STATUS_DRIVER, STATUS_DRIVER_OK, STATUS_FAILED,
  STATUS_FEATURES_OK, bit,
} from './constants.ts';

export interface QueueAddresses {
  /** Descriptor table (16-byte aligned). */
  readonly desc: number;
  /** Driver area = available ring (2-byte aligned). */
  readonly driver: number;
  /** Device area = used ring (4-byte aligned). */
  readonly device: number;
}

export interface VirtioTransport {
  /** "pci 00:03.0 (net)" / "mmio@0xfeb00e00 (net)": used in every error message. */
  readonly description: string;
  /** Virtio device type (§5: 1 net, 4 rng, ...). */
  readonly deviceType: number;
  /** Bitmask of hw IRQ lines this device raises; 0 before setupInterrupts(). */
  readonly irqMask: number;

  /** Write 0 to the status and wait (bounded) until the device reads back 0. */
  reset(): void;
  getStatus(): number;
  setStatus(status: number): void;
  /** All 64 feature bits the device offers. */
  deviceFeatures(): bigint;
  driverFeatures(features: bigint): void;

  /** Attach IRQ lines (MSI-X where available, else INTx/GSI). Call before enableQueue(). */
  setupInterrupts(): void;
  /** Largest size the device supports for queue `index`; 0 if the queue does not exist. */
  queueMaxSize(index: number): number;
  /** Program and enable queue `index` with `size` entries at the given physical addresses. */
  enableQueue(index: number, size: number, addrs: QueueAddresses): void;
  /** Available buffer notification for queue `index` (§2.9). */
  notify(index: number): void;

  /**
   * Acknowledge the device-side interrupt for the lines in `ready` and return what it was
   * for: ISR_QUEUE and/or ISR_CONFIG bits. The caller then services and calls hw.irqAck.
   */
  ackInterrupt(ready: number): number;

  /** Device-specific configuration space (§2.5), little-endian fields. */
  configGeneration(): number;
  configRead(offset: number, width: 1 | 2 | 4): number;
}

/** A device that could not be initialised or has been given up on. `code` is stable. */
export class VirtioError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'VirtioError';
    this.code = code;
  }
}

/** Set FAILED (§2.1: the driver has given up on the device) and build the error to throw. */
export function failDevice(t: VirtioTransport, code: string, why: string): VirtioError {
  try {
    t.setStatus(t.getStatus() | STATUS_FAILED);
  } catch {
    // The device may be unreachable; the error below is what matters.
  }
  return new VirtioError(code, `${t.description}: ${why}`);
}

/**
 * §3.1.1 steps 1-6. Offers `wanted` ∩ device features (VIRTIO_F_VERSION_1 is always wanted
 * and always required); throws a VirtioError after setting FAILED if the device lacks a
 * `required` feature or refuses FEATURES_OK. Returns the negotiated set.
 */
export function beginInit(
  t: VirtioTransport, wanted: bigint, required: bigint = 0n,
  /** §3.1.1 step 4: may read (not write) device config to narrow `wanted` before accepting. */
  review?: (offered: bigint) => bigint,
): bigint {
  t.reset();
  t.setStatus(STATUS_ACKNOWLEDGE);
  t.setStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER);
  const offered = t.deviceFeatures();
  if ((offered & bit(F_VERSION_1)) === 0n) {
    throw failDevice(t, 'ERR_VIRTIO_LEGACY',
      'device does not offer VIRTIO_F_VERSION_1 (legacy-only device); Nimbus drives virtio 1.x devices only');
  }
  const missing = (required | bit(F_VERSION_1)) & ~offered;
  if (missing !== 0n) {
    throw failDevice(t, 'ERR_VIRTIO_FEATURES', `device lacks required feature bits 0x${missing.toString(16)}`);
  }
  const acceptable = review ? review(offered) : wanted;
  const negotiated = offered & (acceptable | required | bit(F_VERSION_1));
  t.driverFeatures(negotiated);
  t.setStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
  // §3.1.1 step 6: re-read to make sure the device accepted the subset.
  if ((t.getStatus() & STATUS_FEATURES_OK) === 0) {
    throw failDevice(t, 'ERR_VIRTIO_FEATURES',
      `device refused features 0x${negotiated.toString(16)} (FEATURES_OK not set after negotiation)`);
  }
  return negotiated;
}

/** §3.1.1 step 8: the driver is live; checks the device did not flag a failure meanwhile. */
export function finishInit(t: VirtioTransport): void {
  const status = t.getStatus();
  if ((status & STATUS_FEATURES_OK) === 0 || (status & STATUS_FAILED) !== 0) {
    throw failDevice(t, 'ERR_VIRTIO_INIT', `unexpected device status 0x${status.toString(16)} before DRIVER_OK`);
  }
  t.setStatus(status | STATUS_DRIVER_OK);
}

/**
 * Read `length` bytes of device configuration consistently: §2.5.1 retry while the
 * configuration generation changes (bounded; a device that keeps changing it is broken).
 */
export function readConfigBytes(t: VirtioTransport, offset: number, length: number, out?: Uint8Array): Uint8Array {
  const bytes = out ?? new Uint8Array(length);
  for (let attempt = 0; attempt < 16; attempt++) {
    const before = t.configGeneration();
    for (let i = 0; i < length; i++) bytes[i] = t.configRead(offset + i, 1);
    if (t.configGeneration() === before) return bytes;
  }
  throw failDevice(t, 'ERR_VIRTIO_CONFIG', 'configuration generation never settled while reading config space');
}

/** Largest power of two ≤ n (split queues need power-of-two sizes, §2.7). 0 for n < 1. */
export function floorPow2(n: number): number {
  if (n < 1) return 0;
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

/** Validate an IRQ line handed out by hw (bit n of a 32-bit ready mask). */
export function checkLine(line: number, where: string): number {
  if (!Number.isInteger(line) || line < 0 || line > 31) {
    throw new VirtioError('ERR_VIRTIO_IRQ', `${where}: no interrupt line available (hw returned ${line})`);
  }
  return line;
}

/** Bounded wait used by reset(): a device that never reads 0 is reported, never spun on. */
export const RESET_POLL_LIMIT = 100_000;

/**
 * Numbers from the virtio 1.x specification (OASIS virtio v1.2) shared by transports and
 * devices. Feature bits are bit positions; feature sets are bigint masks (only touched
 * during initialisation, so bigint costs nothing on the data path).
 */

/** §2.1 Device status field bits. */
export const STATUS_ACKNOWLEDGE = 1;
export const STATUS_DRIVER = 2;
export const STATUS_DRIVER_OK = 4;
export const STATUS_FEATURES_OK = 8;
export const STATUS_DEVICE_NEEDS_RESET = 64;
export const STATUS_FAILED = 128;

/** §6 Reserved (device-independent) feature bits. */
export const F_INDIRECT_DESC = 28;
export const F_EVENT_IDX = 29;
export const F_VERSION_1 = 32;
export const F_ACCESS_PLATFORM = 33;
export const F_RING_PACKED = 34;

/** §5 Device ids. */
export const DEVICE_NET = 1;
export const DEVICE_BLOCK = 2;
export const DEVICE_CONSOLE = 3;
export const DEVICE_RNG = 4;

/** §5.1.3 virtio-net feature bits. */
export const NET_F_CSUM = 0;
export const NET_F_GUEST_CSUM = 1;
export const NET_F_MTU = 3;
export const NET_F_MAC = 5;
export const NET_F_GUEST_TSO4 = 7;
export const NET_F_HOST_TSO4 = 11;
export const NET_F_MRG_RXBUF = 15;
export const NET_F_STATUS = 16;

/** Interrupt status bits (PCI ISR §4.1.4.5, MMIO InterruptStatus §4.2.2). */
export const ISR_QUEUE = 1;
export const ISR_CONFIG = 2;

export function bit(n: number): bigint {
  return 1n << BigInt(n);
}

export function hasFeature(features: bigint, n: number): boolean {
  return (features & bit(n)) !== 0n;
}

const DEVICE_NAMES: Record<number, string> = {
  [DEVICE_NET]: 'net', [DEVICE_BLOCK]: 'block', [DEVICE_CONSOLE]: 'console', [DEVICE_RNG]: 'rng',
};

export function deviceTypeName(type: number): string {
  return DEVICE_NAMES[type] ?? `type ${type}`;
}

/**
 * Pieces every virtio device driver shares: the driver contract the event loop sees, queue
 * creation on a transport, and IRQ line acknowledgement.
 */

import type { HwWith } from '../../hw/hw.ts';
import { floorPow2, VirtioError, type VirtioTransport } from './transport.ts';
import { Virtqueue } from './virtqueue.ts';

/**
 * What the event loop needs from any driver. When `hw.yield()` returns a ready set that
 * intersects `irqMask`, the loop calls `service(now, ready)`: the driver acknowledges the
 * device, does its work, then calls hw.irqAck for each of its lines in `ready`. Calling
 * service with no line ready is allowed and just polls the queues (no device register read).
 */
/** What every virtio device driver needs of the machine: DMA memory and interrupt lines. */
export type VirtioHw = HwWith<'dma' | 'irq'>;

export interface Driver {
  readonly name: string;
  readonly irqMask: number;
  /** Set once the driver gave up on the device (FAILED written); the reason. */
  readonly failed: string | undefined;
  /** True when service() stopped at its budget with work left: call it again soon. */
  readonly hasPendingWork: boolean;
  service(now: number, ready?: number): void;
}

/** hw.irqAck every line of `mask` (bit n = line n). */
export function ackLines(hw: HwWith<'irq'>, mask: number): void {
  for (let line = 0; mask !== 0 && line < 53; line++) {
    const b = 2 ** line;
    if (mask % (b * 2) >= b) {
      hw.irqAck(line);
      mask -= b;
    }
  }
}

/**
 * Create queue `index` of at most `wanted` entries (a power of two no larger than the
 * device's maximum), allocate its ring memory once, and enable it on the transport.
 */
export function openQueue(
  hw: HwWith<'dma'>, t: VirtioTransport, index: number, wanted: number, eventIdx: boolean,
  onBroken: (why: string) => void,
): Virtqueue {
  const max = t.queueMaxSize(index);
  if (max === 0) throw new VirtioError('ERR_VIRTIO_QUEUE', `${t.description}: queue ${index} does not exist`);
  const size = floorPow2(Math.min(max, wanted, 32768));
  const mem = Virtqueue.allocate(hw, size);
  const vq = new Virtqueue({ index, size, mem, eventIdx, notify: () => t.notify(index), onBroken, fence: () => hw.dmaFence() });
  t.enableQueue(index, size, { desc: vq.descPhys, driver: vq.availPhys, device: vq.usedPhys });
  return vq;
}

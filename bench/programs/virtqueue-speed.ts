/**
 * The virtqueue's per-frame bookkeeping in the guest (issue 11, "hot loops measured in the
 * guest"): a 256-entry queue over an ordinary buffer, with a stand-in device that uses every
 * available buffer at once; the driver side takes each used buffer back and posts it again
 * (popUsed + addBuffer, what virtio-net does per received frame and, half of it, per sent one),
 * then the same with the frame view the driver hands to the stack. A diagnosis tool:
 *   nimbus build bench/programs/virtqueue-speed.ts -o build/bench/vq.img
 *   nimbus run build/bench/vq.img                   # under QEMU (TCG)
 *   nimbus run --target process build/bench/vq.img  # at native speed
 */
import { Virtqueue, virtqueueLayout } from '../../os/drivers/virtio/virtqueue.ts';

const size = 256, bufBytes = 2048, frameBytes = 1526;
const layout = virtqueueLayout(size);
const buffer = new ArrayBuffer((layout.total + 7) & ~7);
const vq = new Virtqueue({ index: 0, size, mem: { buffer, phys: 0x10_0000 } as never, eventIdx: true, notify: () => {} });
const u16 = new Uint16Array(buffer), u32 = new Uint32Array(buffer);
const availIdx16 = layout.avail / 2 + 1, availRing16 = layout.avail / 2 + 2;
const usedIdx16 = layout.used / 2 + 1, usedRing32 = (layout.used + 4) / 4;
let deviceAvail = 0, deviceUsed = 0;

/**
 * The device: every available buffer comes back used, `frameBytes` written. Deliberately not
 * the tests' VirtioDeviceModel, whose chain walking would dominate what is measured.
 */
function device(): void {
  const idx = u16[availIdx16]!;
  while (deviceAvail !== idx) {
    const at = usedRing32 + 2 * (deviceUsed & (size - 1));
    u32[at] = u16[availRing16 + (deviceAvail & (size - 1))]!;
    u32[at + 1] = frameBytes;
    deviceAvail = (deviceAvail + 1) & 0xffff;
    deviceUsed = (deviceUsed + 1) & 0xffff;
  }
  u16[usedIdx16] = deviceUsed;
}

const frames = new Uint8Array(size * bufBytes);
const views = Array.from({ length: size }, (_, i) => frames.subarray(i * bufBytes, (i + 1) * bufBytes));
let taken = 0;
for (let i = 0; i < size; i++) vq.addBuffer(0x20_0000 + i * bufBytes, bufBytes, true, i);

/** µs per buffer over `n` buffers; `withView` also takes the frame's view as the driver does. */
function perBuffer(n: number, withView: boolean): number {
  let done = 0, bytes = 0;
  const t0 = performance.now();
  while (done < n) {
    device();
    let token: number;
    while ((token = vq.popUsed()) >= 0) {
      done++;
      if (withView) bytes += views[token]!.subarray(12, vq.usedLength).length;
      vq.addBuffer(0x20_0000 + token * bufBytes, bufBytes, true, token);
    }
    vq.kick();
  }
  const us = ((performance.now() - t0) * 1000) / done;
  if (withView && bytes !== done * (frameBytes - 12)) throw new Error(`frames lost: ${bytes} bytes`);
  taken += done;
  return us;
}

for (let round = 1; round <= 3; round++) {
  const plain = perBuffer(20_000, false), viewed = perBuffer(20_000, true);
  console.log(`round ${round}: popUsed + addBuffer ${plain.toFixed(2)} µs per buffer, with the frame view ${viewed.toFixed(2)} µs`);
}
if (vq.stats.completed !== taken || vq.numFree !== 0) throw new Error(`bookkeeping: ${vq.stats.completed} completed, ${vq.numFree} free`);

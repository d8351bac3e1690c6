/**
 * The transmit side of struct virtio_net_hdr (virtio 1.x §5.1.6.2), shared by virtio-net and the
 * process target's tap (whose IFF_VNET_HDR header is the same layout, VNET_HDR in os/hw/hw.ts):
 * NEEDS_CSUM with csum_start/csum_offset, and GSO_TCPV4 with gso_size for a super-segment.
 * Writes the first 10 bytes at `at`; virtio's num_buffers after them is not the sender's.
 */
import { VNET_HDR } from '../hw/hw.ts';
import type { TxOffload } from './net-device.ts';

export function writeVnetHeader(view: DataView, at: number, o: TxOffload): void {
  const gso = o.segmentSize > 0;
  view.setUint8(at + VNET_HDR.FLAGS, VNET_HDR.F_NEEDS_CSUM);
  view.setUint8(at + VNET_HDR.GSO_TYPE, gso ? VNET_HDR.GSO_TCPV4 : VNET_HDR.GSO_NONE);
  view.setUint16(at + VNET_HDR.HDR_LEN, o.checksumStart + o.checksumOffset + 2, true); // a hint (§5.1.6.2)
  view.setUint16(at + VNET_HDR.GSO_SIZE, gso ? o.segmentSize : 0, true);
  view.setUint16(at + VNET_HDR.CSUM_START, o.checksumStart, true);
  view.setUint16(at + VNET_HDR.CSUM_OFFSET, o.checksumOffset, true);
}

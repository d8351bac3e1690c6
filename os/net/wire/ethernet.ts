/**
 * Ethernet II frames (IEEE 802.3 with an EtherType field), without the frame check sequence:
 * virtio-net and tap devices hand us frames without it. Unknown EtherTypes (VLAN tags, IPv6,
 * LLDP, ...) are kept as numbers so the layer above can count them.
 */
import type { MacAddr } from '../addr.ts';
import { fail, ok, type Result } from './result.ts';

const DST = 0, SRC = 6, ETHERTYPE = 12;
export const ETHERNET_HEADER_LEN = 14;

export const EtherType = { IPV4: 0x0800, ARP: 0x0806, VLAN: 0x8100, IPV6: 0x86dd } as const;

export class EthernetFrame {
  private constructor(readonly bytes: Uint8Array) {}
  /** Checked constructor: every accessor below is in bounds when this succeeds. */
  static parse(bytes: Uint8Array): Result<EthernetFrame> {
    if (bytes.length < ETHERNET_HEADER_LEN) return fail('truncated');
    return ok(new EthernetFrame(bytes));
  }
  get dst(): MacAddr { return this.bytes.subarray(DST, DST + 6); }
  get src(): MacAddr { return this.bytes.subarray(SRC, SRC + 6); }
  get ethertype(): number { return (this.bytes[ETHERTYPE]! << 8) | this.bytes[ETHERTYPE + 1]!; }
  get payload(): Uint8Array { return this.bytes.subarray(ETHERNET_HEADER_LEN); }
}

export interface EthernetRepr {
  dst: MacAddr;
  src: MacAddr;
  ethertype: number;
}

export function parseEthernet(bytes: Uint8Array): Result<{ repr: EthernetRepr; payload: Uint8Array }> {
  const r = EthernetFrame.parse(bytes);
  if (!r.ok) return r;
  const f = r.value;
  return ok({ repr: { dst: f.dst, src: f.src, ethertype: f.ethertype }, payload: f.payload });
}

/** Write the 14-byte header at the start of `buf`; returns the header length. */
export function emitEthernet(repr: EthernetRepr, buf: Uint8Array): number {
  if (buf.length < ETHERNET_HEADER_LEN) throw new RangeError('Cannot emit Ethernet header: buffer too small');
  buf.set(repr.dst.subarray(0, 6), DST);
  buf.set(repr.src.subarray(0, 6), SRC);
  buf[ETHERTYPE] = (repr.ethertype >>> 8) & 0xff;
  buf[ETHERTYPE + 1] = repr.ethertype & 0xff;
  return ETHERNET_HEADER_LEN;
}

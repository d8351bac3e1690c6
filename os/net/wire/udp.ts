/**
 * UDP headers (RFC 768). The checksum covers the IPv4 pseudo-header; a received checksum
 * of 0 means the sender computed none; a computed checksum of 0 is sent as 0xffff.
 */
import type { Ipv4Addr } from '../addr.ts';
import { finish, pseudoHeaderSum, sumBytes } from './checksum.ts';
import { fail, ok, viewOf, type Result } from './result.ts';

const SRC_PORT = 0, DST_PORT = 2, LENGTH = 4, CHECKSUM = 6;
export const UDP_HEADER_LEN = 8;

export class UdpPacket {
  readonly #view: DataView;
  private constructor(readonly bytes: Uint8Array) {
    this.#view = viewOf(bytes);
  }
  /** Checked: the length field is at least 8 and inside the buffer. */
  static parse(bytes: Uint8Array): Result<UdpPacket> {
    if (bytes.length < UDP_HEADER_LEN) return fail('truncated');
    const p = new UdpPacket(bytes);
    if (p.length < UDP_HEADER_LEN) return fail('bad-length');
    if (p.length > bytes.length) return fail('truncated');
    return ok(p);
  }
  get srcPort(): number { return this.#view.getUint16(SRC_PORT); }
  get dstPort(): number { return this.#view.getUint16(DST_PORT); }
  get length(): number { return this.#view.getUint16(LENGTH); }
  get checksum(): number { return this.#view.getUint16(CHECKSUM); }
  get payload(): Uint8Array { return this.bytes.subarray(UDP_HEADER_LEN, this.length); }
  checksumValid(src: Ipv4Addr, dst: Ipv4Addr): boolean {
    if (this.checksum === 0) return true; // RFC 768: no checksum was computed
    const seg = this.bytes.subarray(0, this.length);
    return finish(sumBytes(seg, pseudoHeaderSum(src, dst, 17, seg.length))) === 0;
  }
}

export interface UdpRepr {
  srcPort: number;
  dstPort: number;
}

/** `verify = false` skips the checksum (the device already validated it: virtio GUEST_CSUM). */
export function parseUdp(bytes: Uint8Array, src: Ipv4Addr, dst: Ipv4Addr, verify = true): Result<{ repr: UdpRepr; payload: Uint8Array }> {
  const r = UdpPacket.parse(bytes);
  if (!r.ok) return r;
  const p = r.value;
  if (verify && !p.checksumValid(src, dst)) return fail('bad-checksum');
  return ok({ repr: { srcPort: p.srcPort, dstPort: p.dstPort }, payload: p.payload });
}

/** Write header + payload into `buf` with the checksum; returns 8 + payload length. */
export function emitUdp(repr: UdpRepr, payload: Uint8Array, src: Ipv4Addr, dst: Ipv4Addr, buf: Uint8Array): number {
  const len = UDP_HEADER_LEN + payload.length;
  if (len > 0xffff) throw new RangeError(`Cannot emit UDP datagram of ${len} bytes: over 65535`);
  if (buf.length < len) throw new RangeError('Cannot emit UDP datagram: buffer too small');
  const v = viewOf(buf);
  v.setUint16(SRC_PORT, repr.srcPort);
  v.setUint16(DST_PORT, repr.dstPort);
  v.setUint16(LENGTH, len);
  v.setUint16(CHECKSUM, 0);
  buf.set(payload, UDP_HEADER_LEN);
  const sum = finish(sumBytes(buf.subarray(0, len), pseudoHeaderSum(src, dst, 17, len)));
  v.setUint16(CHECKSUM, sum === 0 ? 0xffff : sum);
  return len;
}

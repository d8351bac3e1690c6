/**
 * The contract of hw.segmentTcp written the slow, obvious way (field by field over a DataView):
 * the fake hw implements it with this, and the conformance suite holds every core to it
 * (core/js/tcp-segment.c is the fast one). See hw.ts EngineHw.segmentTcp for the rules.
 */
import { referenceChecksum } from './checksum-reference.ts';

const ETH_LEN = 14;

export function referenceSegmentTcp(frame: Uint8Array, index: number, segmentSize: number, out: Uint8Array): number {
  if (!(frame instanceof Uint8Array)) throw new TypeError('segmentTcp() takes a Uint8Array frame');
  if (!(out instanceof Uint8Array)) throw new TypeError('segmentTcp() writes into a Uint8Array');
  if (!(Number.isInteger(index) && index >= 0 && index <= 0xffff)) throw new RangeError('segmentTcp(): index must be an integer 0..65535');
  if (!(Number.isInteger(segmentSize) && segmentSize >= 1 && segmentSize <= 0xffff)) throw new RangeError('segmentTcp(): segmentSize must be an integer 1..65535');
  if (frame.buffer === out.buffer && out.byteOffset < frame.byteOffset + frame.length && frame.byteOffset < out.byteOffset + out.length) {
    throw new RangeError('segmentTcp(): out overlaps the frame');
  }
  const bad = (why: string): never => { throw new RangeError(`segmentTcp(): ${why}`); };
  const f = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (frame.length < ETH_LEN + 40 || f.getUint16(12) !== 0x0800) bad('not an IPv4 frame');
  const ihl = (frame[ETH_LEN]! & 0x0f) * 4;
  if (frame[ETH_LEN]! >> 4 !== 4 || ihl < 20 || frame[ETH_LEN + 9] !== 6) bad('not an IPv4 TCP packet');
  if (f.getUint16(ETH_LEN + 2) !== frame.length - ETH_LEN) bad("IPv4 total length is not the frame's length");
  if ((f.getUint16(ETH_LEN + 6) & 0x3fff) !== 0) bad('a fragment cannot be segmented');
  if (ETH_LEN + ihl + 20 > frame.length) bad('truncated TCP header');
  const tcpAt = ETH_LEN + ihl;
  const thl = (frame[tcpAt + 12]! >> 4) * 4;
  const hdr = tcpAt + thl;
  if (thl < 20 || hdr > frame.length) bad('truncated TCP header');
  const payload = frame.length - hdr;
  const count = payload === 0 ? 1 : Math.ceil(payload / segmentSize);
  if (index >= count) bad('segment index past the last segment');
  const start = index * segmentSize;
  const n = Math.min(segmentSize, payload - start);
  if (hdr + n > out.length) bad('output too small for the segment');

  out.set(frame.subarray(0, hdr));
  out.set(frame.subarray(hdr + start, hdr + start + n), hdr);
  const o = new DataView(out.buffer, out.byteOffset, out.byteLength);
  o.setUint16(ETH_LEN + 2, ihl + thl + n);
  o.setUint16(ETH_LEN + 4, (f.getUint16(ETH_LEN + 4) + index) & 0xffff);
  o.setUint16(ETH_LEN + 10, 0);
  o.setUint16(ETH_LEN + 10, ~referenceChecksum(out.subarray(ETH_LEN, tcpAt)) & 0xffff);
  o.setUint32(tcpAt + 4, (f.getUint32(tcpAt + 4) + start) >>> 0);
  let flags = frame[tcpAt + 13]!;
  if (index + 1 < count) flags &= ~(0x01 | 0x08); // FIN, PSH: the last segment only
  if (index > 0) flags &= ~0x80; // CWR: the first only
  out[tcpAt + 13] = flags;
  const pseudo = new Uint8Array(12);
  pseudo.set(frame.subarray(ETH_LEN + 12, ETH_LEN + 20));
  pseudo[9] = 6;
  new DataView(pseudo.buffer).setUint16(10, thl + n);
  o.setUint16(tcpAt + 16, 0);
  const sum = referenceChecksum(out.subarray(tcpAt, hdr + n), referenceChecksum(pseudo));
  o.setUint16(tcpAt + 16, ~sum & 0xffff);
  return hdr + n;
}

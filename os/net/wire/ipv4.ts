/**
 * IPv4 headers (RFC 791). The checked parser guarantees version 4, IHL >= 5, the header
 * inside the buffer and total length within [IHL*4, buffer length]; trailing bytes past the
 * total length (Ethernet minimum-frame padding) are ignored. Options are skipped, never
 * interpreted. The header checksum is checked separately (`checksumValid`) so the caller can
 * count it as its own drop reason.
 */
import type { Ipv4Addr } from '../addr.ts';
import { checksum } from './checksum.ts';
import { fail, ok, type Result } from './result.ts';

const VER_IHL = 0, TOS = 1, TOTAL_LEN = 2, IDENT = 4, FLAGS_FRAG = 6, TTL = 8, PROTOCOL = 9, CHECKSUM = 10, SRC = 12, DST = 16;
export const IPV4_HEADER_LEN = 20;
export const IPV4_MAX_LEN = 65535;

export const IpProtocol = { ICMP: 1, TCP: 6, UDP: 17 } as const;

const FLAG_DF = 0x4000, FLAG_MF = 0x2000, OFFSET_MASK = 0x1fff;

// Fields are read and written byte by byte: on the receive and send hot paths that is much
// cheaper in the engine than making a DataView per packet and calling its methods.
const u16 = (b: Uint8Array, i: number): number => (b[i]! << 8) | b[i + 1]!;
const u32 = (b: Uint8Array, i: number): number => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
function put16(b: Uint8Array, i: number, v: number): void { b[i] = (v >>> 8) & 0xff; b[i + 1] = v & 0xff; }
function put32(b: Uint8Array, i: number, v: number): void {
  b[i] = v >>> 24; b[i + 1] = (v >>> 16) & 0xff; b[i + 2] = (v >>> 8) & 0xff; b[i + 3] = v & 0xff;
}

export class Ipv4Packet {
  private constructor(readonly bytes: Uint8Array) {}
  static parse(bytes: Uint8Array): Result<Ipv4Packet> {
    if (bytes.length < IPV4_HEADER_LEN) return fail('truncated');
    const p = new Ipv4Packet(bytes);
    if (p.version !== 4) return fail('bad-version');
    if (p.headerLength < IPV4_HEADER_LEN) return fail('bad-header-length');
    if (p.headerLength > bytes.length) return fail('truncated');
    if (p.totalLength < p.headerLength) return fail('bad-total-length');
    if (p.totalLength > bytes.length) return fail('truncated');
    if ((bytes[FLAGS_FRAG]! & 0x80) !== 0) return fail('reserved-flag');
    return ok(p);
  }
  get version(): number { return this.bytes[VER_IHL]! >>> 4; }
  get headerLength(): number { return (this.bytes[VER_IHL]! & 0x0f) * 4; }
  get tos(): number { return this.bytes[TOS]!; }
  get totalLength(): number { return u16(this.bytes, TOTAL_LEN); }
  get ident(): number { return u16(this.bytes, IDENT); }
  get dontFragment(): boolean { return (u16(this.bytes, FLAGS_FRAG) & FLAG_DF) !== 0; }
  get moreFragments(): boolean { return (u16(this.bytes, FLAGS_FRAG) & FLAG_MF) !== 0; }
  /** Fragment offset in bytes (the field counts 8-byte units). */
  get fragmentOffset(): number { return (u16(this.bytes, FLAGS_FRAG) & OFFSET_MASK) * 8; }
  get isFragment(): boolean { return (u16(this.bytes, FLAGS_FRAG) & (FLAG_MF | OFFSET_MASK)) !== 0; }
  get ttl(): number { return this.bytes[TTL]!; }
  get protocol(): number { return this.bytes[PROTOCOL]!; }
  get checksum(): number { return u16(this.bytes, CHECKSUM); }
  get src(): Ipv4Addr { return u32(this.bytes, SRC); }
  get dst(): Ipv4Addr { return u32(this.bytes, DST); }
  get header(): Uint8Array { return this.bytes.subarray(0, this.headerLength); }
  get options(): Uint8Array { return this.bytes.subarray(IPV4_HEADER_LEN, this.headerLength); }
  get payload(): Uint8Array { return this.bytes.subarray(this.headerLength, this.totalLength); }
  /** The whole datagram without link padding. */
  get datagram(): Uint8Array { return this.bytes.subarray(0, this.totalLength); }
  /** RFC 791 §3.1: the checksum over the header (with the field included) folds to zero. */
  checksumValid(): boolean { return checksum(this.header) === 0; }
}

export interface Ipv4Repr {
  src: Ipv4Addr;
  dst: Ipv4Addr;
  protocol: number;
  ttl: number;
  ident: number;
  tos: number;
  dontFragment: boolean;
  moreFragments: boolean;
  fragmentOffset: number; // bytes, multiple of 8
  payloadLength: number;
}

export function parseIpv4(bytes: Uint8Array): Result<{ repr: Ipv4Repr; payload: Uint8Array }> {
  const r = Ipv4Packet.parse(bytes);
  if (!r.ok) return r;
  const p = r.value;
  if (!p.checksumValid()) return fail('bad-checksum');
  const payload = p.payload;
  return ok({
    repr: {
      src: p.src, dst: p.dst, protocol: p.protocol, ttl: p.ttl, ident: p.ident, tos: p.tos,
      dontFragment: p.dontFragment, moreFragments: p.moreFragments, fragmentOffset: p.fragmentOffset,
      payloadLength: payload.length,
    },
    payload,
  });
}

/** Write a 20-byte header (no options) with its checksum; returns the header length. */
export function emitIpv4(repr: Ipv4Repr, buf: Uint8Array): number {
  const total = IPV4_HEADER_LEN + repr.payloadLength;
  if (total > IPV4_MAX_LEN) throw new RangeError(`Cannot emit IPv4 datagram of ${total} bytes: over 65535`);
  if (repr.fragmentOffset % 8 !== 0 || repr.fragmentOffset > OFFSET_MASK * 8) throw new RangeError('Cannot emit IPv4 header: bad fragment offset');
  if (buf.length < IPV4_HEADER_LEN) throw new RangeError('Cannot emit IPv4 header: buffer too small');
  buf[VER_IHL] = 0x45;
  buf[TOS] = repr.tos & 0xff;
  put16(buf, TOTAL_LEN, total);
  put16(buf, IDENT, repr.ident);
  put16(buf, FLAGS_FRAG, (repr.dontFragment ? FLAG_DF : 0) | (repr.moreFragments ? FLAG_MF : 0) | (repr.fragmentOffset / 8));
  buf[TTL] = repr.ttl & 0xff;
  buf[PROTOCOL] = repr.protocol & 0xff;
  put16(buf, CHECKSUM, 0);
  put32(buf, SRC, repr.src >>> 0);
  put32(buf, DST, repr.dst >>> 0);
  put16(buf, CHECKSUM, checksum(buf.subarray(0, IPV4_HEADER_LEN)));
  return IPV4_HEADER_LEN;
}

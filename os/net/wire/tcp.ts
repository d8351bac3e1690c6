/**
 * TCP segment header (RFC 9293 §3.1) and options (RFC 9293 §3.2, RFC 7323, RFC 2018).
 *
 * `TcpPacket` is a view over received bytes (accessors only valid after `TcpPacket.check`);
 * `TcpRepr` is the parsed value. `parseTcp` fills a caller-provided repr (no allocation on
 * the hot path except the SACK block array when present); `emitTcp` writes a header in front
 * of a payload the caller already placed in the buffer, and fills in the checksum computed
 * with the IPv4 pseudo-header. Malformed input is a returned error string, never an exception.
 */
import { finish, pseudoHeaderSum, sumBytes } from './checksum.ts';

export const TCP_PROTOCOL = 6;
export const TCP_HEADER_LEN = 20;
export const TCP_MAX_OPTIONS_LEN = 40;

const SRC_PORT = 0;
const DST_PORT = 2;
const SEQ = 4;
const ACK = 8;
const DATA_OFFSET = 12;
const FLAGS = 13;
const WINDOW = 14;
const CHECKSUM = 16;
const URGENT = 18;

export const TcpFlags = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;

const OPT_EOL = 0;
const OPT_NOP = 1;
const OPT_MSS = 2;
const OPT_WINDOW_SCALE = 3;
const OPT_SACK_PERMITTED = 4;
const OPT_SACK = 5;
const OPT_TIMESTAMP = 8;

export type TcpWireError = 'truncated' | 'bad-data-offset' | 'bad-checksum' | 'bad-option';

/** A parsed TCP header. Absent options are `undefined` (or false / empty). */
export interface TcpRepr {
  srcPort: number;
  dstPort: number;
  seq: number; // uint32
  ack: number; // uint32 (meaningful only with ACK)
  flags: number; // TcpFlags bits
  window: number; // raw 16-bit field, unscaled
  urgent: number;
  mss: number | undefined;
  windowScale: number | undefined; // shift count as sent (0..255; RFC 7323 §2.3 caps use at 14)
  sackPermitted: boolean;
  /** SACK blocks as flat [left0, right0, left1, right1, ...], at most 4 blocks. */
  sackBlocks: number[];
  tsVal: number | undefined; // RFC 7323 timestamps: both present or both undefined
  tsEcr: number | undefined;
}

export function emptyTcpRepr(): TcpRepr {
  return {
    srcPort: 0, dstPort: 0, seq: 0, ack: 0, flags: 0, window: 0, urgent: 0,
    mss: undefined, windowScale: undefined, sackPermitted: false, sackBlocks: [],
    tsVal: undefined, tsEcr: undefined,
  };
}

/** Accessors over a TCP segment; construct with `TcpPacket.check` to guarantee bounds. */
export class TcpPacket {
  readonly #view: DataView;
  private constructor(readonly bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  /** Checks that the fixed header and the declared header length fit in `bytes`. */
  static check(bytes: Uint8Array): TcpPacket | TcpWireError {
    if (bytes.length < TCP_HEADER_LEN) return 'truncated';
    const hl = (bytes[DATA_OFFSET]! >> 4) * 4;
    if (hl < TCP_HEADER_LEN) return 'bad-data-offset';
    if (hl > bytes.length) return 'truncated';
    return new TcpPacket(bytes);
  }
  get srcPort(): number { return this.#view.getUint16(SRC_PORT); }
  get dstPort(): number { return this.#view.getUint16(DST_PORT); }
  get seq(): number { return this.#view.getUint32(SEQ); }
  get ack(): number { return this.#view.getUint32(ACK); }
  get headerLength(): number { return (this.bytes[DATA_OFFSET]! >> 4) * 4; }
  get flags(): number { return this.bytes[FLAGS]!; }
  get window(): number { return this.#view.getUint16(WINDOW); }
  get checksum(): number { return this.#view.getUint16(CHECKSUM); }
  get urgent(): number { return this.#view.getUint16(URGENT); }
  get options(): Uint8Array { return this.bytes.subarray(TCP_HEADER_LEN, this.headerLength); }
  get payload(): Uint8Array { return this.bytes.subarray(this.headerLength); }
  /** True when the checksum over pseudo-header + segment is valid. */
  verifyChecksum(src: number, dst: number): boolean {
    return tcpChecksumOk(this.bytes, src, dst);
  }
}

export function tcpChecksumOk(bytes: Uint8Array, src: number, dst: number): boolean {
  return finish(sumBytes(bytes, pseudoHeaderSum(src, dst, TCP_PROTOCOL, bytes.length))) === 0;
}

/**
 * Parses `bytes` (a whole TCP segment) into `out` and returns the header length (payload
 * starts there), or an error. `src`/`dst` are the IPv4 addresses for the checksum; pass
 * `verify = false` to skip the checksum (e.g. offloaded).
 */
export function parseTcp(bytes: Uint8Array, src: number, dst: number, out: TcpRepr, verify = true): number | TcpWireError {
  const n = bytes.length;
  if (n < TCP_HEADER_LEN) return 'truncated';
  const hl = (bytes[DATA_OFFSET]! >> 4) * 4;
  if (hl < TCP_HEADER_LEN) return 'bad-data-offset';
  if (hl > n) return 'truncated';
  if (verify && !tcpChecksumOk(bytes, src, dst)) return 'bad-checksum';
  out.srcPort = (bytes[0]! << 8) | bytes[1]!;
  out.dstPort = (bytes[2]! << 8) | bytes[3]!;
  out.seq = ((bytes[4]! << 24) | (bytes[5]! << 16) | (bytes[6]! << 8) | bytes[7]!) >>> 0;
  out.ack = ((bytes[8]! << 24) | (bytes[9]! << 16) | (bytes[10]! << 8) | bytes[11]!) >>> 0;
  out.flags = bytes[FLAGS]!;
  out.window = (bytes[14]! << 8) | bytes[15]!;
  out.urgent = (bytes[18]! << 8) | bytes[19]!;
  out.mss = undefined;
  out.windowScale = undefined;
  out.sackPermitted = false;
  if (out.sackBlocks.length !== 0) out.sackBlocks = [];
  out.tsVal = undefined;
  out.tsEcr = undefined;
  // RFC 9293 §3.2: options; unknown kinds carry a length and are skipped. A length that is
  // shorter than 2, overruns the header, or is wrong for a known kind makes the segment malformed.
  let i = TCP_HEADER_LEN;
  while (i < hl) {
    const kind = bytes[i]!;
    if (kind === OPT_EOL) break;
    if (kind === OPT_NOP) { i++; continue; }
    if (i + 1 >= hl) return 'bad-option';
    const len = bytes[i + 1]!;
    if (len < 2 || i + len > hl) return 'bad-option';
    switch (kind) {
      case OPT_MSS:
        if (len !== 4) return 'bad-option';
        out.mss = (bytes[i + 2]! << 8) | bytes[i + 3]!;
        break;
      case OPT_WINDOW_SCALE:
        if (len !== 3) return 'bad-option';
        out.windowScale = bytes[i + 2]!;
        break;
      case OPT_SACK_PERMITTED:
        if (len !== 2) return 'bad-option';
        out.sackPermitted = true;
        break;
      case OPT_SACK: {
        if (len < 10 || (len - 2) % 8 !== 0) return 'bad-option';
        const blocks: number[] = [];
        for (let j = i + 2; j < i + len; j += 4) {
          blocks.push(((bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!) >>> 0);
        }
        out.sackBlocks = blocks;
        break;
      }
      case OPT_TIMESTAMP:
        if (len !== 10) return 'bad-option';
        out.tsVal = ((bytes[i + 2]! << 24) | (bytes[i + 3]! << 16) | (bytes[i + 4]! << 8) | bytes[i + 5]!) >>> 0;
        out.tsEcr = ((bytes[i + 6]! << 24) | (bytes[i + 7]! << 16) | (bytes[i + 8]! << 8) | bytes[i + 9]!) >>> 0;
        break;
      default:
        break; // unknown option: skipped
    }
    i += len;
  }
  return hl;
}

/** Length of the options `emitTcp` writes for `repr` (a multiple of 4, at most 40). */
export function tcpOptionsLength(repr: TcpRepr): number {
  let len = 0;
  if (repr.mss !== undefined) len += 4;
  if (repr.tsVal !== undefined) len += 12; // (SACK-permitted | NOP NOP) + timestamp
  else if (repr.sackPermitted) len += 4; // NOP NOP SACK-permitted
  if (repr.windowScale !== undefined) len += 4; // NOP + window scale
  const blocks = repr.sackBlocks.length >> 1;
  if (blocks > 0) len += 4 + 8 * blocks; // NOP NOP SACK
  return len;
}

export function tcpHeaderLength(repr: TcpRepr): number {
  return TCP_HEADER_LEN + tcpOptionsLength(repr);
}

function put32(b: Uint8Array, i: number, v: number): void {
  b[i] = v >>> 24; b[i + 1] = (v >>> 16) & 255; b[i + 2] = (v >>> 8) & 255; b[i + 3] = v & 255;
}

/** Offset of the checksum field in a TCP header (what a device finishing it needs). */
export const TCP_CHECKSUM_OFFSET = CHECKSUM;

/** The pseudo-header sum folded to 16 bits, not complemented: a partial checksum a device finishes. */
function foldedPseudoHeader(src: number, dst: number, length: number): number {
  let sum = pseudoHeaderSum(src, dst, TCP_PROTOCOL, length);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/**
 * Writes the header for `repr` at `buf[0..headerLength)` and the checksum over it and the
 * `payloadLength` bytes the caller already placed right after the header. Returns the segment
 * length. Throws RangeError if the options do not fit (a programming error, not input).
 * `partial`: leave the checksum to the device (checksum offload): the field gets only the
 * pseudo-header sum (folded, not complemented, as Linux's CHECKSUM_PARTIAL), and no byte of
 * the segment is summed here.
 */
export function emitTcp(repr: TcpRepr, buf: Uint8Array, src: number, dst: number, payloadLength: number, partial = false): number {
  const optLen = tcpOptionsLength(repr);
  if (optLen > TCP_MAX_OPTIONS_LEN) throw new RangeError(`TCP options too long (${optLen} bytes)`);
  const hl = TCP_HEADER_LEN + optLen;
  const total = hl + payloadLength;
  if (buf.length < total) throw new RangeError(`TCP buffer too small (${buf.length} < ${total})`);
  buf[0] = repr.srcPort >>> 8; buf[1] = repr.srcPort & 255;
  buf[2] = repr.dstPort >>> 8; buf[3] = repr.dstPort & 255;
  put32(buf, SEQ, repr.seq);
  put32(buf, ACK, repr.ack);
  buf[DATA_OFFSET] = (hl / 4) << 4;
  buf[FLAGS] = repr.flags & 0xff;
  buf[WINDOW] = (repr.window >>> 8) & 255; buf[WINDOW + 1] = repr.window & 255;
  buf[CHECKSUM] = 0; buf[CHECKSUM + 1] = 0;
  buf[URGENT] = (repr.urgent >>> 8) & 255; buf[URGENT + 1] = repr.urgent & 255;
  let i = TCP_HEADER_LEN;
  if (repr.mss !== undefined) {
    buf[i] = OPT_MSS; buf[i + 1] = 4; buf[i + 2] = (repr.mss >>> 8) & 255; buf[i + 3] = repr.mss & 255;
    i += 4;
  }
  if (repr.tsVal !== undefined) {
    if (repr.sackPermitted) { buf[i] = OPT_SACK_PERMITTED; buf[i + 1] = 2; } else { buf[i] = OPT_NOP; buf[i + 1] = OPT_NOP; }
    buf[i + 2] = OPT_TIMESTAMP; buf[i + 3] = 10;
    put32(buf, i + 4, repr.tsVal);
    put32(buf, i + 8, repr.tsEcr ?? 0);
    i += 12;
  } else if (repr.sackPermitted) {
    buf[i] = OPT_NOP; buf[i + 1] = OPT_NOP; buf[i + 2] = OPT_SACK_PERMITTED; buf[i + 3] = 2;
    i += 4;
  }
  if (repr.windowScale !== undefined) {
    buf[i] = OPT_NOP; buf[i + 1] = OPT_WINDOW_SCALE; buf[i + 2] = 3; buf[i + 3] = repr.windowScale & 255;
    i += 4;
  }
  const sb = repr.sackBlocks;
  if (sb.length >= 2) {
    const blocks = sb.length >> 1;
    buf[i] = OPT_NOP; buf[i + 1] = OPT_NOP; buf[i + 2] = OPT_SACK; buf[i + 3] = 2 + 8 * blocks;
    i += 4;
    for (let b = 0; b < blocks * 2; b++, i += 4) put32(buf, i, sb[b]!);
  }
  const sum = partial ? foldedPseudoHeader(src, dst, total) : finish(sumBytes(buf.subarray(0, total), pseudoHeaderSum(src, dst, TCP_PROTOCOL, total)));
  buf[CHECKSUM] = sum >>> 8; buf[CHECKSUM + 1] = sum & 255;
  return total;
}

/** Fills in the full checksum of a segment whose field holds a partial one (or anything). */
export function completeTcpChecksum(segment: Uint8Array, src: number, dst: number): void {
  segment[CHECKSUM] = 0; segment[CHECKSUM + 1] = 0;
  const sum = finish(sumBytes(segment, pseudoHeaderSum(src, dst, TCP_PROTOCOL, segment.length)));
  segment[CHECKSUM] = sum >>> 8; segment[CHECKSUM + 1] = sum & 255;
}

/**
 * Software TSO: cuts a TCP super-segment (header + payload, any checksum) into segments of
 * `segmentSize` payload bytes with full checksums, as Linux's tcp_gso_segment does: the header
 * and its options are copied into each, the sequence number advances, FIN and PSH stay on the
 * last segment only and CWR on the first only. For a device without TSO and for tests (what a
 * TSO device puts on the wire). A segment too short to have a header comes back unchanged.
 */
export function segmentTcp(segment: Uint8Array, src: number, dst: number, segmentSize: number): Uint8Array[] {
  if (segment.length < TCP_HEADER_LEN) return [segment];
  const hl = (segment[DATA_OFFSET]! >> 4) * 4;
  if (hl < TCP_HEADER_LEN || hl > segment.length || segmentSize < 1) return [segment];
  const payload = segment.length - hl;
  const seq = ((segment[SEQ]! << 24) | (segment[SEQ + 1]! << 16) | (segment[SEQ + 2]! << 8) | segment[SEQ + 3]!) >>> 0;
  const flags = segment[FLAGS]!;
  const out: Uint8Array[] = [];
  for (let off = 0; off === 0 || off < payload; off += segmentSize) {
    const n = Math.min(segmentSize, payload - off);
    const piece = new Uint8Array(hl + n);
    piece.set(segment.subarray(0, hl));
    piece.set(segment.subarray(hl + off, hl + off + n), hl);
    put32(piece, SEQ, (seq + off) >>> 0);
    const last = off + n >= payload;
    let f = flags;
    if (!last) f &= ~(TcpFlags.FIN | TcpFlags.PSH);
    if (off > 0) f &= ~TcpFlags.CWR;
    piece[FLAGS] = f;
    completeTcpChecksum(piece, src, dst);
    out.push(piece);
  }
  return out;
}

/** Flags as text, e.g. "SYN|ACK" (for tests and logs). */
export function formatTcpFlags(flags: number): string {
  const names: string[] = [];
  for (const [name, bit] of Object.entries(TcpFlags)) if (flags & bit) names.push(name);
  return names.join('|') || '-';
}

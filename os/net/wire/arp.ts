/**
 * ARP for IPv4 over Ethernet (RFC 826). Only hardware type 1 / protocol type 0x0800 with
 * 6/4-byte addresses is understood; anything else is rejected with a reason.
 */
import type { Ipv4Addr, MacAddr } from '../addr.ts';
import { fail, ok, readAddr, viewOf, writeAddr, type Result } from './result.ts';

const HTYPE = 0, PTYPE = 2, HLEN = 4, PLEN = 5, OPER = 6, SHA = 8, SPA = 14, THA = 18, TPA = 24;
export const ARP_LEN = 28;

export const ArpOp = { REQUEST: 1, REPLY: 2 } as const;

export class ArpPacket {
  readonly #view: DataView;
  private constructor(readonly bytes: Uint8Array) {
    this.#view = viewOf(bytes);
  }
  static parse(bytes: Uint8Array): Result<ArpPacket> {
    if (bytes.length < ARP_LEN) return fail('truncated');
    const p = new ArpPacket(bytes);
    if (p.hardwareType !== 1 || p.protocolType !== 0x0800) return fail('unsupported-hardware');
    if (p.#view.getUint8(HLEN) !== 6 || p.#view.getUint8(PLEN) !== 4) return fail('bad-address-length');
    return ok(p);
  }
  get hardwareType(): number { return this.#view.getUint16(HTYPE); }
  get protocolType(): number { return this.#view.getUint16(PTYPE); }
  get operation(): number { return this.#view.getUint16(OPER); }
  get senderMac(): MacAddr { return this.bytes.subarray(SHA, SHA + 6); }
  get senderIp(): Ipv4Addr { return readAddr(this.#view, SPA); }
  get targetMac(): MacAddr { return this.bytes.subarray(THA, THA + 6); }
  get targetIp(): Ipv4Addr { return readAddr(this.#view, TPA); }
}

export interface ArpRepr {
  operation: number; // unknown operations are kept
  senderMac: MacAddr;
  senderIp: Ipv4Addr;
  targetMac: MacAddr;
  targetIp: Ipv4Addr;
}

export function parseArp(bytes: Uint8Array): Result<ArpRepr> {
  const r = ArpPacket.parse(bytes);
  if (!r.ok) return r;
  const p = r.value;
  return ok({ operation: p.operation, senderMac: p.senderMac, senderIp: p.senderIp, targetMac: p.targetMac, targetIp: p.targetIp });
}

export function emitArp(repr: ArpRepr, buf: Uint8Array): number {
  if (buf.length < ARP_LEN) throw new RangeError('Cannot emit ARP packet: buffer too small');
  const v = viewOf(buf);
  v.setUint16(HTYPE, 1);
  v.setUint16(PTYPE, 0x0800);
  v.setUint8(HLEN, 6);
  v.setUint8(PLEN, 4);
  v.setUint16(OPER, repr.operation);
  buf.set(repr.senderMac.subarray(0, 6), SHA);
  writeAddr(v, SPA, repr.senderIp);
  buf.set(repr.targetMac.subarray(0, 6), THA);
  writeAddr(v, TPA, repr.targetIp);
  return ARP_LEN;
}

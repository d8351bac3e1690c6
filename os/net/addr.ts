/**
 * IPv4 and MAC address values shared by every network layer.
 * An IPv4 address is a uint32 number in host order (192.168.0.1 = 0xc0a80001):
 * cheap to compare, hash and mask. A MAC address is a 6-byte Uint8Array.
 */

export type Ipv4Addr = number;

export function parseIpv4(text: string): Ipv4Addr | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value >>> 0;
}

export function formatIpv4(addr: Ipv4Addr): string {
  return `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
}

export function prefixMask(prefixLength: number): number {
  if (prefixLength < 0 || prefixLength > 32) throw new RangeError(`Invalid prefix length ${prefixLength}`);
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

export function sameSubnet(a: Ipv4Addr, b: Ipv4Addr, prefixLength: number): boolean {
  const mask = prefixMask(prefixLength);
  return ((a & mask) >>> 0) === ((b & mask) >>> 0);
}

export type MacAddr = Uint8Array;

export const BROADCAST_MAC: MacAddr = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

export function formatMac(mac: MacAddr): string {
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join(':');
}

export function parseMac(text: string): MacAddr | undefined {
  const m = /^([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})$/i.exec(text);
  if (!m) return undefined;
  return new Uint8Array(m.slice(1).map((h) => parseInt(h, 16)));
}

export function macEquals(a: MacAddr, b: MacAddr): boolean {
  for (let i = 0; i < 6; i++) if (a[i] !== b[i]) return false;
  return true;
}

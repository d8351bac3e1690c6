/**
 * net/wire: bytes only. Each protocol has a view class (`XxxPacket.parse(bytes)` returns a
 * Result and guarantees every accessor is in bounds), a small value (`XxxRepr`), a
 * `parseXxx` that checks the protocol rules and returns a Result with a reason on failure,
 * and an `emitXxx(repr, buf)` that writes into a caller-sized buffer and returns the length.
 * Parsers never throw on input bytes; emitters throw RangeError only for caller bugs
 * (buffer too small, unencodable value). Nothing here imports from the layers above.
 */
export * from './result.ts';
export * from './checksum.ts';
export * from './ethernet.ts';
export * from './arp.ts';
export * from './ipv4.ts';
export * from './icmp.ts';
export * from './udp.ts';
export * from './dhcp.ts';
export * from './dns.ts';

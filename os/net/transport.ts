/**
 * The contract between the IP layer (iface) and a transport protocol (UDP, TCP).
 * Pure: `now` (ms) comes in as an argument; nothing here reads a clock or sets a timer.
 */
import type { Ipv4Addr } from './addr.ts';

/** An IP datagram a transport wants sent; iface adds the IPv4 header and routes it. */
export interface OutgoingDatagram {
  src: Ipv4Addr;
  dst: Ipv4Addr;
  protocol: number; // 6 = TCP, 17 = UDP
  payload: Uint8Array; // the transport header and data, checksum already filled in
}

export interface TransportProtocol {
  readonly protocol: number;
  /**
   * Handle one received datagram's payload. Malformed input is counted and dropped.
   * Returns false if no socket wanted it (iface then answers ICMP port unreachable for UDP;
   * TCP answers with RST itself).
   */
  input(now: number, src: Ipv4Addr, dst: Ipv4Addr, payload: Uint8Array): boolean;
  /** Emit everything that is due at `now`. */
  poll(now: number, emit: (datagram: OutgoingDatagram) => void): void;
  /** The earliest time poll() has work to do (Infinity when idle). */
  pollAt(now: number): number;
  /**
   * A datagram this transport sent was dropped because the destination is unreachable (its
   * next hop never answered ARP). `payload` is the transport header and data it sent.
   */
  unreachable?(now: number, src: Ipv4Addr, dst: Ipv4Addr, payload: Uint8Array): void;
}

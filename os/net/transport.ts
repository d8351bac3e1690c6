/**
 * The contract between the IP layer (iface) and a transport protocol (UDP, TCP).
 * Pure: `now` (ms) comes in as an argument; nothing here reads a clock or sets a timer.
 */
import type { Ipv4Addr } from './addr.ts';

/** Bytes in front of a transport payload that hold the Ethernet (14) and IPv4 (20) headers. */
export const FRAME_HEADROOM = 34;

/** An IP datagram a transport wants sent; iface adds the IPv4 header and routes it. */
export interface OutgoingDatagram {
  src: Ipv4Addr;
  dst: Ipv4Addr;
  protocol: number; // 6 = TCP, 17 = UDP
  payload: Uint8Array; // the transport header and data, checksum already filled in
  /**
   * True when `payload` starts FRAME_HEADROOM bytes into a buffer that the datagram owns
   * (`payload.byteOffset >= FRAME_HEADROOM`): the IP layer then writes its headers in front
   * of it and hands that one buffer to the driver, instead of allocating and copying a frame.
   */
  headroom?: boolean;
  /**
   * Checksum offload (only when the device has `txChecksum`): the payload's checksum field,
   * at this offset, holds only the pseudo-header sum (TCP: 16). The device finishes it; where
   * the datagram cannot go to the device as it is (looped back, waiting for ARP, no headroom)
   * the IP layer finishes it in software.
   */
  partialChecksumAt?: number;
  /**
   * TSO (only when the device has `tso`; TCP with partialChecksumAt): the payload is one TCP
   * super-segment, to be cut into segments of this many payload bytes (more than one). The
   * IP layer sends it whole (beyond the MTU) to the device, or segments it in software.
   */
  segmentSize?: number;
}

/**
 * How a transport hands a datagram to the IP layer during poll(). Returns false when the
 * datagram was NOT taken because the transmit path is full (back-pressure): the transport
 * keeps the data and sends it at a later poll, which the IP layer schedules once the device
 * has room again. Other returns (true, or nothing from a simple test sink) mean taken.
 */
export type Emit = (datagram: OutgoingDatagram) => boolean | void;

export interface TransportProtocol {
  readonly protocol: number;
  /**
   * Handle one received datagram's payload. Malformed input is counted and dropped.
   * Returns false if no socket wanted it (iface then answers ICMP port unreachable for UDP;
   * TCP answers with RST itself). `checksumVerified`: the device already validated the
   * transport checksum (virtio-net GUEST_CSUM), so it is not computed again. `segments` > 1: a
   * TCP segment that stands for that many received ones the stack joined (./rx-coalescer.ts).
   */
  input(now: number, src: Ipv4Addr, dst: Ipv4Addr, payload: Uint8Array, checksumVerified?: boolean, segments?: number): boolean;
  /** Emit everything that is due at `now`; stop emitting data once `emit` returns false. */
  poll(now: number, emit: Emit): void;
  /** The earliest time poll() has work to do (Infinity when idle). */
  pollAt(now: number): number;
  /**
   * A datagram this transport sent was dropped because the destination is unreachable (its
   * next hop never answered ARP). `payload` is the transport header and data it sent.
   */
  unreachable?(now: number, src: Ipv4Addr, dst: Ipv4Addr, payload: Uint8Array): void;
}

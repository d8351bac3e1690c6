/**
 * virtio-net driver (virtio 1.x §5.1): one receive and one transmit queue.
 *
 * Negotiates VERSION_1, MAC, MTU (if offered and ≤ MAX_MTU), STATUS, EVENT_IDX and, when
 * offered:
 * - GUEST_CSUM (receive checksum offload; NetOptions.guestChecksum = false declines it);
 * - CSUM and HOST_TSO4 (transmit offloads; NetOptions.txOffloads = false declines them): the
 *   device finishes partial checksums and cuts TCP super-segments (NetworkDevice.txChecksum
 *   and tso, os/drivers/net-device.ts). QEMU offers them on a tap with a vnet header, not on
 *   its user network.
 * - without CSUM (QEMU's user network offers no offloads): the same two capabilities in
 *   software (NetOptions.softwareOffloads = false declines them): the driver finishes each
 *   partial checksum and cuts each super-segment into the TX buffers itself with the core's
 *   hw.segmentTcp, so the interpreter builds one super-segment where it would build up to 45
 *   segments (Linux's GSO). A super-segment then needs one TX buffer per segment, at most
 *   tso.maxSegments of them.
 * - GUEST_TSO4 with MRG_RXBUF (receive offloads; NetOptions.rxOffloads = false declines them;
 *   they need GUEST_CSUM): the host may hand over one TCP packet of up to 64 KiB (its GRO or
 *   TSO output), spread over num_buffers receive buffers (§5.1.6.4), which the driver gathers
 *   into one frame (one copy). Without them every received frame fits one buffer behind a
 *   12-byte virtio_net_hdr (§5.1.6: with VERSION_1 the header always includes num_buffers).
 *
 * Memory, allocated once at start: the rings, one DMA region of RX buffers (one per RX
 * descriptor, each re-posted as soon as its frame was handed on) and one of TX buffers; with
 * HOST_TSO4, GSO_BUFFERS of them are big enough for a super-segment (GSO_BUFFER_BYTES).
 *
 * Receive (zero-copy, no allocation besides one view per frame): `onReceive(handler)`.
 * During service() the handler is called with a Uint8Array view of the frame (Ethernet
 * header onward) INSIDE the DMA buffer; it is valid only until the handler returns, since
 * the buffer goes straight back to the device. Copy what you keep. Its second argument is
 * true when GUEST_CSUM was negotiated and the header says the device validated the
 * transport checksum (DATA_VALID) or the packet's checksum is partial by construction
 * (NEEDS_CSUM, §5.1.6.4.1): the stack then does not compute it again.
 *
 * Transmit (one copy): `transmit(frame, more, offload)` copies into a free TX buffer (a big
 * one for a super-segment) and writes its virtio_net_hdr (§5.1.6.2: NEEDS_CSUM with
 * csum_start/csum_offset; GSO_TCPV4 with gso_size). It returns false when no buffer of the
 * kind needed is free (back-pressure; `onWritable` fires from service() once one is free again:
 * the TX completion interrupt is enabled only while someone waits, so the stack keeps the
 * refused frame queued rather than dropping it). `more = true` defers the notification
 * (batching, like Linux's xmit_more) until a later transmit without it or `flush()`.
 * `txBuffer()` + `send(length)` let a caller build a plain frame directly in DMA memory.
 */

import { requireGroups, VNET_HDR, type Hw } from '../../hw/hw.ts';
import { writeVnetHeader } from '../vnet-header.ts';
import {
  DEVICE_NET, F_EVENT_IDX, ISR_CONFIG, NET_F_CSUM, NET_F_GUEST_CSUM, NET_F_GUEST_TSO4, NET_F_HOST_TSO4, NET_F_MAC, NET_F_MRG_RXBUF,
  NET_F_MTU, NET_F_STATUS,
  STATUS_DEVICE_NEEDS_RESET, bit, hasFeature,
} from './constants.ts';
import type { NetworkDevice, TxOffload } from '../net-device.ts';
import { ackLines, openQueue, type Driver, type VirtioHw } from './device.ts';
import { beginInit, failDevice, finishInit, readConfigBytes, VirtioError, type VirtioTransport } from './transport.ts';
import type { Virtqueue, VirtqueueStats } from './virtqueue.ts';

/** §5.1.6: struct virtio_net_hdr with VERSION_1 (num_buffers included). */
export const NET_HEADER_LEN = 12;
/** Ethernet header plus one VLAN tag: what the MTU does not count. */
const ETH_OVERHEAD = 18;
export const DEFAULT_MTU = 1500;
/** Largest device MTU accepted; a bigger one is not negotiated (RX buffers are per frame). */
export const MAX_MTU = 9000;
/**
 * With HOST_TSO4: this many TX buffers take a super-segment of up to GSO_BUFFER_BYTES (header
 * included). 4 x 64 KiB of DMA memory: each frame carries up to 45 segments of 1448 bytes, and a small
 * guest's DMA reserve (1 MiB + 1/16 of its heap) still holds the rings and the other buffers.
 */
export const GSO_BUFFERS = 4;
export const GSO_BUFFER_BYTES = 64 * 1024;

// §5.1.4 struct virtio_net_config
const CFG_MAC = 0;
const CFG_STATUS = 6;
const CFG_MTU = 10;
const NET_S_LINK_UP = 1;

const RX_QUEUE = 0;
const TX_QUEUE = 1;

export interface NetOptions {
  /** Upper bound for both queue sizes (rounded down to a power of two). Default 256. */
  queueSize?: number;
  /** Max frames handled per service() call before yielding (hasPendingWork). Default queue size. */
  rxBudget?: number;
  /** Negotiate GUEST_CSUM when the device offers it (default true). */
  guestChecksum?: boolean;
  /** Negotiate CSUM and HOST_TSO4 when the device offers them (default true). */
  txOffloads?: boolean;
  /** Negotiate GUEST_TSO4 and MRG_RXBUF when the device offers them with GUEST_CSUM (default true). */
  rxOffloads?: boolean;
  /** Without CSUM from the device, offer txChecksum and tso done in software by hw.segmentTcp (default true). */
  softwareOffloads?: boolean;
}

/** The largest packet a device may merge for GUEST_TSO4: IPv4's 65535 plus an Ethernet header and a VLAN tag. */
const MAX_MERGED_FRAME = 65535 + ETH_OVERHEAD;

export interface NetStats {
  rxPackets: number;
  rxBytes: number;
  /** Frames dropped: no handler yet, empty frames, or invalid lengths from the device. */
  rxDropped: number;
  /** Frames whose transport checksum the device vouched for (GUEST_CSUM). */
  rxChecksumVerified: number;
  txPackets: number;
  txBytes: number;
  /** transmit() refused because every TX buffer (of the kind needed) was in flight. */
  txFull: number;
  /** Received packets that spanned several buffers (MRG_RXBUF), and merged packets dropped as malformed. */
  rxMerged: number;
  rxMergedBad: number;
  /** Frames sent with a partial checksum (NEEDS_CSUM), and those of them that were super-segments. */
  txChecksumOffloaded: number;
  txSuperSegments: number;
  /** Frames whose checksum, and super-segments that the driver cut, in software (hw.segmentTcp). */
  txChecksumInSoftware: number;
  txSegmentedInSoftware: number;
  configChanges: number;
}

/**
 * Software TSO: a super-segment takes at most this many TX buffers (and at most half the
 * queue), so that four of them fit a 256-entry queue. 45 segments of 1448 bytes fill 64 KiB.
 */
export const SOFTWARE_TSO_MAX_SEGMENTS = 64;

export class VirtioNet implements Driver, NetworkDevice {
  readonly name: string;
  readonly transport: VirtioTransport;
  readonly features: bigint;
  /** 6 bytes: the device's address, or a random locally administered one if it has none. */
  readonly mac: Uint8Array;
  /** Largest payload (L3 packet) the link carries. */
  readonly mtu: number;
  /** Largest frame transmit() accepts (mtu + Ethernet header + one VLAN tag). */
  readonly maxFrame: number;
  readonly stats: NetStats = {
    rxPackets: 0, rxBytes: 0, rxDropped: 0, rxChecksumVerified: 0, rxMerged: 0, rxMergedBad: 0, txPackets: 0, txBytes: 0, txFull: 0,
    txChecksumOffloaded: 0, txSuperSegments: 0, txChecksumInSoftware: 0, txSegmentedInSoftware: 0, configChanges: 0,
  };
  /** CSUM negotiated: transmit() takes partial checksums (TxOffload). */
  readonly txChecksum?: boolean;
  /**
   * HOST_TSO4 negotiated, or software offloads: transmit() takes TCP super-segments of up to
   * maxBytes of payload (and in software of at most maxSegments segments).
   */
  readonly tso?: { readonly maxBytes: number; readonly maxSegments?: number };
  linkUp = true;
  failed: string | undefined;

  readonly #hw: VirtioHw;
  readonly #rxq: Virtqueue;
  readonly #txq: Virtqueue;
  readonly #bufSize: number;
  readonly #rxPhys: number;
  readonly #rxViews: Uint8Array[] = [];
  readonly #txPhys: number;
  /** Frame area (after the header) of each TX buffer, created once. */
  readonly #txViews: Uint8Array[] = [];
  readonly #txFree: Uint16Array;
  #txFreeCount: number;
  #txReserved = -1;
  /** Slots whose header may be non-zero (an offloaded frame used them last). */
  readonly #txHeaderDirty: Uint8Array;
  /** The GSO buffers (slots txq.size - GSO_BUFFERS .. txq.size - 1), when HOST_TSO4 is on. */
  readonly #gsoFree: number[] = [];
  readonly #gsoFirst: number;
  #gsoPhys = 0;
  readonly #gsoViews: Uint8Array[] = [];
  #gsoHeaders: DataView | undefined;
  readonly #txHeaders: DataView;
  #rxBudget: number;
  #rxPending = false;
  #wantWritable = false;
  /** TX buffers the refused transmit needed (a software super-segment needs one per segment). */
  #wantSlots = 1;
  /** The device has no CSUM: txChecksum and tso are done here with hw.segmentTcp. */
  readonly #softOffload: boolean;
  readonly #guestCsum: boolean;
  /** MRG_RXBUF negotiated: a packet may span buffers; they are gathered here. */
  readonly #merged: Uint8Array | undefined;
  /** Out-parameter of #gather: the buffers it took after the first. */
  #gatheredBuffers = 0;
  #onReceive: ((frame: Uint8Array, checksumVerified: boolean, more: boolean) => void) | undefined;
  #onWritable: (() => void) | undefined;

  private constructor(hw: VirtioHw, t: VirtioTransport, opts: NetOptions) {
    this.#hw = hw;
    this.transport = t;
    this.name = t.description;
    if (t.deviceType !== DEVICE_NET) throw new TypeError(`${t.description} is not a network device`);

    let deviceMtu = DEFAULT_MTU;
    const txOffloads = opts.txOffloads === false ? 0n : bit(NET_F_CSUM) | bit(NET_F_HOST_TSO4);
    const optional = bit(NET_F_MAC) | bit(NET_F_MTU) | bit(NET_F_STATUS) | bit(F_EVENT_IDX)
      | (opts.guestChecksum === false ? 0n : bit(NET_F_GUEST_CSUM)) | txOffloads
      | (opts.rxOffloads === false || opts.guestChecksum === false ? 0n : bit(NET_F_GUEST_TSO4) | bit(NET_F_MRG_RXBUF));
    this.features = beginInit(t, optional, 0n,
      (offered) => {
        let wanted = (bit(NET_F_MAC) | bit(NET_F_STATUS) | bit(F_EVENT_IDX) | bit(NET_F_GUEST_CSUM) | bit(NET_F_CSUM)) & optional;
        // §5.1.3.1: HOST_TSO4 requires CSUM; GUEST_TSO4 requires GUEST_CSUM. GUEST_TSO4 is taken only
        // with MRG_RXBUF, since without it every receive buffer would have to hold 64 KiB.
        if (hasFeature(offered, NET_F_CSUM)) wanted |= bit(NET_F_HOST_TSO4) & optional;
        if (hasFeature(offered, NET_F_GUEST_CSUM) && hasFeature(offered, NET_F_GUEST_TSO4) && hasFeature(offered, NET_F_MRG_RXBUF)
          && (wanted & bit(NET_F_GUEST_CSUM)) !== 0n) {
          wanted |= (bit(NET_F_GUEST_TSO4) | bit(NET_F_MRG_RXBUF)) & optional;
        }
        if (hasFeature(offered, NET_F_MTU)) {
          // §5.1.4.1: the device supplies an MTU of at least 68.
          const mtu = t.configRead(CFG_MTU, 2);
          if (mtu >= 68 && mtu <= MAX_MTU) {
            deviceMtu = mtu;
            wanted |= bit(NET_F_MTU);
          }
        }
        return wanted;
      });
    try {
      this.mtu = hasFeature(this.features, NET_F_MTU) ? deviceMtu : DEFAULT_MTU;
      this.#guestCsum = hasFeature(this.features, NET_F_GUEST_CSUM);
      this.#merged = hasFeature(this.features, NET_F_MRG_RXBUF) ? new Uint8Array(MAX_MERGED_FRAME) : undefined;
      this.#softOffload = !hasFeature(this.features, NET_F_CSUM) && opts.softwareOffloads !== false && typeof hw.segmentTcp === 'function';
      if (hasFeature(this.features, NET_F_CSUM) || this.#softOffload) this.txChecksum = true;
      // A super-segment's payload: the buffer less the virtio, Ethernet and largest IP/TCP headers.
      if (this.txChecksum && hasFeature(this.features, NET_F_HOST_TSO4)) this.tso = { maxBytes: GSO_BUFFER_BYTES - NET_HEADER_LEN - 14 - 20 - 60 };
      this.maxFrame = this.mtu + ETH_OVERHEAD;
      this.mac = hasFeature(this.features, NET_F_MAC) ? readConfigBytes(t, CFG_MAC, 6) : randomMac(hw);
      if (hasFeature(this.features, NET_F_STATUS)) this.linkUp = (t.configRead(CFG_STATUS, 2) & NET_S_LINK_UP) !== 0;

      t.setupInterrupts();
      const eventIdx = hasFeature(this.features, F_EVENT_IDX);
      const wanted = opts.queueSize ?? 256;
      const onBroken = (why: string) => this.#fail(why);
      this.#rxq = openQueue(hw, t, RX_QUEUE, wanted, eventIdx, onBroken);
      this.#txq = openQueue(hw, t, TX_QUEUE, wanted, eventIdx, onBroken);
      this.#rxBudget = opts.rxBudget ?? this.#rxq.size;
      if (this.#softOffload) this.tso = { maxBytes: 65535 - 20 - 60, maxSegments: Math.min(SOFTWARE_TSO_MAX_SEGMENTS, this.#txq.size >> 1) };

      // §5.1.6.3.1: without MRG_RXBUF each buffer holds a whole frame plus the header.
      this.#bufSize = (NET_HEADER_LEN + this.maxFrame + 63) & ~63;
      const rx = hw.dmaAlloc(this.#bufSize * this.#rxq.size);
      this.#rxPhys = rx.phys;
      for (let i = 0; i < this.#rxq.size; i++) {
        this.#rxViews.push(new Uint8Array(rx.buffer, i * this.#bufSize, this.#bufSize));
        // Offer header + maxFrame, not the padded slot: a device that claims to have written
        // more than a frame can be is then caught by the used-length check.
        this.#rxq.addBuffer(this.#rxPhys + i * this.#bufSize, NET_HEADER_LEN + this.maxFrame, true, i);
      }
      // With TSO the last GSO_BUFFERS slots are big ones, so that every slot still has a descriptor.
      const gso = this.tso && !this.#softOffload ? Math.min(GSO_BUFFERS, this.#txq.size >> 1) : 0;
      this.#gsoFirst = this.#txq.size - gso;
      const tx = hw.dmaAlloc(this.#bufSize * this.#gsoFirst);
      this.#txPhys = tx.phys;
      this.#txFree = new Uint16Array(this.#gsoFirst);
      this.#txHeaderDirty = new Uint8Array(this.#txq.size);
      for (let i = 0; i < this.#gsoFirst; i++) {
        this.#txViews.push(new Uint8Array(tx.buffer, i * this.#bufSize + NET_HEADER_LEN, this.maxFrame));
        this.#txFree[i] = this.#gsoFirst - 1 - i;
      }
      this.#txFreeCount = this.#gsoFirst;
      this.#txHeaders = new DataView(tx.buffer);
      if (gso > 0) {
        const big = hw.dmaAlloc(GSO_BUFFER_BYTES * gso);
        this.#gsoPhys = big.phys;
        this.#gsoHeaders = new DataView(big.buffer);
        for (let k = 0; k < gso; k++) {
          this.#gsoViews.push(new Uint8Array(big.buffer, k * GSO_BUFFER_BYTES, GSO_BUFFER_BYTES));
          this.#gsoFree.push(this.#gsoFirst + k);
        }
      }

      this.#rxq.enableInterrupts();
      // TX completions are reaped lazily; an interrupt is requested only under back-pressure.
      this.#txq.disableInterrupts();
      finishInit(t);
    } catch (e) {
      // Whatever went wrong, the device is told the driver gave up (FAILED).
      const failed = failDevice(t, 'ERR_VIRTIO_INIT', `network device setup failed: ${(e as Error).message}`);
      throw e instanceof VirtioError ? e : failed;
    }
    // §3.1.1: no notification before DRIVER_OK; the filled receive ring is announced now.
    this.#rxq.kick();
  }

  /** Initialise the device behind `transport` (§3.1.1 + §5.1.5). Throws VirtioError. */
  static start(hw: Hw, transport: VirtioTransport, opts: NetOptions = {}): VirtioNet {
    return new VirtioNet(requireGroups(hw, ['dma', 'irq'], 'virtio-net'), transport, opts);
  }

  get irqMask(): number { return this.transport.irqMask; }
  get hasPendingWork(): boolean { return this.#rxPending; }
  get rxQueueStats(): Readonly<VirtqueueStats> { return this.#rxq.stats; }
  get txQueueStats(): Readonly<VirtqueueStats> { return this.#txq.stats; }
  /** TX buffers currently free (after reaping what the device finished). */
  get txAvailable(): number { this.#reapTx(); return this.#txFreeCount; }

  /** Whether the device validates received checksums for us (GUEST_CSUM negotiated). */
  get rxChecksumOffload(): boolean { return this.#guestCsum; }

  /** Set the receive handler (see the file comment for the view's lifetime and its flag). */
  onReceive(handler: ((frame: Uint8Array, checksumVerified: boolean, more: boolean) => void) | undefined): void { this.#onReceive = handler; }
  /** Called from service() when a TX buffer frees up after transmit() returned false. */
  onWritable(handler: (() => void) | undefined): void { this.#onWritable = handler; }

  /**
   * Queue one Ethernet frame (without FCS), with the offloads `offload` asks for (only those
   * negotiated: txChecksum, tso). Returns false if no TX buffer of the kind needed is free or
   * the device failed; throws RangeError for an empty frame, one above maxFrame (or above a
   * GSO buffer for a super-segment) and an offload the device did not agree to.
   */
  transmit(frame: Uint8Array, more = false, offload?: TxOffload): boolean {
    if (offload !== undefined) {
      if (this.txChecksum !== true) throw new RangeError('a partial checksum on a device without CSUM');
      if (!(offload.checksumStart >= 0 && offload.checksumStart + offload.checksumOffset + 2 <= frame.length)) {
        throw new RangeError(`a checksum field past the frame's end (${offload.checksumStart}+${offload.checksumOffset} of ${frame.length} bytes)`);
      }
      if (this.#softOffload) return this.#transmitInSoftware(frame, more, offload);
      if (offload.segmentSize > 0) return this.#transmitSuperSegment(frame, more, offload);
    }
    const buf = this.txBuffer();
    if (buf === undefined) return false;
    if (frame.length > buf.length || frame.length === 0) {
      throw new RangeError(`Cannot transmit a ${frame.length}-byte frame: must be 1..${this.maxFrame} bytes`);
    }
    buf.set(frame);
    if (offload !== undefined) writeVnetHeader(this.#txHeaders, this.#txReserved * this.#bufSize, offload);
    return this.send(frame.length, more, offload !== undefined);
  }

  #transmitSuperSegment(frame: Uint8Array, more: boolean, offload: TxOffload): boolean {
    if (this.tso === undefined) throw new RangeError('a TCP super-segment on a device without HOST_TSO4');
    if (frame.length === 0 || NET_HEADER_LEN + frame.length > GSO_BUFFER_BYTES) {
      throw new RangeError(`Cannot transmit a ${frame.length}-byte super-segment: must be 1..${GSO_BUFFER_BYTES - NET_HEADER_LEN} bytes`);
    }
    if (this.failed !== undefined) return false;
    if (!this.#haveRoom(true)) return false;
    const slot = this.#gsoFree.pop()!, k = slot - this.#gsoFirst;
    this.#gsoViews[k]!.set(frame, NET_HEADER_LEN);
    writeVnetHeader(this.#gsoHeaders!, k * GSO_BUFFER_BYTES, offload);
    if (!this.#txq.addBuffer(this.#gsoPhys + k * GSO_BUFFER_BYTES, NET_HEADER_LEN + frame.length, false, slot)) {
      this.#gsoFree.push(slot);
      return false;
    }
    this.stats.txPackets++;
    this.stats.txBytes += frame.length;
    this.stats.txChecksumOffloaded++;
    this.stats.txSuperSegments++;
    if (!more) this.#txq.kick();
    return true;
  }

  /**
   * The device has no CSUM: the checksum is finished, and a super-segment cut into one TX
   * buffer per segment, by hw.segmentTcp, straight into the buffers (one copy, as for a plain
   * frame). All its buffers are reserved first: a super-segment goes out whole or not at all.
   */
  #transmitInSoftware(frame: Uint8Array, more: boolean, offload: TxOffload): boolean {
    const size = offload.segmentSize;
    if (frame.length < 14 + 20 + 20) throw new RangeError(`Cannot transmit a ${frame.length}-byte frame with a partial TCP checksum`);
    const header = 14 + (frame[14]! & 0x0f) * 4 + (frame[14 + (frame[14]! & 0x0f) * 4 + 12]! >> 4) * 4;
    const payload = frame.length - header;
    const count = size > 0 && payload > size ? Math.ceil(payload / size) : 1;
    if (count > 1 && count > this.tso!.maxSegments!) {
      throw new RangeError(`a ${payload}-byte super-segment of ${size}-byte segments needs ${count} buffers, over ${this.tso!.maxSegments}`);
    }
    if (count === 1 && frame.length > this.maxFrame) {
      throw new RangeError(`Cannot transmit a ${frame.length}-byte frame: must be 1..${this.maxFrame} bytes`);
    }
    if (this.failed !== undefined) return false;
    if (!this.#haveRoom(false, count)) return false;
    const segmentSize = count > 1 ? size : 0xffff, views = this.#txViews;
    for (let k = 0; k < count; k++) {
      const slot = this.#txFree[--this.#txFreeCount]!;
      let length: number;
      try {
        length = this.#hw.segmentTcp(frame, k, segmentSize, views[slot]!);
      } catch (e) {
        this.#txFree[this.#txFreeCount++] = slot; // only the first segment can fail: the frame's checks
        throw e;
      }
      if (this.#txHeaderDirty[slot]) this.#zeroHeader(slot);
      if (!this.#txq.addBuffer(this.#txPhys + slot * this.#bufSize, NET_HEADER_LEN + length, false, slot)) {
        this.#txFree[this.#txFreeCount++] = slot;
        if (k > 0) this.#txq.kick();
        return false;
      }
      this.stats.txPackets++;
      this.stats.txBytes += length;
    }
    this.stats.txChecksumInSoftware++;
    if (count > 1) this.stats.txSegmentedInSoftware++;
    if (!more) this.#txq.kick();
    return true;
  }

  /**
   * Reserve the next TX buffer and return its frame area (maxFrame bytes) to write a frame
   * into; undefined under back-pressure. The same buffer is returned until send() uses it.
   */
  txBuffer(): Uint8Array | undefined {
    if (this.failed !== undefined) return undefined;
    if (this.#txReserved < 0) {
      if (!this.#haveRoom(false)) return undefined;
      this.#txReserved = this.#txFree[--this.#txFreeCount]!;
    }
    return this.#txViews[this.#txReserved]!;
  }

  /**
   * Hand the frame written into txBuffer() (its first `length` bytes) to the device.
   * `offloaded`: transmit() wrote the slot's header; otherwise it is made all zero.
   */
  send(length: number, more = false, offloaded = false): boolean {
    const slot = this.#txReserved;
    if (slot < 0) throw new RangeError('send() without a buffer from txBuffer()');
    if (!(length >= 1 && length <= this.maxFrame)) {
      throw new RangeError(`Cannot transmit a ${length}-byte frame: must be 1..${this.maxFrame} bytes`);
    }
    if (this.failed !== undefined) return false;
    this.#txReserved = -1;
    // A plain frame's header is all zero: zeroed by dmaAlloc, and again after an offloaded frame.
    if (offloaded) this.#txHeaderDirty[slot] = 1;
    else if (this.#txHeaderDirty[slot]) this.#zeroHeader(slot);
    if (!this.#txq.addBuffer(this.#txPhys + slot * this.#bufSize, NET_HEADER_LEN + length, false, slot)) {
      this.#txFree[this.#txFreeCount++] = slot;
      return false;
    }
    if (offloaded) this.stats.txChecksumOffloaded++;
    this.stats.txPackets++;
    this.stats.txBytes += length;
    if (!more) this.#txq.kick();
    return true;
  }

  /** A plain frame's virtio_net_hdr is all zero: clear what an offloaded frame left in the slot. */
  #zeroHeader(slot: number): void {
    for (let i = 0; i < NET_HEADER_LEN; i += 4) this.#txHeaders.setUint32(slot * this.#bufSize + i, 0);
    this.#txHeaderDirty[slot] = 0;
  }

  /** Notify the device of frames queued with `more = true`. */
  flush(): void { this.#txq.kick(); }

  service(_now: number, ready: number = this.irqMask): void {
    const mine = ready & this.irqMask;
    let error: unknown;
    try {
      // Acknowledge on the device even when failed: a level-triggered INTx stays asserted otherwise.
      const why = mine !== 0 ? this.transport.ackInterrupt(mine) : 0;
      if (this.failed === undefined) {
        if ((why & ISR_CONFIG) !== 0) this.#configChanged();
        error = this.#drainRx();
        this.#reapTx();
        if (this.#wantWritable) {
          if (this.#txFreeCount >= this.#wantSlots && (this.#gsoViews.length === 0 || this.#gsoFree.length > 0)) {
            this.#wantWritable = false;
            this.#txq.disableInterrupts();
            this.#onWritable?.();
          } else if (this.#txq.enableInterrupts()) {
            // Not yet room for a software super-segment: wait for the next completion.
            this.#reapTx();
          }
        }
      }
    } finally {
      ackLines(this.#hw, mine);
    }
    if (error !== undefined) throw error;
  }

  #drainRx(): unknown {
    const rxq = this.#rxq;
    let budget = this.#rxBudget;
    let error: unknown;
    // Fixed once the features are negotiated: read once per batch, not once per frame.
    const views = this.#rxViews, merging = this.#merged !== undefined, guestCsum = this.#guestCsum;
    const rxPhys = this.#rxPhys, bufSize = this.#bufSize, offered = NET_HEADER_LEN + this.maxFrame, stats = this.stats;
    for (;;) {
      let token: number;
      while (budget > 0 && (token = rxq.popUsed()) >= 0) {
        budget--;
        const length = rxq.usedLength;
        const handler = this.#onReceive;
        const view = views[token]!;
        // §5.1.6.4: with MRG_RXBUF, num_buffers says how many buffers this packet took.
        const buffers = merging && length >= NET_HEADER_LEN ? view[10]! | (view[11]! << 8) : 1;
        let frame: Uint8Array | undefined;
        if (buffers > 1) {
          frame = this.#gather(view, length, buffers);
          budget = Math.max(0, budget - this.#gatheredBuffers); // the buffers taken, not those claimed
        } else if (length > NET_HEADER_LEN && length <= offered && buffers === 1) {
          frame = view.subarray(NET_HEADER_LEN, length);
        }
        if (frame === undefined || handler === undefined) {
          stats.rxDropped++;
        } else {
          stats.rxPackets++;
          stats.rxBytes += frame.length;
          const verified = guestCsum && (view[VNET_HDR.FLAGS]! & (VNET_HDR.F_DATA_VALID | VNET_HDR.F_NEEDS_CSUM)) !== 0;
          if (verified) stats.rxChecksumVerified++;
          try {
            handler(frame, verified, budget > 0 && rxq.hasUsed());
          } catch (e) {
            // Keep the ring consistent; the first handler error is rethrown after the batch.
            error ??= e;
          }
        }
        rxq.addBuffer(rxPhys + token * bufSize, offered, true, token);
      }
      rxq.kick();
      if (budget === 0) {
        this.#rxPending = rxq.hasUsed();
        return error;
      }
      // Re-arm, then re-check: a frame used in between would otherwise never interrupt.
      if (!rxq.enableInterrupts()) break;
    }
    this.#rxPending = false;
    return error;
  }

  /**
   * One packet over `buffers` receive buffers (MRG_RXBUF): the first holds the header and the
   * frame's start, each next used buffer the continuation from its first byte. They are copied
   * into #merged and re-posted; undefined (the packet dropped, counted) when the buffers do not
   * add up to a frame of at most MAX_MERGED_FRAME bytes or the device used fewer than it said.
   */
  #gather(first: Uint8Array, length: number, buffers: number): Uint8Array | undefined {
    const rxq = this.#rxq, out = this.#merged!;
    let at = length - NET_HEADER_LEN, ok = at > 0;
    if (ok) out.set(first.subarray(NET_HEADER_LEN, length), 0);
    this.#gatheredBuffers = 0;
    for (let k = 1; k < buffers; k++) {
      const token = rxq.popUsed();
      if (token < 0) { ok = false; break; }
      this.#gatheredBuffers++;
      const n = rxq.usedLength;
      if (ok && n > 0 && at + n <= out.length) out.set(this.#rxViews[token]!.subarray(0, n), at);
      else ok = false;
      at += n;
      rxq.addBuffer(this.#rxPhys + token * this.#bufSize, NET_HEADER_LEN + this.maxFrame, true, token);
    }
    if (!ok) { this.stats.rxMergedBad++; return undefined; }
    this.stats.rxMerged++;
    return out.subarray(0, at);
  }

  /**
   * True when a TX buffer of the kind needed (a GSO one for a super-segment) is free, after
   * reaping finished ones if needed. Otherwise back-pressure: frames queued with more=true are
   * announced (or nothing ever completes), the TX completion interrupt is armed so that
   * service() calls onWritable, and completions that raced in are taken.
   */
  #haveRoom(gso: boolean, slots = 1): boolean {
    if (this.#roomFor(gso, slots)) return true;
    this.#reapTx();
    if (this.#roomFor(gso, slots)) return true;
    this.#txq.kick();
    this.stats.txFull++;
    this.#wantWritable = true;
    this.#wantSlots = gso ? 1 : slots;
    if (this.#txq.enableInterrupts()) this.#reapTx();
    return this.#roomFor(gso, slots);
  }

  #roomFor(gso: boolean, slots: number): boolean {
    return gso ? this.#gsoFree.length > 0 : this.#txFreeCount >= slots;
  }

  #reapTx(): void {
    let token: number;
    while ((token = this.#txq.popUsed()) >= 0) {
      if (token >= this.#gsoFirst) this.#gsoFree.push(token);
      else this.#txFree[this.#txFreeCount++] = token;
    }
  }

  #configChanged(): void {
    this.stats.configChanges++;
    const t = this.transport;
    if ((t.getStatus() & STATUS_DEVICE_NEEDS_RESET) !== 0) {
      this.#fail('device set DEVICE_NEEDS_RESET');
      return;
    }
    if (hasFeature(this.features, NET_F_STATUS)) this.linkUp = (t.configRead(CFG_STATUS, 2) & NET_S_LINK_UP) !== 0;
  }

  #fail(why: string): void {
    if (this.failed !== undefined) return;
    this.failed = failDevice(this.transport, 'ERR_VIRTIO_BROKEN', why).message;
  }
}

/** A random unicast, locally administered address (IEEE 802: bit 1 set, bit 0 clear). */
function randomMac(hw: Hw): Uint8Array {
  const mac = new Uint8Array(6);
  if (hw.entropy(mac) < 6) {
    const t = Math.floor(hw.now() * 1000);
    for (let i = 0; i < 6; i++) mac[i] = (t >>> (i * 5)) & 0xff;
  }
  mac[0] = (mac[0]! & 0xfe) | 0x02;
  return mac;
}

/** TCP tunables, their defaults and the internal contract between `Tcp` and its connections. */
import type { Ipv4Addr } from '../addr.ts';

export interface KeepAliveOptions {
  /** Idle time (ms) before the first probe (Linux default 7200 s). */
  idle?: number;
  /** Time (ms) between unanswered probes (default 75 s). */
  interval?: number;
  /** Unanswered probes before ETIMEDOUT (default 9). */
  count?: number;
}

export interface TcpOptions {
  /** Fills a buffer with cryptographically secure random bytes (ISN secret, ports, TS offsets). */
  random: (buf: Uint8Array) => void;
  /** Local address for connect() when the call does not name one. */
  localAddress?: () => Ipv4Addr | undefined;
  /** MSS we announce and the largest we send (default 1460 = MTU 1500 - 40). */
  mss?: number;
  /** Per-connection send buffer cap in bytes (default 128 KiB). */
  sendBufferSize?: number;
  /**
   * The device finishes checksums (NetworkDevice.txChecksum; default false): segments go out
   * with only the pseudo-header sum in their checksum field (OutgoingDatagram.partialChecksumAt).
   */
  txChecksum?: boolean;
  /**
   * The device segments (NetworkDevice.tso; needs txChecksum): data goes out in super-segments
   * of up to this many payload bytes, a multiple of the segment size, which the device cuts
   * into segments (OutgoingDatagram.segmentSize). 0 or absent: one segment per datagram.
   */
  tsoMaxBytes?: number;
  /** The device cuts a super-segment into at most this many segments (Linux's gso_max_segs; default no limit). */
  tsoMaxSegments?: number;
  /** Per-connection receive buffer cap in bytes, incl. out-of-order data (default 128 KiB). */
  receiveBufferSize?: number;
  /** Connection cap, every state but TIME-WAIT (default 1024; the image scales it with memory). */
  maxConnections?: number;
  /** True while memory is short: new SYNs then replace the oldest half-open one or get a RST. */
  memoryPressure?: () => boolean;
  /**
   * Connections admitted even under memory pressure (default 4): with fewer than this the
   * memory is not held by connections, so refusing more frees nothing and would lock every
   * client out for as long as the program's own heap stays above the line (issue 10).
   */
  pressureFloor?: number;
  /** Maximum segment lifetime; TIME-WAIT lasts 2*MSL (default 30 000 ms). */
  msl?: number;
  /** TIME-WAIT records kept (compact, 48 bytes each; default 4 * maxConnections); the oldest is evicted when full. */
  maxTimeWait?: number;
  /** RFC 6298 bounds and initial value (defaults 200 ms, 60 000 ms, 1000 ms). */
  minRto?: number;
  maxRto?: number;
  initialRto?: number;
  /** Retransmissions of data/FIN (and unanswered zero-window probes) before ETIMEDOUT (default 12). */
  maxRetransmits?: number;
  /** Retransmissions of SYN / SYN-ACK before giving up (default 6). */
  synRetries?: number;
  /** Deadline for the handshake, both SYN-SENT and SYN-RECEIVED (default 75 000 ms). */
  connectTimeout?: number;
  /** Idle time in FIN-WAIT-2 before the connection is dropped (default 60 000 ms). */
  finWait2Timeout?: number;
  /** Delayed-ACK timeout (default 40 ms; 0 acknowledges every segment at once). */
  delayedAckTimeout?: number;
  /** Offer RFC 7323 window scaling / timestamps and RFC 2018 SACK-permitted (default true). */
  windowScaling?: boolean;
  timestamps?: boolean;
  sack?: boolean;
  /** Out-of-order ranges kept per connection (default 16); the bytes live in the receive buffer. */
  maxOooRanges?: number;
  /** RFC 5961 §7: challenge ACKs allowed per second, per stack (default 100). */
  challengeAckLimit?: number;
  /** RSTs for unknown connections queued between polls (default 64; excess dropped). */
  maxPendingRsts?: number;
  /** Default Nagle setting of new connections (default false: Nagle on). */
  noDelay?: boolean;
  /** Default keep-alive of new connections (default off). */
  keepAlive?: KeepAliveOptions | false;
  /** RFC 4987 §3.6: answer SYNs with cookies when a listener's SYN queue is full (default true). */
  synCookies?: boolean;
  /**
   * Bytes the stack may still take for receive buffers before memory is short (default: no
   * limit). Read once per input/poll; the advertised windows shrink to fit it (they never
   * promise more new buffer memory than this, shared among the connections).
   */
  memoryHeadroom?: () => number;
  /** Listener defaults: accept queue and half-open (SYN-RECEIVED) caps (default 128 each). */
  backlog?: number;
  synBacklog?: number;
}

export interface ResolvedConfig {
  mss: number;
  sendBufferSize: number;
  txChecksum: boolean;
  /** 0: no TSO. */
  tsoMaxBytes: number;
  /** Infinity: no limit. */
  tsoMaxSegments: number;
  receiveBufferSize: number;
  maxConnections: number;
  pressureFloor: number;
  msl: number;
  maxTimeWait: number;
  minRto: number;
  maxRto: number;
  initialRto: number;
  maxRetransmits: number;
  synRetries: number;
  connectTimeout: number;
  finWait2Timeout: number;
  delayedAckTimeout: number;
  windowScaling: boolean;
  timestamps: boolean;
  sack: boolean;
  maxOooRanges: number;
  challengeAckLimit: number;
  maxPendingRsts: number;
  noDelay: boolean;
  keepAlive: Required<KeepAliveOptions> | undefined;
  backlog: number;
  synBacklog: number;
  synCookies: boolean;
}

function positive(name: string, value: number | undefined, dflt: number, min = 1): number {
  if (value === undefined) return dflt;
  if (typeof value !== 'number' || Number.isNaN(value) || value < min) {
    throw new RangeError(`Invalid TCP option ${name}: ${value}`);
  }
  return value;
}

export function resolveKeepAlive(k: KeepAliveOptions | false | undefined): Required<KeepAliveOptions> | undefined {
  if (!k) return undefined;
  return {
    idle: positive('keepAlive.idle', k.idle, 7_200_000),
    interval: positive('keepAlive.interval', k.interval, 75_000),
    count: positive('keepAlive.count', k.count, 9),
  };
}

export function resolveConfig(o: TcpOptions): ResolvedConfig {
  if (typeof o.random !== 'function') throw new TypeError('TCP needs a random(buf) function');
  const mss = positive('mss', o.mss, 1460, 64);
  if (mss > 65495) throw new RangeError(`Invalid TCP option mss: ${mss}`);
  return {
    mss,
    sendBufferSize: positive('sendBufferSize', o.sendBufferSize, 128 * 1024),
    txChecksum: o.txChecksum ?? false,
    tsoMaxBytes: o.txChecksum === true ? Math.min(positive('tsoMaxBytes', o.tsoMaxBytes, 0, 0), 65535 - 20 - 60) : 0,
    tsoMaxSegments: o.tsoMaxSegments === undefined ? Infinity : positive('tsoMaxSegments', o.tsoMaxSegments, 0, 1),
    receiveBufferSize: Math.min(positive('receiveBufferSize', o.receiveBufferSize, 128 * 1024), 0x3fffc000),
    maxConnections: positive('maxConnections', o.maxConnections, 1024),
    pressureFloor: positive('pressureFloor', o.pressureFloor, 4, 0),
    msl: positive('msl', o.msl, 30_000, 0),
    maxTimeWait: positive('maxTimeWait', o.maxTimeWait, 4 * positive('maxConnections', o.maxConnections, 1024)),
    minRto: positive('minRto', o.minRto, 200),
    maxRto: positive('maxRto', o.maxRto, 60_000),
    initialRto: positive('initialRto', o.initialRto, 1000),
    maxRetransmits: positive('maxRetransmits', o.maxRetransmits, 12, 0),
    synRetries: positive('synRetries', o.synRetries, 6, 0),
    connectTimeout: positive('connectTimeout', o.connectTimeout, 75_000),
    finWait2Timeout: positive('finWait2Timeout', o.finWait2Timeout, 60_000),
    delayedAckTimeout: positive('delayedAckTimeout', o.delayedAckTimeout, 40, 0),
    windowScaling: o.windowScaling ?? true,
    timestamps: o.timestamps ?? true,
    sack: o.sack ?? true,
    maxOooRanges: positive('maxOooRanges', o.maxOooRanges, 16),
    challengeAckLimit: positive('challengeAckLimit', o.challengeAckLimit, 100, 0),
    maxPendingRsts: positive('maxPendingRsts', o.maxPendingRsts, 64, 0),
    noDelay: o.noDelay ?? false,
    keepAlive: resolveKeepAlive(o.keepAlive),
    backlog: positive('backlog', o.backlog, 128),
    synBacklog: positive('synBacklog', o.synBacklog, 128),
    synCookies: o.synCookies ?? true,
  };
}

/** Counters of what the stack dropped or generated (diagnostics; tests read them). */
export interface TcpStats {
  segmentsIn: number;
  segmentsOut: number;
  malformed: number;
  badChecksum: number;
  retransmits: number;
  fastRetransmits: number;
  timeouts: number;
  rstsSent: number;
  rstsDropped: number;
  challengeAcks: number;
  challengeAcksLimited: number;
  pawsDropped: number;
  oooDropped: number;
  synDropped: number;
  acceptQueueFull: number;
  /** TIME-WAIT records dropped before 2*MSL because the table was full. */
  timeWaitEvicted: number;
  /** Connections that reached TIME-WAIT and were replaced by a compact record. */
  timeWaitRecords: number;
  /** Handshakes ended because the peer's address did not resolve (ARP). */
  unreachableAborts: number;
  /** Half-open connections dropped to make room for a new SYN (RFC 4987 §3.4). */
  synEvicted: number;
  /** SYNs (and cookie ACKs) refused with RST: the stack is at its connection limit or short of memory. */
  synRefused: number;
  /** Segments the IP layer refused (transmit path full); each is sent again later, not lost. */
  transmitRefused: number;
  /** SYN-ACKs sent with a cookie instead of state (SYN queue full, RFC 4987 §3.6). */
  synCookiesSent: number;
  /** Connections created from a valid cookie in a completing ACK. */
  synCookiesAccepted: number;
  /** ACKs for a listener whose cookie was forged, stale or for another SYN (answered with RST). */
  synCookiesRejected: number;
  /** Advertised windows made smaller than the free buffer because memory headroom was short. */
  windowsCapped: number;
}

export function newStats(): TcpStats {
  return {
    segmentsIn: 0, segmentsOut: 0, malformed: 0, badChecksum: 0, retransmits: 0, fastRetransmits: 0,
    timeouts: 0, rstsSent: 0, rstsDropped: 0, challengeAcks: 0, challengeAcksLimited: 0, pawsDropped: 0,
    oooDropped: 0, synDropped: 0, acceptQueueFull: 0, timeWaitEvicted: 0, timeWaitRecords: 0, unreachableAborts: 0, synEvicted: 0, synRefused: 0, transmitRefused: 0,
    synCookiesSent: 0, synCookiesAccepted: 0, synCookiesRejected: 0, windowsCapped: 0,
  };
}

/** What a connection needs from the stack that owns it (internal). */
export interface ConnHost {
  readonly cfg: ResolvedConfig;
  readonly stats: TcpStats;
  random(buf: Uint8Array): void;
  /** RFC 5961 §7 rate limit; true if one more challenge ACK may be sent at `now`. */
  allowChallengeAck(now: number): boolean;
  /** Bytes of new buffer storage (receive window, send buffer) one connection may take now (Infinity: no limit). */
  bufferAllowance(): number;
  /** Queue a RST not tied to a connection's own sequence state. */
  queueRst(local: Ipv4Addr, localPort: number, remote: Ipv4Addr, remotePort: number, seq: number, ack: number, withAck: boolean): void;
}

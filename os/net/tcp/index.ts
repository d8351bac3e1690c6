/**
 * TCP for Nimbus: one implementation of RFC 9293 with RFC 7323 (window scaling, timestamps,
 * PAWS), RFC 6298 (RTO, Karn, backoff), RFC 5681 + RFC 6582 (NewReno), RFC 5961 (challenge
 * ACKs), RFC 6528 (ISNs), RFC 2018 (SACK blocks sent for out-of-order data), delayed ACKs,
 * Nagle, zero-window probing and keep-alive.
 *
 * ## What this layer owns and guarantees
 * - It is pure: it never reads a clock or sets a timer. Every entry point takes `now` (ms,
 *   monotonic); `pollAt(now)` says when `poll` must next run (Infinity when idle).
 * - It sits on the IP layer through `TransportProtocol` (../transport.ts): iface hands it each
 *   TCP payload with `input(now, src, dst, payload)` and calls `poll(now, emit)` whenever
 *   `pollAt(now) <= now`. Segments are emitted only from `poll`; `input` and the API calls
 *   only change state (and make `pollAt` return `now` when something is due). Each emitted
 *   datagram's payload is a fresh buffer the receiver may keep.
 * - Every resource has a cap (connections, per-listener SYN and accept queues, send and receive
 *   buffers, out-of-order ranges, TIME-WAIT records, pending RSTs, challenge ACKs per second) and every wait on the
 *   network has a timer (handshake, retransmission with a retry limit, persist, FIN-WAIT-2,
 *   TIME-WAIT = 2*MSL, optional keep-alive). CLOSE-WAIT waits for the application, by design.
 * - Memory returns: send and receive rings allocate on first use and give their storage back
 *   once drained (ring.ts `release`) and on close; a connection that reaches TIME-WAIT is
 *   replaced by a 48-byte record (time-wait.ts, RFC 9293 §3.6.1) that ACKs retransmitted FINs,
 *   honours an exact RST and lets a newer SYN reopen the 4-tuple (RFC 6191); when the table
 *   is full the oldest record is evicted.
 * - Security-relevant randomness (ISN secret, ephemeral ports, timestamp offsets) comes from the
 *   injected `random(buf)`.
 *
 * ## API
 * ```ts
 * const tcp = new Tcp({ random, localAddress: () => myIp });          // see TcpOptions for caps
 * // TransportProtocol: tcp.input(now, src, dst, payload); tcp.poll(now, emit); tcp.pollAt(now)
 * const listener = tcp.listen(80, { backlog: 128 });
 * listener.onConnection = () => { let c; while ((c = listener.accept())) serve(c); };
 * const conn = tcp.connect(now, { remoteAddress, remotePort, localAddress?, localPort? });
 * conn.onConnected = () => conn.send(bytes);   // send() returns the bytes accepted (0 = full)
 * conn.onReadable = () => { let d; while ((d = conn.recv())) use(d); if (conn.readEnded) end(); };
 * conn.onWritable = () => resumeWriting();
 * conn.onError = (code) => ...;                 // 'ECONNREFUSED' | 'ECONNRESET' | 'ETIMEDOUT'
 * conn.onClosed = () => ...;                    // once, on CLOSED or TIME-WAIT
 * conn.close();  // FIN after queued data; reading continues until readEnded
 * conn.abort();  // RST now, state CLOSED
 * conn.state; conn.error; conn.setNoDelay(true); conn.setKeepAlive({ idle, interval, count });
 * ```
 *
 * ## Callback contract
 * Callbacks (`onConnected`, `onReadable`, `onWritable`, `onError`, `onClosed` on a connection,
 * `onConnection` on a listener) are plain fields, invoked synchronously from `Tcp.input()` or
 * `Tcp.poll()` only, never from inside an API method such as `send`, `close` or `abort` (those
 * take effect at the next `poll`, which `pollAt` reports as due at once). They run after the
 * segment or timer has been fully processed, so a callback may call any connection or listener
 * method (send, recv, close, abort, accept, listen, connect). It must not call `Tcp.input` or
 * `Tcp.poll` (that throws). `onError` is always followed by `onClosed`. A connection is
 * forgotten by the stack after CLOSED and `onClosed`. A connection in TIME-WAIT runs `onClosed`
 * with `state === 'TIME-WAIT'`; at the next poll the stack keeps a compact record instead and
 * the object reads `CLOSED` (`tcp.timeWaitCount` counts the records until 2*MSL).
 */
export { Tcp, TcpListener, type ConnectOptions, type ListenOptions } from './tcp.ts';
export { TcpConnection, type TcpErrorCode, type TcpState } from './connection.ts';
export type { KeepAliveOptions, TcpOptions, TcpStats } from './config.ts';

/**
 * Test infrastructure (Node): the server half of the `NetModuleLike` contract of
 * os/http/net-types.ts over a NodeStack's Tcp, so the project's own HTTP server
 * (os/http/server.ts) can serve Linux's curl through the tap. Not the image's socket
 * layer (os/node/net.ts runs on the runtime's event loop, which this Node harness lacks);
 * a deliberately small adapter:
 *
 * - 'data' chunks are Uint8Arrays read from the connection; pause() leaves bytes in TCP's
 *   receive buffer, so the advertised window closes (real flow control toward curl).
 * - write() queues, hands bytes to send() as space frees (onWritable), returns false above
 *   64 KiB queued, and emits 'drain' once the queue is empty again.
 * - end() sends FIN after the queue; destroy() aborts (RST) unless already closed.
 * - Half-open is always allowed: 'end' is emitted and the socket stays writable.
 */
import { EventEmitter } from 'node:events';
import { formatIpv4 } from '../../os/net/addr.ts';
import type { TcpConnection, TcpListener } from '../../os/net/tcp/index.ts';
import type { NetModuleLike, NetServerLike, SocketLike } from '../../os/http/net-types.ts';
import type { NodeStack } from './node-stack.ts';

const HIGH_WATER = 64 * 1024;

class StackSocket extends EventEmitter implements SocketLike {
  readonly #conn: TcpConnection;
  readonly #node: NodeStack;
  #queue: { data: Uint8Array; cb?: (err?: Error | null) => void }[] = [];
  #queued = 0;
  #needDrain = false;
  #paused = false;
  #ending = false;
  #endEmitted = false;
  #closed = false;
  destroyed = false;

  constructor(conn: TcpConnection, node: NodeStack) {
    super();
    this.#conn = conn;
    this.#node = node;
    conn.onReadable = () => this.#read();
    conn.onWritable = () => this.#pump();
    conn.onError = (code) => { this.emit('error', Object.assign(new Error(code), { code })); };
    conn.onClosed = () => this.#finish(conn.error !== undefined);
  }

  get remoteAddress(): string { return formatIpv4(this.#conn.remoteAddress); }
  get remotePort(): number { return this.#conn.remotePort; }
  get localAddress(): string { return formatIpv4(this.#conn.localAddress); }
  get localPort(): number { return this.#conn.localPort; }
  get writableLength(): number { return this.#queued; }

  #read(): void {
    if (this.#paused || this.destroyed) return;
    let d: Uint8Array | undefined;
    while (!this.#paused && (d = this.#conn.recv())) this.emit('data', d);
    if (!this.#paused && this.#conn.readEnded && !this.#endEmitted) {
      this.#endEmitted = true;
      this.emit('end');
    }
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      const head = this.#queue[0]!;
      const n = this.#conn.send(head.data);
      this.#queued -= n;
      if (n < head.data.length) { head.data = head.data.subarray(n); break; }
      this.#queue.shift();
      head.cb?.(null);
    }
    if (this.#queue.length === 0) {
      if (this.#ending) this.#conn.close();
      if (this.#needDrain) { this.#needDrain = false; this.emit('drain'); }
    }
    this.#node.kick();
  }

  #finish(hadError: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    this.destroyed = true;
    for (const w of this.#queue) w.cb?.(new Error('socket closed'));
    this.#queue = [];
    queueMicrotask(() => this.emit('close', hadError));
  }

  write(data: Uint8Array, cb?: (err?: Error | null) => void): boolean {
    if (this.destroyed || this.#ending) {
      if (cb) queueMicrotask(() => cb(new Error('write after end')));
      return false;
    }
    this.#queue.push({ data: data.slice(), cb });
    this.#queued += data.length;
    this.#pump();
    const ok = this.#queued < HIGH_WATER;
    if (!ok) this.#needDrain = true;
    return ok;
  }

  end(data?: Uint8Array | (() => void), cb?: () => void): this {
    if (typeof data === 'function') { cb = data; data = undefined; }
    if (data) this.write(data);
    if (cb) this.once('close', () => cb());
    if (!this.#ending && !this.destroyed) {
      this.#ending = true;
      this.#pump();
    }
    return this;
  }

  destroy(error?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.#conn.abort(); // RST when synchronized; onClosed follows from the next poll
    this.#node.kick();
    if (error) queueMicrotask(() => this.emit('error', error));
    return this;
  }

  pause(): this { this.#paused = true; return this; }

  resume(): this {
    if (!this.#paused) return this;
    this.#paused = false;
    queueMicrotask(() => { this.#read(); this.#node.kick(); }); // kick: the window reopens
    return this;
  }

  setNoDelay(noDelay = true): this { this.#conn.setNoDelay(noDelay); this.#node.kick(); return this; }
}

class StackServer extends EventEmitter implements NetServerLike {
  readonly #node: NodeStack;
  readonly #onSocket: (s: SocketLike) => void;
  #listener: TcpListener | undefined;

  constructor(node: NodeStack, onSocket: (s: SocketLike) => void) {
    super();
    this.#node = node;
    this.#onSocket = onSocket;
  }

  get listening(): boolean { return this.#listener !== undefined; }

  /** listen(port[, host][, callback]); host is ignored (one interface). */
  listen(...args: unknown[]): this {
    const port = Number(args[0]);
    const cb = args.find((a) => typeof a === 'function') as (() => void) | undefined;
    const l = this.#node.tcp.listen(port);
    this.#listener = l;
    l.onConnection = () => {
      let c: TcpConnection | undefined;
      while ((c = l.accept())) this.#onSocket(new StackSocket(c, this.#node));
    };
    queueMicrotask(() => { cb?.(); this.emit('listening'); });
    return this;
  }

  address(): { address: string; family: string; port: number } | null {
    if (!this.#listener) return null;
    return { address: formatIpv4(this.#node.address ?? 0), family: 'IPv4', port: this.#listener.port };
  }

  close(cb?: (err?: Error) => void): this {
    this.#listener?.close();
    this.#listener = undefined;
    queueMicrotask(() => { cb?.(); this.emit('close'); });
    return this;
  }
}

/** A `net` module whose servers listen on `node`'s TCP. connect() is not provided. */
export function stackNet(node: NodeStack): NetModuleLike {
  return {
    createServer: ((...args: unknown[]) => {
      const listener = args.find((a) => typeof a === 'function') as (s: SocketLike) => void;
      return new StackServer(node, listener);
    }) as NetModuleLike['createServer'],
    connect: () => { throw new Error('stackNet: connect() is not implemented (tests use TcpConnection directly)'); },
  };
}

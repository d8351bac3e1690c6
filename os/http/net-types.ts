/**
 * The part of `node:net` the HTTP layer uses, written structurally so that both Node's real
 * `net` module (tests) and the image's `os/node/net.ts` (on our TCP stack) satisfy it.
 * Chunks may be Buffers or plain Uint8Arrays; the HTTP layer only assumes Uint8Array.
 */

export type Listener = (...args: any[]) => void;

export interface EmitterLike {
  on(event: string, listener: Listener): unknown;
  once(event: string, listener: Listener): unknown;
  off?(event: string, listener: Listener): unknown;
  removeListener(event: string, listener: Listener): unknown;
  emit(event: string, ...args: any[]): boolean;
}

/** A connected TCP socket: 'data' | 'end' | 'close' | 'error' | 'drain' | 'timeout' | 'connect'. */
export interface SocketLike extends EmitterLike {
  /** Returns false when the chunk was queued above the high-water mark ('drain' follows). */
  write(data: Uint8Array, cb?: (err?: Error | null) => void): boolean;
  end(data?: Uint8Array | (() => void), cb?: () => void): unknown;
  destroy(error?: Error): unknown;
  pause(): unknown;
  resume(): unknown;
  setTimeout?(ms: number, cb?: () => void): unknown;
  setNoDelay?(noDelay?: boolean): unknown;
  setKeepAlive?(enable?: boolean, delay?: number): unknown;
  readonly destroyed: boolean;
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly localAddress?: string;
  readonly localPort?: number;
  readonly writableLength?: number;
  /**
   * Optional (net.Socket's, not a TLS socket's): received bytes go to `consumer` instead of
   * 'data' events, as Node's server consumes its socket; `undefined` gives them back.
   */
  _consume?(consumer: ((chunk: Uint8Array) => void) | undefined): void;
}

/** A listening TCP server: 'listening' | 'connection' | 'close' | 'error'. */
export interface NetServerLike extends EmitterLike {
  listen(...args: any[]): unknown;
  close(cb?: (err?: Error) => void): unknown;
  address(): { address: string; family: string; port: number } | string | null;
  readonly listening?: boolean;
  ref?(): unknown;
  unref?(): unknown;
}

export interface NetModuleLike {
  createServer(connectionListener: (socket: SocketLike) => void): NetServerLike;
  /** Used by the fetch client. `host` is an IP address or a name the module resolves. */
  connect(options: { host: string; port: number }, connectListener?: () => void): SocketLike;
}

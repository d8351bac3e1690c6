/**
 * `http.Agent` as Node's (lib/_http_agent.js): it hands sockets to ClientRequests and keeps
 * the ones a finished exchange leaves reusable.
 *
 * - `sockets`, `freeSockets` and `requests` are null-prototype objects keyed by `getName()`,
 *   `host:port:localAddress` (`127.0.0.1:8080:`), each an array, emptied keys deleted.
 * - A request takes a free socket (LIFO by default, `scheduling: 'fifo'`), else a new one
 *   while the name holds fewer than `maxSockets` (default Infinity) and the agent fewer than
 *   `maxTotalSockets`; else it waits in `requests` until a socket is 'free' or one closes.
 * - A socket whose exchange ended reusably emits 'free': it goes to the next waiting request,
 *   or, with `keepAlive`, into `freeSockets` (at most `maxFreeSockets`), unref'd so an idle
 *   pool never keeps the program alive, with the agent's `timeout` (shortened to the server's
 *   `Keep-Alive: timeout=` hint less a second) as its idle timeout; otherwise it is destroyed.
 * - `createConnection(options, cb)` makes the sockets; a subclass (or https) replaces it.
 */
import EventEmitter from 'events/events.js';
import type { NetModuleLike, SocketLike } from './net-types.ts';
import type { TlsConnect } from './fetch.ts';

/** A socket as the client uses it: net.Socket's surface beyond SocketLike, all optional. */
export type ClientSocket = SocketLike & {
  readonly writable?: boolean;
  readonly connecting?: boolean;
  readonly timeout?: number;
  ref?(): unknown;
  unref?(): unknown;
  cork?(): void;
  uncork?(): void;
  destroySoon?(): void;
  _httpMessage?: unknown;
};

export interface AgentOptions {
  keepAlive?: boolean;
  keepAliveMsecs?: number;
  maxSockets?: number;
  maxTotalSockets?: number;
  maxFreeSockets?: number;
  scheduling?: 'fifo' | 'lifo';
  timeout?: number;
  noDelay?: boolean;
  [option: string]: unknown;
}

export interface ConnectOptions {
  host?: string;
  hostname?: string;
  port?: number | string;
  localAddress?: string;
  family?: number;
  servername?: string;
  socketPath?: string;
  _agentKey?: string;
  [option: string]: unknown;
}

/** What an Agent asks of the request it serves. */
export interface AgentRequest {
  onSocket(socket: ClientSocket | null, err?: Error): void;
  readonly shouldKeepAlive: boolean;
  timeout?: number;
  reusedSocket: boolean;
  /** The response, once there is one (for its Keep-Alive hint). */
  readonly res?: { headers: Record<string, string | string[] | undefined> } | null;
}

const kRequestOptions = Symbol('requestOptions');
type Queued = AgentRequest & { [kRequestOptions]?: ConnectOptions };

function freeSocketErrorListener(this: ClientSocket, err: Error): void {
  this.destroy();
  this.emit('agentRemove');
  void err;
}

type Bucket = Record<string, ClientSocket[]>;

/** The class an http module's Agent is built from: net (and for https tls) injected. */
export function createAgentClass(net: NetModuleLike, protocol: 'http:' | 'https:', tls?: TlsConnect) {
  const connect = defaultConnect(net, protocol, tls);
  class Agent extends EventEmitter {
    static defaultMaxSockets = Infinity;
    defaultPort = protocol === 'https:' ? 443 : 80;
    protocol: string = protocol;
    readonly options: AgentOptions & { path: null };
    requests: Record<string, Queued[]> = Object.create(null);
    sockets: Bucket = Object.create(null);
    freeSockets: Bucket = Object.create(null);
    keepAliveMsecs: number;
    keepAlive: boolean;
    maxSockets: number;
    maxFreeSockets: number;
    maxTotalSockets: number;
    scheduling: 'fifo' | 'lifo';
    totalSocketCount = 0;

    constructor(options: AgentOptions = {}) {
      super();
      this.options = { __proto__: null, ...options, path: null } as unknown as AgentOptions & { path: null };
      if (this.options.noDelay === undefined) this.options.noDelay = true;
      this.keepAliveMsecs = options.keepAliveMsecs || 1000;
      this.keepAlive = options.keepAlive || false;
      this.maxSockets = options.maxSockets || Agent.defaultMaxSockets;
      this.maxFreeSockets = options.maxFreeSockets || 256;
      this.scheduling = options.scheduling || 'lifo';
      this.maxTotalSockets = options.maxTotalSockets ?? Infinity;
      for (const [name, n] of [['maxSockets', this.maxSockets], ['maxTotalSockets', this.maxTotalSockets]] as const) {
        if (typeof n !== 'number' || !(n > 0)) {
          throw Object.assign(new RangeError(`The value of "${name}" is out of range. It must be > 0. Received ${n}`), { code: 'ERR_OUT_OF_RANGE' });
        }
      }
      if (this.scheduling !== 'fifo' && this.scheduling !== 'lifo') {
        throw Object.assign(new TypeError(`The argument 'scheduling' must be one of: 'fifo', 'lifo'. Received '${this.scheduling}'`), { code: 'ERR_INVALID_ARG_VALUE' });
      }
      this.on('free', (socket: ClientSocket, opts: ConnectOptions) => this.#onFree(socket, opts));
    }

    #onFree(socket: ClientSocket, options: ConnectOptions): void {
      const name = this.getName(options);
      if (socket.writable === false || socket.destroyed) { socket.destroy(); return; }
      const requests = this.requests[name];
      if (requests && requests.length) {
        const req = requests.shift()!;
        setRequestSocket(this, req, socket);
        if (requests.length === 0) delete this.requests[name];
        return;
      }
      const req = socket._httpMessage as AgentRequest | null | undefined;
      if (!req || !req.shouldKeepAlive || !this.keepAlive) { socket.destroy(); return; }
      const free = this.freeSockets[name] || [];
      const freeLen = free.length;
      let count = freeLen;
      if (this.sockets[name]) count += this.sockets[name].length;
      if (this.totalSocketCount > this.maxTotalSockets || count > this.maxSockets || freeLen >= this.maxFreeSockets || !this.keepSocketAlive(socket)) {
        socket.destroy();
        return;
      }
      this.freeSockets[name] = free;
      socket._httpMessage = null;
      this.removeSocket(socket, options);
      socket.once('error', freeSocketErrorListener);
      free.push(socket);
    }

    getName(options: ConnectOptions = {}): string {
      let name = options.host || 'localhost';
      name += ':';
      if (options.port) name += options.port;
      name += ':';
      if (options.localAddress) name += options.localAddress;
      if (options.family === 4 || options.family === 6) name += `:${options.family}`;
      if (options.socketPath) name += `:${options.socketPath}`;
      if (protocol === 'https:') {
        name += `:${options.servername && options.servername !== options.host ? options.servername : ''}`;
        // As Node's https.Agent: connections made with other TLS options are not shared.
        const tlsOptions = tlsOptionsOf(options);
        if (tlsOptions) name += `:${tlsOptionsId(tlsOptions)}`;
      }
      return name;
    }

    /** Opens a connection: `net.connect` (tls for https), ready to write at once. */
    createConnection(options: ConnectOptions, _cb?: (err: Error | null, s?: ClientSocket) => void): ClientSocket {
      return connect(options);
    }

    addRequest(req: AgentRequest, options: ConnectOptions): void {
      options = { __proto__: null, ...options, ...this.options } as unknown as ConnectOptions;
      const name = this.getName(options);
      this.sockets[name] ||= [];
      const free = this.freeSockets[name];
      let socket: ClientSocket | undefined;
      if (free) {
        while (free.length && free[0].destroyed) free.shift();
        socket = this.scheduling === 'fifo' ? free.shift() : free.pop();
        if (!free.length) delete this.freeSockets[name];
      }
      const freeLen = free ? free.length : 0;
      const sockLen = freeLen + this.sockets[name].length;
      if (socket) {
        this.reuseSocket(socket, req);
        setRequestSocket(this, req, socket);
        this.sockets[name].push(socket);
      } else if (sockLen < this.maxSockets && this.totalSocketCount < this.maxTotalSockets) {
        this.createSocket(req, options, (err, s) => {
          if (err) req.onSocket(s ?? null, err);
          else setRequestSocket(this, req, s!);
        });
      } else {
        this.requests[name] ||= [];
        (req as Queued)[kRequestOptions] = options;
        this.requests[name].push(req);
      }
    }

    createSocket(_req: AgentRequest, options: ConnectOptions, cb: (err: Error | null, s?: ClientSocket) => void): void {
      options = { __proto__: null, ...options, ...this.options } as unknown as ConnectOptions;
      const name = this.getName(options);
      options._agentKey = name;
      let done = false;
      const oncreate = (err: Error | null, s?: ClientSocket) => {
        if (done) return;
        done = true;
        if (err) { cb(err); return; }
        this.sockets[name] ||= [];
        this.sockets[name].push(s!);
        this.totalSocketCount++;
        this.#installListeners(s!, options);
        cb(null, s);
      };
      if (this.keepAlive) {
        options.keepAlive = this.keepAlive;
        options.keepAliveInitialDelay = this.keepAliveMsecs;
      }
      let s: ClientSocket | undefined;
      try {
        s = this.createConnection(options, oncreate);
      } catch (e) {
        oncreate(e as Error);
        return;
      }
      if (s) oncreate(null, s);
    }

    #installListeners(s: ClientSocket, options: ConnectOptions): void {
      const onFree = () => this.emit('free', s, options);
      const onClose = () => { this.totalSocketCount--; this.removeSocket(s, options); };
      // An idle pooled socket that times out is closed; a busy one belongs to its request.
      const onTimeout = () => {
        for (const name of Object.keys(this.freeSockets)) if (this.freeSockets[name].includes(s)) { s.destroy(); return; }
      };
      const onRemove = () => {
        this.totalSocketCount--;
        this.removeSocket(s, options);
        s.removeListener('close', onClose);
        s.removeListener('free', onFree);
        s.removeListener('timeout', onTimeout);
        s.removeListener('agentRemove', onRemove);
      };
      s.on('free', onFree);
      s.on('close', onClose);
      s.on('timeout', onTimeout);
      s.on('agentRemove', onRemove);
    }

    removeSocket(s: ClientSocket, options: ConnectOptions): void {
      const name = this.getName(options);
      const sets: Bucket[] = [this.sockets];
      if (s.writable === false || s.destroyed) sets.push(this.freeSockets);
      for (const set of sets) {
        const list = set[name];
        if (!list) continue;
        const i = list.indexOf(s);
        if (i !== -1) {
          list.splice(i, 1);
          if (list.length === 0) delete set[name];
        }
      }
      let req: Queued | undefined;
      if (this.requests[name] && this.requests[name].length) {
        req = this.requests[name][0];
      } else {
        for (const prop of Object.keys(this.requests)) {
          if (this.sockets[prop] && this.sockets[prop].length) break;
          req = this.requests[prop][0];
          options = req[kRequestOptions]!;
          break;
        }
      }
      if (req && options) {
        req[kRequestOptions] = undefined;
        this.createSocket(req, options, (err, socket) => {
          if (err) req!.onSocket(socket ?? null, err);
          else socket!.emit('free');
        });
      }
    }

    keepSocketAlive(socket: ClientSocket): boolean {
      socket.setKeepAlive?.(true, this.keepAliveMsecs);
      socket.unref?.();
      let agentTimeout = Number(this.options.timeout) || 0;
      let canKeep = true;
      const hint = (socket._httpMessage as AgentRequest | null)?.res?.headers['keep-alive'];
      const m = typeof hint === 'string' ? /^timeout=(\d+)/.exec(hint) : null;
      if (m) {
        let serverHint = Number.parseInt(m[1], 10) * 1000 - 1000;
        serverHint = serverHint > 0 ? serverHint : 0;
        if (serverHint === 0) canKeep = false;
        else if (serverHint < agentTimeout) agentTimeout = serverHint;
      }
      if (socket.timeout !== agentTimeout && !(socket.timeout === undefined && agentTimeout === 0)) socket.setTimeout?.(agentTimeout);
      return canKeep;
    }

    reuseSocket(socket: ClientSocket, req: AgentRequest): void {
      socket.removeListener('error', freeSocketErrorListener);
      req.reusedSocket = true;
      socket.ref?.();
    }

    destroy(): void {
      for (const set of [this.freeSockets, this.sockets]) {
        for (const name of Object.keys(set)) for (const s of set[name]) s.destroy();
      }
    }
  }

  function setRequestSocket(agent: Agent, req: AgentRequest, socket: ClientSocket): void {
    req.onSocket(socket);
    const agentTimeout = Number(agent.options.timeout) || 0;
    if (req.timeout === undefined || req.timeout === agentTimeout) return;
    socket.setTimeout?.(req.timeout);
  }

  return Agent;
}

/** The TLS options node:https takes per request (an Agent's own options override them, addRequest). */
const TLS_OPTIONS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername', 'ciphers', 'minVersion', 'maxVersion',
  'checkServerIdentity', 'ALPNProtocols', 'ecdhCurve', 'secureContext', 'session'];

function tlsOptionsOf(options: ConnectOptions): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const name of TLS_OPTIONS) if (options[name] !== undefined) out[name] = options[name];
  return Object.keys(out).length ? out : undefined;
}

const objectIds = new WeakMap<object, string>();
let nextObjectId = 0;

/**
 * A stable text for TLS options, computed on every request's getName: equal strings, numbers
 * and bytes give equal ids, other objects (a context, a function) their identity. A byte
 * string's text is made once per buffer object (certificates and keys are reused, request
 * after request); JSON.stringify would hand a Buffer's toJSON array of numbers to a replacer.
 */
function tlsOptionsId(options: Record<string, unknown>): string {
  const idOf = (v: unknown): string => {
    if (v === null || typeof v !== 'object' && typeof v !== 'function') return JSON.stringify(v) ?? 'undefined';
    if (Array.isArray(v)) return `[${v.map(idOf).join(',')}]`;
    if (Object.getPrototypeOf(v) === Object.prototype) return `{${Object.entries(v).map(([k, x]) => `${k}:${idOf(x)}`).join(',')}}`;
    let id = objectIds.get(v);
    if (id === undefined) {
      id = v instanceof Uint8Array ? `bytes:${Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('')}` : `object:${++nextObjectId}`;
      objectIds.set(v, id);
    }
    return id;
  };
  return Object.entries(options).map(([k, v]) => `${k}=${idOf(v)}`).join(';');
}

/** net.connect (or the TLS connector) with the options a request gives it, as Node's agent passes them. */
export function defaultConnect(net: NetModuleLike, protocol: 'http:' | 'https:', tls?: TlsConnect): (options: ConnectOptions) => ClientSocket {
  return (options) => {
    const host = String(options.host ?? 'localhost');
    const port = Number(options.port);
    if (protocol === 'https:') {
      if (!tls) throw new TypeError('https is not supported in this build');
      const servername = options.servername || host;
      return tls({ host, port, servername, tls: tlsOptionsOf(options) }) as ClientSocket;
    }
    const o: Record<string, unknown> = { host, port };
    for (const k of ['localAddress', 'localPort', 'family', 'hints', 'lookup', 'noDelay', 'keepAlive', 'keepAliveInitialDelay', 'timeout']) {
      if (options[k] !== undefined && options[k] !== null) o[k] = options[k];
    }
    return (net.connect as (o: object) => ClientSocket)(o);
  };
}

export type AgentClass = ReturnType<typeof createAgentClass>;
export type Agent = InstanceType<AgentClass>;

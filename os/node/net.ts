/**
 * node:net on Nimbus's TCP stack (os/net/tcp) through the process's NetworkService
 * (os/netservice). IPv4 only. A thin facade:
 * - net-socket.ts  net.Socket, a stream.Duplex over one TCP connection (its doc has the semantics);
 * - net-server.ts  net.Server (listen, accept, maxConnections, close);
 * - net-address.ts isIP/isIPv4/isIPv6 and the port and loopback checks both share.
 *
 * Hostnames resolve through the stack's DNS resolver (dns.lookup). There is no loopback
 * interface: 127.0.0.0/8 (and 'localhost', '::1') are redirected to the interface's own
 * address, which the interface loops back; a server listening on 127.0.0.1 accepts only
 * connections from its own address.
 */
import { Socket, normalizeConnectArgs, type SocketConstructorOpts } from './internal/net-socket.ts';
import { Server, type ServerOpts } from './internal/net-server.ts';
import { isIP, isIPv4, isIPv6 } from './internal/net-address.ts';

export { Socket, type SocketConstructorOpts, type TcpSocketConnectOpts } from './internal/net-socket.ts';
export { Server, type ServerOpts, type ListenOptions } from './internal/net-server.ts';
export { isIP, isIPv4, isIPv6, lookupCode } from './internal/net-address.ts';

type Cb = (...args: any[]) => void;

export function createServer(options?: ServerOpts | Cb, connectionListener?: Cb): Server {
  return new Server(options, connectionListener);
}

export function connect(...args: unknown[]): Socket {
  const [opts] = normalizeConnectArgs(args);
  const o = opts as SocketConstructorOpts;
  const s = new Socket({ allowHalfOpen: o.allowHalfOpen, network: opts.network, highWaterMark: o.highWaterMark });
  return s.connect(...args);
}

export const createConnection = connect;
export const Stream = Socket;

/** Node ≥ 18.18: happy eyeballs; IPv4 only here, so it changes nothing. */
export function getDefaultAutoSelectFamily(): boolean { return false; }
export function setDefaultAutoSelectFamily(_value: boolean): void {}

export default {
  Socket, Server, Stream, createServer, connect, createConnection, isIP, isIPv4, isIPv6,
  getDefaultAutoSelectFamily, setDefaultAutoSelectFamily,
};

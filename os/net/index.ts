/**
 * net: the TCP/IP stack, pure TypeScript (DESIGN decision 7). Layers look only down:
 *
 * - `wire/`     bytes: view classes + reprs, parse → Result, emit into caller buffers.
 * - `iface.ts`  one Ethernet interface: ARP (arp-cache.ts), IPv4 in/out, reassembly
 *               (reassembly.ts), routing (routes.ts), ICMP echo/unreachable (rate limited).
 * - `udp.ts`, TCP (`tcp/`): transports behind the `TransportProtocol` contract (transport.ts).
 * - `dhcp.ts`, `dns.ts`: DHCP client and DNS stub resolver, state machines over UDP sockets.
 * - `stack.ts`  NetworkStack wires them; `testing/sim.ts` runs stacks over an in-memory link.
 *
 * Nothing reads a clock or sets a timer: every call takes `now` (ms) and every layer has
 * `pollAt(now)` (Infinity when idle). Malformed input is counted in `stats`, never thrown.
 *
 * Driving it (the runtime's job):
 *   const stack = new NetworkStack({ mac, random: hw.random, transports: [tcp] });
 *   stack.start(now);                                  // DHCP
 *   driver.onFrame((f) => stack.receive(now(), f));
 *   loop: stack.poll(now(), (f) => driver.transmit(f)); yield until stack.pollAt(now()).
 *   The transmit callback may return false (device full): the frame stays queued and output
 *   stops until `stack.iface.txResume()` (the driver's onWritable). Transports' emit returns
 *   false while the interface queue is full; TCP then keeps its data for a later poll.
 *
 * Sockets: `stack.udp.bind({ port, onMessage })` → UdpSocket.send(dst, port, bytes);
 * `stack.dns.lookup(now, name, cb)`; `stack.iface.config` is the current IPv4 config.
 */
export { NetworkStack, type NetworkStackOptions } from './stack.ts';
export { Interface, type InterfaceOptions, type Ipv4Config, type SendOptions } from './iface.ts';
export { Udp, UdpSocket, type UdpBindOptions, type UdpMessage, type UdpSendResult, EPHEMERAL_FIRST, EPHEMERAL_LAST, UDP_MAX_PAYLOAD } from './udp.ts';
export { DhcpClient, type DhcpLease, type DhcpState, type DhcpClientOptions } from './dhcp.ts';
export { DnsResolver, type DnsLookupResult, type DnsErrorCode, type DnsResolverOptions, type DnsLookupHandle } from './dns.ts';
export type { Route } from './routes.ts';
export type { OutgoingDatagram, TransportProtocol } from './transport.ts';
export * from './addr.ts';

/**
 * Image-side program for program.test.ts: two NetworkServices wired back to back on the
 * runtime's own loop, with node:net, node:dgram and node:dns/promises used as a program
 * would.
 */
import * as net from 'node:net';
import * as dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { currentLoop } from '../../runtime/loop.ts';
import { createNetworkService, setNetwork, type NetworkService } from '../index.ts';
import { startDnsResponder } from '../dns-responder.ts';

const wire: { to: NetworkService; frame: Uint8Array }[] = [];
let a!: NetworkService;
let b!: NetworkService;
a = createNetworkService({ mac: new Uint8Array([2, 0, 0, 0, 0, 1]), transmit: (f) => { wire.push({ to: b, frame: f.slice() }); return true; }, static: { address: '10.0.0.1', prefixLength: 24, dns: ['10.0.0.2'] } });
b = createNetworkService({ mac: new Uint8Array([2, 0, 0, 0, 0, 2]), transmit: (f) => { wire.push({ to: a, frame: f.slice() }); return true; }, static: { address: '10.0.0.2', prefixLength: 24 } });
currentLoop().addSource({
  irqMask: 0,
  nextDeadline: (now) => (wire.length > 0 ? now : Infinity),
  run: () => { for (const { to, frame } of wire.splice(0)) to.receive(frame); },
  isRef: () => false,
});
setNetwork(a);
startDnsResponder(b, { 'echo.test': '10.0.0.2' });

async function main(): Promise<void> {
const found = await lookup('echo.test');
console.log('lookup', found);

const server = net.createServer({ network: b } as net.ServerOpts, (sock) => sock.pipe(sock));
server.listen(7, () => console.log('listening', server.address()));
const sock = net.connect(7, 'echo.test', () => sock.end('hello over TCP'));
sock.setEncoding('utf8');
for await (const chunk of sock) console.log('echo', chunk);
server.close(() => console.log('server closed'));
}

const u = dgram.createSocket({ type: 'udp4', network: b } as dgram.SocketOptions);
u.on('message', (m, r) => { console.log('udp', m.toString(), r.address); u.close(); });
void main().then(() => u.bind(9, () => {
  const c = dgram.createSocket('udp4');
  c.send('hello over UDP', 9, '10.0.0.2', () => c.close());
}));
process.on('exit', (code) => console.log('exit', code));

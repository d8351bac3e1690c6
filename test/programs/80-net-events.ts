// expect-exit: 0
// nimbus-net: user
// node:net over 127.0.0.1: the events each side sees, in order (each side logged apart, since
// which side runs first is not fixed), half-close with allowHalfOpen, write callbacks in order.
import net from 'node:net';

const serverLog: string[] = [];
const clientLog: string[] = [];
const server = net.createServer({ allowHalfOpen: true }, (sock) => {
  serverLog.push('connection');
  let got = '';
  sock.setEncoding('utf8');
  sock.on('data', (d) => { got += d; });
  sock.on('end', () => {
    serverLog.push(`end received=${JSON.stringify(got)}`);
    // Half-open: the client ended its side, we can still write.
    sock.write('reply-1,', () => serverLog.push('write cb 1'));
    sock.write('reply-2', () => serverLog.push('write cb 2'));
    sock.end(() => serverLog.push('end cb'));
  });
  sock.on('finish', () => serverLog.push('finish'));
  sock.on('close', (hadError) => { serverLog.push(`close hadError=${hadError}`); server.close(); });
});
server.on('listening', () => serverLog.push('listening'));
server.on('close', () => serverLog.push('server close'));
process.on('exit', () => {
  console.log('server:', serverLog.join(' | '));
  console.log('client:', clientLog.join(' | '));
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address() as net.AddressInfo;
  console.log('address family', addr.family, typeof addr.port, addr.port > 0);
  const c = net.connect({ port: addr.port, host: '127.0.0.1', allowHalfOpen: true });
  let got = '';
  c.setEncoding('utf8');
  c.on('connect', () => {
    clientLog.push(`connect remote=${c.remoteAddress} family=${c.remoteFamily} samePort=${c.remotePort === addr.port}`);
    c.write('hello ', () => clientLog.push('write cb a'));
    c.write('world', () => clientLog.push('write cb b'));
    c.end(() => clientLog.push('end cb'));
  });
  c.on('ready', () => clientLog.push('ready'));
  c.on('data', (d) => { got += d; });
  c.on('finish', () => clientLog.push('finish'));
  c.on('end', () => clientLog.push(`end received=${JSON.stringify(got)}`));
  c.on('close', (hadError) => clientLog.push(`close hadError=${hadError} bytesWritten=${c.bytesWritten} bytesRead=${c.bytesRead}`));
});

// A TCP server that answers each connection with its input upper-cased, then closes.
import net from 'node:net';
const server = net.createServer((sock) => {
  sock.on('data', (d) => sock.write(d.toString().toUpperCase()));
  sock.on('end', () => sock.end());
});
server.listen(7000, () => console.log('listening on', server.address()));

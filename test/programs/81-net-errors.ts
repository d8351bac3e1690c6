// expect-exit: 0
// nimbus-net: user
// node:net errors over 127.0.0.1: connecting to a closed port (ECONNREFUSED) and listening on a
// port in use (EADDRINUSE); the error's code, errno, syscall and message shape.
import net from 'node:net';

function shape(e: NodeJS.ErrnoException & { address?: string; port?: number }, port: number): string {
  const msg = e.message.replace(String(port), 'PORT');
  return `${e.name} code=${e.code} errno=${e.errno} syscall=${e.syscall} address=${e.address} port=${e.port === port ? 'PORT' : e.port} message=${JSON.stringify(msg)} instanceof Error=${e instanceof Error}`;
}

const first = net.createServer();
first.listen(0, '127.0.0.1', () => {
  const port = (first.address() as net.AddressInfo).port;
  const second = net.createServer();
  second.on('error', (e) => {
    console.log('listen in use:', shape(e, port));
    console.log('second listening after error:', second.listening);
    first.close(() => {
      // The port is closed now: nothing listens on it.
      const c = net.connect(port, '127.0.0.1');
      c.on('connect', () => console.log('unexpected connect'));
      c.on('error', (err) => console.log('connect refused:', shape(err, port)));
      c.on('close', (hadError) => console.log('close hadError', hadError, 'destroyed', c.destroyed));
    });
  });
  second.listen(port, '127.0.0.1');
});

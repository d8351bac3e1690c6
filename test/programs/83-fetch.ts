// expect-exit: 0
// nimbus-net: user
// fetch against the program's own node:http server on 127.0.0.1: status, headers.get, text and
// json bodies, a POST body, and aborting with an AbortController (error name and message).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const server = http.createServer((req, res) => {
  if (req.url === '/json') {
    res.writeHead(201, { 'Content-Type': 'application/json', 'X-Thing': 'Value' });
    res.end(JSON.stringify({ ok: true, n: [1, 2, 3] }));
  } else if (req.url === '/post') {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => res.end(`${req.method} ${req.headers['content-type']} ${body}`));
  } else if (req.url === '/slow') {
    // Never answers: the client aborts. The response is closed when the server closes.
    res.writeHead(200);
    res.write('partial');
  } else {
    res.statusCode = 404;
    res.statusMessage = 'Not Here';
    res.end('missing');
  }
});

server.listen(0, '127.0.0.1', async () => {
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const r1 = await fetch(`${base}/json`);
  console.log('json', r1.status, r1.ok, r1.statusText, r1.headers.get('content-type'), r1.headers.get('X-THING'), r1.headers.get('nope'));
  console.log('body', JSON.stringify(await r1.json()));

  const r2 = await fetch(`${base}/post`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi there' });
  console.log('post', r2.status, await r2.text());

  const r3 = await fetch(`${base}/other`);
  console.log('404', r3.status, r3.ok, r3.statusText, await r3.text());

  const ac = new AbortController();
  const slow = await fetch(`${base}/slow`, { signal: ac.signal });
  console.log('slow headers', slow.status);
  const reading = slow.text();
  ac.abort();
  try {
    await reading;
    console.log('unexpected: body read');
  } catch (e) {
    const err = e as Error;
    console.log('abort while reading:', err.name, err.message);
  }
  const ac2 = new AbortController();
  ac2.abort();
  try {
    await fetch(`${base}/json`, { signal: ac2.signal });
  } catch (e) {
    const err = e as Error;
    console.log('abort before:', err.name, err.message, err instanceof DOMException);
  }
  server.closeAllConnections();
  server.close(() => console.log('server closed'));
});

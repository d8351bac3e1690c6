// expect-exit: 0
// nimbus-net: user
// node:http's client over 127.0.0.1: a 2 MiB upload through pipeline(Readable.from(...), req)
// (chunked, with back-pressure) and a file's through fs.createReadStream, an Agent with
// keepAlive and maxSockets 1 queueing requests (agent.requests / sockets / freeSockets,
// 'free', reusedSocket), flushHeaders, a chunked response with trailers read through
// setEncoding, a paused response, req.setTimeout + destroy(err), abort(), an 'upgrade' with
// its head bytes, and the globalAgent's idle socket not keeping the program alive.
import http from 'node:http';
import { Readable, pipeline } from 'node:stream';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

const server = http.createServer((req, res) => {
  // Answered late: the client gives up first (a timeout, an abort).
  if (req.url === '/slow') { req.resume(); setTimeout(() => res.end('late'), 300); return; }
  if (req.url === '/trailers') {
    res.setHeader('Trailer', 'X-Digest');
    res.write('caf');
    res.write(Buffer.from([0xc3]));
    setTimeout(() => {
      res.write(Buffer.from([0xa9]));
      res.addTrailers({ 'X-Digest': 'abc123' });
      res.end(' au lait');
    }, 10);
    return;
  }
  if (req.url === '/big') {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let left = 32;
    const pump = () => {
      while (left > 0) {
        left--;
        if (!res.write(chunk)) { res.once('drain', pump); return; }
      }
      res.end();
    };
    pump();
    return;
  }
  // FNV-1a over the body (a JS sha256 over megabytes would take a minute in the interpreter).
  let n = 0;
  let sum = 0x811c9dc5;
  req.on('data', (c: Buffer) => {
    n += c.length;
    for (let i = 0; i < c.length; i++) sum = Math.imul(sum ^ c[i], 16777619) >>> 0;
  });
  req.on('end', () => {
    res.setHeader('Content-Type', 'text/plain');
    res.end(`${req.method} ${req.url} te=${req.headers['transfer-encoding'] ?? '-'} conn=${req.headers.connection} bytes=${n} sum=${sum.toString(16)}`);
  });
});
// The 101 and the new protocol's first bytes in one write: the client gets them as `head`.
server.on('upgrade', (req, socket) => {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${req.headers.upgrade}\r\nConnection: Upgrade\r\n\r\nwelcome`);
  socket.on('data', (d: Buffer) => socket.end(`echo ${d}`));
  socket.on('end', () => socket.end());
});

const read = (res: http.IncomingMessage) => new Promise<string>((resolve) => {
  let s = '';
  res.setEncoding('utf8');
  res.on('data', (d: string) => { s += d; });
  res.on('end', () => resolve(s));
});

server.listen(0, '127.0.0.1', async () => {
  const port = (server.address() as AddressInfo).port;
  const name = (n: string) => n.replace(String(port), 'PORT');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let frees = 0;
  agent.on('free', () => frees++);

  // 1. A streamed upload: 32 chunks of 64 KiB, never all in memory.
  let drains = 0;
  let falses = 0;
  const body = Readable.from((function* () {
    for (let i = 0; i < 32; i++) yield Buffer.alloc(64 * 1024, i);
  })());
  const up = http.request({ host: '127.0.0.1', port, method: 'PUT', path: '/upload', agent });
  const write = up.write.bind(up);
  up.write = ((...a: Parameters<typeof up.write>) => { const ok = write(...a); if (!ok) falses++; return ok; }) as typeof up.write;
  up.on('drain', () => drains++);
  const upRes = new Promise<string>((resolve) => up.on('response', (res) => read(res).then(resolve)));
  await new Promise<void>((resolve) => pipeline(body, up, (err) => { console.log('pipeline done', err ?? 'ok'); resolve(); }));
  console.log('upload:', await upRes);
  console.log('back-pressure seen:', falses > 0 && drains > 0);

  // 1b. A file streamed with fs.createReadStream (a file in the writable in-memory volume in the image).
  const file = path.join(os.tmpdir(), 'nimbus-84-upload.bin');
  const data = Buffer.alloc(300_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
  fs.writeFileSync(file, data);
  const fileReq = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/file', agent, headers: { 'Content-Length': data.length } });
  const fileRes = new Promise<string>((resolve) => fileReq.on('response', (res) => read(res).then(resolve)));
  await new Promise<void>((resolve) => pipeline(fs.createReadStream(file), fileReq, (err) => { console.log('file pipeline', err ?? 'ok'); resolve(); }));
  console.log('file:', await fileRes);
  fs.unlinkSync(file);

  // 2. Three requests on one socket: two wait in agent.requests.
  const get = (path: string) => new Promise<string>((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => read(res).then((s) => resolve(`${res.statusCode} ${s.split(' ').slice(0, 2).join(' ')} reused=${req.reusedSocket}`)));
  });
  const three = Promise.all(['/a', '/b', '/c'].map(get));
  console.log('queued:', Object.keys(agent.requests).map(name), Object.values(agent.requests).map((q) => q!.length));
  for (const line of await three) console.log(' ', line);
  await new Promise((r) => setTimeout(r, 20));
  console.log('free sockets:', Object.keys(agent.freeSockets).map(name), 'busy:', Object.keys(agent.sockets).length, 'free events:', frees);

  // 3. flushHeaders: the server sees the request before the body is written.
  const early = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/early', agent });
  early.flushHeaders();
  console.log('flushed, headersSent:', early.headersSent);
  const earlyRes = new Promise<string>((resolve) => early.on('response', (res) => read(res).then(resolve)));
  early.write('part one, ');
  early.end('part two');
  console.log('early:', await earlyRes);

  // 4. A chunked response with trailers; a multi-byte character split across chunks.
  const tr = await new Promise<string>((resolve) => http.get({ host: '127.0.0.1', port, path: '/trailers', agent }, (res) => {
    read(res).then((s) => resolve(`${JSON.stringify(s)} te=${res.headers['transfer-encoding']} trailers=${JSON.stringify(res.trailers)}`));
  }));
  console.log('trailers:', tr);

  // 5. A paused response holds the socket back; resumed, all of it arrives.
  const big = await new Promise<string>((resolve) => http.get({ host: '127.0.0.1', port, path: '/big', agent }, (res) => {
    res.pause();
    setTimeout(() => {
      const held = res.socket!.bytesRead < 2 * 1024 * 1024;
      let n = 0;
      res.on('data', (d: Buffer) => { n += d.length; });
      res.on('end', () => resolve(`paused reading held back: ${held}, received ${n}`));
      res.resume();
    }, 200);
  }));
  console.log('big:', big);

  // 6. Timeout, destroy(err) and abort().
  const slow = http.request({ host: '127.0.0.1', port, path: '/slow', agent: false });
  slow.setTimeout(50, () => { console.log('timeout event'); slow.destroy(new Error('took too long')); });
  slow.on('error', (e) => console.log('slow error:', e.message));
  await new Promise((r) => slow.on('close', r).end());
  const ab = http.request({ host: '127.0.0.1', port, path: '/slow', agent: false });
  ab.on('abort', () => console.log('abort event'));
  ab.on('error', (e: NodeJS.ErrnoException) => console.log('abort error:', e.code, e.message));
  ab.end();
  setTimeout(() => ab.abort(), 20);
  await new Promise((r) => ab.on('close', r));
  console.log('aborted:', ab.aborted, 'destroyed:', ab.destroyed);

  // 7. An upgrade: the socket leaves the agent for the 'upgrade' listener.
  const up2 = await new Promise<string>((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, agent, headers: { Connection: 'Upgrade', Upgrade: 'x-demo' } });
    req.on('upgrade', (res, socket, head) => {
      let got = '';
      socket.on('data', (d: Buffer) => { got += d; });
      socket.on('close', () => resolve(`${res.statusCode} ${res.headers.upgrade} head=${head} then ${got}`));
      socket.write('ping');
    });
    req.end();
  });
  console.log('upgrade:', up2, 'agent sockets:', Object.keys(agent.sockets).length);

  agent.destroy();

  // 8. One request on the globalAgent (keepAlive in Node 20); its idle socket is unref'd.
  const g = http.globalAgent as http.Agent & { keepAlive: boolean; options: { timeout: number } };
  console.log('globalAgent keepAlive:', g.keepAlive, g.options.timeout);
  const last = await new Promise<string>((resolve) => http.get(`http://127.0.0.1:${port}/last`, (res) => read(res).then(resolve)));
  console.log('last:', last);
  server.close(() => console.log('server closed'));
});

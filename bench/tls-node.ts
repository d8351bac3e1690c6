/**
 * TLS in Node, ours against Node's own (OpenSSL), same run, same loopback: sequential
 * TLS 1.3 handshakes (ECDSA P-256 certificate, x25519) and bulk AES-128-GCM MB/s over one
 * connection. Run: node --import tsx bench/tls-node.ts  (BENCH_HANDSHAKES, BENCH_MB).
 */
import net from 'node:net';
import tls from 'node:tls';
import { decodePem, parsePrivateKey } from '../os/crypto/index.ts';
import { TlsClient } from '../os/tls/client.ts';
import { TlsServer } from '../os/tls/server.ts';
import { SocketDriver, makeDir, random, selfSigned } from '../os/tls/testing/openssl.ts';

const N = Number(process.env.BENCH_HANDSHAKES ?? 50);
const MB = Number(process.env.BENCH_MB ?? 32);
const pki = makeDir();
selfSigned(pki, 'srv', 'ec256');
const certPem = pki.read('srv.crt'), keyPem = pki.read('srv.key');
const identity = { chain: decodePem(certPem).map((b) => b.der), key: parsePrivateKey(keyPem) };
const SUITE = 0x1301;

async function listen(s: net.Server): Promise<number> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as net.AddressInfo).port;
}

/** Our server; on data it counts bytes and acks totals of `MB` with one byte. */
async function oursServer(): Promise<[net.Server, number]> {
  const server = net.createServer((sock) => {
    const ep = new TlsServer({ random, identities: [identity], suites: [SUITE] });
    const d = new SocketDriver(ep, sock);
    let got = 0;
    sock.on('data', () => {
      for (const x of d.data.splice(0)) got += x.length;
      if (got >= MB * 1024 * 1024) { got = 0; d.apply(ep.write(new Uint8Array([1]))); }
    });
  });
  return [server, await listen(server)];
}

async function oursConnect(port: number): Promise<{ d: SocketDriver; c: TlsClient }> {
  const c = new TlsClient({ random, serverName: 'localhost', rejectUnauthorized: false, suites: [SUITE], groups: ['x25519'] });
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  const d = new SocketDriver(c, socket);
  d.apply(c.start(Date.now()));
  await d.until(() => c.state !== 'handshake', 30000);
  return { d, c };
}

async function nodeServer(): Promise<[net.Server, number]> {
  const server = tls.createServer({ cert: certPem, key: keyPem, minVersion: 'TLSv1.3', ciphers: 'TLS_AES_128_GCM_SHA256', ecdhCurve: 'X25519' }, (sock) => {
    let got = 0;
    sock.on('data', (b) => { got += b.length; if (got >= MB * 1024 * 1024) { got = 0; sock.write(Buffer.from([1])); } });
    sock.on('error', () => {});
  });
  return [server, await listen(server)];
}

function nodeConnect(port: number): Promise<tls.TLSSocket> {
  return new Promise((resolve) => {
    const s = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, ciphers: 'TLS_AES_128_GCM_SHA256', ecdhCurve: 'X25519' }, () => resolve(s));
    s.on('error', () => {});
  });
}

async function handshakes(kind: 'ours' | 'node'): Promise<number> {
  const [server, port] = kind === 'ours' ? await oursServer() : await nodeServer();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    if (kind === 'ours') { const { d } = await oursConnect(port); d.socket.destroy(); }
    else (await nodeConnect(port)).destroy();
  }
  const ms = (performance.now() - t0) / N;
  server.close();
  return ms;
}

async function bulk(kind: 'ours' | 'node'): Promise<number> {
  const [server, port] = kind === 'ours' ? await oursServer() : await nodeServer();
  const chunk = new Uint8Array(64 * 1024).fill(7);
  const total = MB * 1024 * 1024;
  let t0 = 0;
  if (kind === 'ours') {
    const { d, c } = await oursConnect(port);
    t0 = performance.now();
    for (let sent = 0; sent < total; sent += chunk.length) {
      d.apply(c.write(chunk));
      if (d.socket.writableLength > 4 << 20) await new Promise((r) => d.socket.once('drain', r));
    }
    await d.until(() => d.data.length > 0, 120000);
    d.socket.destroy();
  } else {
    const s = await nodeConnect(port);
    const ack = new Promise((r) => s.once('data', r));
    t0 = performance.now();
    for (let sent = 0; sent < total; sent += chunk.length) {
      if (!s.write(chunk)) await new Promise((r) => s.once('drain', r));
    }
    await ack;
    s.destroy();
  }
  const secs = (performance.now() - t0) / 1000;
  server.close();
  return MB / secs;
}

const rows: string[] = [];
for (const kind of ['node', 'ours'] as const) {
  const hs = await handshakes(kind);
  const mbps = await bulk(kind);
  rows.push(`| ${kind === 'ours' ? 'Nimbus TLS (TypeScript, @noble)' : "Node's tls (OpenSSL)"} | ${hs.toFixed(2)} ms (${(1000 / hs).toFixed(0)}/s) | ${mbps.toFixed(1)} MB/s |`);
}
console.log(`TLS 1.3 in Node ${process.version}, loopback, ${N} sequential handshakes (client+server in one process), ${MB} MB bulk\n`);
console.log('| implementation | handshake (client+server) | bulk AES-128-GCM |\n| --- | --- | --- |\n' + rows.join('\n'));

/**
 * Small applications written directly on TcpConnection, run on the stack in the interop
 * tests and the tap benchmark: a writer with back-pressure, a minimal HTTP/1.1 echo
 * responder, an HTTP/1.0 GET client that hashes the body, and a bulk sender.
 */
import { createHash } from 'node:crypto';
import type { Ipv4Addr } from '../../os/net/addr.ts';
import type { TcpConnection, TcpErrorCode, TcpListener, TcpState } from '../../os/net/tcp/index.ts';
import type { NodeStack } from './node-stack.ts';

const enc = new TextEncoder();
const dec = new TextDecoder('latin1');

/** How a connection ended, as seen by the stack. */
export interface Ending {
  /** State when onClosed ran: CLOSED or TIME-WAIT. */
  state: TcpState;
  error: TcpErrorCode | undefined;
}

/**
 * Writes `data` fully, honouring send() back-pressure (continues from onWritable), then calls
 * `done`. Must be called from a stack callback or followed by node.kick().
 */
export function writeAll(conn: TcpConnection, data: Uint8Array, done?: () => void): void {
  let off = 0;
  const pump = (): void => {
    while (off < data.length) {
      const n = conn.send(data.subarray(off));
      if (n === 0) { conn.onWritable = pump; return; }
      off += n;
    }
    conn.onWritable = undefined;
    done?.();
  };
  pump();
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function headEnd(buf: Uint8Array): number {
  for (let i = 0; i + 3 < buf.length; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) return i + 4;
  }
  return -1;
}

export interface EchoServer {
  listener: TcpListener;
  /** Endings of served connections, in order. */
  endings: Ending[];
  requests: string[];
}

/**
 * HTTP/1.1 echo on `port`: GET answers "<METHOD> <target>\n", any request with a body answers
 * the body. One request per connection (`Connection: close`), then the server closes first.
 */
export function httpEchoServer(node: NodeStack, port: number): EchoServer {
  const listener = node.tcp.listen(port);
  const server: EchoServer = { listener, endings: [], requests: [] };
  const serve = (conn: TcpConnection): void => {
    let buf: Uint8Array = new Uint8Array(0);
    let bodyStart = -1;
    let length = 0;
    let answered = false;
    conn.onClosed = () => { server.endings.push({ state: conn.state, error: conn.error }); };
    conn.onReadable = () => {
      let d: Uint8Array | undefined;
      while ((d = conn.recv())) buf = concat(buf, d);
      if (bodyStart < 0) {
        bodyStart = headEnd(buf);
        if (bodyStart < 0) {
          if (buf.length > 16_384 || conn.readEnded) conn.abort();
          return;
        }
        const head = dec.decode(buf.subarray(0, bodyStart - 4));
        const [requestLine = '', ...lines] = head.split('\r\n');
        server.requests.push(requestLine);
        const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        length = Number(headers.get('content-length') ?? 0);
        if (headers.get('expect')?.toLowerCase() === '100-continue') writeAll(conn, enc.encode('HTTP/1.1 100 Continue\r\n\r\n'));
        if (length === 0) {
          const [method = '', target = ''] = requestLine.split(' ');
          length = -1;
          buf = enc.encode(`${method} ${target}\n`);
          bodyStart = 0;
        }
      }
      const body = buf.subarray(bodyStart);
      if (!answered && (length < 0 || body.length >= length)) {
        answered = true;
        const payload = length < 0 ? body : body.subarray(0, length);
        const head = `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${payload.length}\r\nConnection: close\r\n\r\n`;
        writeAll(conn, concat(enc.encode(head), payload), () => conn.close());
      }
    };
  };
  listener.onConnection = () => {
    let c: TcpConnection | undefined;
    while ((c = listener.accept())) serve(c);
  };
  return server;
}

export interface Download extends Ending {
  status: string;
  bytes: number;
  sha256: string;
  /** ms from connect() to onClosed. */
  elapsedMs: number;
}

/**
 * HTTP/1.0 GET from the stack; the server closes after the body (Linux-initiated close),
 * then the stack closes. Resolves at onClosed with the body's length and SHA-256.
 */
export function httpGet(node: NodeStack, remoteAddress: Ipv4Addr, port: number, path: string): Promise<Download> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const hash = createHash('sha256');
    let head: Uint8Array | undefined = new Uint8Array(0);
    let status = '';
    let bytes = 0;
    const conn = node.connect({ remoteAddress, remotePort: port });
    conn.onConnected = () => { writeAll(conn, enc.encode(`GET ${path} HTTP/1.0\r\nHost: linux\r\n\r\n`)); };
    conn.onReadable = () => {
      let d: Uint8Array | undefined;
      while ((d = conn.recv())) {
        if (head) {
          head = concat(head, d);
          const end = headEnd(head);
          if (end < 0) continue;
          status = dec.decode(head.subarray(0, head.indexOf(13)));
          d = head.subarray(end);
          head = undefined;
        }
        bytes += d.length;
        hash.update(d);
      }
      if (conn.readEnded) conn.close();
    };
    conn.onClosed = () => {
      resolve({ status, bytes, sha256: hash.digest('hex'), state: conn.state, error: conn.error, elapsedMs: performance.now() - t0 });
    };
  });
}

/** Sends `data` to a Linux sink with back-pressure, then closes first; resolves at onClosed. */
export function upload(node: NodeStack, remoteAddress: Ipv4Addr, port: number, data: Uint8Array): Promise<Ending & { elapsedMs: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const conn = node.connect({ remoteAddress, remotePort: port });
    conn.onConnected = () => { writeAll(conn, data, () => conn.close()); };
    conn.onReadable = () => { while (conn.recv()); };
    conn.onClosed = () => { resolve({ state: conn.state, error: conn.error, elapsedMs: performance.now() - t0 }); };
  });
}

/**
 * The CLI and the supervisor talk over the state directory's unix socket, one JSON object per
 * line: the CLI sends one request, the supervisor answers with messages until the last one
 * (`done` or `error`), then the CLI closes the connection.
 */
import net from 'node:net';
import type { InstanceRecord } from './store.ts';

/** What `nimbus up` asks for: the fields its instances' records share, how many, and their network. */
export type UpSpec = Pick<InstanceRecord, 'group' | 'image' | 'target' | 'memMiB' | 'args' | 'env' | 'restart' | 'health' | 'publish'> & {
  count: number;
  net: 'bridge' | 'none';
};

export type Request =
  | { op: 'up'; spec: UpSpec }
  | { op: 'ps' }
  | { op: 'stop'; names: string[] | 'all' }
  | { op: 'rm'; names: string[] | 'all' }
  | { op: 'ping' };

export interface Progress {
  total: number; started: number; answering: number; failed: number;
  /** Host memory in use now less at the start of the up (MemTotal - MemAvailable). */
  hostMemMiB: number;
  elapsedMs: number;
  /** At the end: the summed PSS of the instances that run, and how many they are. */
  pssMiB?: number;
  pssCount?: number;
}

export interface PsRow extends InstanceRecord { pssKiB?: number; lastLines?: string[] }

export type Message =
  | { type: 'progress'; progress: Progress }
  | { type: 'done'; progress?: Progress; instances?: PsRow[]; names?: string[] }
  | { type: 'error'; message: string };

/** Calls `onLine` with each JSON object arriving on `sock`. */
export function readLines(sock: net.Socket, onLine: (v: unknown) => void): void {
  let buf = '';
  sock.setEncoding('utf8');
  sock.on('data', (d: string) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim()) {
        try {
          onLine(JSON.parse(line));
        } catch { /* a malformed line is dropped */ }
      }
    }
  });
}

export function send(sock: net.Socket, m: Message | Request): void {
  if (!sock.destroyed) sock.write(JSON.stringify(m) + '\n');
}

/** Sends `req` and calls `onMessage` for each answer; resolves with the last (done or error). */
export function request(socketPath: string, req: Request, onMessage: (m: Message) => void = () => {}): Promise<Message> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(socketPath);
    let last: Message | undefined;
    sock.on('connect', () => send(sock, req));
    sock.on('error', reject);
    readLines(sock, (v) => {
      const m = v as Message;
      onMessage(m);
      if (m.type === 'done' || m.type === 'error') {
        last = m;
        sock.end();
      }
    });
    sock.on('close', () => (last ? resolve(last) : reject(new Error('the supervisor closed the connection without an answer (see supervisor.log in the state directory)'))));
  });
}

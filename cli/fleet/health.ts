/**
 * Readiness checks (`--health tcp:PORT | http:[PORT]/PATH`): the supervisor knows when an
 * instance answers. A TCP check passes when a connection is accepted; an HTTP check when a
 * GET of PATH answers with a status below 400.
 */
import net from 'node:net';
import type { Health } from './store.ts';

export function parseHealth(text: string): Health {
  let m = /^tcp:(\d+)$/.exec(text);
  if (m) return { kind: 'tcp', port: checkPort(Number(m[1]), text) };
  m = /^http:(?:(\d+))?(\/\S*)$/.exec(text);
  if (m) return { kind: 'http', port: checkPort(Number(m[1] ?? 80), text), path: m[2]! };
  throw new RangeError(`--health takes tcp:PORT or http:[PORT]/PATH (e.g. tcp:80, http:/healthz, http:8080/), got '${text}'`);
}

function checkPort(p: number, text: string): number {
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new RangeError(`Invalid port in --health '${text}'`);
  return p;
}

export function formatHealth(h: Health): string {
  return h.kind === 'tcp' ? `tcp:${h.port}` : `http:${h.port}${h.path}`;
}

/** One check of `host`; resolves true if it passed within `timeoutMs`. */
export function checkOnce(h: Health, host: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port: h.port });
    let buf = '';
    const done = (ok: boolean) => { clearTimeout(timer); s.destroy(); resolve(ok); };
    const timer = setTimeout(() => done(false), timeoutMs);
    s.on('error', () => done(false));
    s.on('connect', () => {
      if (h.kind === 'tcp') return done(true);
      s.write(`GET ${h.path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    });
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(buf);
      if (m) done(Number(m[1]) < 400);
      else if (buf.length > 64 || buf.includes('\n')) done(false);
    });
    s.on('end', () => done(false));
  });
}

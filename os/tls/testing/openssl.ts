/**
 * Test helpers: certificates made with the real openssl at run time, openssl s_server /
 * s_client peers on loopback, and a node:net adapter that drives a TLS endpoint.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { TlsEndpoint, TlsEvent, TlsOutput } from '../connection.ts';

export const random = (n: number) => new Uint8Array(randomBytes(n));

export type KeyKind = 'ec256' | 'ec384' | 'rsa2048' | 'ed25519' | 'rsa-pss';

function keyArgs(kind: KeyKind): string[] {
  switch (kind) {
    case 'ec256': return ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
    case 'ec384': return ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'];
    case 'rsa2048': return ['-newkey', 'rsa:2048'];
    case 'rsa-pss': return ['-newkey', 'rsa-pss', '-pkeyopt', 'rsa_keygen_bits:2048'];
    case 'ed25519': return ['-newkey', 'ed25519'];
  }
}

export interface Pki { dir: string; file(name: string): string; read(name: string): string }

export function makeDir(): Pki {
  const dir = mkdtempSync(path.join(tmpdir(), 'nimbus-tls-'));
  return { dir, file: (n) => path.join(dir, n), read: (n) => readFileSync(path.join(dir, n), 'utf8') };
}

const run = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

/** A self-signed certificate `name`.crt / `name`.key. */
export function selfSigned(pki: Pki, name: string, kind: KeyKind, opts: { cn?: string; san?: string; days?: number; ca?: boolean } = {}): void {
  const ext = [`subjectAltName=${opts.san ?? 'DNS:localhost,IP:127.0.0.1'}`];
  if (opts.ca) ext.push('basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign');
  run(['req', '-x509', ...keyArgs(kind), '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', String(opts.days ?? 30),
    '-subj', `/CN=${opts.cn ?? 'localhost'}`, ...ext.flatMap((e) => ['-addext', e])], pki.dir);
}

/** A certificate `name` signed by `issuer` (which must exist in the directory). */
export function issued(pki: Pki, name: string, issuer: string, kind: KeyKind, opts: { cn?: string; san?: string; ca?: boolean; pathLen?: number; days?: number; extra?: string[]; notBefore?: string; notAfter?: string } = {}): void {
  run(['req', ...keyArgs(kind), '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${opts.cn ?? name}`], pki.dir);
  const ext: string[] = [];
  if (opts.ca) ext.push(`basicConstraints=critical,CA:TRUE${opts.pathLen !== undefined ? `,pathlen:${opts.pathLen}` : ''}`, 'keyUsage=critical,keyCertSign,cRLSign');
  else ext.push('basicConstraints=CA:FALSE', `subjectAltName=${opts.san ?? 'DNS:localhost,IP:127.0.0.1'}`);
  ext.push(...(opts.extra ?? []));
  writeFileSync(pki.file(`${name}.ext`), ext.join('\n') + '\n');
  if (opts.notBefore || opts.notAfter) {
    // `openssl ca` is the only tool that takes explicit dates; x509 -days cannot go backwards.
    writeFileSync(pki.file('index.txt'), '');
    writeFileSync(pki.file('ca.cnf'), `[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n`);
    writeFileSync(pki.file('serial'), randomBytes(8).toString('hex') + '\n');
    run(['ca', '-batch', '-config', 'ca.cnf', '-cert', `${issuer}.crt`, '-keyfile', `${issuer}.key`, '-in', `${name}.csr`, '-out', `${name}.crt`,
      '-startdate', opts.notBefore ?? '20200101000000Z', '-enddate', opts.notAfter ?? '20991231000000Z', '-extfile', `${name}.ext`, '-notext'], pki.dir);
    return;
  }
  run(['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.crt`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-out', `${name}.crt`,
    '-days', String(opts.days ?? 30), '-extfile', `${name}.ext`], pki.dir);
}

export interface Peer { proc: ChildProcess; port: number; output: () => string; stop(): void }

/** Starts `openssl s_server` on a free loopback port and waits for it to accept. */
export async function startServer(pki: Pki, args: string[]): Promise<Peer> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    const proc = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, ...args], { cwd: pki.dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    const ok = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 5000);
      const check = () => { if (out.includes('ACCEPT')) { clearTimeout(t); resolve(true); } };
      proc.stdout!.on('data', check);
      proc.on('exit', () => { clearTimeout(t); resolve(false); });
    });
    if (ok) return { proc, port, output: () => out, stop: () => { proc.kill('SIGKILL'); } };
    proc.kill('SIGKILL');
  }
  throw new Error('openssl s_server did not start');
}

/** Runs `openssl s_client` against `port`, writing `input`, collecting its output. */
export function runClient(pki: Pki, port: number, args: string[], input: string, timeoutMs = 10000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const proc = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, ...args], { cwd: pki.dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (out += d));
    const t = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.on('close', (code) => { clearTimeout(t); resolve({ code, out }); });
    proc.stdin.write(input);
    // keep stdin open briefly so the reply arrives before s_client quits
    setTimeout(() => proc.stdin.end(), 1500);
  });
}

/** Drives an endpoint over a node:net socket. Collects data and events. */
export class SocketDriver {
  data: Uint8Array[] = [];
  events: TlsEvent[] = [];
  closed: Promise<void>;
  #waiters: (() => void)[] = [];
  constructor(readonly endpoint: TlsEndpoint, readonly socket: net.Socket) {
    socket.on('data', (b) => this.apply(endpoint.receive(new Uint8Array(b), Date.now())));
    this.closed = new Promise((r) => socket.on('close', () => { this.#wake(); r(); }));
    socket.on('error', () => {});
  }
  apply(o: TlsOutput): void {
    for (const w of o.wire) if (!this.socket.destroyed) this.socket.write(w);
    this.data.push(...o.data);
    this.events.push(...o.events);
    if (o.events.some((e) => e.type === 'error')) this.socket.end();
    this.#wake();
  }
  #wake(): void { const w = this.#waiters; this.#waiters = []; w.forEach((f) => f()); }
  text(): string { return Buffer.concat(this.data).toString(); }
  /** Waits until `pred` holds (bounded by `ms`). */
  async until(pred: () => boolean, ms = 10000): Promise<boolean> {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end || this.socket.destroyed && !pred()) return pred();
      await new Promise<void>((r) => { this.#waiters.push(r); setTimeout(r, 100); });
    }
    return true;
  }
  error() { return (this.events.find((e) => e.type === 'error') as { error: Error & { code: string } } | undefined)?.error; }
}

export async function connectDriver(port: number, endpoint: TlsEndpoint): Promise<SocketDriver> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((r, j) => { socket.once('connect', () => r()); socket.once('error', j); });
  const d = new SocketDriver(endpoint, socket);
  d.apply(endpoint.start(Date.now()));
  return d;
}

/**
 * Real database servers for tests: a PostgreSQL cluster (initdb into a temp dir, password
 * auth scram-sha-256 for TCP) and a redis-server, both from Debian's packages
 * (tools/setup-system.sh), each listening on a free port on 127.0.0.1, PostgreSQL also over
 * TLS when given a certificate. Run as root, they run as `nobody` (postgres refuses root). stop() kills them and removes the directories.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createConnection } from 'node:net';

export const PG_USER = 'nimbus';
export const PG_PASSWORD = 'nimbus-secret';

export interface DatabaseServers { pgPort: number; redisPort: number; stop(): Promise<void>; /** What PostgreSQL printed so far. */ pgLog(): string }

/** The directory of PostgreSQL's server binaries (initdb, postgres), or undefined. */
export function postgresBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(base, versions[0]!, 'bin') : undefined;
}

export function redisServerBin(): string | undefined {
  for (const p of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) if (existsSync(p)) return p;
  return undefined;
}

const asRoot = process.getuid?.() === 0;
/** Run as nobody when we are root (spawned directly, so signals reach the server itself). */
const user = asRoot ? { uid: 65534, gid: 65534 } : {};

async function waitForPort(port: number, child: ChildProcess, log: () => string, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not listen on ${port} within ${timeoutMs} ms: ${log()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => { child.kill('SIGKILL'); }, 5_000);
    child.once('exit', () => { clearTimeout(t); resolve(); });
    child.kill('SIGINT'); // postgres: fast shutdown; redis: shutdown without saving (save "")
  });
}

/** PostgreSQL's TLS (`ssl=on`): the server's certificate and key, PEM. Plain connections still work. */
export interface PgSsl { cert: string; key: string }

export async function startDatabases(pgPort: number, redisPort: number, opts: { pgSsl?: PgSsl } = {}): Promise<DatabaseServers> {
  const bin = postgresBin();
  const redisBin = redisServerBin();
  if (!bin || !redisBin) throw new Error('postgresql and redis-server are needed: run tools/setup-system.sh');
  const dir = mkdtempSync(path.join(tmpdir(), 'nimbus-db-'));
  const data = path.join(dir, 'pg');
  const pwfile = path.join(dir, 'pwfile');
  writeFileSync(pwfile, `${PG_PASSWORD}\n`);
  if (asRoot) { chownSync(dir, 65534, 65534); chownSync(pwfile, 65534, 65534); }
  const init = spawnSync(path.join(bin, 'initdb'), [
    '-D', data, '-U', PG_USER, `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync',
  ], { encoding: 'utf8', cwd: dir, ...user });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stdout}${init.stderr}`);
  const sslArgs: string[] = [];
  if (opts.pgSsl) {
    // PostgreSQL refuses a key file that others may read, or that its user does not own.
    const certFile = path.join(dir, 'server.crt'), keyFile = path.join(dir, 'server.key');
    writeFileSync(certFile, opts.pgSsl.cert);
    writeFileSync(keyFile, opts.pgSsl.key, { mode: 0o600 });
    if (asRoot) { chownSync(certFile, 65534, 65534); chownSync(keyFile, 65534, 65534); }
    sslArgs.push('-c', 'ssl=on', '-c', `ssl_cert_file=${certFile}`, '-c', `ssl_key_file=${keyFile}`);
  }
  let pgLog = '';
  const postgres = spawn(path.join(bin, 'postgres'), [
    '-D', data, '-p', String(pgPort), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'password_encryption=scram-sha-256', ...sslArgs,
  ], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir, ...user });
  postgres.stdout!.on('data', (c) => (pgLog += c));
  postgres.stderr!.on('data', (c) => (pgLog += c));
  let redisLog = '';
  const redis = spawn(redisBin, ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir, ...user });
  redis.stdout!.on('data', (c) => (redisLog += c));
  redis.stderr!.on('data', (c) => (redisLog += c));
  const stop = async (): Promise<void> => {
    await Promise.all([stopChild(postgres), stopChild(redis)]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(pgPort, postgres, () => pgLog);
    await waitForPort(redisPort, redis, () => redisLog);
  } catch (e) {
    await stop();
    throw e;
  }
  return { pgPort, redisPort, stop, pgLog: () => pgLog };
}

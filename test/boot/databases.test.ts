/**
 * Real databases, not mocks (issue 12): test/databases/app.ts uses `pg` against PostgreSQL
 * (SCRAM-SHA-256 password auth, parameters, arrays and jsonb, transactions, a 64 KB row, error
 * codes, a pool; over TLS with `ssl: { ca }` and `sslmode=require`, the certificate made by the
 * test) and `ioredis` against redis-server (a 200 KB value, pipeline, MULTI, pub/sub
 * on a second connection, error replies). The test starts both servers itself from Debian's
 * packages on free loopback ports, runs the program under node, then in an image whose guest
 * reaches the host's loopback as 10.0.2.2 through QEMU's user network, and the two outputs
 * must be the same.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { buildImage } from '../../cli/build.ts';
import { ROOT } from '../../cli/paths.ts';
import { TEST_IMAGE_DIR, boot, freePort } from './vm.ts';
import { issued, makeDir, selfSigned } from '../../os/tls/testing/openssl.ts';
import { PG_PASSWORD, PG_USER, postgresBin, redisServerBin, startDatabases, type DatabaseServers } from '../databases/servers.ts';

const APP = path.join(ROOT, 'test', 'databases', 'app.ts');
let servers: DatabaseServers;
let node: { status: number | null; stdout: string; stderr: string };

// Issue 12: pg's Pool (three connections opened at once) once saw "Connection terminated
// unexpectedly" here over the stream.Duplex net.Socket. It did not reproduce on 2026-12-02 in
// four runs (three on main at a6a0702, one with os/ as of 9e9f812, when the test was skipped),
// so it runs again; skipped only when the servers are not installed (tools/setup-system.sh).
const skip = (!postgresBin() || !redisServerBin()) && 'postgresql and redis-server are not installed (tools/setup-system.sh)';

let tlsEnv: Record<string, string> = {};

before(async () => {
  if (skip) return;
  // PostgreSQL's certificate, made by the test: a CA and a leaf for the host as node (127.0.0.1)
  // and the guest (10.0.2.2) reach it; a second CA that signed nothing, for the failure.
  const pki = makeDir();
  selfSigned(pki, 'ca', 'ec256', { cn: 'Databases CA', ca: true, san: 'DNS:ca.invalid' });
  issued(pki, 'pg', 'ca', 'ec256', { cn: 'postgres', san: 'IP:127.0.0.1,IP:10.0.2.2' });
  selfSigned(pki, 'other', 'ec256', { cn: 'Other CA', ca: true, san: 'DNS:other.invalid' });
  tlsEnv = { PG_SSL_CA: pki.read('ca.crt'), PG_SSL_OTHER_CA: pki.read('other.crt') };
  servers = await startDatabases(await freePort(), await freePort(), { pgSsl: { cert: pki.read('pg.crt'), key: pki.read('pg.key') } });
  const env = { ...process.env, PGPORT: String(servers.pgPort), REDIS_PORT: String(servers.redisPort), PGUSER: PG_USER, PGPASSWORD: PG_PASSWORD, ...tlsEnv };
  const r = spawnSync(process.execPath, ['--import', 'tsx', APP], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
  node = { status: r.status, stdout: r.stdout, stderr: r.stderr };
});

after(async () => { await servers?.stop(); });

test('pg and ioredis against real PostgreSQL and Redis: the image prints what node prints', { skip }, async () => {
  assert.equal(node.status, 0, `under node: ${node.stderr}`);
  assert.match(node.stdout, /^pg select \[\{"two":2,"greeting":"hello","n":42\}\]/);
  assert.match(node.stdout, /^pg bad password 28P01 /m);
  assert.match(node.stdout, /^pg tls ssl: \{ ca \} true TLSv1\.3$/m);
  assert.match(node.stdout, /^pg tls sslmode=require true TLSv1\.3$/m);
  assert.match(node.stdout, /^pg tls ssl: \{ ca: another CA \} error UNABLE_TO_VERIFY_LEAF_SIGNATURE unable to verify the first certificate$/m);
  assert.match(node.stdout, /^redis messages news:one weather:sunny news:two$/m);
  assert.match(node.stdout, /databases done\n$/);
  const r = await buildImage({ entry: APP, output: path.join(TEST_IMAGE_DIR, 'databases.img') });
  const run = () => boot(r.image, {
    net: { kind: 'user' }, memMiB: 128,
    env: { PGHOST: '10.0.2.2', PGPORT: String(servers!.pgPort), REDIS_HOST: '10.0.2.2', REDIS_PORT: String(servers!.redisPort), PGUSER: PG_USER, PGPASSWORD: PG_PASSWORD, ...tlsEnv },
  });
  let vm = await run();
  // A known, not yet explained failure (open in issue 12's notes): about one run in several
  // under a loaded host, one of the pool's three connections ends on the guest's side during
  // SCRAM authentication ("Connection terminated unexpectedly") while PostgreSQL still waits
  // for it. Exactly that failure is retried once, loudly; anything else, or twice, fails.
  // Each failure came while SCRAM's PBKDF2 ran in pure JS: 5.3 s per connection under TCG,
  // three at once, the loop blocked throughout. It now runs over the core's HMAC (176 ms);
  // not seen since (4 runs), the retry stays until the cause is known.
  const poolFlake = vm.stdout !== node.stdout && /Connection terminated unexpectedly/.test(vm.stderr)
    && node.stdout.startsWith(vm.stdout) && node.stdout.slice(vm.stdout.length).startsWith('pg pool ');
  if (poolFlake) {
    console.log(`# KNOWN FLAKE (pg pool connection ended during authentication), retrying once; postgres log tail:\n${servers.pgLog().slice(-1500)}`);
    vm = await run();
  }
  // PostgreSQL's own log says why it closed a connection (e.g. an invalid startup packet).
  assert.equal(vm.stdout, node.stdout, `guest stderr: ${vm.stderr}\npostgres log (tail):\n${servers.pgLog().slice(-3000)}`);
  assert.equal(vm.code, 0, `guest stderr: ${vm.stderr}`);
});

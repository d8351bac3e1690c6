/**
 * The databases suite's program (test/boot/databases.test.ts): `pg` against a real PostgreSQL
 * (password auth is SCRAM-SHA-256, which needs node:crypto's pbkdf2/hmac/randomBytes) and
 * pg over TLS when PostgreSQL has a certificate (PG_SSL_CA), and
 * `ioredis` against a real redis-server (commands, pipeline, MULTI, pub/sub, error replies).
 * The servers run on the host; PGHOST/PGPORT/REDIS_HOST/REDIS_PORT say where (127.0.0.1 under
 * node, 10.0.2.2, the host as QEMU's user network shows it, in the image). Everything it
 * prints is deterministic, so the output under node and in the image must be the same.
 */
import pg from 'pg';
import Redis from 'ioredis';

const env = process.env;
const pgConfig = {
  host: env.PGHOST ?? '127.0.0.1', port: Number(env.PGPORT ?? 5432),
  user: env.PGUSER ?? 'nimbus', password: env.PGPASSWORD ?? 'nimbus-secret', database: env.PGDATABASE ?? 'postgres',
};

async function postgres(): Promise<void> {
  const client = new pg.Client(pgConfig);
  await client.connect();
  const one = await client.query('SELECT 1 + 1 AS two, $1::text AS greeting, $2::int * 3 AS n', ['hello', 14]);
  console.log('pg select', JSON.stringify(one.rows), one.fields.map((f) => f.name).join(','));
  await client.query('CREATE TEMP TABLE items (id serial PRIMARY KEY, name text NOT NULL, qty int, tags text[], meta jsonb)');
  for (const [name, qty] of [['apple', 3], ['pear', 0], ['plum', 12]] as const) {
    await client.query('INSERT INTO items (name, qty, tags, meta) VALUES ($1, $2, $3, $4)', [name, qty, [name[0], 'fruit'], { len: name.length }]);
  }
  const rows = await client.query('SELECT id, name, qty, tags, meta FROM items ORDER BY id');
  console.log('pg rows', rows.rowCount, JSON.stringify(rows.rows));
  await client.query('BEGIN');
  await client.query('UPDATE items SET qty = qty + 100');
  await client.query('ROLLBACK');
  const sum = await client.query('SELECT sum(qty)::int AS total FROM items');
  console.log('pg after rollback', sum.rows[0].total);
  const big = await client.query("SELECT string_agg(md5(i::text), '') AS s FROM generate_series(1, 2000) i");
  console.log('pg big row', big.rows[0].s.length, big.rows[0].s.slice(0, 16));
  try {
    await client.query('SELECT * FROM no_such_table');
  } catch (e) {
    const err = e as { code?: string; message: string; severity?: string };
    console.log('pg error', err.code, err.severity, err.message);
  }
  const pool = new pg.Pool({ ...pgConfig, max: 3 });
  const parallel = await Promise.all([1, 2, 3, 4, 5].map((i) => pool.query('SELECT $1::int * $1::int AS sq, pg_sleep(0.01)::text AS z', [i])));
  console.log('pg pool', parallel.map((r) => r.rows[0].sq).join(' '));
  await pool.end();
  await client.end();
  const bad = new pg.Client({ ...pgConfig, password: 'wrong' });
  try { await bad.connect(); console.log('pg bad password accepted?!'); } catch (e) {
    console.log('pg bad password', (e as { code?: string }).code, (e as Error).message);
  }
}

/**
 * pg over TLS (PostgreSQL's SSLRequest, then tls.connect({ socket })), when the test gave the
 * server a certificate: PG_SSL_CA is its CA (PEM), PG_SSL_OTHER_CA one that did not sign it.
 */
async function postgresTls(): Promise<void> {
  if (!env.PG_SSL_CA) return;
  const show = async (name: string, config: pg.ClientConfig) => {
    const client = new pg.Client(config);
    try {
      await client.connect();
      const r = await client.query('SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      console.log(`pg tls ${name}`, r.rows[0].ssl, r.rows[0].version);
      await client.end();
    } catch (e) {
      console.log(`pg tls ${name} error`, (e as { code?: string }).code, (e as Error).message);
      await client.end().catch(() => {});
    }
  };
  await show('ssl: { ca }', { ...pgConfig, ssl: { ca: env.PG_SSL_CA } });
  const { host, port, user, password, database } = pgConfig;
  await show('sslmode=require', { connectionString: `postgres://${user}:${password}@${host}:${port}/${database}?sslmode=require&uselibpqcompat=true` });
  await show('ssl: { ca: another CA }', { ...pgConfig, ssl: { ca: env.PG_SSL_OTHER_CA } });
}

async function redis(): Promise<void> {
  const opts = { host: env.REDIS_HOST ?? '127.0.0.1', port: Number(env.REDIS_PORT ?? 6379), lazyConnect: true, maxRetriesPerRequest: 1 };
  const r = new Redis(opts);
  await r.connect();
  console.log('redis ping', await r.ping());
  await r.set('greeting', 'hello from ioredis');
  console.log('redis get', await r.get('greeting'), await r.strlen('greeting'));
  const big = 'x'.repeat(200_000);
  await r.set('big', big);
  console.log('redis big', (await r.get('big'))?.length);
  const p = await r.pipeline().set('a', '1').incr('a').incrby('a', 40).get('a').lpush('list', 'x', 'y', 'z').lrange('list', 0, -1).exec();
  console.log('redis pipeline', JSON.stringify(p));
  const m = await r.multi().hset('h', 'f1', 'v1', 'f2', 'v2').hgetall('h').exec();
  console.log('redis multi', JSON.stringify(m));
  try { await r.incr('greeting'); } catch (e) { console.log('redis error', (e as Error).message); }
  const sub = new Redis(opts);
  await sub.connect();
  const got: string[] = [];
  const done = new Promise<void>((resolve) => {
    sub.on('message', (channel: string, message: string) => { got.push(`${channel}:${message}`); if (got.length === 3) resolve(); });
  });
  console.log('redis subscribed', await sub.subscribe('news', 'weather'));
  for (const [c, msg] of [['news', 'one'], ['weather', 'sunny'], ['news', 'two']]) console.log('redis publish', c, await r.publish(c!, msg!));
  await done;
  console.log('redis messages', got.join(' '));
  await sub.quit();
  await r.del('greeting', 'big', 'a', 'list', 'h');
  console.log('redis quit', await r.quit());
}

await postgres();
await postgresTls();
await redis();
console.log('databases done');

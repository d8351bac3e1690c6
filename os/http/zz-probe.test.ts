import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { createHash } from 'node:crypto';
import { createFetch } from './fetch.ts';
import { listen } from './test-util.ts';
import type { NetModuleLike } from './net-types.ts';

test('probe', async () => {
  const data = new Uint8Array(20 * 1024 * 1024);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 10)) & 0xff;
  const want = createHash('sha256').update(data).digest('hex');
  const srv = await listen((req, res) => {
    let off = 0;
    const pump = () => {
      while (off < data.length) { const c = data.subarray(off, off + 65536); off += c.length; if (!res.write(c)) { res.once('drain', pump); return; } }
      res.end();
    };
    pump();
  });
  const stats = { pause: 0, resume: 0, data: 0, sizes: new Map<number, number>() };
  const wrapped = { connect(o: any) { const s = net.connect(o); const p = s.pause.bind(s), r = s.resume.bind(s);
    (s as any).pause = () => { stats.pause++; return p(); }; (s as any).resume = () => { stats.resume++; return r(); };
    s.on('data', (d) => { stats.data++; }); return s; }, createServer: net.createServer } as unknown as NetModuleLike;
  const client = createFetch({ net: wrapped });
  const r = await client.fetch(`http://127.0.0.1:${srv.port}/`);
  const h = createHash('sha256');
  let n = 0;
  for await (const c of r.body!) { h.update(c as Uint8Array); n++; if (process.env.SLOW && n % 7 === 0) await new Promise((q) => setTimeout(q, Number(process.env.SLOW))); }
  assert.equal(h.digest('hex'), want);
  console.log({ ...stats, chunks: n });
  client.close(); await srv.close();
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import { createFetch } from './fetch.ts';
import type { NetModuleLike } from './net-types.ts';

function rng(seed: number) { let s = seed >>> 0 || 1; return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; }; }

class FakeSocket extends EventEmitter {
  destroyed = false; paused = false; pending: Uint8Array[] = []; scheduled = false; ended = false;
  constructor(public onRequest: (s: FakeSocket) => void, public r: () => number) { super(); }
  write(_d: Uint8Array, cb?: () => void) { if (!this.gotReq) { this.gotReq = true; setImmediate(() => this.onRequest(this)); } cb && queueMicrotask(cb); return true; }
  gotReq = false;
  end() { return this; }
  destroy() { if (this.destroyed) return; this.destroyed = true; setImmediate(() => this.emit('close')); }
  pause() { this.paused = true; }
  resume() { if (!this.paused) return; this.paused = false; this.kick(); }
  setNoDelay() {}
  feed(d: Uint8Array) { this.pending.push(d); this.kick(); }
  finishFeed() { this.ended = true; this.kick(); }
  kick() {
    if (this.scheduled) return; this.scheduled = true;
    const m = this.r();
    const go = () => { this.scheduled = false; this.flow(); };
    if (m < 0.3) queueMicrotask(go); else if (m < 0.6) process.nextTick(go); else setImmediate(go);
  }
  flow() {
    while (!this.paused && !this.destroyed && this.pending.length) {
      const d = this.pending.shift()!;
      this.emit('data', d);
    }
  }
}

function chunkedBody(data: Uint8Array, r: () => number): Uint8Array {
  const parts: Buffer[] = [Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n')];
  let off = 0;
  while (off < data.length) {
    const n = Math.min(data.length - off, 1 + Math.floor(r() * (r() < 0.5 ? 16 : 70000)));
    parts.push(Buffer.from(`${n.toString(16)}${r() < 0.1 ? ';x=y' : ''}\r\n`), Buffer.from(data.subarray(off, off + n)), Buffer.from('\r\n'));
    off += n;
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return new Uint8Array(Buffer.concat(parts));
}

test('sim: random splits and schedules', async () => {
  const data = new Uint8Array(3 * 1024 * 1024);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 10)) & 0xff;
  const want = createHash('sha256').update(data).digest('hex');
  for (let seed = 1; seed <= Number(process.env.SEEDS ?? 50); seed++) {
    const r = rng(seed);
    const wire = chunkedBody(data, r);
    const net = {
      createServer() { throw new Error('no'); },
      connect() {
        const s = new FakeSocket((s) => {
          let off = 0;
          const step = () => {
            if (off >= wire.length) { return; }
            const mode = r();
            const n = mode < 0.2 ? 1 : mode < 0.4 ? Math.floor(r() * 10) : mode < 0.8 ? Math.floor(r() * 70000) : Math.floor(r() * 500000);
            if (n > 0) s.feed(wire.subarray(off, off + n));
            off += n;
            if (r() < 0.5) step(); else setImmediate(step);
          };
          step();
        }, r);
        setImmediate(() => s.emit('connect'));
        return s;
      },
    } as unknown as NetModuleLike;
    const client = createFetch({ net });
    const res = await client.fetch('http://127.0.0.1:1/');
    const h = createHash('sha256');
    const reader = res.body!.getReader();
    let turns = 0;
    for (;;) {
      const x = await reader.read();
      if (x.done) break;
      h.update(x.value);
      const m = r();
      if (m < 0.3) await new Promise((q) => setImmediate(q));
      else if (m < 0.4) await new Promise((q) => setTimeout(q, 0));
      if (++turns > 10_000_000) throw new Error('too many');
    }
    assert.equal(h.digest('hex'), want, `seed ${seed}`);
    client.close();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Headers, Request, Response, AbortController, AbortSignal, ReadableStream, TransformStream, installWebGlobals,
} from './index.ts';
import { Utf8Decoder, utf8Encode } from './text.ts';

test('Headers: case-insensitive, combined, sorted, set-cookie kept apart, validated', () => {
  const h = new Headers({ 'X-B': '1', 'x-a': ' 2 ' });
  h.append('X-B', '3');
  h.append('Set-Cookie', 'a=1');
  h.append('Set-Cookie', 'b=2');
  assert.equal(h.get('x-b'), '1, 3');
  assert.equal(h.get('X-A'), '2');
  assert.deepEqual([...h], [['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['x-a', '2'], ['x-b', '1, 3']]);
  assert.deepEqual(h.getSetCookie(), ['a=1', 'b=2']);
  h.set('x-b', '4');
  assert.equal(h.get('x-b'), '4');
  h.delete('X-A');
  assert.equal(h.has('x-a'), false);
  assert.throws(() => h.set('bad name', 'x'), TypeError);
  assert.throws(() => h.set('x', 'a\nb'), TypeError);
  assert.deepEqual([...new Headers([['a', 'b']])], [['a', 'b']]);
  assert.equal(new Headers(h).get('x-b'), '4');
});

test('Response: bodies of every kind read back as text/json/arrayBuffer/bytes', async () => {
  assert.equal(await new Response('héllo').text(), 'héllo');
  assert.deepEqual(await new Response('{"a":1}').json(), { a: 1 });
  assert.deepEqual([...await new Response(new Uint8Array([1, 2])).bytes()], [1, 2]);
  assert.equal((await new Response(new Uint8Array([1, 2, 3]).buffer).arrayBuffer()).byteLength, 3);
  const form = new Response(new URLSearchParams({ a: '1', b: 'x y' }));
  assert.equal(form.headers.get('content-type'), 'application/x-www-form-urlencoded;charset=UTF-8');
  assert.equal(await form.text(), 'a=1&b=x+y');
  const s = new ReadableStream({ start(c) { c.enqueue(utf8Encode('ab')); c.enqueue(utf8Encode('cd')); c.close(); } });
  assert.equal(await new Response(s).text(), 'abcd');
  assert.equal(await new Response(null).text(), '');
  assert.equal(new Response('x').headers.get('content-type'), 'text/plain;charset=UTF-8');
});

test('Response: status, ok, statusText, bodyUsed, clone, static json/redirect/error', async () => {
  const r = new Response('x', { status: 404, statusText: 'Nope', headers: { a: 'b' } });
  assert.equal(r.ok, false);
  assert.equal(r.statusText, 'Nope');
  assert.equal(r.redirected, false);
  const c = r.clone();
  assert.equal(await r.text(), 'x');
  assert.equal(r.bodyUsed, true);
  await assert.rejects(r.text(), TypeError);
  assert.equal(await c.text(), 'x');
  const streamed = new Response(new ReadableStream({ start(ctl) { ctl.enqueue(utf8Encode('s')); ctl.close(); } }));
  const sc = streamed.clone();
  assert.deepEqual([await streamed.text(), await sc.text()], ['s', 's']);
  assert.throws(() => new Response('x', { status: 99 }), RangeError);
  assert.throws(() => new Response('x', { status: 204 }), TypeError);
  const j = Response.json({ a: 1 }, { status: 201 });
  assert.equal(j.status, 201);
  assert.equal(j.headers.get('content-type'), 'application/json');
  assert.deepEqual(await j.json(), { a: 1 });
  const red = Response.redirect('http://x.test/a', 301);
  assert.equal(red.headers.get('location'), 'http://x.test/a');
  assert.throws(() => red.headers.set('a', 'b'), TypeError);
  assert.throws(() => Response.redirect('http://x.test/', 200), RangeError);
  const e = Response.error();
  assert.equal(e.status, 0);
  assert.equal(e.type, 'error');
});

test('Request: method normalized, url parsed, GET with body refused, body read, clone', async () => {
  const r = new Request('http://a.test/x?y=1', { method: 'post', body: '{"k":2}', headers: { 'Content-Type': 'application/json' } });
  assert.equal(r.method, 'POST');
  assert.equal(r.url, 'http://a.test/x?y=1');
  const c = r.clone();
  assert.deepEqual(await r.json(), { k: 2 });
  assert.equal(await c.text(), '{"k":2}');
  assert.throws(() => new Request('http://a.test/', { method: 'GET', body: 'x' }), TypeError);
  assert.throws(() => new Request('not a url'), TypeError);
  assert.equal(new Request('http://a.test', { method: 'patch' }).method, 'PATCH');
  const copy = new Request(new Request('http://b.test/', { method: 'PUT', body: 'z' }));
  assert.equal(copy.method, 'PUT');
  assert.equal(await copy.text(), 'z');
  assert.equal(r.signal.aborted, false);
});

test('AbortController / AbortSignal: abort, reason, listeners, any, timeout, throwIfAborted', async () => {
  const ac = new AbortController();
  const seen: string[] = [];
  ac.signal.addEventListener('abort', () => seen.push('listener'));
  ac.signal.onabort = () => seen.push('onabort');
  ac.abort();
  ac.abort();
  assert.equal(ac.signal.aborted, true);
  assert.equal((ac.signal.reason as Error).name, 'AbortError');
  assert.deepEqual(seen, ['onabort', 'listener']);
  assert.throws(() => ac.signal.throwIfAborted(), { name: 'AbortError' });
  assert.equal(AbortSignal.abort('why').reason, 'why');
  const a2 = new AbortController();
  const any = AbortSignal.any([a2.signal, new AbortController().signal]);
  a2.abort('x');
  assert.equal(any.reason, 'x');
  const t = AbortSignal.timeout(10);
  // The timeout's timer is unref'd (as Node's): keep the loop alive while waiting for it.
  const keep = setTimeout(() => {}, 10_000);
  await new Promise<void>((resolve) => t.addEventListener('abort', () => resolve()));
  clearTimeout(keep);
  assert.equal((t.reason as Error).name, 'TimeoutError');
  assert.throws(() => new (AbortSignal as unknown as new () => unknown)(), TypeError);
});

test('ReadableStream: reader, async iteration, pull, cancel, tee, from, locking, errors', async () => {
  const s = new ReadableStream<number>({ start(c) { c.enqueue(1); c.enqueue(2); c.close(); } });
  const rd = s.getReader();
  assert.throws(() => s.getReader(), TypeError);
  assert.deepEqual(await rd.read(), { done: false, value: 1 });
  assert.deepEqual(await rd.read(), { done: false, value: 2 });
  assert.deepEqual(await rd.read(), { done: true, value: undefined });
  rd.releaseLock();

  let n = 0;
  const pulled = new ReadableStream<number>({ pull(c) { n++; if (n > 3) c.close(); else c.enqueue(n); } });
  const got: number[] = [];
  for await (const v of pulled) got.push(v);
  assert.deepEqual(got, [1, 2, 3]);

  let canceled: unknown = null;
  const inf = new ReadableStream<number>({ pull(c) { c.enqueue(0); }, cancel(r) { canceled = r ?? 'undefined'; } });
  for await (const _ of inf) break;
  assert.notEqual(canceled, null);

  const [a, b] = ReadableStream.from([1, 2, 3]).tee();
  const all = async (x: ReadableStream<number>) => { const o: number[] = []; for await (const v of x) o.push(v); return o; };
  assert.deepEqual(await Promise.all([all(a), all(b)]), [[1, 2, 3], [1, 2, 3]]);

  const bad = new ReadableStream({ start(c) { c.error(new Error('boom')); } });
  await assert.rejects(bad.getReader().read(), /boom/);

  const ts = new TransformStream<number, number>({ transform(x, c) { c.enqueue(x * 10); } });
  const out = ReadableStream.from([1, 2]).pipeThrough(ts);
  assert.deepEqual(await all(out), [10, 20]);
});

test('utf8 fallback decoder handles split multi-byte sequences', () => {
  const bytes = utf8Encode('aé😀z');
  for (let i = 0; i <= bytes.length; i++) {
    const d = new Utf8Decoder();
    assert.equal(d.decode(bytes.subarray(0, i), true) + d.decode(bytes.subarray(i)), 'aé😀z');
  }
  assert.equal(new Utf8Decoder(false).decode(new Uint8Array([0xff, 0x61, 0xe2, 0x82])), '\ufffda\ufffd');
});

test('installWebGlobals adds missing names only, and restores', () => {
  const target: Record<string, unknown> = { Headers: 'mine' };
  const restore = installWebGlobals(target);
  assert.equal(target.Headers, 'mine');
  assert.equal(target.Response, Response);
  restore();
  assert.equal('Response' in target, false);
  assert.equal(target.Headers, 'mine');
});

test('ReadableStream: a pull that enqueues nothing is not re-invoked while a read waits (no promise loop)', async () => {
  let pulls = 0;
  let ctrl!: { enqueue(c: string): void; close(): void; error(e: unknown): void };
  const s = new ReadableStream<string>({
    start(c) { ctrl = c; },
    // The bound lives inside the loop itself: a microtask spin would starve any timer.
    pull(c) { if (++pulls > 100) c.error(new Error('pull re-invoked without progress')); },
  });
  const reader = s.getReader();
  const pending = reader.read();
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  assert.ok(pulls <= 2, `pull called ${pulls} times`);
  ctrl.enqueue('x');
  assert.deepEqual(await pending, { done: false, value: 'x' });
  ctrl.close();
  assert.deepEqual(await reader.read(), { done: true, value: undefined });
});

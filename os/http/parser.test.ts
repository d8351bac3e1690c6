import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HttpParser, isToken, MAX_INFORMATIONAL, type MessageHead, type ParseError, type ParserLimits } from './parser.ts';

interface Msg {
  head: MessageHead;
  body: string;
  trailers: string[];
  ended: boolean;
}

function run(kind: 'request' | 'response', chunks: Uint8Array[], limits?: ParserLimits, finish = false) {
  const msgs: Msg[] = [];
  let error: ParseError | null = null;
  const p = new HttpParser(kind, {
    onHead(head) { msgs.push({ head, body: '', trailers: [], ended: false }); },
    onBody(data) { msgs[msgs.length - 1].body += Buffer.from(data).toString('latin1'); },
    onEnd(trailers) { const m = msgs[msgs.length - 1]; m.trailers = trailers; m.ended = true; },
    onError(e) { assert.equal(error, null, 'only one error'); error = e; },
  }, limits);
  for (const c of chunks) p.push(c);
  if (finish) p.finish();
  return { msgs, error: error as ParseError | null, parser: p };
}
const b = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const req = (s: string, limits?: ParserLimits) => run('request', [b(s)], limits);

/** Each framing case and the status a server must answer (0 = accepted, complete). */
const CASES: [string, string, number][] = [
  ['simple GET', 'GET / HTTP/1.1\r\nHost: a\r\n\r\n', 0],
  ['HTTP/1.0', 'GET / HTTP/1.0\r\n\r\n', 0],
  ['Content-Length body', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc', 0],
  ['chunked body', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n', 0],
  ['chunk extension', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;a=b\r\nabc\r\n0\r\n\r\n', 0],
  ['leading empty line', '\r\nGET / HTTP/1.1\r\n\r\n', 0],
  ['CL with TE', 'POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n', 400],
  ['duplicate equal CL', 'POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc', 400],
  ['differing CL', 'POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd', 400],
  ['CL list', 'POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\nabc', 400],
  ['negative CL', 'POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n', 400],
  ['CL overflow', 'POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n', 400],
  ['non-hex chunk size', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n', 400],
  ['empty chunk size', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\r\nabc\r\n0\r\n\r\n', 400],
  ['chunk size overflow', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nabc\r\n', 400],
  ['chunk data without CRLF', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n', 400],
  ['TE not ending in chunked', 'POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n', 400],
  ['chunked twice', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n', 400],
  ['obs-fold', 'GET / HTTP/1.1\r\nX-A: 1\r\n  continued\r\n\r\n', 400],
  ['NUL in header value', 'GET / HTTP/1.1\r\nX-A: a\x00b\r\n\r\n', 400],
  ['CTL in header value', 'GET / HTTP/1.1\r\nX-A: a\x01b\r\n\r\n', 400],
  ['DEL in header value', 'GET / HTTP/1.1\r\nX-A: a\x7fb\r\n\r\n', 400],
  ['space before colon', 'GET / HTTP/1.1\r\nHost : a\r\n\r\n', 400],
  ['empty header name', 'GET / HTTP/1.1\r\n: a\r\n\r\n', 400],
  ['invalid char in header name', 'GET / HTTP/1.1\r\nX(A): a\r\n\r\n', 400],
  ['invalid char in method', 'G@T / HTTP/1.1\r\n\r\n', 400],
  ['lowercase method (llhttp: 400)', 'get / HTTP/1.1\r\n\r\n', 400],
  ['unknown method (llhttp: 400)', 'FOO / HTTP/1.1\r\n\r\n', 400],
  ['bare LF in headers', 'GET / HTTP/1.1\nHost: a\n\n', 400],
  ['bare LF after header', 'GET / HTTP/1.1\r\nHost: a\n\r\n', 400],
  ['bare CR', 'GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n', 400],
  ['double space in request line', 'GET  / HTTP/1.1\r\n\r\n', 400],
  ['missing version', 'GET /\r\n\r\n', 400],
  ['lowercase version', 'GET / http/1.1\r\n\r\n', 400],
  ['HTTP/2.0', 'GET / HTTP/2.0\r\n\r\n', 505],
  ['HTTP/1.2', 'GET / HTTP/1.2\r\n\r\n', 505],
  ['HTTP/0.9', 'GET / HTTP/0.9\r\n\r\n', 505],
  ['control char in URL', 'GET /a\x01b HTTP/1.1\r\n\r\n', 400],
  ['URI over 8 KB', `GET /${'a'.repeat(8200)} HTTP/1.1\r\n\r\n`, 414],
  ['URI exactly 8 KB', `GET /${'a'.repeat(8191)} HTTP/1.1\r\n\r\n`, 0],
  ['header section over 16 KB', `GET / HTTP/1.1\r\nX-A: ${'a'.repeat(17000)}\r\n\r\n`, 431],
  ['many headers over 16 KB', `GET / HTTP/1.1\r\n${'X-A: aaaaaaaaaaaaaaaaaa\r\n'.repeat(800)}\r\n`, 431],
  ['trailers', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nX-T: 1\r\n\r\n', 0],
  ['bad trailer', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nX T: 1\r\n\r\n', 400],
];

for (const [name, input, status] of CASES) {
  test(`request framing: ${name} → ${status || 'accepted'}`, () => {
    const { msgs, error } = req(input);
    if (status === 0) {
      assert.equal(error, null, JSON.stringify(error));
      assert.equal(msgs.length, 1);
      assert.ok(msgs[0].ended);
    } else {
      assert.equal(error?.status, status, `${JSON.stringify(error)}`);
    }
  });
}

test('body over the configured limit is 413, by Content-Length and by chunked total', () => {
  assert.equal(req('POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n', { maxBodySize: 10 }).error?.status, 413);
  const chunked = 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nabcdef\r\n0\r\n\r\n';
  const r = req(chunked, { maxBodySize: 10 });
  assert.equal(r.error?.status, 413);
  assert.equal(r.msgs.length, 1, 'head was delivered before the body went over');
  assert.equal(req(chunked, { maxBodySize: 12 }).error, null);
});

test('parses method, url, version, raw headers with trimmed values', () => {
  const { msgs } = req('PUT /x?y=1 HTTP/1.0\r\nHost:  a.b \r\nX-Y:\tz\r\nConnection: keep-alive\r\n\r\n');
  const h = msgs[0].head;
  assert.equal(h.kind, 'request');
  if (h.kind !== 'request') return;
  assert.equal(h.method, 'PUT');
  assert.equal(h.url, '/x?y=1');
  assert.equal(h.versionMinor, 0);
  assert.deepEqual(h.rawHeaders, ['Host', 'a.b', 'X-Y', 'z', 'Connection', 'keep-alive']);
  assert.equal(h.keepAlive, true);
});

test('keep-alive: 1.1 default, 1.1 with close, 1.0 default, 1.0 with keep-alive', () => {
  const ka = (s: string) => req(s).msgs[0].head.keepAlive;
  assert.equal(ka('GET / HTTP/1.1\r\n\r\n'), true);
  assert.equal(ka('GET / HTTP/1.1\r\nConnection: Close\r\n\r\n'), false);
  assert.equal(ka('GET / HTTP/1.0\r\n\r\n'), false);
  assert.equal(ka('GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n'), true);
});

test('chunked body and trailers are decoded', () => {
  const { msgs } = req('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-T: v\r\n\r\n');
  assert.equal(msgs[0].body, 'abc0123456789');
  assert.deepEqual(msgs[0].trailers, ['X-T', 'v']);
});

const PIPELINE =
  'GET /1 HTTP/1.1\r\nHost: a\r\n\r\n' +
  'POST /2 HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello' +
  'POST /3 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n1;x\r\n!\r\n0\r\nT: 1\r\n\r\n' +
  'GET /4 HTTP/1.0\r\n\r\n';

function summary(msgs: Msg[]) {
  return msgs.map((m) => [(m.head as { url: string }).url, m.body, m.trailers.join(','), m.ended]);
}

test('pipelined requests in one chunk come out in order', () => {
  const { msgs, error } = req(PIPELINE);
  assert.equal(error, null);
  assert.deepEqual(summary(msgs), [['/1', '', '', true], ['/2', 'hello', '', true], ['/3', 'hi!', 'T,1', true], ['/4', '', '', true]]);
});

test('split at every offset (and byte by byte) gives the same messages', () => {
  const whole = summary(req(PIPELINE).msgs);
  const bytes = b(PIPELINE);
  for (let i = 0; i <= bytes.length; i++) {
    const r = run('request', [bytes.slice(0, i), bytes.slice(i)]);
    assert.equal(r.error, null, `split at ${i}`);
    assert.deepEqual(summary(r.msgs), whole, `split at ${i}`);
  }
  const single = run('request', Array.from(bytes, (x) => new Uint8Array([x])));
  assert.deepEqual(summary(single.msgs), whole);
});

test('every error case is also detected when fed byte by byte', () => {
  for (const [name, input, status] of CASES) {
    if (status === 0) continue;
    const r = run('request', Array.from(b(input), (x) => new Uint8Array([x])));
    assert.equal(r.error?.status, status, name);
  }
});

test('response parser: status line, CL, chunked, close-delimited, HEAD, 204/304, 1xx', () => {
  const r1 = run('response', [b('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiHTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n')]);
  assert.equal(r1.error, null);
  assert.deepEqual(r1.msgs.map((m) => [(m.head as { statusCode: number }).statusCode, m.body]), [[200, 'hi'], [404, 'x']]);

  const r2 = run('response', [b('HTTP/1.0 200 OK\r\n\r\nuntil close')], {}, true);
  assert.equal(r2.msgs[0].body, 'until close');
  assert.ok(r2.msgs[0].ended);
  assert.equal(r2.msgs[0].head.keepAlive, false);

  const r3 = run('response', [b('HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n')]);
  assert.equal(r3.msgs.length, 2);
  assert.ok(r3.msgs.every((m) => m.ended && m.body === ''));

  const msgs: string[] = [];
  const p = new HttpParser('response', {
    onHead(h) { msgs.push(`head ${(h as { statusCode: number }).statusCode}`); },
    onBody(d) { msgs.push(`body ${d.length}`); },
    onEnd() { msgs.push('end'); },
    onError(e) { msgs.push(`error ${e.code}`); },
  });
  p.expectNoBody();
  p.push(b('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n'));
  p.push(b('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200\r\nContent-Length: 1\r\n\r\nz'));
  assert.deepEqual(msgs, ['head 200', 'end', 'head 100', 'head 200', 'body 1', 'end']);
});

test('a flood of 100 Continue fails after MAX_INFORMATIONAL; a few 1xx before the answer are fine', () => {
  const ok = run('response', [b('HTTP/1.1 100 Continue\r\n\r\n'.repeat(MAX_INFORMATIONAL) + 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')]);
  assert.equal(ok.error, null);
  const flood = run('response', [b('HTTP/1.1 100 Continue\r\n\r\n'.repeat(MAX_INFORMATIONAL + 1))]);
  assert.equal(flood.error?.code, 'HPE_INFORMATIONAL_FLOOD');
});

test('response parser rejects a bad status line', () => {
  assert.equal(run('response', [b('HTTP/1.1 2x0 OK\r\n\r\n')]).error?.status, 400);
  assert.equal(run('response', [b('HTTP/1.1 200OK\r\n\r\n')]).error?.status, 400);
});

test('property: arbitrary bytes never throw, and a dead parser stays dead', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), fc.boolean(), (chunks, isReq) => {
      const r = run(isReq ? 'request' : 'response', chunks, { maxHeaderSize: 512, maxUriLength: 128, maxBodySize: 1000 });
      r.parser.finish();
      if (r.error) assert.ok([400, 413, 414, 431, 505].includes(r.error.status));
    }),
    { numRuns: 2000 },
  );
});

test('property: request-shaped random input is accepted or rejected, never throws', () => {
  const piece = fc.constantFrom('GET / HTTP/1.1', '\r\n', '\n', ':', ' ', 'Content-Length: 3', 'Transfer-Encoding: chunked',
    '0', '3', 'abc', 'X-A: b', 'HTTP/1.0', '\t', '\x00', 'ffffffffffffffffffff');
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 40 }), fc.nat(200), (parts, cut) => {
      const bytes = b(parts.join(''));
      const at = Math.min(cut, bytes.length);
      const r = run('request', [bytes.subarray(0, at), bytes.subarray(at)]);
      const whole = run('request', [bytes]);
      assert.deepEqual(r.error?.status, whole.error?.status);
      assert.equal(r.msgs.length, whole.msgs.length);
    }),
    { numRuns: 2000 },
  );
});

test('a push from inside a sink callback is parsed after the current chunk, in order', () => {
  const body: string[] = [];
  let ends = 0;
  const later = [b('6\r\n world\r\n'), b('0\r\n\r\n')];
  const p: HttpParser = new HttpParser('response', {
    onHead() {},
    // Like a socket that delivers synchronously when the body's reader resumes it.
    onBody(d) { body.push(Buffer.from(d).toString('latin1')); const next = later.shift(); if (next) p.push(next); },
    onEnd() { ends++; },
    onError(e) { assert.fail(e.reason); },
  });
  p.push(b('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n'));
  assert.equal(body.join(''), 'hello world');
  assert.equal(ends, 1);
  assert.equal(p.idle, true);
});

test('isToken accepts exactly RFC 9110 §5.6.2 tchar strings', () => {
  const tchar = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  for (let c = 0; c < 0x180; c++) {
    const ch = String.fromCharCode(c);
    assert.equal(isToken(ch), tchar.includes(ch), `char 0x${c.toString(16)}`);
    assert.equal(isToken(`a${ch}b`), tchar.includes(ch), `char 0x${c.toString(16)} inside`);
  }
  assert.equal(isToken(''), false);
  assert.equal(isToken('Content-Type'), true);
  assert.equal(isToken('a\nb'), false);
});

test('header values keep inner whitespace and obs-text and lose the outer SP/HTAB, whatever the chunking', () => {
  const text = 'GET / HTTP/1.1\r\nX-A: \t a \t b\xe9 \t \r\nX-B:\r\nX-C:c\r\n\r\n';
  const whole = req(text);
  assert.equal(whole.error, null);
  assert.deepEqual(whole.msgs[0].head.rawHeaders, ['X-A', 'a \t b\xe9', 'X-B', '', 'X-C', 'c']);
  for (let i = 1; i < text.length; i++) {
    const r = run('request', [b(text.slice(0, i)), b(text.slice(i))]);
    assert.deepEqual(r.msgs[0]?.head.rawHeaders, whole.msgs[0].head.rawHeaders, `split at ${i}`);
  }
});

test('detach() from onHead stops parsing after the head and keeps the bytes after it (an upgrade), at any split', () => {
  const wire = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\nHTTP/1.1 200 not http\r\n\0\xff';
  for (let cut = 1; cut < wire.length; cut++) {
    const heads: number[] = [];
    let ends = 0;
    const p = new HttpParser('response', {
      onHead: (h) => { heads.push(h.kind === 'response' ? h.statusCode : 0); p.detach(); },
      onBody: () => assert.fail('no body'),
      onEnd: () => { ends++; },
      onError: (e) => assert.fail(e.reason),
    });
    p.push(b(wire.slice(0, cut)));
    p.push(b(wire.slice(cut)));
    p.push(b('more'));
    assert.deepEqual(heads, [101]);
    assert.equal(Buffer.from(p.takeRest()).toString('latin1'), 'HTTP/1.1 200 not http\r\n\0\xffmore', `cut at ${cut}`);
    assert.equal(p.takeRest().length, 0);
    assert.ok(ends <= 1);
  }
});

// ---- The whole-head fast path (#wholeHead) must change nothing but speed. ----

/** mulberry32: a small seeded PRNG, so that a failing case reproduces from its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]!, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof prng>;

const AB_REQUEST = 'GET / HTTP/1.0\r\nConnection: Keep-Alive\r\nHost: 10.77.0.2\r\nUser-Agent: ApacheBench/2.3\r\nAccept: */*\r\n\r\n';
const CURL_REQUEST =
  'GET /api/items?page=2&sort=name HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0\r\n' +
  'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\nAccept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\n' +
  'Connection: keep-alive\r\nCookie: session=abc123; theme=dark\r\nCache-Control: max-age=0\r\n\r\n';

const GEN_METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'M-SEARCH', 'UNSUBSCRIBE', 'QUERY'];
const ODD_METHODS = ['get', 'FOO', 'G@T', 'GET\t', '', 'POST/', 'GÉT', 'MKCALENDARX'];
const TARGETS = ['/', '/', '/index.html', '/a/b?c=d&e=%20f', '*', 'http://h.example/x?y', 'h.example:443', '/caf\xe9', '/~!$&\'()*+,;=:@'];
const NAMES = ['Host', 'Accept', 'User-Agent', 'X-Custom', 'x-lower', 'X-T!#$%&\'*+-.^_`|~9', 'Cookie', 'Content-Type', 'a'];
const VALUES = ['a', 'example.com', 'text/html, */*;q=0.8', '', 'caf\xe9 \xff', 'nb\xa0', '\xa0', 'a \t b', '"quoted \\" value"', '1', '*/*'];
const WS = ['', '', '', ' ', '  ', '\t', ' \t ', '\t\t'];

function genValue(r: Rng): string {
  return r.pick(WS) + r.pick(VALUES) + (r.chance(0.3) ? r.pick(WS) + r.pick(VALUES) : '') + r.pick(WS);
}

/** One valid-looking request (it may still be rejected for framing, on purpose). */
function genMessage(r: Rng): string {
  const method = r.chance(0.05) ? r.pick(ODD_METHODS) : r.pick(GEN_METHODS);
  const target = r.chance(0.1) ? '/' + 'x'.repeat(r.int(300)) : r.pick(TARGETS);
  const version = r.chance(0.05) ? r.pick(['HTTP/1.2', 'HTTP/2.0', 'HTTP/0.9', 'http/1.1', 'HTTP/1.10', 'HTTP/1', 'HTTP/1.1 ']) : r.pick(['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0']);
  const lines = [`${method} ${target} ${version}`];
  const fields: [string, string][] = [];
  for (let k = r.int(7); k > 0; k--) fields.push([r.pick(NAMES), genValue(r)]);
  if (r.chance(0.4)) fields.push(['Connection', r.pick(WS) + r.pick(['keep-alive', 'Keep-Alive', 'close', 'Upgrade', 'keep-alive, Upgrade', 'TE, close']) + r.pick(WS)]);
  if (r.chance(0.1)) fields.push([r.pick(['Upgrade', 'upgrade']), r.pick(['websocket', 'h2c', ''])]);
  if (r.chance(0.1)) fields.push(['Expect', r.pick(['100-continue', '100-Continue', 'x'])]);
  let body = '';
  const kind = r.int(4);
  if (kind === 1) {
    body = 'b'.repeat(r.int(40));
    fields.push([r.pick(['Content-Length', 'content-length']), r.pick(WS) + (r.chance(0.05) ? r.pick(['-1', '1,1', ' ', 'x', '99999999999999999']) : String(body.length)) + r.pick(WS)]);
    if (r.chance(0.05)) fields.push(['Content-Length', String(body.length)]);
  } else if (kind === 2) {
    fields.push([r.pick(['Transfer-Encoding', 'transfer-encoding']), r.pick(['chunked', 'chunked', 'gzip, chunked', 'gzip', 'chunked, chunked'])]);
    if (r.chance(0.05)) fields.push(['Content-Length', '3']);
    for (let c = r.int(3); c > 0; c--) {
      const data = 'c'.repeat(1 + r.int(20));
      body += `${data.length.toString(16)}${r.chance(0.2) ? ';ext=1' : ''}\r\n${data}\r\n`;
    }
    body += '0\r\n' + (r.chance(0.3) ? 'X-Trailer: t\r\n' : '') + '\r\n';
  }
  r.chance(0.5) && fields.reverse();
  for (const [n, v] of fields) lines.push(`${n}:${v}`);
  return lines.join('\r\n') + '\r\n\r\n' + body;
}

const NASTY = ['\r', '\n', ' ', '\t', ':', '\x00', '\x01', '\x7f', '\x80', '\xff', 'a', '/', '\r\n', '\r\n\r\n', '\r\n '];

/** A mutated copy of `s`: a byte flipped, inserted or removed, a CRLF made bare, a fold, a cut. */
function mutate(r: Rng, s: string): string {
  const at = r.int(s.length + 1);
  switch (r.int(8)) {
    case 0: return s.slice(0, at) + r.pick(NASTY) + s.slice(at + 1);
    case 1: return s.slice(0, at) + r.pick(NASTY) + s.slice(at);
    case 2: return s.slice(0, at) + s.slice(at + 1);
    case 3: return s.replace('\r\n', r.pick(['\n', '\r', '\r\r\n', '\n\r']));
    case 4: return s.replace(/\r\n(?=[^\r])/, '\r\n  folded\r\n');
    case 5: return '\r\n'.repeat(1 + r.int(5)) + s;
    case 6: return s.slice(0, at);
    default: return s.replace('\r\n', `\r\nContent-Length: ${r.int(3)}\r\nContent-Length: ${r.int(3)}\r\n`);
  }
}

/** The limits for a case: defaults, or bounds within a few bytes of the first head and target. */
function genLimits(r: Rng, s: string): ParserLimits {
  const headLen = s.indexOf('\r\n\r\n') + 4;
  const target = s.split(' ')[1] ?? '';
  const limits: { maxHeaderSize?: number; maxUriLength?: number; maxBodySize?: number } = {};
  if (r.chance(0.3)) limits.maxHeaderSize = Math.max(0, headLen + r.int(7) - 3);
  if (r.chance(0.3)) limits.maxUriLength = Math.max(0, target.length + r.int(7) - 3);
  if (r.chance(0.1)) limits.maxBodySize = r.int(30);
  return limits;
}

/** Every observable thing a parser does, in order: sink calls and its state after each push. */
function record(input: Uint8Array, cuts: number[], limits: ParserLimits, mode: 'plain' | 'detach' | 'reenter') {
  const events: unknown[] = [];
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...cuts, input.length]) { chunks.push(input.slice(from, cut)); from = cut; }
  const p: HttpParser = new HttpParser('request', {
    onHead(head) {
      events.push(['head', head, p.idle, p.dead]);
      if (mode === 'detach' && head.upgrade) p.detach();
      if (mode === 'reenter' && chunks.length > 0) p.push(chunks.shift()!); // queued in #later
    },
    onBody(data) { events.push(['body', Buffer.from(data).toString('latin1')]); },
    onEnd(trailers) { events.push(['end', trailers, p.idle]); },
    onError(e) { events.push(['error', e]); },
  }, limits);
  while (chunks.length > 0) {
    p.push(chunks.shift()!);
    events.push(['after push', p.idle, p.dead, p.readingToEof]);
  }
  events.push(['finish', p.finish(), Buffer.from(p.takeRest()).toString('latin1')]);
  return { events, fastHeads: p.fastHeads };
}

test('property: the whole-head fast path and the line-by-line path agree, for valid and broken requests at any split', () => {
  const seed = 0x5eed;
  const r = prng(seed);
  let fast = 0, declined = 0;
  const CASES_N = 6000;
  for (let n = 0; n < CASES_N; n++) {
    let text = '';
    for (let k = 1 + (r.chance(0.3) ? r.int(4) : 0); k > 0; k--) text += r.chance(0.05) ? r.pick([AB_REQUEST, CURL_REQUEST]) : genMessage(r);
    for (let k = r.chance(0.4) ? 1 + r.int(2) : 0; k > 0; k--) text = mutate(r, text);
    if (r.chance(0.02)) text = `GET /${'u'.repeat(8180 + r.int(20))} HTTP/1.1\r\nX-A: ${'a'.repeat(r.chance(0.5) ? 8000 + r.int(400) : 1)}\r\n\r\n` + text;
    const input = b(text);
    const limits = genLimits(r, text);
    const mode = r.pick(['plain', 'plain', 'detach', 'reenter'] as const);
    const splits: number[][] = [[]];
    for (let k = 0; k < 2; k++) {
      const cuts = Array.from({ length: 1 + r.int(3) }, () => r.int(input.length + 1)).sort((x, y) => x - y);
      splits.push(cuts);
    }
    if (n % 50 === 0) splits.push(Array.from({ length: Math.max(0, input.length - 1) }, (_, i) => i + 1));
    for (const cuts of splits) {
      const on = record(input, cuts, limits, mode);
      const off = record(input, cuts, { ...limits, fastHead: false }, mode);
      assert.equal(off.fastHeads, 0);
      assert.deepStrictEqual(on.events, off.events,
        `seed ${seed} case ${n} mode ${mode} cuts ${JSON.stringify(cuts)} limits ${JSON.stringify(limits)} input ${JSON.stringify(text)}`);
      if (on.fastHeads > 0) fast++; else declined++;
    }
  }
  // Both paths were exercised: the comparison is not vacuous.
  assert.ok(fast > CASES_N / 2, `fast path taken in ${fast} runs`);
  assert.ok(declined > CASES_N / 4, `fast path declined in ${declined} runs`);
});

test('the whole-head fast path takes typical requests (ApacheBench, a browser, pipelined keep-alive) and declines odd ones', () => {
  const heads = (text: string, limits?: ParserLimits) => {
    const p = new HttpParser('request', { onHead() {}, onBody() {}, onEnd() {}, onError(e) { assert.fail(e.reason); } }, limits);
    p.push(b(text));
    return p.fastHeads;
  };
  assert.equal(heads(AB_REQUEST), 1);
  assert.equal(heads(CURL_REQUEST), 1);
  assert.equal(heads(AB_REQUEST.repeat(3) + 'POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi' + CURL_REQUEST), 5);
  assert.equal(heads(AB_REQUEST, { fastHead: false }), 0);
  assert.equal(heads('\r\n' + AB_REQUEST), 0, 'a leading empty line is the slow path\'s');
  assert.equal(heads(AB_REQUEST, { maxHeaderSize: AB_REQUEST.length - 1 }), 0, 'a head near maxHeaderSize is the slow path\'s');
  // The values it captured are those the slow path gives.
  const { msgs } = req('GET / HTTP/1.1\r\nX-A: \t a \t b\xe9 \t \r\nX-B:\r\nX-C:c\r\n\r\n');
  assert.deepEqual(msgs[0].head.rawHeaders, ['X-A', 'a \t b\xe9', 'X-B', '', 'X-C', 'c']);
});

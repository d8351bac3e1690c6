import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseIpv4 as ip } from '../addr.ts';
import { dnsLength, dnsQuery, DnsRcode, DnsType, emitDns, isValidName, parseDns, readName, type DnsMessage, type DnsRecord } from './dns.ts';
import { fromHex, hex } from './result.ts';

// scapy DNS(id=0xbeef, rd=1, qd=DNSQR("example.com", A))
const QUERY = fromHex('beef01000001000000000000076578616d706c6503636f6d0000010001');
// scapy response: www.example.com CNAME example.com, example.com A 93.184.216.34 (uncompressed)
const RESPONSE = fromHex('beef8180000100020000000003777777076578616d706c6503636f6d000001000103777777076578616d706c6503636f6d00000500010000012c000d076578616d706c6503636f6d00076578616d706c6503636f6d00000100010000003c00045db8d822');
// the same response after scapy's dns_compress (pointers to 0x0c and 0x10)
const COMPRESSED = fromHex('beef8180000100020000000003777777076578616d706c6503636f6d0000010001c00c000500010000012c0002c010c010000100010000003c00045db8d822');
// scapy NXDOMAIN for nope.example
const NXDOMAIN = fromHex('000181830001000000000000046e6f7065076578616d706c650000010001');

const EXPECTED_ANSWERS: DnsRecord[] = [
  { name: 'www.example.com', type: DnsType.CNAME, class: 1, ttl: 300, data: { kind: 'CNAME', name: 'example.com' } },
  { name: 'example.com', type: DnsType.A, class: 1, ttl: 60, data: { kind: 'A', address: ip('93.184.216.34')! } },
];

test('parseDns() reads a captured query', () => {
  const r = parseDns(QUERY);
  assert.ok(r.ok);
  assert.deepEqual(r.value, dnsQuery(0xbeef, 'example.com'));
});

test('emitDns() reproduces the captured query', () => {
  const q = dnsQuery(0xbeef, 'example.com');
  const buf = new Uint8Array(dnsLength(q));
  emitDns(q, buf);
  assert.equal(hex(buf), hex(QUERY));
});

test('parseDns() reads CNAME and A answers, compressed or not', () => {
  for (const bytes of [RESPONSE, COMPRESSED]) {
    const r = parseDns(bytes);
    assert.ok(r.ok);
    assert.equal(r.value.response, true);
    assert.equal(r.value.recursionAvailable, true);
    assert.deepEqual(r.value.questions, [{ name: 'www.example.com', type: 1, class: 1 }]);
    assert.deepEqual(r.value.answers, EXPECTED_ANSWERS);
  }
});

test('emitDns() reproduces the captured uncompressed response', () => {
  const r = parseDns(COMPRESSED);
  assert.ok(r.ok);
  const buf = new Uint8Array(dnsLength(r.value));
  emitDns(r.value, buf);
  assert.equal(hex(buf), hex(RESPONSE));
});

test('parseDns() reads an NXDOMAIN rcode', () => {
  const r = parseDns(NXDOMAIN);
  assert.ok(r.ok);
  assert.equal(r.value.rcode, DnsRcode.NXDOMAIN);
});

test('parseDns() rejects every truncation of a response', () => {
  for (let n = 0; n < COMPRESSED.length; n++) assert.equal(parseDns(COMPRESSED.subarray(0, n)).ok, false, `length ${n}`);
});

function withQuestionName(nameBytes: number[]): Uint8Array {
  return new Uint8Array([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...nameBytes, 0, 1, 0, 1]);
}
const reason = (b: Uint8Array): string => { const r = parseDns(b); assert.ok(!r.ok); return r.reason; };

test('parseDns() rejects a compression pointer loop', () => {
  assert.equal(reason(withQuestionName([0xc0, 12])), 'pointer-loop'); // points at itself
  assert.equal(reason(withQuestionName([1, 97, 0xc0, 12])), 'pointer-loop'); // a -> a -> ...
});

test('parseDns() rejects pointers into the header or past the message', () => {
  assert.equal(reason(withQuestionName([0xc0, 2])), 'bad-pointer');
  assert.equal(reason(withQuestionName([0xc0, 200])), 'bad-pointer');
});

test('parseDns() limits chains of forward pointers', () => {
  // 20 pointers each jumping 2 bytes forward, then the root label.
  const bytes: number[] = [];
  for (let i = 0; i < 20; i++) bytes.push(0xc0, 12 + 2 * (i + 1));
  bytes.push(0);
  assert.equal(reason(withQuestionName(bytes)), 'pointer-loop');
  // 3 are fine
  assert.ok(parseDns(withQuestionName([0xc0, 14, 0xc0, 16, 0xc0, 18, 0, 0, 1, 0, 1])).ok);
});

test('parseDns() rejects labels over 63 bytes and names over 255', () => {
  assert.equal(reason(withQuestionName([64, ...new Array(64).fill(97), 0])), 'bad-label');
  const long: number[] = [];
  for (let i = 0; i < 5; i++) long.push(63, ...new Array(63).fill(97));
  long.push(0);
  assert.equal(reason(withQuestionName(long)), 'name-too-long');
  assert.equal(reason(withQuestionName([3, 97, 0x2e, 98, 0])), 'bad-label');
});

test('parseDns() rejects section counts that overrun the message', () => {
  const b = QUERY.slice(); b[7] = 50; // 50 answers in 17 bytes
  assert.equal(reason(b), 'counts-overrun');
  const c = QUERY.slice(); c[7] = 1; // 1 answer, no bytes for it (passes the quick check? 5+11 > 17 no)
  assert.equal(parseDns(c).ok, false);
});

test('parseDns() rejects A records whose data is not 4 bytes and CNAMEs that do not fill their data', () => {
  const a = COMPRESSED.slice(); a[a.length - 5] = 5; // A rdlength 4 -> 5
  assert.equal(parseDns(a).ok, false);
  const c = COMPRESSED.slice(); c[44] = 3; // CNAME rdlength 2 -> 3
  assert.equal(parseDns(c).ok, false);
});

test('readName() reports where an uncompressed name ends', () => {
  assert.deepEqual(readName(QUERY, 12), { ok: true, value: { name: 'example.com', next: 25 } });
});

test('isValidName() accepts hostnames and rejects empty or long labels', () => {
  assert.ok(isValidName('a.b-c.example'));
  assert.ok(!isValidName('a..b'));
  assert.ok(!isValidName('x'.repeat(64)));
  assert.ok(!isValidName(('x'.repeat(63) + '.').repeat(4) + 'xxx'));
});

test('parseDns() never throws on arbitrary bytes', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (b) => { parseDns(b); }), { numRuns: 2000 });
  // A valid header followed by random sections reaches the name and record readers.
  fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), (body, qd, an) => {
    const b = new Uint8Array(12 + body.length);
    b.set([0, 1, 0x81, 0x80, 0, qd, 0, an, 0, 0, 0, 0]);
    b.set(body, 12);
    parseDns(b);
  }), { numRuns: 2000 });
});

test('parseDns(emitDns(x)) = x', () => {
  const label = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
  const name = fc.array(label, { minLength: 0, maxLength: 4 }).map((l) => l.join('.'));
  const u16 = fc.integer({ min: 0, max: 0xffff });
  const data = fc.oneof(
    fc.record({ kind: fc.constant('A' as const), address: fc.integer({ min: 0, max: 0xffffffff }) }),
    fc.record({ kind: fc.constant('CNAME' as const), name }),
    fc.record({ kind: fc.constant('raw' as const), bytes: fc.uint8Array({ maxLength: 10 }) }),
  );
  const record = fc.record({ name, class: u16, ttl: fc.integer({ min: 0, max: 0xffffffff }), data }).map((r) => ({
    ...r, data: { ...r.data }, type: r.data.kind === 'A' ? 1 : r.data.kind === 'CNAME' ? 5 : 16,
  }) as DnsRecord);
  const msg = fc.record({
    id: u16, response: fc.boolean(), opcode: fc.integer({ min: 0, max: 15 }), authoritative: fc.boolean(), truncated: fc.boolean(),
    recursionDesired: fc.boolean(), recursionAvailable: fc.boolean(), rcode: fc.integer({ min: 0, max: 15 }),
    questions: fc.array(fc.record({ name, type: u16, class: u16 }).map((q) => ({ ...q })), { maxLength: 2 }),
    answers: fc.array(record, { maxLength: 3 }), authorities: fc.array(record, { maxLength: 2 }), additionals: fc.array(record, { maxLength: 2 }),
  });
  fc.assert(fc.property(msg, (m) => {
    const x: DnsMessage = { ...m };
    const buf = new Uint8Array(dnsLength(x));
    assert.equal(emitDns(x, buf), buf.length);
    assert.deepEqual(parseDns(buf), { ok: true, value: x });
  }));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpv4 as ip, type Ipv4Addr } from './addr.ts';
import { DnsResolver, type DnsLookupResult } from './dns.ts';
import { seededRandom } from './testing/sim.ts';
import type { OutgoingDatagram } from './transport.ts';
import { Udp } from './udp.ts';
import { dnsLength, DnsRcode, emitDns, parseDns, type DnsMessage, type DnsRecord } from './wire/dns.ts';
import { emitUdp, parseUdp } from './wire/udp.ts';

const ME = ip('10.0.2.15')!, NS1 = ip('8.8.8.8')!, NS2 = ip('1.1.1.1')!;
const A = (name: string, addr: string, ttl = 60): DnsRecord => ({ name, type: 1, class: 1, ttl, data: { kind: 'A', address: ip(addr)! } });
const CNAME = (name: string, target: string, ttl = 300): DnsRecord => ({ name, type: 5, class: 1, ttl, data: { kind: 'CNAME', name: target } });

function harness(servers: Ipv4Addr[] = [NS1, NS2]) {
  const udp = new Udp({ random: seededRandom(11), sourceAddress: () => ME });
  const resolver = new DnsResolver({ udp, random: seededRandom(13), servers: () => servers });
  const results: DnsLookupResult[] = [];
  const lookup = (now: number, name: string): void => { resolver.lookup(now, name, (r) => results.push(r)); };
  /** Poll and return the queries sent, decoded. */
  const sent = (now: number): { d: OutgoingDatagram; port: number; q: DnsMessage }[] => {
    resolver.poll(now);
    const out: OutgoingDatagram[] = [];
    udp.poll(now, (d) => { out.push(d); });
    return out.map((d) => {
      const u = parseUdp(d.payload, d.src, d.dst);
      assert.ok(u.ok);
      assert.equal(u.value.repr.dstPort, 53);
      const q = parseDns(u.value.payload);
      assert.ok(q.ok);
      return { d, port: u.value.repr.srcPort, q: q.value };
    });
  };
  const respond = (now: number, to: { d: OutgoingDatagram; port: number; q: DnsMessage }, edit: Partial<DnsMessage> = {}, from = to.d.dst, fromPort = 53): void => {
    const msg: DnsMessage = { ...to.q, response: true, recursionAvailable: true, ...edit };
    const b = new Uint8Array(dnsLength(msg));
    emitDns(msg, b);
    const seg = new Uint8Array(8 + b.length);
    emitUdp({ srcPort: fromPort, dstPort: to.port }, b, from, ME, seg);
    udp.input(now, from, ME, seg);
  };
  return { udp, resolver, results, lookup, sent, respond };
}

test('lookup() sends a recursive A query with a random id from a random ephemeral port', () => {
  const h = harness();
  h.lookup(0, 'Example.COM.');
  h.lookup(0, 'example.org');
  const [a, b] = h.sent(0);
  assert.equal(a!.d.dst, NS1);
  assert.deepEqual(a!.q.questions, [{ name: 'example.com', type: 1, class: 1 }]);
  assert.equal(a!.q.recursionDesired, true);
  assert.ok(a!.port >= 49152 && b!.port >= 49152);
  assert.notEqual(a!.port, b!.port);
  assert.notEqual(a!.q.id, b!.q.id);
});

test('an A answer resolves the lookup and is cached for its TTL', () => {
  const h = harness();
  h.lookup(0, 'example.com');
  const [q] = h.sent(0);
  h.respond(10, q!, { answers: [A('example.com', '93.184.216.34', 60)] });
  h.sent(10);
  assert.deepEqual(h.results, [{ ok: true, name: 'example.com', addresses: [ip('93.184.216.34')], canonicalName: 'example.com', ttl: 60 }]);
  h.lookup(59_000, 'EXAMPLE.com');
  assert.equal(h.sent(59_000).length, 0, 'served from cache');
  assert.equal(h.results.length, 2);
  h.lookup(70_010, 'example.com');
  assert.equal(h.sent(70_010).length, 1, 'expired');
});

test('CNAME chains in the answer are followed', () => {
  const h = harness();
  h.lookup(0, 'www.example.com');
  const [q] = h.sent(0);
  h.respond(1, q!, { answers: [CNAME('www.example.com', 'example.com'), A('example.com', '93.184.216.34', 60)] });
  h.sent(1);
  const r = h.results[0]!;
  assert.ok(r.ok);
  assert.equal(r.canonicalName, 'example.com');
  assert.deepEqual(r.addresses, [ip('93.184.216.34')]);
});

test('a chain ending in a CNAME is re-queried for the target', () => {
  const h = harness();
  h.lookup(0, 'www.example.com');
  const [q] = h.sent(0);
  h.respond(1, q!, { answers: [CNAME('www.example.com', 'cdn.example.net')] });
  const [q2] = h.sent(1);
  assert.equal(q2!.q.questions[0]!.name, 'cdn.example.net');
  h.respond(2, q2!, { answers: [A('cdn.example.net', '10.1.2.3')] });
  h.sent(2);
  assert.ok(h.results[0]!.ok);
});

test('CNAME chains longer than the cap fail', () => {
  const h = harness();
  h.lookup(0, 'a0.x');
  const [q] = h.sent(0);
  const answers = Array.from({ length: 12 }, (_, i) => CNAME(`a${i}.x`, `a${i + 1}.x`));
  h.respond(1, q!, { answers });
  h.sent(1);
  assert.deepEqual(h.results, [{ ok: false, name: 'a0.x', code: 'ESERVFAIL' }]);
  assert.equal(h.resolver.stats['chain-too-long'], 1);
});

test('NXDOMAIN gives ENOTFOUND and is cached for the SOA minimum', () => {
  const h = harness();
  h.lookup(0, 'nope.example');
  const [q] = h.sent(0);
  const soaData = new Uint8Array(22 + 20);
  soaData.set([0, 0, 0, 0, 0, 0, 0, 30], soaData.length - 8); // ... expire, minimum = 30
  h.respond(1, q!, { rcode: DnsRcode.NXDOMAIN, authorities: [{ name: 'example', type: 6, class: 1, ttl: 900, data: { kind: 'raw', bytes: soaData } }] });
  h.sent(1);
  assert.deepEqual(h.results, [{ ok: false, name: 'nope.example', code: 'ENOTFOUND' }]);
  h.lookup(20_000, 'nope.example');
  assert.equal(h.sent(20_000).length, 0);
  assert.equal(h.results[1]!.ok, false);
  h.lookup(31_001, 'nope.example');
  assert.equal(h.sent(31_001).length, 1);
});

test('an answer without A records gives ENODATA', () => {
  const h = harness();
  h.lookup(0, 'example.com');
  const [q] = h.sent(0);
  h.respond(1, q!, {});
  h.sent(1);
  assert.deepEqual(h.results, [{ ok: false, name: 'example.com', code: 'ENODATA' }]);
});

test('responses with the wrong id, source, port or question are ignored', () => {
  const h = harness();
  h.lookup(0, 'example.com');
  const [q] = h.sent(0);
  const answers = [A('example.com', '6.6.6.6')];
  h.respond(1, q!, { id: q!.q.id ^ 1, answers });
  h.respond(1, q!, { answers }, ip('6.6.6.6')!);
  h.respond(1, q!, { answers }, NS1, 5353);
  h.respond(1, q!, { answers, questions: [{ name: 'evil.com', type: 1, class: 1 }] });
  h.respond(1, q!, { answers, response: false });
  h.sent(1);
  assert.equal(h.results.length, 0);
  assert.equal(h.resolver.stats['mismatch'], 3);
  assert.equal(h.resolver.stats['wrong-source'], 2);
});

test('unanswered queries are retried every 2 s rotating servers, then ETIMEOUT', () => {
  const h = harness();
  h.lookup(0, 'example.com');
  const tries = [h.sent(0)];
  assert.equal(h.resolver.pollAt(0), 2000);
  assert.equal(h.sent(1999).length, 0);
  tries.push(h.sent(2000), h.sent(4000));
  assert.deepEqual(tries.map((t) => t[0]!.d.dst), [NS1, NS2, NS1]);
  h.sent(6000);
  assert.deepEqual(h.results, [{ ok: false, name: 'example.com', code: 'ETIMEOUT' }]);
  assert.equal(h.resolver.activeQueries, 0);
  assert.equal(h.udp.pollAt(6000), Infinity);
});

test('a late answer from the first server is still accepted', () => {
  const h = harness();
  h.lookup(0, 'example.com');
  const [q] = h.sent(0);
  h.sent(2000);
  h.respond(2500, q!, { answers: [A('example.com', '1.2.3.4')] });
  h.sent(2500);
  assert.ok(h.results[0]!.ok);
});

test('SERVFAIL moves to the next server at once', () => {
  const h = harness();
  h.lookup(0, 'example.com');
  const [q] = h.sent(0);
  h.respond(1, q!, { rcode: DnsRcode.SERVFAIL });
  const [q2] = h.sent(1);
  assert.equal(q2!.d.dst, NS2);
});

test('names are validated; IPv4 literals resolve without a query; no servers gives ECONNREFUSED', () => {
  const h = harness();
  h.lookup(0, 'a..b');
  h.lookup(0, '10.0.0.1');
  assert.equal(h.sent(0).length, 0);
  assert.deepEqual(h.results.map((r) => (r.ok ? r.addresses : r.code)), ['EBADNAME', [ip('10.0.0.1')]]);
  const e = harness([]);
  e.lookup(0, 'example.com');
  e.sent(0);
  assert.equal(e.results[0]!.ok ? '' : e.results[0]!.code, 'ECONNREFUSED');
});

test('the cache is capped', () => {
  const udp = new Udp({ random: seededRandom(1), sourceAddress: () => ME });
  const r = new DnsResolver({ udp, random: seededRandom(2), servers: () => [NS1], maxCacheEntries: 3 });
  const out: OutgoingDatagram[] = [];
  for (let i = 0; i < 5; i++) {
    r.lookup(0, `h${i}.example`, () => {});
    udp.poll(0, (d) => { out.push(d); });
    const d = out.at(-1)!;
    const u = parseUdp(d.payload, d.src, d.dst);
    assert.ok(u.ok);
    const q = parseDns(u.value.payload);
    assert.ok(q.ok);
    const msg: DnsMessage = { ...q.value, response: true, answers: [A(`h${i}.example`, '1.1.1.1')] };
    const b = new Uint8Array(dnsLength(msg));
    emitDns(msg, b);
    const seg = new Uint8Array(8 + b.length);
    emitUdp({ srcPort: 53, dstPort: u.value.repr.srcPort }, b, NS1, ME, seg);
    udp.input(0, NS1, ME, seg);
  }
  assert.equal(r.cacheSize, 3);
});

test('a truncated answer (TC) is not cached: its A records serve one lookup; without any the next server is asked', () => {
  const h = harness();
  h.lookup(0, 'example.com');
  const [q] = h.sent(0);
  h.respond(10, q!, { truncated: true, answers: [A('example.com', '93.184.216.34', 600)] });
  h.sent(10);
  assert.equal(h.results.length, 1);
  assert.equal(h.results[0]!.ok, true);
  assert.equal(h.resolver.cacheSize, 0);
  h.lookup(20, 'example.com');
  const [q2] = h.sent(20);
  assert.ok(q2, 'asked again, not served from a cache');
  h.respond(30, q2!, { truncated: true, answers: [] });
  const [q3] = h.sent(30);
  assert.equal(q3!.d.dst, NS2, 'an empty truncated answer moves to the next server');
  h.respond(40, q3!, { answers: [A('example.com', '93.184.216.35', 600)] });
  h.sent(40);
  assert.equal(h.results.length, 2);
  assert.deepEqual((h.results[1] as { addresses: number[] }).addresses, [ip('93.184.216.35')]);
  assert.equal(h.resolver.cacheSize, 1);
});

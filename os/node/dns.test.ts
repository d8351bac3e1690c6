import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dns from './dns.ts';
import { ADDR_A, ADDR_B, createTestNetwork } from '../netservice/testing.ts';
import { startDnsResponder } from '../netservice/dns-responder.ts';

test('lookup resolves names through the DNS server and answers literals and localhost at once', async () => {
  const t = createTestNetwork();
  const responder = startDnsResponder(t.b, { 'one.test': '192.0.2.1', 'two.test': ['192.0.2.2', '192.0.2.3'] });
  const out: unknown[] = [];
  dns.lookup('one.test', (err: Error | null, address: string, family: number) => out.push(['one', err, address, family]));
  dns.lookup('two.test', { all: true }, (err: Error | null, all: unknown) => out.push(['two', err, all]));
  dns.lookup('10.1.2.3', (err: Error | null, address: string, family: number) => out.push(['lit', err, address, family]));
  dns.lookup('::1', (err: Error | null, address: string, family: number) => out.push(['v6', err, address, family]));
  dns.lookup('localhost', 4, (err: Error | null, address: string, family: number) => out.push(['localhost', err, address, family]));
  await t.run();
  assert.deepEqual(out.slice(0, 3), [['lit', null, '10.1.2.3', 4], ['v6', null, '::1', 6], ['localhost', null, '127.0.0.1', 4]]);
  assert.deepEqual(out.slice(3).sort(), [
    ['one', null, '192.0.2.1', 4],
    ['two', null, [{ address: '192.0.2.2', family: 4 }, { address: '192.0.2.3', family: 4 }]],
  ]);
  assert.deepEqual(responder.queries.sort(), ['one.test', 'two.test']);
});

test('lookup errors use getaddrinfo codes; resolve4 uses c-ares codes (ETIMEOUT)', async () => {
  const t = createTestNetwork();
  startDnsResponder(t.b, {}, { silent: ['slow.test'] });
  const errs: Record<string, Error & { code?: string; syscall?: string; hostname?: string; errno?: number }> = {};
  dns.lookup('missing.test', (err: Error) => { errs.lookupMissing = err; });
  dns.lookup('slow.test', (err: Error) => { errs.lookupSlow = err; });
  dns.resolve4('missing.test', (err: Error) => { errs.resolveMissing = err; });
  dns.resolve4('slow.test', (err: Error) => { errs.resolveSlow = err; });
  const elapsed = await t.run();
  assert.equal(errs.lookupMissing?.message, 'getaddrinfo ENOTFOUND missing.test');
  assert.equal(errs.lookupMissing?.code, 'ENOTFOUND');
  assert.equal(errs.lookupMissing?.errno, -3008);
  assert.equal(errs.lookupMissing?.hostname, 'missing.test');
  assert.equal(errs.lookupSlow?.code, 'EAI_AGAIN');
  assert.equal(errs.resolveMissing?.message, 'queryA ENOTFOUND missing.test');
  assert.equal(errs.resolveMissing?.syscall, 'queryA');
  assert.equal(errs.resolveSlow?.code, 'ETIMEOUT');
  assert.equal(errs.resolveSlow?.message, 'queryA ETIMEOUT slow.test');
  assert.ok(elapsed >= 6000, `timed out after ${elapsed} ms of simulated time`);
});

test('promises.lookup and promises.resolve4 (also as dns.promises)', async () => {
  const t = createTestNetwork();
  startDnsResponder(t.b, { 'p.test': '198.51.100.7' }, { ttl: 300 });
  const p1 = dns.promises.lookup('p.test');
  const p2 = dns.promises.resolve4('p.test', { ttl: true });
  const p3 = dns.promises.lookup('nope.test').catch((e: Error & { code?: string }) => e.code);
  await t.run();
  assert.deepEqual(await p1, { address: '198.51.100.7', family: 4 });
  assert.deepEqual(await p2, [{ address: '198.51.100.7', ttl: 300 }]);
  assert.equal(await p3, 'ENOTFOUND');
});

test('getServers reports the configured servers; setServers replaces them', async () => {
  const t = createTestNetwork();
  assert.deepEqual(dns.getServers(), [ADDR_B]);
  dns.setServers([ADDR_A]);
  assert.deepEqual(dns.getServers(), [ADDR_A]);
  assert.throws(() => dns.setServers(['not an ip']), { code: 'ERR_INVALID_IP_ADDRESS' });
  await t.run();
});

test('Resolver.cancel() fails pending queries with ECANCELLED', async () => {
  const t = createTestNetwork();
  startDnsResponder(t.b, {}, { silent: ['hang.test'] });
  const r = new dns.Resolver();
  let code: string | undefined;
  r.resolve4('hang.test', (err: Error & { code?: string }) => { code = err.code; });
  r.cancel();
  await t.run();
  assert.equal(code, 'ECANCELLED');
});

/**
 * TLS interop in QEMU with real peers, one boot: curl --cacert against the image's
 * https.createServer serving an RSA-2048 leaf under an intermediate (the ECDSA P-256 server is
 * tls.test.ts's); the image's tls.connect against a TLS 1.2-only `openssl s_server` and against
 * Node https servers presenting a chain made here (root, intermediate, leaf), and each
 * verification failure with Node's code. Node's own tls.connect from the host runs the same
 * cases and must agree (Node is the reference).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import https from 'node:https';
import nodeTls from 'node:tls';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { buildImage } from '../../cli/build.ts';
import { startServerVm } from './vm.ts';
import { issued, makeDir, selfSigned, startServer } from '../../os/tls/testing/openssl.ts';

const execFileP = promisify(execFile);

interface Case { name: string; port: number; servername: string; trustRoot: boolean; request?: string }

async function hostServer(key: string, cert: string): Promise<https.Server> {
  const s = https.createServer({ key, cert }, (req, res) => res.end(`host says ${req.url}`));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return s;
}

/** The reference: Node's tls.connect with the same options, from the host. */
function nodeCase(c: Case, root: string): Promise<string> {
  return new Promise((resolve) => {
    const s = nodeTls.connect({ host: '127.0.0.1', port: c.port, servername: c.servername, ...(c.trustRoot ? { ca: root } : {}) });
    let reply = '';
    let proto: string | null = null;
    s.on('secureConnect', () => { proto = s.getProtocol(); if (c.request) s.write(c.request); else s.end(); });
    s.on('data', (d: Buffer) => (reply += d));
    s.on('close', () => resolve(`ok ${proto} authorized=${s.authorized} reply=${reply.split('\r\n')[0]}`));
    s.on('error', (e: Error & { code?: string }) => resolve(`error ${e.code}`));
  });
}

test('TLS interop in the VM: curl with an RSA-2048 chain, a TLS 1.2-only s_server, each chain failure as Node', async () => {
  const pki = makeDir();
  const sans = 'DNS:host.test,DNS:localhost,IP:127.0.0.1,IP:10.0.2.2';
  selfSigned(pki, 'root', 'ec256', { cn: 'Interop Root', ca: true, san: 'DNS:root.invalid' });
  issued(pki, 'inter', 'root', 'ec256', { cn: 'Interop Intermediate', ca: true, pathLen: 0 });
  issued(pki, 'leaf', 'inter', 'rsa2048', { cn: 'host.test', san: sans });
  issued(pki, 'vm', 'inter', 'rsa2048', { cn: 'localhost', san: 'DNS:localhost,IP:127.0.0.1' });
  issued(pki, 'expired', 'inter', 'ec256', { cn: 'host.test', san: sans, notBefore: '20200101000000Z', notAfter: '20210101000000Z' });
  issued(pki, 'other', 'inter', 'ec256', { cn: 'elsewhere.test', san: 'DNS:elsewhere.test' });
  selfSigned(pki, 'self', 'ec256', { cn: 'host.test', san: sans });
  const r = (n: string) => pki.read(n);
  const withInter = (n: string) => r(`${n}.crt`) + r('inter.crt');
  const servers = {
    chain: await hostServer(r('leaf.key'), withInter('leaf')),
    leafOnly: await hostServer(r('leaf.key'), r('leaf.crt')),
    expired: await hostServer(r('expired.key'), withInter('expired')),
    wrongName: await hostServer(r('other.key'), withInter('other')),
    selfSigned: await hostServer(r('self.key'), r('self.crt')),
    rootInChain: await hostServer(r('leaf.key'), withInter('leaf') + r('root.crt')),
  };
  const tls12 = await startServer(pki, ['-cert', 'leaf.crt', '-key', 'leaf.key', '-cert_chain', 'inter.crt', '-tls1_2', '-www']);
  const port = (s: https.Server) => (s.address() as AddressInfo).port;
  const cases: Case[] = [
    { name: 'chain', port: port(servers.chain), servername: 'host.test', trustRoot: true },
    { name: 'tls12-only', port: tls12.port, servername: 'host.test', trustRoot: true, request: 'GET / HTTP/1.0\r\n\r\n' },
    { name: 'leaf-only', port: port(servers.leafOnly), servername: 'host.test', trustRoot: true },
    { name: 'expired', port: port(servers.expired), servername: 'host.test', trustRoot: true },
    { name: 'wrong-name', port: port(servers.wrongName), servername: 'host.test', trustRoot: true },
    { name: 'self-signed', port: port(servers.selfSigned), servername: 'host.test', trustRoot: false },
    { name: 'root-in-chain', port: port(servers.rootInChain), servername: 'host.test', trustRoot: false },
  ];
  const expected: Record<string, string> = {
    'chain': 'ok TLSv1.3 authorized=true reply=',
    'tls12-only': 'ok TLSv1.2 authorized=true reply=HTTP/1.0 200 ok',
    'leaf-only': 'error UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'expired': 'error CERT_HAS_EXPIRED',
    'wrong-name': 'error ERR_TLS_CERT_ALTNAME_INVALID',
    'self-signed': 'error DEPTH_ZERO_SELF_SIGNED_CERT',
    'root-in-chain': 'error SELF_SIGNED_CERT_IN_CHAIN',
  };
  // The reference first: Node says the same for every case.
  for (const c of cases) assert.equal(await nodeCase(c, r('root.crt')), expected[c.name], `Node: ${c.name}`);

  const dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-tls-interop-'));
  copyFileSync(path.join(import.meta.dirname, 'programs', 'tls-interop.ts'), path.join(dir, 'tls-interop.ts'));
  writeFileSync(path.join(dir, 'key.pem'), r('vm.key'));
  writeFileSync(path.join(dir, 'cert.pem'), withInter('vm'));
  writeFileSync(path.join(dir, 'root.pem'), r('root.crt'));
  const { image } = await buildImage({ entry: path.join(dir, 'tls-interop.ts'), output: path.join(dir, 'tls-interop.img'), include: ['key.pem', 'cert.pem', 'root.pem'] });
  const vm = await startServerVm(image, 8443, {
    env: { CASES: Buffer.from(JSON.stringify(cases)).toString('base64') },
    memMiB: 128,
  });
  try {
    await vm.waitFor('listening on', 60_000);
    await vm.waitFor('cases done', 300_000);
    const out = vm.output().stdout;
    for (const c of cases) assert.match(out, new RegExp(`case ${c.name}: ${expected[c.name].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\n`), `image: ${c.name}`);
    // curl against the image's server (RSA-2048 leaf, served with its intermediate).
    const curl = (args: string[]) => execFileP('curl', ['-sS', '--max-time', '120', '--cacert', pki.file('root.crt'), ...args], { encoding: 'utf8' });
    const t0 = Date.now();
    assert.equal((await curl([`https://localhost:${vm.hostPort}/rsa`])).stdout, 'hello over TLSv1.3 /rsa\n');
    console.log(`curl with RSA-2048: ${Date.now() - t0} ms`);
    // The image's server speaks only TLS 1.3: a 1.2-only curl gets protocol_version.
    const refused = await curl(['--tlsv1.2', '--tls-max', '1.2', `https://localhost:${vm.hostPort}/x`]).then(() => 'served', (e: { stderr?: string }) => String(e.stderr));
    assert.match(refused, /protocol version/i);
  } finally {
    const res = await vm.stop();
    tls12.stop();
    for (const s of Object.values(servers)) s.close();
    assert.equal(res.stderr, '', 'no errors from the VM');
  }
});

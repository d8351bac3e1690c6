/**
 * TLS in the VM with real peers, one boot: curl and Node's https client against the image's
 * https.createServer (ECDSA P-256 certificate from a test-made CA), and the image's fetch()
 * and tls.connect against Node https servers on the host: trusted through NODE_EXTRA_CA_CERTS
 * (a file included in the image; RSA-2048 leaf under the CA), self-signed, and with a certificate for another name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { buildImage } from '../../cli/build.ts';
import { startServerVm } from './vm.ts';
import { issued, makeDir, selfSigned } from '../../os/tls/testing/openssl.ts';

async function hostServer(key: string, cert: string): Promise<https.Server> {
  const s = https.createServer({ key, cert }, (req, res) => res.end(`host says ${req.url}`));
  await new Promise<void>((r) => s.listen(0, '0.0.0.0', r));
  return s;
}

test('https into and out of the VM', async () => {
  const pki = makeDir();
  selfSigned(pki, 'ca', 'ec256', { cn: 'Nimbus Test CA', ca: true, san: 'DNS:ca.invalid' });
  issued(pki, 'vm', 'ca', 'ec256', { cn: 'localhost', san: 'DNS:localhost,IP:127.0.0.1' });
  issued(pki, 'good', 'ca', 'rsa2048', { cn: 'host.test', san: 'DNS:host.test,IP:10.0.2.2' });
  issued(pki, 'sni', 'ca', 'ec256', { cn: 'sni.test', san: 'DNS:sni.test' });
  issued(pki, 'wrong', 'ca', 'ec256', { cn: 'elsewhere.test', san: 'DNS:elsewhere.test' });
  selfSigned(pki, 'self', 'ec256', { san: 'IP:10.0.2.2' });
  const good = await hostServer(pki.read('good.key'), pki.read('good.crt'));
  const self = await hostServer(pki.read('self.key'), pki.read('self.crt'));
  const wrong = await hostServer(pki.read('wrong.key'), pki.read('wrong.crt'));
  const port = (s: https.Server) => String((s.address() as AddressInfo).port);
  // NODE_EXTRA_CA_CERTS names a file, as in Node: the test CA, included in the image.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-tls-'));
  copyFileSync(path.join(import.meta.dirname, 'programs', 'tls.ts'), path.join(dir, 'tls.ts'));
  writeFileSync(path.join(dir, 'extra-ca.pem'), pki.read('ca.crt'));
  const { image } = await buildImage({ entry: path.join(dir, 'tls.ts'), output: path.join(dir, 'tls.img'), include: ['extra-ca.pem'] });
  const vm = await startServerVm(image, 8443, {
    env: {
      KEY_PEM: pki.read('vm.key'), CERT_PEM: pki.read('vm.crt'), NODE_EXTRA_CA_CERTS: 'extra-ca.pem',
      SNI_KEY_PEM: pki.read('sni.key'), SNI_CERT_PEM: pki.read('sni.crt'),
      GOOD_PORT: port(good), SELF_PORT: port(self), WRONG_PORT: port(wrong),
    },
    memMiB: 128,
  });
  try {
    await vm.waitFor('listening on', 60_000);
    // A client that stops mid-handshake (half a ClientHello) and one that sends garbage must
    // not stop the server from serving others.
    const stalled = net.connect(vm.hostPort, '127.0.0.1', () => stalled.write(Buffer.from([22, 3, 1, 0, 200, 1, 0, 0, 196, 3, 3])));
    stalled.on('error', () => {});
    const garbage = await new Promise<Buffer>((resolve) => {
      const g = net.connect(vm.hostPort, '127.0.0.1', () => g.write('GET / HTTP/1.1\r\n\r\n'));
      const got: Buffer[] = [];
      g.on('data', (c) => got.push(c));
      g.on('close', () => resolve(Buffer.concat(got)));
      g.on('error', () => {});
    });
    // As Node (OpenSSL's "http request"): a first record that is no TLS is closed without an alert.
    assert.deepEqual([...garbage], [], 'closed without an alert');
    const body = execFileSync('curl', ['-sS', '--max-time', '60', '--cacert', pki.file('ca.crt'), `https://localhost:${vm.hostPort}/from-curl`], { encoding: 'utf8' });
    assert.equal(body, 'hello over TLSv1.3 /from-curl\n');
    // curl asks for sni.test: only addContext's certificate names it (the default names localhost).
    const bySni = execFileSync('curl', ['-sS', '--max-time', '60', '--cacert', pki.file('ca.crt'), '--resolve', `sni.test:${vm.hostPort}:127.0.0.1`, `https://sni.test:${vm.hostPort}/sni`], { encoding: 'utf8' });
    assert.equal(bySni, 'hello over TLSv1.3 /sni for sni.test\n');
    const viaNode = await new Promise<string>((resolve, reject) => {
      https.get({ host: '127.0.0.1', port: vm.hostPort, path: '/from-node', ca: pki.read('ca.crt'), timeout: 60_000 }, (res) => {
        let s = '';
        res.on('data', (c) => (s += c));
        res.on('end', () => resolve(s));
      }).on('error', reject);
    });
    assert.equal(viaNode, 'hello over TLSv1.3 /from-node\n');
    await vm.waitFor('client done', 120_000);
    await vm.waitFor(/tls\.connect: [^\n]*\n/, 60_000); // the whole line, not its start (the console writes in pieces)
    const out = vm.output().stdout;
    assert.match(out, /trusted: 200 host says \/a/);
    assert.match(out, /global subtle ba7816bf8f01cfea/);
    assert.match(out, /self-signed: fetch failed DEPTH_ZERO_SELF_SIGNED_CERT/);
    assert.match(out, /wrong-name: fetch failed ERR_TLS_CERT_ALTNAME_INVALID/);
    assert.match(out, /tls.connect: TLSv1.3 http\/1.1 authorized=true cn=host.test/);
    stalled.destroy();
  } finally {
    const r = await vm.stop();
    good.close(); self.close(); wrong.close();
    assert.equal(r.stderr, '', 'no errors from the VM');
  }
});

// Path validation and host name checks with chains made by openssl at run time; the
// expected codes are the ones Node (OpenSSL) reports for the same chains.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { decodePem } from '../../crypto/der.ts';
import { issued, makeDir, selfSigned, type Pki } from '../testing/openssl.ts';
import { parseCertificate, type Certificate } from './certificate.ts';
import { checkServerIdentity } from './identity.ts';
import { verifyChain } from './verify.ts';

let pki: Pki;
const cert = (n: string): Certificate => parseCertificate(decodePem(pki.read(`${n}.crt`))[0].der);
const code = (r: ReturnType<typeof verifyChain>) => ('chain' in r ? 'OK' : r.code);

before(() => {
  pki = makeDir();
  selfSigned(pki, 'root', 'ec256', { cn: 'Test Root', ca: true, san: 'DNS:root.invalid' });
  issued(pki, 'inter', 'root', 'ec384', { cn: 'Test Intermediate', ca: true });
  issued(pki, 'leaf', 'inter', 'rsa2048', { cn: 'leaf', san: 'DNS:example.test,DNS:*.wild.test,IP:127.0.0.1' });
  issued(pki, 'expired', 'inter', 'ec256', { cn: 'expired', notBefore: '20200101000000Z', notAfter: '20210101000000Z' });
  issued(pki, 'notca', 'root', 'ec256', { cn: 'Not A CA' });
  issued(pki, 'undernotca', 'notca', 'ec256', { cn: 'under' });
  issued(pki, 'nc', 'root', 'ec256', { cn: 'Constrained', ca: true, extra: ['nameConstraints=critical,permitted;DNS:allowed.test'] });
  issued(pki, 'ncok', 'nc', 'ec256', { cn: 'ok', san: 'DNS:www.allowed.test' });
  issued(pki, 'ncbad', 'nc', 'ec256', { cn: 'bad', san: 'DNS:www.other.test' });
  issued(pki, 'pl0', 'root', 'ec256', { cn: 'PathLen0', ca: true, pathLen: 0 });
  issued(pki, 'pl0sub', 'pl0', 'ec256', { cn: 'Sub CA', ca: true });
  issued(pki, 'pl0leaf', 'pl0sub', 'ec256', { cn: 'deep' });
  selfSigned(pki, 'self', 'ec256');
  selfSigned(pki, 'otherroot', 'ec256', { cn: 'Other Root', ca: true });
});

describe('verifyChain', () => {
  test('root, intermediate, leaf verifies (RSA leaf under P-384 under P-256)', () => {
    const r = verifyChain([cert('leaf'), cert('inter')], [cert('root')], Date.now());
    assert.equal(code(r), 'OK');
    assert.equal('chain' in r && r.chain.length, 3);
  });
  test('the intermediate in any order, extra certificates ignored', () => {
    assert.equal(code(verifyChain([cert('leaf'), cert('self'), cert('inter')], [cert('root')], Date.now())), 'OK');
  });
  test('CERT_HAS_EXPIRED', () => assert.equal(code(verifyChain([cert('expired'), cert('inter')], [cert('root')], Date.now())), 'CERT_HAS_EXPIRED'));
  test('CERT_NOT_YET_VALID with a clock before notBefore', () => assert.equal(code(verifyChain([cert('leaf'), cert('inter')], [cert('root')], Date.UTC(2001, 0, 1))), 'CERT_NOT_YET_VALID'));
  test('DEPTH_ZERO_SELF_SIGNED_CERT', () => assert.equal(code(verifyChain([cert('self')], [cert('root')], Date.now())), 'DEPTH_ZERO_SELF_SIGNED_CERT'));
  test('SELF_SIGNED_CERT_IN_CHAIN', () => assert.equal(code(verifyChain([cert('leaf'), cert('inter'), cert('root')], [cert('otherroot')], Date.now())), 'SELF_SIGNED_CERT_IN_CHAIN'));
  test('UNABLE_TO_VERIFY_LEAF_SIGNATURE without the intermediate', () => assert.equal(code(verifyChain([cert('leaf')], [cert('root')], Date.now())), 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'));
  test('UNABLE_TO_GET_ISSUER_CERT_LOCALLY when the top is not trusted', () => assert.equal(code(verifyChain([cert('leaf'), cert('inter')], [cert('otherroot')], Date.now())), 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'));
  test('INVALID_CA for an issuer without basicConstraints CA', () => assert.equal(code(verifyChain([cert('undernotca'), cert('notca')], [cert('root')], Date.now())), 'INVALID_CA'));
  test('DNS name constraints', () => {
    assert.equal(code(verifyChain([cert('ncok'), cert('nc')], [cert('root')], Date.now())), 'OK');
    assert.equal(code(verifyChain([cert('ncbad'), cert('nc')], [cert('root')], Date.now())), 'PERMITTED_VIOLATION');
  });
  test('PATH_LENGTH_EXCEEDED', () => assert.equal(code(verifyChain([cert('pl0leaf'), cert('pl0sub'), cert('pl0')], [cert('root')], Date.now())), 'PATH_LENGTH_EXCEEDED'));
  test('a trusted leaf is accepted as is', () => assert.equal(code(verifyChain([cert('self')], [cert('self')], Date.now())), 'OK'));
  test('a tampered signature fails', () => {
    const c = cert('leaf');
    c.signature[c.signature.length - 5] ^= 1;
    assert.equal(code(verifyChain([c, cert('inter')], [cert('root')], Date.now())), 'CERT_SIGNATURE_FAILURE');
  });
});

describe('checkServerIdentity matches Node', () => {
  const cases = ['example.test', 'a.wild.test', 'wild.test', 'a.b.wild.test', '127.0.0.1', '127.0.0.2', 'other.test', 'EXAMPLE.TEST'];
  for (const host of cases) {
    test(host, () => {
      const pem = pki.read('leaf.crt');
      const x = new X509Certificate(pem);
      const nodeOk = /^[\d.]+$/.test(host) ? x.checkIP(host) !== undefined : x.checkHost(host) !== undefined;
      const ours = checkServerIdentity(host, cert('leaf'));
      assert.equal(ours === null, nodeOk, `${host}: ${ours?.message}`);
      if (ours) assert.equal(ours.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    });
  }
  test('the message is Node\'s', () => {
    assert.equal(checkServerIdentity('other.test', cert('leaf'))!.message,
      "Hostname/IP does not match certificate's altnames: Host: other.test. is not in the cert's altnames: DNS:example.test, DNS:*.wild.test, IP Address:127.0.0.1");
  });
});

// Client certificates in memory (RFC 8446 §4.3.2 CertificateRequest, §4.4.2 Certificate,
// §4.4.3 CertificateVerify with the "client" context): our client against our server.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { decodePem, parsePrivateKey } from '../crypto/index.ts';
import { TlsClient } from './client.ts';
import { TlsServer, type ServerIdentity } from './server.ts';
import { Alert } from './constants.ts';
import { issued, makeDir, random, selfSigned } from './testing/openssl.ts';
import { parseCertificate } from './x509/certificate.ts';
import { verifyChain } from './x509/verify.ts';

let srv: ServerIdentity, cli: ServerIdentity, stranger: ServerIdentity, ca: ReturnType<typeof parseCertificate>;
// A minute after now: the certificates below are made after this line, valid from the second openssl
// makes them, so verifying at a time taken before them failed when the second turned in between.
const T = Date.now() + 60_000;
const ident = (pki: ReturnType<typeof makeDir>, n: string): ServerIdentity => ({ chain: decodePem(pki.read(`${n}.crt`)).map((b) => b.der), key: parsePrivateKey(pki.read(`${n}.key`)) });
before(() => {
  const pki = makeDir();
  selfSigned(pki, 'ca', 'ec256', { cn: 'Client CA', ca: true, san: 'DNS:ca.invalid' });
  issued(pki, 'srv', 'ca', 'ec256', { cn: 'localhost' });
  issued(pki, 'cli', 'ca', 'rsa2048', { cn: 'client one' });
  selfSigned(pki, 'stranger', 'ec256', { cn: 'stranger' });
  srv = ident(pki, 'srv'); cli = ident(pki, 'cli'); stranger = ident(pki, 'stranger');
  ca = parseCertificate(decodePem(pki.read('ca.crt'))[0].der);
});

function run(certificate: ServerIdentity | undefined, rejectUnauthorized: boolean) {
  const c = new TlsClient({ random, serverName: 'localhost', rejectUnauthorized: false, certificate });
  const s = new TlsServer({
    random, identities: [srv], requestCert: true, rejectUnauthorized,
    verifyClient: (chain, now) => { const r = verifyChain(chain, [ca], now); return 'chain' in r ? null : r; },
  });
  const cat = (a: Uint8Array[]) => new Uint8Array(Buffer.concat(a));
  let toServer = c.start(T).wire;
  let serverAlert: number | undefined;
  for (let i = 0; i < 10 && toServer.length; i++) {
    const so = s.receive(cat(toServer), T);
    serverAlert ??= (so.events.find((e) => e.type === 'error') as { error: { alert?: number } } | undefined)?.error.alert;
    if (!so.wire.length) break;
    toServer = c.receive(cat(so.wire), T).wire;
  }
  return { c, s, serverAlert };
}

test('a trusted client certificate: the server sees the chain and authorizes it', () => {
  const { c, s, serverAlert } = run(cli, true);
  assert.equal(serverAlert, undefined);
  assert.equal(c.state, 'open');
  assert.equal(s.state, 'open');
  assert.equal(s.authorized, true);
  assert.equal(s.peerCertificates[0].subject.attributes.find((a) => a.short === 'CN')?.value, 'client one');
});

test('no client certificate: certificate_required when required, else open and unauthorized', () => {
  assert.equal(run(undefined, true).serverAlert, Alert.certificate_required);
  const { s } = run(undefined, false);
  assert.equal(s.state, 'open');
  assert.equal(s.authorized, false);
  assert.equal(s.authorizationError, 'UNABLE_TO_GET_ISSUER_CERT');
});

test('an untrusted client certificate: unknown_ca when required, else open with the code', () => {
  assert.equal(run(stranger, true).serverAlert, Alert.unknown_ca);
  const { s } = run(stranger, false);
  assert.equal(s.state, 'open');
  assert.equal(s.authorized, false);
  assert.equal(s.authorizationError, 'DEPTH_ZERO_SELF_SIGNED_CERT');
});

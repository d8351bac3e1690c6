// RFC 8448 §3 (Simple 1-RTT Handshake) key schedule values, reproduced from the trace's inputs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateKeyShare } from '../crypto/kex.ts';
import { KeySchedule, finishedMac, trafficKeys } from './key-schedule.ts';
import { TLS13_SUITES } from './suites.ts';

const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const AES128 = TLS13_SUITES[0];

test('x25519 shared secret of RFC 8448 §3', () => {
  const client = generateKeyShare('x25519', () => hex('49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005'));
  const shared = client.agree(hex('c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f'))!;
  assert.equal(toHex(shared), '8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d');
});

test('early, handshake and master secrets, traffic secrets and keys of RFC 8448 §3', () => {
  const ks = new KeySchedule(AES128);
  assert.equal(toHex(ks.early), '33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a');
  ks.withShared(hex('8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d'));
  assert.equal(toHex(ks.handshake), '1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac');
  assert.equal(toHex(ks.master), '18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919');
  const hs = ks.handshakeSecrets(hex('860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8'));
  assert.equal(toHex(hs.client), 'b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21');
  assert.equal(toHex(hs.server), 'b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38');
  const sk = trafficKeys(AES128, hs.server);
  assert.equal(toHex(sk.key), '3fce516009c21727d0f2e4e86ee403bc');
  assert.equal(toHex(sk.iv), '5d313eb2671276ee13000b30');
  const ck = trafficKeys(AES128, hs.client);
  assert.equal(toHex(ck.key), 'dbfaa693d1762c5b666af5d950258d01');
  assert.equal(toHex(ck.iv), '5bd3c71b836e0b76bb73265f');
  const app = ks.applicationSecrets(hex('9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13'));
  assert.equal(toHex(app.client), '9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5');
  assert.equal(toHex(app.server), 'a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643');
});

test('a Finished MAC depends on the base key and the transcript', () => {
  const h = AES128.hash;
  const a = finishedMac(h, new Uint8Array(32).fill(1), new Uint8Array(32));
  assert.notEqual(toHex(a), toHex(finishedMac(h, new Uint8Array(32).fill(2), new Uint8Array(32))));
  assert.notEqual(toHex(a), toHex(finishedMac(h, new Uint8Array(32).fill(1), new Uint8Array(32).fill(3))));
});

// Known answers and cross-checks against Node's OpenSSL-backed crypto.
import assert from 'node:assert/strict';
import * as nc from 'node:crypto';
import { test } from 'node:test';
import { AES_128_GCM, CHACHA20_POLY1305 } from './aead.ts';
import { encodePem } from './der.ts';
import { hashByName, hkdfExpand, hkdfExtract } from './hash.ts';
import { encodePkcs8, encodeSpki, parsePrivateKey, parsePublicKey, sign, verifySignature } from './keys.ts';
import { generateRsaKey, rsaOaepDecrypt, rsaOaepEncrypt } from './rsa.ts';

const random = (n: number) => new Uint8Array(nc.randomBytes(n));
const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const msg = new TextEncoder().encode('the quick brown fox');

test('HKDF: RFC 5869 test case 1', () => {
  const h = hashByName('sha256')!;
  const prk = hkdfExtract(h, hex('000102030405060708090a0b0c'), hex('0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b'));
  assert.equal(Buffer.from(prk).toString('hex'), '077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5');
  assert.equal(Buffer.from(hkdfExpand(h, prk, hex('f0f1f2f3f4f5f6f7f8f9'), 42)).toString('hex'),
    '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
});

test('AEADs agree with Node and reject a modified tag', () => {
  const key = random(16), iv = random(12), aad = random(7);
  const ct = AES_128_GCM.seal(key, iv, aad, msg);
  const d = nc.createDecipheriv('aes-128-gcm', key, iv);
  d.setAAD(aad);
  d.setAuthTag(ct.subarray(ct.length - 16));
  assert.deepEqual(Buffer.concat([d.update(Buffer.from(ct.subarray(0, ct.length - 16))), d.final()]), Buffer.from(msg));
  ct[0] ^= 1;
  assert.equal(AES_128_GCM.open(key, iv, aad, ct), null);
  const k2 = random(32);
  const e = nc.createCipheriv('chacha20-poly1305', k2, iv, { authTagLength: 16 });
  e.setAAD(aad, { plaintextLength: msg.length });
  const c2 = Buffer.concat([e.update(msg), e.final(), e.getAuthTag()]);
  assert.deepEqual(CHACHA20_POLY1305.open(k2, iv, aad, c2), msg);
});

for (const [type, opts, alg, nodeAlg] of [
  ['ec', { namedCurve: 'P-256' }, { kind: 'ecdsa', hash: 'sha256' }, 'sha256'],
  ['ec', { namedCurve: 'P-384' }, { kind: 'ecdsa', hash: 'sha384' }, 'sha384'],
  ['rsa', { modulusLength: 2048 }, { kind: 'rsa-pkcs1', hash: 'sha256' }, 'sha256'],
  ['rsa', { modulusLength: 2048 }, { kind: 'rsa-pss', hash: 'sha256' }, 'sha256'],
  ['ed25519', {}, { kind: 'ed25519' }, null],
] as const) {
  test(`${alg.kind} ${JSON.stringify(opts)}: our signatures verify in Node and Node's in ours`, () => {
    const { privateKey, publicKey } = (nc.generateKeyPairSync as (t: string, o: object) => nc.KeyPairKeyObjectResult)(type, opts);
    const priv = parsePrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    const pub = parsePublicKey(publicKey.export({ type: 'spki', format: 'pem' }) as string);
    const pad = alg.kind === 'rsa-pss' ? { padding: nc.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : {};
    const ours = sign(priv, alg, msg, random);
    assert.ok(nc.verify(nodeAlg, msg, { key: publicKey, ...pad }, ours));
    const theirs = nc.sign(nodeAlg, msg, { key: privateKey, ...pad });
    assert.ok(verifySignature(pub, alg, msg, theirs));
    assert.equal(verifySignature(pub, alg, new TextEncoder().encode('other'), theirs), false);
    // Encodings round-trip to the bytes Node exports.
    assert.deepEqual(Buffer.from(encodeSpki(pub)), publicKey.export({ type: 'spki', format: 'der' }));
    assert.deepEqual(nc.createPrivateKey(encodePem('PRIVATE KEY', encodePkcs8(priv))).export({ type: 'pkcs8', format: 'der' }), privateKey.export({ type: 'pkcs8', format: 'der' }));
  });
}

test('RSA key generation, OAEP both ways with Node', () => {
  const k = generateRsaKey(1024, random);
  const pem = encodePem('PRIVATE KEY', encodePkcs8({ type: 'rsa', rsa: k, publicKey: { type: 'rsa', rsa: k } }));
  const nodeKey = nc.createPrivateKey(pem);
  const ct = rsaOaepEncrypt(k, hashByName('sha256')!, msg, random);
  assert.deepEqual(nc.privateDecrypt({ key: nodeKey, oaepHash: 'sha256' }, ct), Buffer.from(msg));
  const ct2 = nc.publicEncrypt({ key: nc.createPublicKey(nodeKey), oaepHash: 'sha256' }, msg);
  assert.deepEqual(rsaOaepDecrypt(k, hashByName('sha256')!, new Uint8Array(ct2), random), msg);
  ct2[10] ^= 1;
  assert.equal(rsaOaepDecrypt(k, hashByName('sha256')!, new Uint8Array(ct2), random), null);
});

test('bytesToBig / bigToBytes / bitLength agree with the byte-at-a-time definitions', async () => {
  const { bytesToBig, bigToBytes, bitLength, byteLength } = await import('./rsa.ts');
  const slow = (b: Uint8Array) => { let n = 0n; for (const x of b) n = (n << 8n) | BigInt(x); return n; };
  for (let i = 0; i < 1500; i++) {
    const len = i % 300;
    const b = random(len);
    if (i % 7 === 0 && len) b[0] = 0;
    const n = slow(b);
    assert.equal(bytesToBig(b), n);
    assert.equal(bitLength(n), n.toString(2).length);
    assert.equal(byteLength(n), Math.ceil(n.toString(2).length / 8));
    const padded = new Uint8Array(Math.max(len, 1));
    padded.set(b, padded.length - b.length);
    assert.deepEqual(bigToBytes(n, padded.length), padded);
    if (n > 0n) assert.equal(bigToBytes(n)[0] !== 0 && bytesToBig(bigToBytes(n)) === n, true);
  }
  assert.deepEqual(bigToBytes(0n), new Uint8Array([0]));
  assert.throws(() => bigToBytes(256n, 1), RangeError);
});

/**
 * The crypto group (core/include/hw-crypto.h) and os/crypto's two backends inside images: one
 * program (programs/crypto-kat.ts) runs every primitive with the core's BearSSL and with @noble;
 * both must give the RFC answers and Node's (OpenSSL's) answers for the same inputs, verify
 * Node's signatures and make signatures Node verifies. On the process target (fast) and on
 * QEMU microvm (the PVH core), plus `nimbus.crypto=js` as the default switch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nc from 'node:crypto';
import path from 'node:path';
import { boot, buildTestImage } from './vm.ts';
import * as KEYS from './programs/crypto-kat-keys.ts';

const msg = Buffer.from('nimbus known answer '.repeat(5));
const aad = Buffer.from('hdr');
const nonce = Buffer.alloc(12, 2);

function hostKeys() {
  const p256 = { privateKey: nc.createPrivateKey(KEYS.P256_KEY), publicKey: nc.createPublicKey(KEYS.P256_PUB) };
  const p384 = { privateKey: nc.createPrivateKey(KEYS.P384_KEY), publicKey: nc.createPublicKey(KEYS.P384_PUB) };
  const rsa = { privateKey: nc.createPrivateKey(KEYS.RSA_KEY), publicKey: nc.createPublicKey(KEYS.RSA_PUB) };
  // Signatures and a ciphertext made afresh by Node for each run (the keys travel in the image,
  // these through the environment: the kernel command line holds 4 KiB).
  const env: Record<string, string> = {
    EC256_SIG: nc.sign('sha256', msg, p256.privateKey).toString('hex'),
    EC384_SIG: nc.sign('sha384', msg, p384.privateKey).toString('hex'),
    RSA_PKCS1_SIG: nc.sign('sha256', msg, rsa.privateKey).toString('hex'),
    RSA_PSS_SIG: nc.sign('sha256', msg, { key: rsa.privateKey, padding: nc.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }).toString('hex'),
    OAEP_CT: nc.publicEncrypt({ key: rsa.publicKey, oaepHash: 'sha256', padding: nc.constants.RSA_PKCS1_OAEP_PADDING }, msg).toString('hex'),
  };
  return { env, p256, p384, rsa };
}

function seal(alg: string, key: Buffer, data: Buffer): string {
  const c = nc.createCipheriv(alg as 'aes-128-gcm', key, nonce, { authTagLength: 16 });
  c.setAAD(aad);
  return Buffer.concat([c.update(data), c.final(), c.getAuthTag()]).toString('hex');
}

/** A P-256/P-384 share made from the program's fixed random bytes, as Node computes it. */
function nodeShare(curve: 'prime256v1' | 'secp384r1', seed: number, coord: number) {
  const e = nc.createECDH(curve);
  // @noble's randomSecretKey(seed bytes) reduces the seed mod (n - 1) and adds 1 (FIPS 186-5 A.2.1).
  const n = curve === 'prime256v1' ? 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n
    : 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n;
  const s = BigInt('0x' + Buffer.alloc(coord === 32 ? 48 : 72, seed).toString('hex')) % (n - 1n) + 1n;
  e.setPrivateKey(Buffer.from(s.toString(16).padStart(coord * 2, '0'), 'hex'));
  return e;
}

type Kat = Record<string, any>;

function checkKat(name: string, k: Kat, keys: ReturnType<typeof hostKeys>): void {
  const at = (what: string) => `${name}: ${what}`;
  assert.equal(k.aeads['aes-128-gcm'].ct, seal('aes-128-gcm', Buffer.alloc(16, 1), msg), at('AES-128-GCM'));
  assert.equal(k.aeads['aes-256-gcm'].ct, seal('aes-256-gcm', Buffer.alloc(32, 3), msg), at('AES-256-GCM'));
  assert.equal(k.aeads['chacha20-poly1305'].ct, seal('chacha20-poly1305', Buffer.alloc(32, 3), msg), at('ChaCha20-Poly1305'));
  for (const [alg, key] of [['aes-128-gcm', Buffer.alloc(16, 1)], ['aes-256-gcm', Buffer.alloc(32, 3)], ['chacha20-poly1305', Buffer.alloc(32, 3)]] as const) {
    const a = k.aeads[alg];
    assert.deepEqual([a.roundTrip, a.tampered, a.short], [true, null, null], at(`${alg} open`));
    assert.equal(a.bigTag, seal(alg, key, Buffer.alloc(16389, 0x5a)).slice(-32), at(`${alg} over a full record`));
  }
  assert.deepEqual(k.hashes.pbkdf2, {
    sha1: '4b007901b765489abead49d926f721d065a429c1', // RFC 6070 §2, c = 4096
    sha256: nc.pbkdf2Sync('passwordPASSWORDpassword', 'saltSALTsaltSALTsaltSALTsaltSALTsalt', 300, 75, 'sha256').toString('hex'),
    sha512: nc.pbkdf2Sync(Buffer.alloc(100, 9), 's', 2, 130, 'sha512').toString('hex'),
  }, at('PBKDF2'));
  for (const h of ['sha1', 'sha224', 'sha256', 'sha384', 'sha512']) {
    assert.equal(k.hashes[h].digest, nc.createHash(h).update(msg).digest('hex'), at(h));
    assert.equal(k.hashes[h].hmac, nc.createHmac(h, Buffer.alloc(80, 7)).update(msg).digest('hex'), at(`HMAC-${h}, long key`));
    assert.equal(k.hashes[h].hmacShortKey, nc.createHmac(h, 'k').update(msg).digest('hex'), at(`HMAC-${h}`));
  }
  assert.equal(k.hashes.hkdf, '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865', at('RFC 5869 A.1'));
  assert.deepEqual(k.kex.x25519, {
    pub: '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
    shared: '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742', zeroPeer: null, shortPeer: null,
  }, at('RFC 7748 §6.1'));
  for (const [g, curve, coord] of [['secp256r1', 'prime256v1', 32], ['secp384r1', 'secp384r1', 48]] as const) {
    const a = nodeShare(curve, 0x11, coord), b = nodeShare(curve, 0x22, coord);
    assert.equal(k.kex[g].a, a.getPublicKey('hex'), at(`${g} public key`));
    assert.equal(k.kex[g].ab, a.computeSecret(b.getPublicKey()).toString('hex'), at(`${g} ECDH`));
    assert.equal(k.kex[g].ba, k.kex[g].ab, at(`${g} both ways`));
    assert.deepEqual([k.kex[g].offCurve, k.kex[g].compressed], [null, null], at(`${g} bad peers`));
  }
  const s = k.signatures;
  for (const n of ['ec256', 'ec384', 'rsa-pkcs1', 'rsa-pss']) {
    assert.deepEqual([s[n].ownVerifies, s[n].hostVerifies, s[n].badRejected, s[n].otherMessage], [true, true, true, false], at(`${n} verification`));
  }
  const sig = (x: string) => Buffer.from(x, 'hex');
  assert.ok(nc.verify('sha256', msg, keys.p256.publicKey, sig(s.ec256.sig)), at('Node verifies our P-256 signature'));
  assert.ok(nc.verify('sha384', msg, keys.p384.publicKey, sig(s.ec384.sig)), at('Node verifies our P-384 signature'));
  assert.equal(s['rsa-pkcs1'].sig, nc.sign('sha256', msg, keys.rsa.privateKey).toString('hex'), at('RSA PKCS#1 v1.5 (deterministic)'));
  assert.ok(nc.verify('sha256', msg, { key: keys.rsa.publicKey, padding: nc.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig(s['rsa-pss'].sig)), at('Node verifies our PSS signature'));
  assert.equal(Buffer.from(s.oaep, 'hex').toString(), msg.toString(), at('OAEP decrypt of Node ciphertext'));
}

// RFC 6979 §A.2.5, P-256 / SHA-256 / "sample": r, s.
const RFC6979 = '3046022100efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716022100f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8';

function kats(stdout: string): Record<string, Kat> {
  const out: Record<string, Kat> = {};
  for (const m of stdout.matchAll(/^KAT (\w+) (.*)$/gm)) {
    assert.ok(m[2]!.startsWith('{'), `${m[1]}: ${m[2]}`);
    out[m[1]!] = JSON.parse(m[2]!);
  }
  return out;
}

function checkRun(stdout: string, stderr: string, keys: ReturnType<typeof hostKeys>, where: string): void {
  assert.match(stdout, /^GROUPS \[.*"crypto"\] DEFAULT native$/m, `${where}: ${stdout}\n${stderr}`);
  const k = kats(stdout);
  assert.deepEqual(Object.keys(k), ['native', 'js'], `${where}: ${stdout}\n${stderr}`);
  checkKat(`${where} native`, k.native!, keys);
  checkKat(`${where} js`, k.js!, keys);
  assert.equal(k.native!.signatures.rfc6979, RFC6979, `${where}: BearSSL's ECDSA k is RFC 6979's`);
  const args = JSON.parse(/^ARGS (.*)$/m.exec(stdout)![1]!);
  assert.deepEqual(args, {
    badHash: 'RangeError: hw.crypto.hash: unknown hash 9',
    notBytes: 'TypeError: hw.crypto: data must be a Uint8Array',
    int16: 'TypeError: hw.crypto: data must be a Uint8Array',
    keyLen: 'RangeError: hw.crypto: a AES-GCM key must be 16, 24 or 32 bytes, not 15',
    nonceLen: 'RangeError: hw.crypto: nonce must be 12 bytes, not 8',
    badAead: 'RangeError: hw.crypto: unknown AEAD 3',
    badCurve: 'RangeError: hw.crypto: unknown curve 25 (23 = P-256, 24 = P-384, 29 = X25519)',
    zeroScalar: 'RangeError: hw.crypto.ecMulGen: the scalar is not in [1, order - 1]',
    bigScalar: 'RangeError: hw.crypto.ecMulGen: the scalar is not in [1, order - 1]',
    scalarLen: 'RangeError: hw.crypto: scalar must be 48 bytes, not 32',
    x25519Sign: 'RangeError: hw.crypto: unknown curve 29 (23 = P-256, 24 = P-384)',
    digestLen: 'RangeError: hw.crypto: digest must be 48 bytes, not 32',
    rsaXLen: 'RangeError: hw.crypto.rsaPublic: x must be 256 bytes (as long as n), not 255',
    rsaXTooBig: 'ok null',
    rsaSmallN: 'RangeError: hw.crypto.rsaPublic: n must be 512 to 4096 bits',
    stateLen: 'RangeError: hw.crypto.hashUpdate: state must be 40 bytes, not 39',
    stateCount: "RangeError: hw.crypto.hashFinal: the state's count is not a whole number of 64-byte blocks",
    partialBlocks: 'RangeError: hw.crypto.hashUpdate: blocks must be a whole number of 128-byte blocks, not 64 bytes',
    badStreamHash: 'RangeError: hw.crypto.hashFinal: unknown hash 9',
    stateLengths: '28,40,40,72,72',
    streamed: 'true,true,true,true,true',
  }, `${where}: argument checks`);
}

const program = path.join(import.meta.dirname, 'programs', 'crypto-kat.ts');

test('native and JS primitives give the known answers (process target, then microvm)', async () => {
  const keys = hostKeys();
  const image = await buildTestImage(program);
  const p = await boot(image, { target: 'process', env: keys.env, memMiB: 128 });
  assert.equal(p.code, 0, p.stderr);
  checkRun(p.stdout, p.stderr, keys, 'process');
  const q = await boot(image, { machine: 'microvm', env: keys.env, memMiB: 128 });
  assert.equal(q.code, 0, q.stderr);
  checkRun(q.stdout, q.stderr, keys, 'microvm');
});

test('nimbus.crypto=js makes @noble the default', async () => {
  const image = await buildTestImage(program);
  const r = await boot(image, { target: 'process', env: hostKeys().env, memMiB: 128, crypto: 'js' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^GROUPS \[.*"crypto"\] DEFAULT js$/m);
});

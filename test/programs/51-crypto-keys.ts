// expect-exit: 0
// node:crypto keys, signatures, ciphers and key agreement: same observable results as Node.
import * as c from 'node:crypto';

const msg = Buffer.from('sign me, please');
const ed = c.generateKeyPairSync('ed25519');
const edSig = c.sign(null, msg, ed.privateKey);
console.log('ed25519', ed.privateKey.asymmetricKeyType, edSig.length, c.verify(null, msg, ed.publicKey, edSig), c.verify(null, Buffer.from('x'), ed.publicKey, edSig));
const edJwk = ed.publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string };
console.log('ed25519 jwk', edJwk.kty, edJwk.crv, edJwk.x.length, c.createPublicKey({ key: edJwk, format: 'jwk' }).equals(ed.publicKey));

const ec = c.generateKeyPairSync('ec', { namedCurve: 'P-256', publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
console.log('ec pem', (ec.publicKey as string).split('\n')[0], (ec.privateKey as string).split('\n')[0]);
const ecSig = c.sign('sha256', msg, ec.privateKey as string);
console.log('ecdsa der', ecSig[0] === 0x30, c.verify('sha256', msg, ec.publicKey as string, ecSig));
const raw = c.sign('sha256', msg, { key: ec.privateKey as string, dsaEncoding: 'ieee-p1363' });
console.log('ecdsa p1363', raw.length, c.verify('sha256', msg, { key: ec.publicKey as string, dsaEncoding: 'ieee-p1363' }, raw));
const signer = c.createSign('SHA384');
signer.update('part one ');
signer.update('part two');
const s384 = signer.sign(ec.privateKey as string, 'base64');
console.log('createSign', typeof s384, c.createVerify('SHA384').update('part one part two').verify(ec.publicKey as string, s384, 'base64'));
console.log('ec details', c.createPublicKey(ec.publicKey as string).asymmetricKeyDetails);

const rsa = c.generateKeyPairSync('rsa', { modulusLength: 768 });
console.log('rsa details', rsa.publicKey.asymmetricKeyDetails);
const rs = c.sign('sha256', msg, rsa.privateKey);
console.log('rsa pkcs1', rs.length, c.verify('sha256', msg, rsa.publicKey, rs));
const pss = c.sign('sha256', msg, { key: rsa.privateKey, padding: c.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
console.log('rsa pss', c.verify('sha256', msg, { key: rsa.publicKey, padding: c.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, pss),
  c.verify('sha256', msg, { key: rsa.publicKey, padding: c.constants.RSA_PKCS1_PSS_PADDING }, pss));
const ct = c.publicEncrypt({ key: rsa.publicKey, oaepHash: 'sha256' }, Buffer.from('secret'));
console.log('rsa oaep', ct.length, c.privateDecrypt({ key: rsa.privateKey, oaepHash: 'sha256' }, ct).toString());
const pem = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
console.log('pkcs1 round trip', pem.split('\n')[0], c.createPrivateKey(pem).equals(rsa.privateKey));

const key = Buffer.alloc(32, 7), iv = Buffer.alloc(12, 3), aad = Buffer.from('header');
const g = c.createCipheriv('aes-256-gcm', key, iv);
g.setAAD(aad);
const gct = Buffer.concat([g.update('attack at dawn', 'utf8'), g.final()]);
const tag = g.getAuthTag();
console.log('aes-256-gcm', gct.toString('hex'), tag.toString('hex'));
const gd = c.createDecipheriv('aes-256-gcm', key, iv);
gd.setAAD(aad);
gd.setAuthTag(tag);
console.log('aes-256-gcm open', Buffer.concat([gd.update(gct), gd.final()]).toString());
const bad = c.createDecipheriv('aes-256-gcm', key, iv);
bad.setAuthTag(Buffer.alloc(16));
bad.update(gct);
try { bad.final(); } catch (e) { console.log('bad tag:', (e as Error).message); }
for (const alg of ['aes-128-cbc', 'aes-192-cbc', 'aes-128-ctr', 'aes-256-ctr']) {
  const k = Buffer.alloc(Number(alg.split('-')[1]) / 8, 9), v = Buffer.alloc(16, 1);
  const e = c.createCipheriv(alg, k, v);
  const out = Buffer.concat([e.update('sixteen byte blk and more'), e.final()]);
  const d = c.createDecipheriv(alg, k, v);
  console.log(alg, out.toString('hex'), Buffer.concat([d.update(out), d.final()]).toString());
}
const ch = c.createCipheriv('chacha20-poly1305', key, iv, { authTagLength: 16 });
const cct = Buffer.concat([ch.update('hello chacha'), ch.final()]);
console.log('chacha20-poly1305', cct.toString('hex'), ch.getAuthTag().toString('hex'));

const a = c.generateKeyPairSync('x25519'), b = c.generateKeyPairSync('x25519');
console.log('x25519', c.diffieHellman({ privateKey: a.privateKey, publicKey: b.publicKey }).equals(c.diffieHellman({ privateKey: b.privateKey, publicKey: a.publicKey })));
const e1 = c.generateKeyPairSync('ec', { namedCurve: 'secp384r1' }), e2 = c.generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
const s1 = c.diffieHellman({ privateKey: e1.privateKey, publicKey: e2.publicKey });
console.log('ecdh p-384', s1.length, s1.equals(c.diffieHellman({ privateKey: e2.privateKey, publicKey: e1.publicKey })));
const sk = c.createSecretKey(Buffer.from('0123456789abcdef'));
console.log('secret key', sk.type, sk.symmetricKeySize, sk.export().toString());
try { c.createPrivateKey('not a key'); } catch (e) { console.log('bad key is an error:', e instanceof Error); }
// createHmac takes a secret KeyObject (jsonwebtoken 9 passes one) and refuses other kinds as Node does.
console.log('hmac with a KeyObject', c.createHmac('sha256', sk).update('msg').digest('hex') === c.createHmac('sha256', '0123456789abcdef').update('msg').digest('hex'));
try { c.createHmac('sha256', e1.publicKey); } catch (e) { console.log((e as { code?: string }).code, (e as Error).message); }

// expect-exit: 0
// WebCrypto (node:crypto's webcrypto.subtle; the same object is globalThis.crypto.subtle in
// images that mention subtle) as jose and hono/jwt use it: same results as Node.
import { webcrypto } from 'node:crypto';

const { subtle } = webcrypto as unknown as Crypto;
const enc = new TextEncoder();
const hex = (b: ArrayBuffer) => Buffer.from(b).toString('hex');
const data = enc.encode('header.payload');

async function main(): Promise<void> {

  console.log('digest', hex(await subtle.digest('SHA-256', enc.encode('abc'))), hex(await subtle.digest({ name: 'SHA-384' }, new Uint8Array(0))).slice(0, 16));
  const hk = await subtle.importKey('raw', enc.encode('secret'), { name: 'HMAC', hash: 'SHA-256' }, true, ['sign', 'verify']);
  const mac = await subtle.sign('HMAC', hk, data);
  console.log('hmac', hex(mac), await subtle.verify('HMAC', hk, mac, data), (hk.algorithm as unknown as { length: number }).length);
  console.log('hmac jwk', JSON.stringify(await subtle.exportKey('jwk', hk)));

  for (const [name, extra] of [['ECDSA', { namedCurve: 'P-256' }], ['ECDSA', { namedCurve: 'P-384' }], ['Ed25519', {}]] as const) {
    const kp = await subtle.generateKey({ name, ...extra }, true, ['sign', 'verify']) as CryptoKeyPair;
    const alg = name === 'ECDSA' ? { name, hash: extra.namedCurve === 'P-256' ? 'SHA-256' : 'SHA-384' } : { name };
    const sig = await subtle.sign(alg, kp.privateKey, data);
    const jwk = await subtle.exportKey('jwk', kp.publicKey) as JsonWebKey;
    const back = await subtle.importKey('jwk', jwk, { name, ...extra }, true, ['verify']);
    const spki = await subtle.exportKey('spki', kp.publicKey);
    const fromSpki = await subtle.importKey('spki', spki, { name, ...extra }, true, ['verify']);
    console.log(name, (extra as { namedCurve?: string }).namedCurve ?? '', sig.byteLength, await subtle.verify(alg, back, sig, data),
      await subtle.verify(alg, fromSpki, sig, enc.encode('other')), jwk.kty, jwk.crv, kp.privateKey.type, kp.publicKey.usages.join());
  }

  const rsa = await subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 768, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify']) as CryptoKeyPair;
  const rsig = await subtle.sign('RSASSA-PKCS1-v1_5', rsa.privateKey, data);
  const pkcs8 = await subtle.exportKey('pkcs8', rsa.privateKey);
  const rsaPss = await subtle.importKey('pkcs8', pkcs8, { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['sign']);
  const pssSig = await subtle.sign({ name: 'RSA-PSS', saltLength: 32 }, rsaPss, data);
  const pssPub = await subtle.importKey('spki', await subtle.exportKey('spki', rsa.publicKey), { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['verify']);
  console.log('rsa', rsig.byteLength, await subtle.verify('RSASSA-PKCS1-v1_5', rsa.publicKey, rsig, data), await subtle.verify({ name: 'RSA-PSS', saltLength: 32 }, pssPub, pssSig, data),
    (rsa.publicKey.algorithm as unknown as { modulusLength: number }).modulusLength);

  const aes = await subtle.importKey('raw', new Uint8Array(16).fill(5), 'AES-GCM', true, ['encrypt', 'decrypt']);
  const iv = new Uint8Array(12).fill(1);
  const ct = await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: enc.encode('aad') }, aes, enc.encode('plain text'));
  console.log('aes-gcm', hex(ct), new TextDecoder().decode(await subtle.decrypt({ name: 'AES-GCM', iv, additionalData: enc.encode('aad') }, aes, ct)));
  try { await subtle.decrypt({ name: 'AES-GCM', iv }, aes, ct); } catch (e) { console.log('aes-gcm wrong aad:', (e as Error).name); }
  const cbcKey = await subtle.importKey('raw', new Uint8Array(32).fill(2), 'AES-CBC', false, ['encrypt']);
  console.log('aes-cbc', hex(await subtle.encrypt({ name: 'AES-CBC', iv: new Uint8Array(16) }, cbcKey, enc.encode('cbc mode'))));
  const ctrKey = await subtle.importKey('raw', new Uint8Array(16).fill(3), 'AES-CTR', false, ['encrypt']);
  console.log('aes-ctr', hex(await subtle.encrypt({ name: 'AES-CTR', counter: new Uint8Array(16), length: 64 }, ctrKey, enc.encode('ctr mode'))));

  const pb = await subtle.importKey('raw', enc.encode('password'), 'PBKDF2', false, ['deriveBits', 'deriveKey']);
  console.log('pbkdf2', hex(await subtle.deriveBits({ name: 'PBKDF2', salt: enc.encode('salt'), iterations: 1000, hash: 'SHA-256' }, pb, 256)));
  const hkdfKey = await subtle.importKey('raw', enc.encode('input key'), 'HKDF', false, ['deriveBits']);
  console.log('hkdf', hex(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: enc.encode('s'), info: enc.encode('i') }, hkdfKey, 128)));
  const derived = await subtle.deriveKey({ name: 'PBKDF2', salt: enc.encode('salt'), iterations: 10, hash: 'SHA-256' }, pb, { name: 'AES-GCM', length: 128 }, true, ['encrypt']);
  console.log('deriveKey', hex(await subtle.exportKey('raw', derived) as ArrayBuffer));

  const a = await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']) as CryptoKeyPair;
  const b = await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']) as CryptoKeyPair;
  const ab = await subtle.deriveBits({ name: 'ECDH', public: b.publicKey }, a.privateKey, 256);
  const ba = await subtle.deriveBits({ name: 'ECDH', public: a.publicKey }, b.privateKey, 256);
  console.log('ecdh', ab.byteLength, hex(ab) === hex(ba));

  const kek = await subtle.importKey('raw', new Uint8Array(16).fill(9), 'AES-KW', false, ['wrapKey', 'unwrapKey']);
  const wrapped = await subtle.wrapKey('raw', aes, kek, 'AES-KW');
  const unwrapped = await subtle.unwrapKey('raw', wrapped, kek, 'AES-KW', 'AES-GCM', true, ['decrypt']);
  console.log('aes-kw', hex(wrapped), hex(await subtle.exportKey('raw', unwrapped) as ArrayBuffer));
  try { await subtle.importKey('raw', new Uint8Array(5), 'AES-GCM', false, ['encrypt']); } catch (e) { console.log('bad aes key:', (e as Error).name); }
}
void main();

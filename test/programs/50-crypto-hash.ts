// expect-exit: 0
// node:crypto hashing, HMAC, HKDF, PBKDF2 and timingSafeEqual: same output as Node.
import { createHash, createHmac, createSecretKey, generateKeyPairSync, hkdfSync, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
for (const alg of ['md5', 'sha1', 'sha256', 'sha384', 'sha512']) {
  console.log(alg, createHash(alg).update('hello ').update(Buffer.from('world')).digest('hex'));
}
console.log(createHash('sha256').update('').digest('base64'), createHash('SHA256').update('x').digest('base64url'));
console.log(createHash('sha256').update('68656c6c6f', 'hex').digest().length);
const h = createHash('sha1').update('abc');
const copy = h.copy();
console.log(h.digest('hex') === copy.digest('hex'));
try { h.digest(); } catch (e) { console.log((e as { code: string }).code); }
try { createHash('nope'); } catch (e) { console.log('unsupported', e instanceof Error); }
console.log(createHmac('sha256', 'key').update('The quick brown fox jumps over the lazy dog').digest('hex'));
console.log(createHmac('sha512', Buffer.alloc(200, 1)).update('x').digest('base64'));
console.log(Buffer.from(hkdfSync('sha256', 'ikm', 'salt', 'info', 42)).toString('hex'));
console.log(pbkdf2Sync('password', 'salt', 1000, 32, 'sha256').toString('hex'));
console.log(timingSafeEqual(Buffer.from('abc'), Buffer.from('abc')), timingSafeEqual(Buffer.from('abc'), Buffer.from('abd')));
try { timingSafeEqual(Buffer.from('a'), Buffer.from('ab')); } catch (e) { console.log((e as { code: string }).code, e instanceof RangeError); }
// HMAC and HKDF keys as Node takes them: a secret KeyObject (jsonwebtoken signs HS256 with one), an ArrayBuffer; bad keys' codes and messages.
const secret = createSecretKey(Buffer.from('key'));
console.log(createHmac('sha256', secret).update('The quick brown fox jumps over the lazy dog').digest('hex'));
console.log(createHmac('sha1', new Uint8Array([1, 2, 3]).buffer as never).update('x').digest('hex'));
console.log(Buffer.from(hkdfSync('sha256', createSecretKey(Buffer.from('ikm')), 'salt', 'info', 16)).toString('hex'));
for (const bad of [{}, null, 42, generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey]) {
  try { createHmac('sha256', bad as never); } catch (e) { console.log((e as { code: string }).code, (e as Error).message); }
}
// Digests over many updates, a copy taken midway, buffers reused by the caller after update(),
// and inputs past the image's native chunk (64 KiB: the core hashes a chunk at a time).
{
  const chunk = Buffer.alloc(300 * 1024, 7);
  const big = createHash('sha256'), bigHmac = createHmac('sha1', 'k');
  for (let i = 0; i < 5; i++) { chunk[0] = i; big.update(chunk); bigHmac.update(chunk); }
  const mid = big.copy();
  big.update('tail');
  console.log('big', big.digest('hex'), mid.digest('hex'), bigHmac.digest('hex'));
  const reused = Buffer.from('first'), r = createHash('sha512');
  r.update(reused);
  reused.write('XXXXX');
  const key = Buffer.from('secret-key'), m = createHmac('sha256', key);
  key.fill(0);
  console.log('reused', r.update(reused).digest('base64'), m.update('msg').digest('hex'));
  const parts = createHash('sha1');
  const early = parts.update('a').copy();
  console.log('copies', parts.update('b').digest('hex'), early.update('c').digest('hex'));
}
// Streaming across the core's chunks with sizes that are no multiple of any block: odd large
// updates, many small ones, copies taken between, every hash, HMAC keys longer than a block.
{
  const data = Buffer.alloc(700_001);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 9)) & 0xff;
  for (const alg of ['sha1', 'sha224', 'sha256', 'sha384', 'sha512']) {
    const odd = createHash(alg), small = createHash(alg), mac = createHmac(alg, Buffer.alloc(300, 9));
    let copyDigest = '';
    for (let at = 0, n = 0; at < data.length; at += 100_003, n++) {
      odd.update(data.subarray(at, at + 100_003));
      if (n === 3) copyDigest = odd.copy().update('fork').digest('hex');
    }
    for (let at = 0; at < 200_000; at += 97) small.update(data.subarray(at, Math.min(at + 97, 200_000)));
    for (let at = 0; at < data.length; at += 65_537) mac.update(data.subarray(at, at + 65_537));
    console.log('stream', alg, odd.digest('hex'), copyDigest, small.digest('hex'), mac.digest('base64'));
  }
}

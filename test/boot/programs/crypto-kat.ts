// Known answers for every primitive of os/crypto, run against both backends in one image: the
// core's BearSSL (hw.crypto) and @noble (setCryptoBackend). Prints one JSON line per backend
// (test/boot/crypto.test.ts checks them against RFC vectors and Node's OpenSSL on the host) and
// the crypto group's argument checks.
import { AES_128_GCM, AES_256_GCM, CHACHA20_POLY1305, type Aead } from '../../../os/crypto/aead.ts';
import { hashByName, hkdfExpand, hkdfExtract, hmac, pbkdf2Hmac, type HashName } from '../../../os/crypto/hash.ts';
import { generateKeyShare, type GroupName } from '../../../os/crypto/kex.ts';
import { parsePrivateKey, parsePublicKey, sign, verifySignature, type SignatureAlgorithm } from '../../../os/crypto/keys.ts';
import { rsaOaepDecrypt } from '../../../os/crypto/rsa.ts';
import { cryptoBackend, setCryptoBackend, type CryptoBackend } from '../../../os/crypto/native.ts';
import { nativeHw } from '../../../os/hw/hw.ts';
import * as KEYS from './crypto-kat-keys.ts';

const env = process.env;
const hex = (b: Uint8Array | null) => (b === null ? null : Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(''));
const unhex = (s: string) => new Uint8Array(s.match(/../g)!.map((h) => parseInt(h, 16)));
const fill = (n: number, v: number) => new Uint8Array(n).fill(v);
const text = (s: string) => new TextEncoder().encode(s);
const fixed = (bytes: Uint8Array) => (n: number) => bytes.subarray(0, n);

const msg = text('nimbus known answer '.repeat(5));
const aad = text('hdr');
const nonce = fill(12, 2);

function aeads(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const cases: [string, Aead, Uint8Array][] = [['aes-128-gcm', AES_128_GCM, fill(16, 1)], ['aes-256-gcm', AES_256_GCM, fill(32, 3)], ['chacha20-poly1305', CHACHA20_POLY1305, fill(32, 3)]];
  for (const [name, a, key] of cases) {
    const ct = a.seal(key, nonce, aad, msg);
    const back = a.open(key, nonce, aad, ct);
    const bad = ct.slice();
    bad[5] ^= 1;
    const big = a.seal(key, nonce, aad, fill(16384 + 5, 0x5a));
    out[name] = { ct: hex(ct), roundTrip: hex(back) === hex(msg), tampered: a.open(key, nonce, aad, bad), short: a.open(key, nonce, aad, ct.subarray(0, 15)), bigTag: hex(big.subarray(big.length - 16)) };
  }
  return out;
}

function hashes(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const h of ['sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as HashName[]) {
    const f = hashByName(h)!;
    out[h] = { digest: hex(f(msg)), hmac: hex(hmac(f, fill(80, 7), msg)), hmacShortKey: hex(hmac(f, text('k'), msg)) };
  }
  // RFC 5869 §A.1 (test case 1).
  const s256 = hashByName('sha256')!;
  const prk = hkdfExtract(s256, unhex('000102030405060708090a0b0c'), unhex('0b'.repeat(22)));
  out.hkdf = hex(hkdfExpand(s256, prk, unhex('f0f1f2f3f4f5f6f7f8f9'), 42));
  // RFC 6070 (PBKDF2-HMAC-SHA1), and SHA-256/512 over more than one output block (checked against Node).
  out.pbkdf2 = {
    sha1: hex(pbkdf2Hmac(hashByName('sha1')!, text('password'), text('salt'), 4096, 20)),
    sha256: hex(pbkdf2Hmac(s256, text('passwordPASSWORDpassword'), text('saltSALTsaltSALTsaltSALTsaltSALTsalt'), 300, 75)),
    sha512: hex(pbkdf2Hmac(hashByName('sha512')!, fill(100, 9), text('s'), 2, 130)),
  };
  return out;
}

function kex(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // RFC 7748 §6.1.
  const alice = generateKeyShare('x25519', fixed(unhex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a')));
  out.x25519 = { pub: hex(alice.publicKey), shared: hex(alice.agree(unhex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f'))),
    zeroPeer: alice.agree(new Uint8Array(32)), shortPeer: alice.agree(new Uint8Array(31)) };
  for (const g of ['secp256r1', 'secp384r1'] as GroupName[]) {
    const a = generateKeyShare(g, fixed(fill(72, 0x11)));
    const b = generateKeyShare(g, fixed(fill(72, 0x22)));
    const offCurve = a.publicKey.slice();
    offCurve[offCurve.length - 1] ^= 1;
    out[g] = { a: hex(a.publicKey), b: hex(b.publicKey), ab: hex(a.agree(b.publicKey)), ba: hex(b.agree(a.publicKey)), offCurve: b.agree(offCurve), compressed: b.agree(a.publicKey.subarray(0, 33)) };
  }
  return out;
}

function signatures(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const algs: [string, string, SignatureAlgorithm][] = [
    ['ec256', 'P256', { kind: 'ecdsa', hash: 'sha256' }], ['ec384', 'P384', { kind: 'ecdsa', hash: 'sha384' }],
    ['rsa-pkcs1', 'RSA', { kind: 'rsa-pkcs1', hash: 'sha256' }], ['rsa-pss', 'RSA', { kind: 'rsa-pss', hash: 'sha256' }],
  ];
  let seed = 1;
  const random = (n: number) => fill(n, seed++);
  for (const [name, k, alg] of algs) {
    const key = parsePrivateKey(KEYS[`${k}_KEY` as keyof typeof KEYS]);
    const pub = parsePublicKey(KEYS[`${k}_PUB` as keyof typeof KEYS]);
    const sig = sign(key, alg, msg, random);
    const hostSig = unhex(env[`${name.toUpperCase().replace('-', '_')}_SIG`]!);
    const badSig = hostSig.slice();
    badSig[badSig.length - 3] ^= 1;
    out[name] = { sig: hex(sig), ownVerifies: verifySignature(pub, alg, msg, sig), hostVerifies: verifySignature(pub, alg, msg, hostSig),
      badRejected: !verifySignature(pub, alg, msg, badSig), otherMessage: verifySignature(pub, alg, text('other'), hostSig) };
  }
  // RFC 6979 §A.2.5: P-256, SHA-256, message "sample" (k is deterministic in BearSSL only).
  const rfcKey = parsePrivateKey(KEYS.RFC6979_KEY);
  out.rfc6979 = hex(sign(rfcKey, { kind: 'ecdsa', hash: 'sha256' }, text('sample'), random));
  out.oaep = hex(rsaOaepDecrypt(parsePrivateKey(KEYS.RSA_KEY).rsa!, hashByName('sha256')!, unhex(env.OAEP_CT!), random));
  return out;
}

/** The crypto group refuses bad arguments with the documented errors. */
function argumentChecks(): Record<string, string> {
  const c = nativeHw()!.crypto!;
  const attempt = (f: () => unknown) => { try { return `ok ${hex(f() as Uint8Array)}`; } catch (e) { return `${(e as Error).name}: ${(e as Error).message}`; } };
  return {
    badHash: attempt(() => c.hash(9 as never, msg)),
    notBytes: attempt(() => c.hash(3, [1, 2] as never)),
    int16: attempt(() => c.hash(3, new Uint16Array(2) as never)),
    keyLen: attempt(() => c.aeadSeal(1, fill(15, 0), nonce, aad, msg)),
    nonceLen: attempt(() => c.aeadSeal(2, fill(32, 0), fill(8, 0), aad, msg)),
    badAead: attempt(() => c.aeadSeal(3 as never, fill(32, 0), nonce, aad, msg)),
    badCurve: attempt(() => c.ecMulGen(25 as never, fill(32, 1))),
    zeroScalar: attempt(() => c.ecMulGen(23, fill(32, 0))),
    bigScalar: attempt(() => c.ecMulGen(23, fill(32, 0xff))),
    scalarLen: attempt(() => c.ecdh(24, fill(32, 1), fill(97, 4))),
    x25519Sign: attempt(() => c.ecdsaSign(29 as never, 3, fill(32, 1), fill(32, 1))),
    digestLen: attempt(() => c.ecdsaSign(23, 4, fill(32, 1), fill(32, 1))),
    rsaXLen: attempt(() => c.rsaPublic(fill(256, 0xff), unhex('010001'), fill(255, 1))),
    rsaXTooBig: attempt(() => c.rsaPublic(fill(256, 0xf0), unhex('010001'), fill(256, 0xff))),
    rsaSmallN: attempt(() => c.rsaPublic(fill(32, 0xff), unhex('010001'), fill(32, 1))),
    stateLen: attempt(() => c.hashUpdate(3, fill(39, 0), fill(64, 0))),
    stateCount: attempt(() => c.hashFinal(3, fill(40, 1), msg)),
    partialBlocks: attempt(() => c.hashUpdate(4, null, fill(64, 0))),
    badStreamHash: attempt(() => c.hashFinal(9 as never, null, msg)),
    stateLengths: [1, 2, 3, 4, 5].map((a) => c.hashStateLength(a as never)).join(','),
    // Streaming = one shot, for every hash, across a state handed back and forth.
    streamed: [1, 2, 3, 4, 5].map((a) => {
      const block = a >= 4 ? 128 : 64, data = fill(3 * block + 5, 0x5a);
      const st = c.hashUpdate(a as never, c.hashUpdate(a as never, null, data.subarray(0, block)), data.subarray(block, 3 * block));
      return hex(c.hashFinal(a as never, st, data.subarray(3 * block))) === hex(c.hash(a as never, data));
    }).join(','),
  };
}

const hw = nativeHw();
console.log(`GROUPS ${JSON.stringify(hw?.groups)} DEFAULT ${cryptoBackend()}`);
for (const b of ['native', 'js'] as CryptoBackend[]) {
  try {
    setCryptoBackend(b);
    console.log(`KAT ${b} ${JSON.stringify({ aeads: aeads(), hashes: hashes(), kex: kex(), signatures: signatures() })}`);
  } catch (e) {
    console.log(`KAT ${b} failed: ${JSON.stringify((e as Error).stack)}`);
  }
}
if (hw?.crypto) console.log(`ARGS ${JSON.stringify(argumentChecks())}`);

// Raw primitive speeds with Node's crypto (OpenSSL) in the baseline VM (`app=crypto-speed`), beside
// the image's own (bench/programs/crypto-speed.ts) in bench/tls.ts. The same operations on the
// same sizes: one AEAD seal per 16 KiB record, as TLS does; one signature or key exchange per op.
import crypto from 'node:crypto';
import http from 'node:http';

const RUN_MS = 1000;
const record = Buffer.alloc(16384, 0x61);
const aad = Buffer.alloc(5, 0x17);
const iv = Buffer.alloc(12, 1);
const msg = Buffer.alloc(200, 0x62);

function rate(fn) {
  fn();
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < RUN_MS) { fn(); n++; t = performance.now(); }
  return n / ((t - t0) / 1000);
}

function aead(alg, keyLen) {
  const key = Buffer.alloc(keyLen, 2);
  const opsPerS = rate(() => {
    const c = crypto.createCipheriv(alg, key, iv, { authTagLength: 16 });
    c.setAAD(aad);
    c.update(record); c.final(); c.getAuthTag();
  });
  return (opsPerS * record.length) / 1e6;
}

const p256 = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const p256sig = crypto.sign('sha256', msg, p256.privateKey);
const rsasig = crypto.sign('sha256', msg, rsa.privateKey);
const x25519peer = crypto.generateKeyPairSync('x25519').publicKey;
const p256peer = crypto.createECDH('prime256v1').generateKeys();

const result = {
  'aes-128-gcm MB/s': aead('aes-128-gcm', 16),
  'aes-256-gcm MB/s': aead('aes-256-gcm', 32),
  'chacha20-poly1305 MB/s': aead('chacha20-poly1305', 32),
  'sha256 MB/s': (rate(() => crypto.createHash('sha256').update(record).digest()) * record.length) / 1e6,
  'ecdsa-p256 sign/s': rate(() => crypto.sign('sha256', msg, p256.privateKey)),
  'ecdsa-p256 verify/s': rate(() => crypto.verify('sha256', msg, p256.publicKey, p256sig)),
  'x25519 keygen+derive/s': rate(() => {
    const k = crypto.generateKeyPairSync('x25519');
    crypto.diffieHellman({ privateKey: k.privateKey, publicKey: x25519peer });
  }),
  'p256 ecdh keygen+derive/s': rate(() => { const e = crypto.createECDH('prime256v1'); e.generateKeys(); e.computeSecret(p256peer); }),
  'rsa-2048 pkcs1 sign/s': rate(() => crypto.sign('sha256', msg, rsa.privateKey)),
  'rsa-2048 pkcs1 verify/s': rate(() => crypto.verify('sha256', msg, rsa.publicKey, rsasig)),
};
console.log(`SPEED ${JSON.stringify(result)}`);
// Stay up (node is PID 1 in the baseline VM); the benchmark stops the VM once it has the line.
http.createServer((req, res) => res.end('ok\n')).listen(80);

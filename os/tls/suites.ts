/** Cipher suites and signature schemes we offer (RFC 8446 §B.4, §4.2.3; RFC 5289, RFC 7905). */
import { AES_128_GCM, AES_256_GCM, CHACHA20_POLY1305, type Aead } from '../crypto/aead.ts';
import { hashByName, type Hash, type HashName } from '../crypto/hash.ts';
import type { PrivateKey, PublicKey, SignatureAlgorithm } from '../crypto/keys.ts';

export interface CipherSuite {
  readonly code: number;
  readonly name: string;          // OpenSSL's name, as Node's getCipher() reports it
  readonly standardName: string;  // IANA name
  readonly version: 'TLSv1.3' | 'TLSv1.2';
  readonly aead: Aead;
  readonly hashName: HashName;
  readonly hash: Hash;
  /** TLS 1.2 only: the certificate key the suite needs. */
  readonly auth?: 'ecdsa' | 'rsa';
}

function suite(code: number, name: string, standardName: string, version: CipherSuite['version'], aead: Aead, hashName: HashName, auth?: 'ecdsa' | 'rsa'): CipherSuite {
  return { code, name, standardName, version, aead, hashName, hash: hashByName(hashName)!, auth };
}

export const TLS13_SUITES: readonly CipherSuite[] = [
  suite(0x1301, 'TLS_AES_128_GCM_SHA256', 'TLS_AES_128_GCM_SHA256', 'TLSv1.3', AES_128_GCM, 'sha256'),
  suite(0x1302, 'TLS_AES_256_GCM_SHA384', 'TLS_AES_256_GCM_SHA384', 'TLSv1.3', AES_256_GCM, 'sha384'),
  suite(0x1303, 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_CHACHA20_POLY1305_SHA256', 'TLSv1.3', CHACHA20_POLY1305, 'sha256'),
];

export const TLS12_SUITES: readonly CipherSuite[] = [
  suite(0xc02b, 'ECDHE-ECDSA-AES128-GCM-SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLSv1.2', AES_128_GCM, 'sha256', 'ecdsa'),
  suite(0xc02f, 'ECDHE-RSA-AES128-GCM-SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLSv1.2', AES_128_GCM, 'sha256', 'rsa'),
  suite(0xc02c, 'ECDHE-ECDSA-AES256-GCM-SHA384', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'TLSv1.2', AES_256_GCM, 'sha384', 'ecdsa'),
  suite(0xc030, 'ECDHE-RSA-AES256-GCM-SHA384', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLSv1.2', AES_256_GCM, 'sha384', 'rsa'),
  suite(0xcca9, 'ECDHE-ECDSA-CHACHA20-POLY1305', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'TLSv1.2', CHACHA20_POLY1305, 'sha256', 'ecdsa'),
  suite(0xcca8, 'ECDHE-RSA-CHACHA20-POLY1305', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'TLSv1.2', CHACHA20_POLY1305, 'sha256', 'rsa'),
];

export const suiteByCode = (code: number) => [...TLS13_SUITES, ...TLS12_SUITES].find((s) => s.code === code);

export interface SignatureScheme extends SignatureAlgorithm {
  readonly code: number;
  readonly name: string;
  /** The key it needs: ecdsa schemes in TLS 1.3 also fix the curve. */
  readonly keyType: PublicKey['type'];
  readonly curve?: 'P-256' | 'P-384';
}

const ss = (code: number, name: string, kind: SignatureAlgorithm['kind'], hash: HashName | undefined, keyType: PublicKey['type'], curve?: 'P-256' | 'P-384'): SignatureScheme =>
  ({ code, name, kind, hash, keyType, curve });

/** In our order of preference. rsa_pkcs1 and sha1 schemes are for certificates and TLS 1.2 only. */
export const SIGNATURE_SCHEMES: readonly SignatureScheme[] = [
  ss(0x0403, 'ecdsa_secp256r1_sha256', 'ecdsa', 'sha256', 'ec', 'P-256'),
  ss(0x0503, 'ecdsa_secp384r1_sha384', 'ecdsa', 'sha384', 'ec', 'P-384'),
  ss(0x0807, 'ed25519', 'ed25519', undefined, 'ed25519'),
  ss(0x0804, 'rsa_pss_rsae_sha256', 'rsa-pss', 'sha256', 'rsa'),
  ss(0x0805, 'rsa_pss_rsae_sha384', 'rsa-pss', 'sha384', 'rsa'),
  ss(0x0806, 'rsa_pss_rsae_sha512', 'rsa-pss', 'sha512', 'rsa'),
  ss(0x0809, 'rsa_pss_pss_sha256', 'rsa-pss', 'sha256', 'rsa-pss'),
  ss(0x080a, 'rsa_pss_pss_sha384', 'rsa-pss', 'sha384', 'rsa-pss'),
  ss(0x080b, 'rsa_pss_pss_sha512', 'rsa-pss', 'sha512', 'rsa-pss'),
  ss(0x0401, 'rsa_pkcs1_sha256', 'rsa-pkcs1', 'sha256', 'rsa'),
  ss(0x0501, 'rsa_pkcs1_sha384', 'rsa-pkcs1', 'sha384', 'rsa'),
  ss(0x0601, 'rsa_pkcs1_sha512', 'rsa-pkcs1', 'sha512', 'rsa'),
  ss(0x0201, 'rsa_pkcs1_sha1', 'rsa-pkcs1', 'sha1', 'rsa'),
  ss(0x0203, 'ecdsa_sha1', 'ecdsa', 'sha1', 'ec'),
];

export const schemeByCode = (code: number) => SIGNATURE_SCHEMES.find((s) => s.code === code);

/** Schemes usable in a TLS 1.3 CertificateVerify (RFC 8446 §4.4.3: no PKCS#1 v1.5, no SHA-1). */
export const isTls13Scheme = (s: SignatureScheme) => s.kind !== 'rsa-pkcs1' && s.hash !== 'sha1';

/** Whether `key` can make (or check) signatures of scheme `s` in a handshake. */
export function keyFits(s: SignatureScheme, key: PublicKey | PrivateKey, tls13: boolean): boolean {
  if (s.keyType !== key.type) return false;
  if (s.kind === 'ecdsa' && tls13 && s.curve !== key.curve) return false;
  return true;
}

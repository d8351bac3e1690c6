/**
 * Certificate path building and validation (RFC 5280 §6, simplified to what TLS servers
 * need): signatures, validity against the caller's clock, basicConstraints and pathLen,
 * keyUsage keyCertSign, DNS name constraints, unknown critical extensions. Failures carry
 * OpenSSL's (and so Node's) codes.
 */
import { bytesEqual } from '../../crypto/hash.ts';
import { verifySignature } from '../../crypto/keys.ts';
import { KeyUsage, nameEquals, type Certificate } from './certificate.ts';

export interface VerifyFailure { code: string; message: string }

const MAX_DEPTH = 10;

const fail = (code: string, message: string): VerifyFailure => ({ code, message });

/** Whether `issuer`'s key made `cert`'s signature. */
export function signedBy(cert: Certificate, issuer: Certificate): boolean {
  if (!cert.signatureAlgorithm || !issuer.publicKey) return false;
  return verifySignature(issuer.publicKey, cert.signatureAlgorithm, cert.tbs, cert.signature);
}

const isSelfIssued = (c: Certificate) => nameEquals(c.subject, c.issuer);
const sameCert = (a: Certificate, b: Certificate) => bytesEqual(a.raw, b.raw);

function mayIssue(candidate: Certificate, cert: Certificate): boolean {
  if (!nameEquals(candidate.subject, cert.issuer)) return false;
  if (cert.authorityKeyId && candidate.subjectKeyId && !bytesEqual(cert.authorityKeyId, candidate.subjectKeyId)) return false;
  return true;
}

/**
 * Builds a path from `presented[0]` (the leaf) to one of `roots` and validates it.
 * Returns the path (leaf first) or a failure.
 */
export function verifyChain(presented: Certificate[], roots: Certificate[], now: number): { chain: Certificate[] } | VerifyFailure {
  if (presented.length === 0) return fail('UNABLE_TO_GET_ISSUER_CERT', 'no certificate');
  const leaf = presented[0];
  const chain: Certificate[] = [leaf];
  const pool = presented.slice(1);
  let trusted = roots.some((r) => sameCert(r, leaf));
  while (!trusted) {
    const cur = chain[chain.length - 1];
    if (chain.length > MAX_DEPTH) return fail('CERT_CHAIN_TOO_LONG', 'certificate chain too long');
    // Trust anchors first (OpenSSL's default), then the peer's intermediates.
    const root = roots.find((r) => mayIssue(r, cur) && signedBy(cur, r));
    if (root) {
      if (!sameCert(root, cur)) chain.push(root);
      trusted = true;
      break;
    }
    if (isSelfIssued(cur) && signedBy(cur, cur)) {
      return chain.length === 1
        ? fail('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate')
        : fail('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain');
    }
    const next = pool.find((c) => !chain.includes(c) && mayIssue(c, cur));
    if (!next) {
      return chain.length === 1
        ? fail('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate')
        : fail('UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unable to get local issuer certificate');
    }
    if (!signedBy(cur, next)) return fail('CERT_SIGNATURE_FAILURE', 'certificate signature failure');
    chain.push(next);
  }
  return checkPath(chain, now) ?? { chain };
}

/** Per-certificate checks on a built path (leaf first). */
function checkPath(chain: Certificate[], now: number): VerifyFailure | null {
  for (let i = 0; i < chain.length; i++) {
    const c = chain[i];
    if (now < c.notBefore) return fail('CERT_NOT_YET_VALID', 'certificate is not yet valid');
    if (now > c.notAfter) return fail('CERT_HAS_EXPIRED', 'certificate has expired');
    if (c.unknownCritical.length) return fail('UNHANDLED_CRITICAL_EXTENSION', `unhandled critical extension ${c.unknownCritical[0]}`);
    if (i === 0) continue;
    // RFC 5280 §4.2.1.9: an issuer must be a CA (v1 roots are accepted as trust anchors).
    const isAnchor = i === chain.length - 1;
    if (!c.ca && !(isAnchor && c.version < 3)) return fail('INVALID_CA', 'invalid CA certificate');
    if (c.keyUsage !== undefined && !(c.keyUsage & KeyUsage.keyCertSign)) return fail('KEYUSAGE_NO_CERTSIGN', 'key usage does not include certificate signing');
    // pathLen counts the non-self-issued intermediates below this CA.
    if (c.pathLen !== undefined) {
      let below = 0;
      for (let j = 1; j < i; j++) if (!isSelfIssued(chain[j])) below++;
      if (below > c.pathLen) return fail('PATH_LENGTH_EXCEEDED', 'path length constraint exceeded');
    }
    if (c.nameConstraints) {
      for (let j = 0; j < i; j++) {
        const v = checkNameConstraints(chain[j], c.nameConstraints);
        if (v) return v;
      }
    }
  }
  return null;
}

/** RFC 5280 §4.2.1.10 for dNSName: a name is within `base` if equal to it or below it. */
export function dnsWithin(name: string, base: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  const b = base.toLowerCase().replace(/^\./, '').replace(/\.$/, '');
  if (b === '') return true;
  return n === b || n.endsWith('.' + b);
}

function checkNameConstraints(cert: Certificate, nc: { permittedDns: string[]; excludedDns: string[] }): VerifyFailure | null {
  let names = cert.san.dns;
  if (names.length === 0 && cert.san.ip.length === 0) {
    const cn = cert.subject.attributes.filter((a) => a.short === 'CN').map((a) => a.value).filter((v) => /^[a-z0-9*.-]+$/i.test(v) && v.includes('.'));
    names = cn;
  }
  for (const n of names) {
    if (nc.excludedDns.some((b) => dnsWithin(n, b))) return fail('EXCLUDED_VIOLATION', 'excluded subtree violation');
    if (nc.permittedDns.length && !nc.permittedDns.some((b) => dnsWithin(n, b))) return fail('PERMITTED_VIOLATION', 'permitted subtree violation');
  }
  return null;
}

/** Node's certificate object (getPeerCertificate(), X509Certificate fields) from a parsed certificate. */
import { Buffer } from 'buffer/index.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { sha1 } from '@noble/hashes/legacy.js';
import type { Certificate } from '../../tls/x509/certificate.ts';

export interface PeerCertificate {
  subject: Record<string, string>;
  issuer: Record<string, string>;
  subjectaltname?: string;
  valid_from: string;
  valid_to: string;
  serialNumber: string;
  fingerprint: string;
  fingerprint256: string;
  raw: Buffer;
  ca: boolean;
  issuerCertificate?: PeerCertificate;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function opensslDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()} GMT`;
}
const fp = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0').toUpperCase()).join(':');

function nameObject(c: Certificate['subject']): Record<string, string> {
  const o: Record<string, string> = Object.create(null);
  for (const a of c.attributes) o[a.short] = a.value;
  return o;
}

/** Node's getPeerCertificate() object for one certificate. */
export function peerCertificateObject(c: Certificate): PeerCertificate {
  const san = [...c.san.dns.map((d) => `DNS:${d}`), ...c.san.ip.map((i) => `IP Address:${i}`), ...c.san.uri.map((u) => `URI:${u}`)].join(', ');
  const o: PeerCertificate = {
    subject: nameObject(c.subject), issuer: nameObject(c.issuer), valid_from: opensslDate(c.notBefore), valid_to: opensslDate(c.notAfter),
    serialNumber: c.serialHex, fingerprint: fp(sha1(c.raw)), fingerprint256: fp(sha256(c.raw)), raw: Buffer.from(c.raw), ca: c.ca,
  };
  if (san) o.subjectaltname = san;
  return o;
}


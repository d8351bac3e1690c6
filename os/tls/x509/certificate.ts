/** X.509 v3 certificate parsing (RFC 5280 §4.1, §4.2). */
import {
  DerError, TAG, children, latin1, parseDer, readBigInt, readBitString, readOid, readString, readTime, seq,
  type DerNode,
} from '../../crypto/der.ts';
import { parseSpki, type PublicKey, type SignatureAlgorithm } from '../../crypto/keys.ts';

export interface NameAttribute { oid: string; short: string; value: string }

export interface Name { raw: Uint8Array; attributes: NameAttribute[] }

export interface Certificate {
  raw: Uint8Array;
  tbs: Uint8Array;
  version: number;
  serial: bigint;
  serialHex: string;
  signatureAlgorithm: SignatureAlgorithm | null;
  signatureOid: string;
  signature: Uint8Array;
  issuer: Name;
  subject: Name;
  notBefore: number;
  notAfter: number;
  publicKey: PublicKey | null;
  spki: Uint8Array;
  /** basicConstraints (RFC 5280 §4.2.1.9). */
  ca: boolean;
  pathLen?: number;
  /** keyUsage bits, bit 0 = digitalSignature (RFC 5280 §4.2.1.3); undefined if absent. */
  keyUsage?: number;
  extKeyUsage?: string[];
  san: { dns: string[]; ip: string[]; email: string[]; uri: string[] };
  nameConstraints?: { permittedDns: string[]; excludedDns: string[] };
  subjectKeyId?: Uint8Array;
  authorityKeyId?: Uint8Array;
  /** A critical extension we do not understand (RFC 5280 §4.2: must reject). */
  unknownCritical: string[];
}

const NAME_SHORT: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.10': 'O', '2.5.4.11': 'OU',
  '2.5.4.5': 'serialNumber', '2.5.4.9': 'street', '2.5.4.17': 'postalCode', '1.2.840.113549.1.9.1': 'emailAddress',
  '0.9.2342.19200300.100.1.25': 'DC', '2.5.4.42': 'GN', '2.5.4.4': 'SN',
};

const SIG_OIDS: Record<string, SignatureAlgorithm> = {
  '1.2.840.113549.1.1.5': { kind: 'rsa-pkcs1', hash: 'sha1' },
  '1.2.840.113549.1.1.11': { kind: 'rsa-pkcs1', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { kind: 'rsa-pkcs1', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { kind: 'rsa-pkcs1', hash: 'sha512' },
  '1.2.840.10045.4.1': { kind: 'ecdsa', hash: 'sha1' },
  '1.2.840.10045.4.3.2': { kind: 'ecdsa', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { kind: 'ecdsa', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { kind: 'ecdsa', hash: 'sha512' },
  '1.3.101.112': { kind: 'ed25519' },
};

const HASH_OIDS: Record<string, SignatureAlgorithm['hash']> = {
  '2.16.840.1.101.3.4.2.1': 'sha256', '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512', '1.3.14.3.2.26': 'sha1',
};

function parseSigAlg(node: DerNode): [string, SignatureAlgorithm | null] {
  const f = seq(node, 'AlgorithmIdentifier');
  const oid = readOid(f[0]);
  if (oid === '1.2.840.113549.1.1.10') {
    // RSASSA-PSS-params (RFC 4055 §3.1): we accept the hash, MGF1 with the same hash.
    let hash: SignatureAlgorithm['hash'] = 'sha1';
    if (f[1] && f[1].tag === TAG.SEQUENCE) {
      for (const p of children(f[1])) {
        if (p.tag === 0xa0) hash = HASH_OIDS[readOid(seq(children(p)[0])[0])];
      }
    }
    return [oid, hash ? { kind: 'rsa-pss', hash } : null];
  }
  return [oid, SIG_OIDS[oid] ?? null];
}

export function parseName(node: DerNode): Name {
  const attributes: NameAttribute[] = [];
  for (const rdn of seq(node, 'Name')) {
    for (const atv of children(rdn)) {
      const [o, v] = seq(atv);
      const oid = readOid(o);
      attributes.push({ oid, short: NAME_SHORT[oid] ?? oid, value: readString(v) });
    }
  }
  return { raw: node.raw, attributes };
}

/** Node's format for an IP SAN: dotted IPv4 or uncompressed upper-case IPv6. */
function ipString(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  if (b.length === 16) {
    const parts: string[] = [];
    for (let i = 0; i < 16; i += 2) parts.push(((b[i] << 8) | b[i + 1]).toString(16).toUpperCase());
    return parts.join(':');
  }
  return '<invalid>';
}

function parseExtension(cert: Certificate, oid: string, critical: boolean, value: Uint8Array): void {
  const node = parseDer(value);
  switch (oid) {
    case '2.5.29.19': { // basicConstraints
      for (const c of children(node)) {
        if (c.tag === TAG.BOOLEAN) cert.ca = c.value[0] !== 0;
        else if (c.tag === TAG.INTEGER) cert.pathLen = Number(readBigInt(c));
      }
      return;
    }
    case '2.5.29.15': { // keyUsage BIT STRING, bit 0 is the MSB of the first byte
      const bits = readBitString(node);
      let ku = 0;
      for (let i = 0; i < 9; i++) if (bits[i >> 3] & (0x80 >> (i & 7))) ku |= 1 << i;
      cert.keyUsage = ku;
      return;
    }
    case '2.5.29.37': cert.extKeyUsage = children(node).map((c) => readOid(c)); return;
    case '2.5.29.17': { // subjectAltName
      for (const g of children(node)) {
        const t = g.tag & 0x1f;
        if (t === 2) cert.san.dns.push(latin1(g.value));
        else if (t === 7) cert.san.ip.push(ipString(g.value));
        else if (t === 1) cert.san.email.push(latin1(g.value));
        else if (t === 6) cert.san.uri.push(latin1(g.value));
      }
      return;
    }
    case '2.5.29.30': { // nameConstraints (RFC 5280 §4.2.1.10)
      const nc = { permittedDns: [] as string[], excludedDns: [] as string[] };
      for (const part of children(node)) {
        const list = (part.tag & 0x1f) === 0 ? nc.permittedDns : nc.excludedDns;
        for (const sub of children(part)) {
          const base = children(sub)[0];
          if (base && (base.tag & 0x1f) === 2 && base.tag & 0x80) list.push(latin1(base.value));
          else if (critical && base && (base.tag & 0x1f) !== 7 && (base.tag & 0x1f) !== 1 && (base.tag & 0x1f) !== 4) {
            cert.unknownCritical.push(oid + ' (name form)');
          }
        }
      }
      cert.nameConstraints = nc;
      return;
    }
    case '2.5.29.14': cert.subjectKeyId = node.value.slice(); return;
    case '2.5.29.35': for (const c of children(node)) if (c.tag === 0x80) cert.authorityKeyId = c.value.slice(); return;
    case '2.5.29.32': case '1.3.6.1.5.5.7.1.1': case '2.5.29.31': case '1.3.6.1.4.1.11129.2.4.2': return;
  }
  if (critical) cert.unknownCritical.push(oid);
}

/** Parses one DER certificate; throws DerError when malformed. */
export function parseCertificate(der: Uint8Array): Certificate {
  const top = parseDer(der);
  const [tbsNode, sigAlgNode, sigNode] = seq(top, 'Certificate');
  const tbs = seq(tbsNode, 'TBSCertificate');
  let i = 0;
  let version = 1;
  if (tbs[0]?.tag === 0xa0) { version = Number(readBigInt(children(tbs[0])[0])) + 1; i++; }
  const serialNode = tbs[i++];
  const serial = readBigInt(serialNode);
  const [signatureOid, signatureAlgorithm] = parseSigAlg(sigAlgNode);
  i++; // inner signature AlgorithmIdentifier (must equal the outer one: checked below)
  if (!bytesSame(tbs[i - 1].raw, sigAlgNode.raw)) throw new DerError('signature algorithm mismatch');
  const issuer = parseName(tbs[i++]);
  const [nb, na] = seq(tbs[i++], 'Validity');
  const subject = parseName(tbs[i++]);
  const spkiNode = tbs[i++];
  let publicKey: PublicKey | null = null;
  try { publicKey = parseSpki(spkiNode); } catch { publicKey = null; }
  const cert: Certificate = {
    raw: top.raw, tbs: tbsNode.raw, version, serial,
    serialHex: Array.from(serialNode!.value).map((b) => b.toString(16).padStart(2, '0')).join('').toUpperCase().replace(/^0+(?=.)/, ''),
    signatureAlgorithm, signatureOid, signature: readBitString(sigNode),
    issuer, subject, notBefore: readTime(nb), notAfter: readTime(na), publicKey, spki: spkiNode.raw,
    ca: false, san: { dns: [], ip: [], email: [], uri: [] }, unknownCritical: [],
  };
  for (; i < tbs.length; i++) {
    if (tbs[i].tag !== 0xa3) continue;
    for (const ext of seq(children(tbs[i])[0], 'Extensions')) {
      const f = seq(ext, 'Extension');
      const oid = readOid(f[0]);
      const critical = f[1].tag === TAG.BOOLEAN ? f[1].value[0] !== 0 : false;
      const value = f[f.length - 1];
      if (value.tag !== TAG.OCTET_STRING) throw new DerError('bad extension value');
      parseExtension(cert, oid, critical, value.value);
    }
  }
  return cert;
}

function bytesSame(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const nameEquals = (a: Name, b: Name) => bytesSame(a.raw, b.raw) || canonicalName(a) === canonicalName(b);

/** RFC 5280 §7.1 name comparison, simplified: case-folded, whitespace-collapsed attributes. */
export function canonicalName(n: Name): string {
  return n.attributes.map((a) => `${a.oid}=${a.value.trim().replace(/\s+/g, ' ').toLowerCase()}`).join(',');
}

export const KeyUsage = { digitalSignature: 1, keyCertSign: 1 << 5 } as const;

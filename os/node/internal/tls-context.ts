/**
 * tls.createSecureContext and the trust store: key and certificate PEM parsing, `ca`, the
 * root certificates of the Node that built the image (tls.rootCertificates, linked in only
 * with node:tls) and NODE_EXTRA_CA_CERTS (a PEM file included in the image, or the PEM text).
 */
import { decodePem } from '../../crypto/der.ts';
import { parsePrivateKey, type PrivateKey } from '../../crypto/keys.ts';
import type { ServerIdentity } from '../../tls/server.ts';
import { parseCertificate, type Certificate } from '../../tls/x509/certificate.ts';
import ROOTS from 'nimbus:root-certificates';
import { readFileSync } from '../fs.ts';

type Pemish = string | Uint8Array | (string | Uint8Array)[];

export interface SecureContextOptions {
  key?: Pemish;
  cert?: Pemish;
  ca?: Pemish;
  passphrase?: string;
  ciphers?: string;
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
}

const text = (x: string | Uint8Array) => (typeof x === 'string' ? x : new TextDecoder().decode(x));
const list = (x: Pemish | undefined) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

function parseCerts(x: Pemish | undefined): Certificate[] {
  const out: Certificate[] = [];
  for (const item of list(x)) {
    const blocks = decodePem(text(item)).filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE');
    for (const b of blocks) {
      try { out.push(parseCertificate(b.der)); } catch { /* Node skips unparseable roots */ }
    }
  }
  return out;
}

/**
 * The certificate's public key against the key (OpenSSL's X509_check_private_key): the same
 * key, another key of the same type (OpenSSL's "key values mismatch"), or another type.
 */
function keyMatches(key: PrivateKey, cert: Certificate): 'same' | 'other' | 'other-type' {
  const a = key.publicKey, b = cert.publicKey;
  if (!b) return 'other-type';
  if (a.rsa && b.rsa) return a.rsa.n === b.rsa.n && a.rsa.e === b.rsa.e ? 'same' : 'other';
  if (a.type !== b.type || a.curve !== b.curve || !a.raw || !b.raw) return 'other-type';
  return a.raw.length === b.raw.length && a.raw.every((x, i) => x === b.raw![i]) ? 'same' : 'other';
}

/**
 * OpenSSL's auto chain, which Node's servers (and clients) rely on: a `cert` that is only the
 * leaf is sent with its issuers found in `ca`, up to and including the root.
 */
function completeChain(id: ServerIdentity, ca: Certificate[]): void {
  if (id.chain.length !== 1) return;
  let last = parseCertificate(id.chain[0]);
  for (let depth = 0; depth < 10 && !sameName(last.issuer.raw, last.subject.raw); depth++) {
    const issuer = ca.find((c) => sameName(c.subject.raw, last.issuer.raw));
    if (!issuer) return;
    id.chain.push(issuer.raw);
    last = issuer;
  }
}

const sameName = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

let defaultRoots: Certificate[] | null = null;

/** Node's default trust store plus NODE_EXTRA_CA_CERTS, parsed on first use. */
export function defaultCa(): Certificate[] {
  if (defaultRoots) return defaultRoots;
  defaultRoots = parseCerts(ROOTS as string[]);
  const extra = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.NODE_EXTRA_CA_CERTS;
  if (extra) {
    // As in Node, a path to a PEM file: one included in the image (`nimbus build --include`).
    // The PEM text itself is accepted too, for images built without the file.
    if (extra.includes('-----BEGIN')) defaultRoots = defaultRoots.concat(parseCerts(extra));
    else {
      try {
        defaultRoots = defaultRoots.concat(parseCerts(readFileSync(extra, 'utf8') as string));
      } catch (e) {
        console.warn(`Warning: Ignoring extra certs from \`${extra}\`, load failed: ${(e as Error).message}`);
      }
    }
  }
  return defaultRoots;
}

export const rootCertificates: readonly string[] = Object.freeze((ROOTS as string[]).slice());

export class SecureContext {
  readonly identities: ServerIdentity[] = [];
  /** Trust anchors for verifying the peer (undefined: the default store). */
  readonly ca: Certificate[] | undefined;
  constructor(readonly options: SecureContextOptions = {}) {
    const keys = list(options.key).map((k) => parsePrivateKey(text(k)));
    const certs = list(options.cert);
    if (keys.length && certs.length) {
      for (let i = 0; i < Math.min(keys.length, certs.length); i++) {
        const chain = decodePem(text(certs[i])).filter((b) => b.label === 'CERTIFICATE').map((b) => b.der);
        if (!chain.length) throw new Error('Invalid certificate: no PEM certificate found');
        const match = keyMatches(keys[i], parseCertificate(chain[0]));
        if (match === 'other') {
          throw Object.assign(new Error('error:05800074:x509 certificate routines::key values mismatch'),
            { library: 'x509 certificate routines', reason: 'key values mismatch', code: 'ERR_OSSL_X509_KEY_VALUES_MISMATCH' });
        }
        // A key of another type fills another of OpenSSL's slots: no error, and no usable identity.
        if (match === 'same') this.identities.push({ chain, key: keys[i] });
      }
    }
    this.ca = options.ca !== undefined ? parseCerts(options.ca) : undefined;
    if (this.ca) for (const id of this.identities) completeChain(id, this.ca);
  }
  get context(): this { return this; }
  trustAnchors(): Certificate[] { return this.ca ?? defaultCa(); }
}

export function createSecureContext(options?: SecureContextOptions): SecureContext {
  return new SecureContext(options);
}

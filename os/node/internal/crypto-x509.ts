/** crypto.X509Certificate over os/tls/x509 (the commonly used accessors). */
import { Buffer } from 'buffer/index.js';
import { decodePem } from '../../crypto/der.ts';
import { parseCertificate, type Certificate } from '../../tls/x509/certificate.ts';
import { checkServerIdentity } from '../../tls/x509/identity.ts';
import { signedBy } from '../../tls/x509/verify.ts';
import { peerCertificateObject } from './tls-cert.ts';
import { KeyObject } from './crypto-keys.ts';

const nameString = (n: Certificate['subject']) => n.attributes.map((a) => `${a.short}=${a.value}`).join('\n');

export class X509Certificate {
  readonly #c: Certificate;
  constructor(input: string | ArrayBufferView) {
    const text = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('latin1');
    const pem = decodePem(text).find((b) => b.label === 'CERTIFICATE');
    const der = pem ? pem.der : new Uint8Array((input as ArrayBufferView).buffer, (input as ArrayBufferView).byteOffset, (input as ArrayBufferView).byteLength);
    this.#c = parseCertificate(der);
  }
  get subject(): string { return nameString(this.#c.subject); }
  get issuer(): string { return nameString(this.#c.issuer); }
  get subjectAltName(): string | undefined { return peerCertificateObject(this.#c).subjectaltname; }
  get validFrom(): string { return peerCertificateObject(this.#c).valid_from; }
  get validTo(): string { return peerCertificateObject(this.#c).valid_to; }
  get validFromDate(): Date { return new Date(this.#c.notBefore); }
  get validToDate(): Date { return new Date(this.#c.notAfter); }
  get serialNumber(): string { return this.#c.serialHex; }
  get fingerprint(): string { return peerCertificateObject(this.#c).fingerprint; }
  get fingerprint256(): string { return peerCertificateObject(this.#c).fingerprint256; }
  get ca(): boolean { return this.#c.ca; }
  get raw(): Buffer { return Buffer.from(this.#c.raw); }
  get publicKey(): KeyObject { return new KeyObject('public', this.#c.publicKey!); }
  checkHost(name: string): string | undefined {
    return /^[\d.]+$/.test(name) || checkServerIdentity(name, this.#c) ? undefined : name;
  }
  checkIP(ip: string): string | undefined {
    return checkServerIdentity(ip, this.#c) ? undefined : ip;
  }
  checkIssued(other: X509Certificate): boolean { return other.#c.subject.raw.length > 0 && signedBy(this.#c, other.#c); }
  verify(key: KeyObject): boolean {
    const pk = key._public;
    return !!pk && signedBy(this.#c, { ...this.#c, publicKey: pk });
  }
  toString(): string { return this.toPEM(); }
  toPEM(): string {
    const b = Buffer.from(this.#c.raw).toString('base64').match(/.{1,64}/g)!.join('\n');
    return `-----BEGIN CERTIFICATE-----\n${b}\n-----END CERTIFICATE-----\n`;
  }
  toJSON(): string { return this.toPEM(); }
}

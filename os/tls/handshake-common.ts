/** Pieces of the TLS 1.3 handshake both sides use (RFC 8446 §4.4). */
import { concatBytes } from '../crypto/hash.ts';
import { Alert } from './constants.ts';
import { TlsAlert } from './errors.ts';
import { Reader, Writer } from './wire.ts';

const SPACES = new Uint8Array(64).fill(0x20);
const enc = new TextEncoder();

/** RFC 8446 §4.4.3: the content a CertificateVerify signs. */
export function certificateVerifyContent(server: boolean, transcriptHash: Uint8Array): Uint8Array {
  const ctx = enc.encode(`TLS 1.3, ${server ? 'server' : 'client'} CertificateVerify`);
  return concatBytes(SPACES, ctx, new Uint8Array(1), transcriptHash);
}

/** RFC 8446 §4.4.2 Certificate. */
export function encodeCertificate13(context: Uint8Array, chain: Uint8Array[]): Uint8Array {
  return new Writer().vec(1, context).block(3, (w) => {
    for (const c of chain) w.vec(3, c).u16(0);
  }).finish();
}

export function parseCertificate13(body: Uint8Array): { context: Uint8Array; chain: Uint8Array[] } {
  const r = new Reader(body);
  const context = r.vec(1);
  const list = r.sub(3);
  r.end();
  const chain: Uint8Array[] = [];
  while (list.remaining) {
    chain.push(list.vec(3, 1));
    list.vec(2); // per-certificate extensions (OCSP, SCT): ignored
  }
  return { context, chain };
}

export function parseCertificateVerify(body: Uint8Array): { scheme: number; signature: Uint8Array } {
  const r = new Reader(body);
  const scheme = r.u16();
  const signature = r.vec(2, 1);
  r.end();
  return { scheme, signature };
}

export function expectEnd(r: Reader): void { r.end(); }

export function unexpected(what: string): TlsAlert {
  return new TlsAlert(Alert.unexpected_message, `unexpected ${what}`);
}

/** RFC 8446 §4.6.1 NewSessionTicket. */
export interface NewSessionTicket { lifetime: number; ageAdd: number; nonce: Uint8Array; ticket: Uint8Array }

export function parseNewSessionTicket(body: Uint8Array): NewSessionTicket {
  const r = new Reader(body);
  const lifetime = r.u32();
  const ageAdd = r.u32();
  const nonce = r.vec(1);
  const ticket = r.vec(2, 1);
  r.vec(2); // extensions (early_data): ignored
  r.end();
  if (lifetime > 604800) throw new TlsAlert(Alert.illegal_parameter, 'ticket lifetime over 7 days');
  return { lifetime, ageAdd, nonce, ticket };
}

export function encodeNewSessionTicket(t: NewSessionTicket): Uint8Array {
  return new Writer().u32(t.lifetime).u32(t.ageAdd).vec(1, t.nonce).vec(2, t.ticket).u16(0).finish();
}

/** What a client keeps to resume (RFC 8446 §4.6.1), serialised opaquely for the API. */
export interface ClientSession {
  suite: number;
  psk: Uint8Array;
  ticket: Uint8Array;
  ageAdd: number;
  lifetime: number;
  receivedAt: number;
  serverName: string;
}

export function encodeSession(s: ClientSession): Uint8Array {
  const sn = enc.encode(s.serverName);
  return new Writer().u8(1).u16(s.suite).vec(1, s.psk).vec(2, s.ticket).u32(s.ageAdd).u32(s.lifetime)
    .u32(Math.floor(s.receivedAt / 2 ** 32)).u32(s.receivedAt >>> 0).vec(2, sn).finish();
}

export function decodeSession(b: Uint8Array): ClientSession | null {
  try {
    const r = new Reader(b);
    if (r.u8() !== 1) return null;
    const suite = r.u16();
    const psk = r.vec(1);
    const ticket = r.vec(2, 1);
    const ageAdd = r.u32();
    const lifetime = r.u32();
    const receivedAt = r.u32() * 2 ** 32 + r.u32();
    const serverName = new TextDecoder().decode(r.vec(2));
    r.end();
    return { suite, psk, ticket, ageAdd, lifetime, receivedAt, serverName };
  } catch {
    return null;
  }
}

/** The Node alert for a verification code. */
export function verifyAlert(code: string): number {
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return Alert.certificate_expired;
  if (code.includes('ISSUER') || code.includes('SELF_SIGNED') || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE') return Alert.unknown_ca;
  return Alert.bad_certificate;
}

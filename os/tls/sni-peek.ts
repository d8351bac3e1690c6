/**
 * The host name a client asks for (SNI, RFC 6066 §3), read from its first bytes before the
 * handshake starts: node:tls's SNICallback may answer asynchronously, so the server holds the
 * bytes, asks, and only then lets the endpoint (os/tls/server.ts) read them.
 */
import { ContentType, ExtensionType, HandshakeType } from './constants.ts';
import { parseClientHello, readServerName } from './messages.ts';

/** RFC 8446 §5.1: a handshake message may span records; a ClientHello this long is refused anyway. */
const MAX_CLIENT_HELLO = 64 * 1024;

/**
 * `more` while the ClientHello is not yet whole; else the name, or `none` when there is no
 * name or the bytes are not a well-formed ClientHello (the endpoint then answers them with
 * the right alert).
 */
export type PeekedServerName = { kind: 'more' } | { kind: 'none' } | { kind: 'name'; serverName: string };

export function peekServerName(bytes: Uint8Array): PeekedServerName {
  const fragments: Uint8Array[] = [];
  let have = 0;
  let need = -1; // the handshake message's length with its 4-byte header, once known
  for (let at = 0; ; ) {
    if (bytes.length - at < 5) return { kind: 'more' };
    if (bytes[at] !== ContentType.handshake) return { kind: 'none' };
    const length = (bytes[at + 3]! << 8) | bytes[at + 4]!;
    if (bytes.length - at - 5 < length) return { kind: 'more' };
    fragments.push(bytes.subarray(at + 5, at + 5 + length));
    have += length;
    at += 5 + length;
    if (need < 0 && have >= 4) {
      const first = joined(fragments, have);
      if (first[0] !== HandshakeType.client_hello) return { kind: 'none' };
      need = 4 + ((first[1]! << 16) | (first[2]! << 8) | first[3]!);
      if (need > MAX_CLIENT_HELLO) return { kind: 'none' };
    }
    if (need >= 0 && have >= need) {
      try {
        const hello = parseClientHello(joined(fragments, have).subarray(4, need));
        const sni = hello.extensions.get(ExtensionType.server_name);
        const serverName = sni ? readServerName(sni) : undefined;
        return serverName ? { kind: 'name', serverName } : { kind: 'none' };
      } catch {
        return { kind: 'none' };
      }
    }
  }
}

function joined(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(length);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/**
 * Host name checking as Node's tls.checkServerIdentity does it (RFC 6125): SAN IP
 * addresses for IP hosts, SAN DNS names with a leftmost-label wildcard otherwise, the
 * subject CN only when the certificate has no DNS SANs.
 */
import type { Certificate } from './certificate.ts';

export interface IdentityFailure { code: 'ERR_TLS_CERT_ALTNAME_INVALID'; message: string; reason: string; host: string }

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function canonicalIp(host: string): string | null {
  if (IPV4.test(host)) return host.split('.').map(Number).join('.');
  if (!host.includes(':')) return null;
  const h = host.replace(/^\[|\]$/g, '');
  const [head, tail] = h.split('::');
  const a = head ? head.split(':') : [];
  const b = tail !== undefined ? (tail ? tail.split(':') : []) : [];
  const fill = tail !== undefined ? Array(8 - a.length - b.length).fill('0') : [];
  const parts = [...a, ...fill, ...b];
  if (parts.length !== 8 || parts.some((p) => !/^[0-9a-f]{1,4}$/i.test(p))) return null;
  return parts.map((p) => parseInt(p, 16).toString(16).toUpperCase()).join(':');
}

function matchPattern(host: string, pattern: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '').split('.');
  const p = pattern.toLowerCase().replace(/\.$/, '').split('.');
  if (h.length !== p.length || p.some((x) => x === '')) return false;
  for (let i = 1; i < p.length; i++) if (p[i] !== h[i]) return false;
  const first = p[0];
  const star = first.indexOf('*');
  if (star < 0) return first === h[0];
  // Node: a wildcard only in the leftmost label, at most one, not in an IDNA label, and the pattern must have 3+ labels.
  if (first.indexOf('*', star + 1) >= 0 || first.startsWith('xn--') || p.length < 3) return false;
  const pre = first.slice(0, star), post = first.slice(star + 1);
  return h[0].length >= pre.length + post.length && h[0].startsWith(pre) && h[0].endsWith(post) && (h[0].length > 0);
}

export function checkServerIdentity(hostname: string, cert: Certificate): IdentityFailure | null {
  const host = hostname.replace(/^\[|\]$/g, '');
  const altNames = [...cert.san.dns.map((d) => `DNS:${d}`), ...cert.san.ip.map((i) => `IP Address:${i}`), ...cert.san.uri.map((u) => `URI:${u}`)].join(', ');
  let reason: string | null = null;
  const ip = canonicalIp(host);
  if (ip) {
    if (!cert.san.ip.some((x) => canonicalIp(x) === ip)) reason = `IP: ${hostname} is not in the cert's list: ${cert.san.ip.join(', ')}`;
  } else {
    const cn = cert.subject.attributes.filter((a) => a.short === 'CN').map((a) => a.value);
    if (cert.san.dns.length > 0) {
      if (!cert.san.dns.some((p) => matchPattern(host, p))) reason = `Host: ${hostname}. is not in the cert's altnames: ${altNames}`;
    } else if (cn.length > 0) {
      if (!cn.some((p) => matchPattern(host, p))) reason = `Host: ${hostname}. is not cert's CN: ${cn[cn.length - 1]}`;
    } else reason = 'Cert does not contain a DNS name';
  }
  if (!reason) return null;
  return { code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: `Hostname/IP does not match certificate's altnames: ${reason}`, reason, host: hostname };
}

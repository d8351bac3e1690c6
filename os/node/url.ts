/**
 * node:url: WHATWG URL (os/runtime/url.ts) plus fileURLToPath/pathToFileURL (POSIX paths), and
 * the legacy API (`parse`, `format`, `resolve`, `resolveObject`, `Url`) from the npm `url`
 * package, a port of Node's own legacy parser.
 */
import { URL, URLSearchParams } from '../runtime/url.ts';
import legacy from 'url/url.js';

export { URL, URLSearchParams };

type Legacy = {
  parse: typeof import('node:url').parse; resolve: typeof import('node:url').resolve; resolveObject: (a: unknown, b: string) => unknown;
  format: (u: unknown, o?: unknown) => string; Url: Function;
};
const { parse, resolve, resolveObject, Url } = legacy as unknown as Legacy;
const legacyFormat = (legacy as unknown as Legacy).format;

/** url.format: a WHATWG URL is serialized (with Node's options), anything else by the legacy rules. */
export function format(u: unknown, options?: { auth?: boolean; fragment?: boolean; search?: boolean; unicode?: boolean }): string {
  if (u instanceof URL) {
    const c = new URL(u.href);
    if (options?.auth === false) { c.username = ''; c.password = ''; }
    if (options?.fragment === false) c.hash = '';
    if (options?.search === false) c.search = '';
    return c.href;
  }
  return legacyFormat(u);
}
export { parse, resolve, resolveObject, Url };

export function fileURLToPath(u: string | URL): string {
  const url = typeof u === 'string' ? new URL(u) : u;
  if (url.protocol !== 'file:') {
    const e = new TypeError('The URL must be of scheme file') as TypeError & { code: string };
    e.code = 'ERR_INVALID_URL_SCHEME';
    throw e;
  }
  return decodeURIComponent(url.pathname);
}

export function pathToFileURL(p: string): URL {
  const abs = p.startsWith('/') ? p : `/${p}`;
  return new URL(`file://${abs.split('/').map((s) => encodeURIComponent(s)).join('/')}`);
}

export function domainToASCII(d: string): string {
  try { return new URL(`http://${d}`).hostname; } catch { return ''; }
}
export function domainToUnicode(d: string): string { return domainToASCII(d); }

export function urlToHttpOptions(url: URL): Record<string, unknown> {
  const o: Record<string, unknown> = {
    protocol: url.protocol, hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname, hash: url.hash,
    search: url.search, pathname: url.pathname, path: `${url.pathname || ''}${url.search || ''}`, href: url.href,
  };
  if (url.port !== '') o.port = Number(url.port);
  if (url.username || url.password) o.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return o;
}

export default { URL, URLSearchParams, fileURLToPath, pathToFileURL, domainToASCII, domainToUnicode, urlToHttpOptions, parse, format, resolve, resolveObject, Url };

/** node:url: WHATWG URL plus fileURLToPath/pathToFileURL (POSIX paths). */
import { URL, URLSearchParams } from '../runtime/url.ts';

export { URL, URLSearchParams };

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

export default { URL, URLSearchParams, fileURLToPath, pathToFileURL, domainToASCII };

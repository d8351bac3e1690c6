/** node:querystring (Node's legacy query string rules: repeated keys become arrays, '+' is a space). */
type Value = string | number | boolean | bigint | readonly (string | number | boolean | bigint)[] | null | undefined;

export function unescape(s: string): string {
  try { return decodeURIComponent(s); } catch {
    return s.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
}
export function escape(s: string): string {
  return encodeURIComponent(s);
}

export function parse(str: string, sep = '&', eq = '=', options?: { maxKeys?: number; decodeURIComponent?: (s: string) => string }): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  if (typeof str !== 'string' || str.length === 0) return out;
  const decode = options?.decodeURIComponent ?? unescape;
  const maxKeys = options?.maxKeys ?? 1000;
  let parts = str.split(sep);
  if (maxKeys > 0) parts = parts.slice(0, maxKeys);
  for (const part of parts) {
    if (!part) continue;
    const i = part.indexOf(eq);
    const k = decode((i >= 0 ? part.slice(0, i) : part).replace(/\+/g, ' '));
    const v = i >= 0 ? decode(part.slice(i + eq.length).replace(/\+/g, ' ')) : '';
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[k] = [prev, v];
  }
  return out;
}

const prim = (v: unknown): string => (typeof v === 'string' ? v : (typeof v === 'number' && isFinite(v)) || typeof v === 'bigint' || typeof v === 'boolean' ? String(v) : '');

export function stringify(obj: Record<string, Value> | null | undefined, sep = '&', eq = '=', options?: { encodeURIComponent?: (s: string) => string }): string {
  if (obj === null || typeof obj !== 'object') return '';
  const encode = options?.encodeURIComponent ?? escape;
  const out: string[] = [];
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    const ks = encode(prim(k)) + eq;
    if (Array.isArray(v)) for (const x of v) out.push(ks + encode(prim(x)));
    else out.push(ks + encode(prim(v)));
  }
  return out.join(sep);
}
export const decode = parse;
export const encode = stringify;
export default { parse, stringify, decode, encode, escape, unescape };

/**
 * The kernel command line (`hw.cmdline`), parsed once into `key=value` tokens.
 *
 * Grammar (as Linux): tokens are separated by spaces; a token is `key` or `key=value`;
 * double quotes group spaces into a value and are removed (`a="b c"` → a = 'b c').
 * Keys may repeat (`virtio_mmio.device=` appears once per device): `all()` returns
 * every value in order, `get()` the last one. Unknown tokens are kept and ignored.
 *
 * Nimbus tokens, written by the CLI:
 * - `nimbus.argv=<base64url of a JSON array of strings>`: the program's arguments
 *   (process.argv.slice(2)).
 * - `nimbus.env=<base64url of a JSON object of strings>`: process.env.
 */
import { base64Decode, utf8Decode } from './encoding.ts';

export interface CmdlineToken {
  readonly key: string;
  /** undefined for a bare `key` token. */
  readonly value: string | undefined;
}

export class Cmdline {
  readonly tokens: readonly CmdlineToken[];
  constructor(text: string) {
    this.tokens = parseCmdline(text);
  }
  /** The last value given for `key`, or undefined. */
  get(key: string): string | undefined {
    let v: string | undefined;
    for (const t of this.tokens) if (t.key === key) v = t.value ?? '';
    return v;
  }
  /** Every value given for `key`, in order. */
  all(key: string): string[] {
    return this.tokens.filter((t) => t.key === key).map((t) => t.value ?? '');
  }
  has(key: string): boolean {
    return this.tokens.some((t) => t.key === key);
  }
}

/**
 * Exactly the characters `/\s/` matches (ECMA-262 WhiteSpace and LineTerminator), without the
 * regular-expression engine: this runs first thing at every boot, and under emulation the
 * engine's first regex match is mostly QEMU translating its code (the parse took ~2 ms with
 * `/\s/`; the first line came ~0.8 ms sooner without it, as later code still meets the engine).
 */
export function isWhiteSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

export function parseCmdline(text: string): CmdlineToken[] {
  const tokens: CmdlineToken[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && isWhiteSpace(text.charCodeAt(i))) i++;
    if (i >= text.length) break;
    let raw = '';
    let quoted = false;
    while (i < text.length && (quoted || !isWhiteSpace(text.charCodeAt(i)))) {
      if (text[i] === '"') quoted = !quoted;
      else raw += text[i];
      i++;
    }
    const eq = raw.indexOf('=');
    tokens.push(eq < 0 ? { key: raw, value: undefined } : { key: raw.slice(0, eq), value: raw.slice(eq + 1) });
  }
  return tokens;
}

function decodeJson(b64url: string): unknown {
  return JSON.parse(utf8Decode(base64Decode(b64url)));
}

/** The program's arguments from `nimbus.argv=`; [] when absent or malformed. */
export function cmdlineArgs(c: Cmdline): string[] {
  const v = c.get('nimbus.argv');
  if (v === undefined || v === '') return [];
  try {
    const a = decodeJson(v);
    return Array.isArray(a) ? a.map((x) => String(x)) : [];
  } catch {
    return [];
  }
}

/** The environment from `nimbus.env=`; {} when absent or malformed. */
export function cmdlineEnv(c: Cmdline): Record<string, string> {
  const v = c.get('nimbus.env');
  const env: Record<string, string> = {};
  if (v === undefined || v === '') return env;
  try {
    const o = decodeJson(v);
    if (o !== null && typeof o === 'object' && !Array.isArray(o)) {
      for (const [k, val] of Object.entries(o)) env[k] = String(val);
    }
  } catch {
    // a malformed token leaves the environment empty rather than stopping the boot
  }
  return env;
}

/**
 * `Intl.Collator` and `String.prototype.localeCompare` for an engine without ECMA-402. FormatJS
 * has no collator, so this is ours: a three-level comparison after Unicode's collation
 * algorithm (UTS #10) with the root order's broad shape, not the full DUCET table:
 *   primary   = the base character after compatibility decomposition (NFKD: ﬁ is fi):
 *               whitespace < punctuation < symbols < digits < letters (Latin a-z, then other
 *               scripts by code point), the first three in the root order for the common
 *               ones (VARIABLE_ORDER); `numeric` compares digit runs by value; ß, æ, œ expand
 *               as in the root order;
 *   secondary = accents (the combining marks left by the decomposition, acute before grave
 *               as in the root order: MARK_ORDER);
 *   tertiary  = case (lower before upper, or `caseFirst: 'upper'`), then compatibility forms
 *               after their plain letters.
 * `sensitivity` picks the levels compared (base: 1, accent: 1-2, case: 1+3, variant: 1-3).
 * Locale tailorings (Swedish å after z, Spanish ñ, German phonebook) are not applied: every
 * locale sorts in the root order, which is English's.
 */

type Sensitivity = 'base' | 'accent' | 'case' | 'variant';
type CaseFirst = 'upper' | 'lower' | 'false';

interface CollatorOptions {
  usage?: 'sort' | 'search';
  localeMatcher?: 'lookup' | 'best fit';
  numeric?: boolean;
  caseFirst?: CaseFirst;
  sensitivity?: Sensitivity;
  ignorePunctuation?: boolean;
  collation?: string;
}

/** Per collation unit: primary and secondary weights, case (0 first), and 1 for a compatibility form. */
interface Keys { primary: number[]; secondary: string[]; case: number[]; variant: number[] }

const WHITESPACE = /[\p{White_Space}]/u, PUNCTUATION = /\p{P}/u, SYMBOL = /\p{S}/u, DIGIT = /\p{Nd}/u;
const LETTER = /\p{L}/u, MARK = /\p{M}/u, IGNORABLE = /[\p{Cc}\p{Cf}]/u;
const UPPER = /\p{Lu}/u;
/** Letters the root order sorts as two (UTS #10 expansions). */
const EXPANSIONS: Record<string, string> = { 'ß': 'ss', 'æ': 'ae', 'œ': 'oe', 'ĳ': 'ij' };
/** Letters the root order sorts as a base letter with the overlay mark their shape has (after every accent). */
const FOLDS: Record<string, [string, string]> = { 'ø': ['o', '\u0338'], 'đ': ['d', '\u0335'], 'ł': ['l', '\u0337'], 'ħ': ['h', '\u0335'] };

/**
 * Whitespace, punctuation and symbols in the root collation order (Unicode's DUCET as ICU
 * applies it; measured against Node's Intl.Collator): the rest of their kind sort after these,
 * by code point.
 */
const VARIABLE_ORDER = [...'\t\n \u00a0_-–—,;:!¡?¿.…·\'‘’"“”«»()[]{}§¶@*/\\&#%•`^°©®+±÷×<=>|~¢$£¥€'];
const VARIABLE_WEIGHT = new Map(VARIABLE_ORDER.map((ch, i) => [ch, i + 1]));
/** Combining marks in the root order's secondary weights (acute, grave, breve, circumflex, ...). */
const MARK_ORDER = new Map([...'\u0301\u0300\u0306\u0302\u030c\u030a\u0308\u030b\u0303\u0307\u0327\u0328\u0304\u0323\u0331'].map((m, i) => [m, String.fromCharCode(0x21 + i)]));
const markWeight = (m: string) => MARK_ORDER.get(m) ?? String.fromCharCode(0x100 + m.codePointAt(0)!);

const enum Weight { Whitespace = 0x100000, Punctuation = 0x200000, Symbol = 0x300000, Digit = 0x400000, Letter = 0x500000, Other = 0x600000 }

/** The numeric value of a decimal digit of any script (its code point minus its block's zero). */
function digitValue(ch: string): number {
  const cp = ch.codePointAt(0)!;
  if (cp <= 0x39) return cp - 0x30;
  for (let zero = cp; zero > cp - 10; zero--) if (!DIGIT.test(String.fromCodePoint(zero - 1))) return cp - zero;
  return 0;
}

/** Each character after NFKD, flagged when it came from a compatibility form (ﬁ, ǅ, ²). */
function decompose(s: string): { ch: string; compat: boolean }[] {
  const out: { ch: string; compat: boolean }[] = [];
  for (const c of s.normalize('NFD')) {
    const k = c.normalize('NFKD');
    for (const ch of k) out.push({ ch, compat: k !== c });
  }
  return out;
}

function collationKeys(s: string, numeric: boolean, ignorePunctuation: boolean, upperFirst: boolean): Keys {
  const keys: Keys = { primary: [], secondary: [], case: [], variant: [] };
  const units = decompose(s);
  const chars = units.map((u) => u.ch);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (MARK.test(ch)) {
      // A mark modifies the unit before it (a mark with no base stands alone).
      if (keys.secondary.length) keys.secondary[keys.secondary.length - 1] += markWeight(ch);
      continue;
    }
    if (IGNORABLE.test(ch) && !WHITESPACE.test(ch)) continue;
    const caseWeight = UPPER.test(ch) !== upperFirst ? 1 : 0;
    const variant = units[i]!.compat ? 1 : 0;
    const lower = ch.toLowerCase();
    const push = (primary: number, accent = '') => {
      keys.primary.push(primary);
      keys.secondary.push(accent);
      keys.case.push(caseWeight);
      keys.variant.push(variant);
    };
    const variable = VARIABLE_WEIGHT.get(ch);
    const isSymbol = SYMBOL.test(ch);
    if (variable !== undefined || WHITESPACE.test(ch) || PUNCTUATION.test(ch)) {
      if (!(ignorePunctuation && !isSymbol)) push(variable !== undefined ? Weight.Whitespace + variable : (isSymbol ? Weight.Symbol : Weight.Punctuation) + ch.codePointAt(0)!);
      continue;
    }
    if (isSymbol) { push(Weight.Symbol + ch.codePointAt(0)!); continue; }
    if (DIGIT.test(ch)) {
      // A digit from a compatibility form (², ①) is no number: ICU gives it the plain digit weight.
      if (!numeric || units[i]!.compat) { push(Weight.Digit + digitValue(ch)); continue; }
      // A run of digits is one number: compare by length without leading zeros, then digit by digit.
      const run: number[] = [];
      for (; i < chars.length && DIGIT.test(chars[i]!) && !units[i]!.compat; i++) run.push(digitValue(chars[i]!));
      i--;
      while (run.length > 1 && run[0] === 0) run.shift();
      push(Weight.Digit);
      push(run.length);
      for (const d of run) push(Weight.Digit + d);
      continue;
    }
    if (LETTER.test(ch)) {
      const expanded = EXPANSIONS[lower];
      if (expanded) { for (const c of expanded) push(Weight.Letter + c.codePointAt(0)!, '\u0000'); continue; }
      const folded = FOLDS[lower];
      if (folded) { push(Weight.Letter + folded[0].codePointAt(0)!, markWeight(folded[1])); continue; }
      push(Weight.Letter + [...lower][0]!.codePointAt(0)!);
      continue;
    }
    push(Weight.Other + ch.codePointAt(0)!);
  }
  return keys;
}

function compareLists<T extends number | string>(a: T[], b: T[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function getOption<T extends string>(options: CollatorOptions, name: keyof CollatorOptions, allowed: readonly T[], fallback: T | undefined): T | undefined {
  const v = options[name];
  if (v === undefined) return fallback;
  const s = String(v) as T;
  if (!allowed.includes(s)) throw new RangeError(`Value ${s} out of range for Intl.Collator options property ${name}`);
  return s;
}

/** The locales the image has CLDR data for (os/intl/defaults.ts), all sorted in the root order. */
let available = new Set(['en', 'en-US']);

/** The tag `locale` resolves to among the available ones, dropping subtags from the end (ECMA-402 §9.2.2 BestAvailableLocale). */
function bestAvailable(locale: string): string | undefined {
  let candidate = locale.replace(/-u-.*$/, '');
  for (;;) {
    if (available.has(candidate)) return candidate;
    let cut = candidate.lastIndexOf('-');
    if (cut < 0) return undefined;
    if (cut >= 2 && candidate[cut - 2] === '-') cut -= 2;
    candidate = candidate.slice(0, cut);
  }
}

/**
 * ECMA-402 §9.2.1 CanonicalizeLocaleList: Intl.getCanonicalLocales when the image links it
 * (any FormatJS part does); else, for a program whose only Intl is collation, the structural
 * check and the case conventions (language lower, Script title, REGION upper) without the
 * alias tables, which are ~280 KiB.
 */
function canonicalLocales(locales: string | readonly string[] | undefined): string[] {
  if (typeof (Intl as { getCanonicalLocales?: unknown }).getCanonicalLocales === 'function') return Intl.getCanonicalLocales(locales as string[]);
  if (locales === undefined) return [];
  const list = typeof locales === 'string' ? [locales] : [...locales];
  const out: string[] = [];
  for (const raw of list) {
    if (typeof raw !== 'string' && (typeof raw !== 'object' || raw === null)) throw new TypeError('Language ID should be string or object.');
    const tag = String(raw);
    if (!/^[a-z]{2,3}(-[a-z]{4})?(-([a-z]{2}|\d{3}))?(-([a-z\d]{5,8}|\d[a-z\d]{3}))*(-[a-wyz\d](-[a-z\d]{2,8})+)*(-x(-[a-z\d]{1,8})+)?$/i.test(tag)) {
      throw new RangeError(`Incorrect locale information provided`);
    }
    const canonical = tag.split('-').map((p, i) => i === 0 ? p.toLowerCase() : p.length === 4 && /^[a-z]/i.test(p) ? p[0]!.toUpperCase() + p.slice(1).toLowerCase() : p.length === 2 ? p.toUpperCase() : p.toLowerCase()).join('-');
    if (!out.includes(canonical)) out.push(canonical);
  }
  return out;
}

/** The first requested locale the image has, else the default `en-US`. */
function resolveLocale(locales: string | string[] | undefined): string {
  for (const l of canonicalLocales(locales)) {
    const found = bestAvailable(l);
    if (found) return found;
  }
  return 'en-US';
}

const slots = new WeakMap<object, { locale: string; usage: 'sort' | 'search'; sensitivity: Sensitivity; ignorePunctuation: boolean; numeric: boolean; caseFirst: CaseFirst; bound?: (a: string, b: string) => number; keys?: Map<string, Keys> }>();

/**
 * Strings whose keys a collator keeps: a sort compares each string about log2(n) times, and
 * building its keys (NFKD, a class test per character) is most of a comparison's cost.
 */
const KEY_CACHE_SIZE = 2048;

function slotOf(c: unknown) {
  const s = typeof c === 'object' && c !== null ? slots.get(c) : undefined;
  if (!s) throw new TypeError('Method Intl.Collator.prototype.compare called on incompatible receiver');
  return s;
}

class Collator {
  constructor(locales?: string | string[], options?: CollatorOptions) {
    const o = (options === undefined ? {} : Object(options)) as CollatorOptions;
    const usage = getOption(o, 'usage', ['sort', 'search'] as const, 'sort')!;
    getOption(o, 'localeMatcher', ['lookup', 'best fit'] as const, 'best fit');
    const numeric = o.numeric === undefined ? false : Boolean(o.numeric);
    const caseFirst = getOption(o, 'caseFirst', ['upper', 'lower', 'false'] as const, 'false')!;
    const sensitivity = getOption(o, 'sensitivity', ['base', 'accent', 'case', 'variant'] as const, 'variant')!;
    const ignorePunctuation = o.ignorePunctuation === undefined ? false : Boolean(o.ignorePunctuation);
    slots.set(this, { locale: resolveLocale(locales), usage, sensitivity, ignorePunctuation, numeric, caseFirst });
  }

  /** A function bound to this collator, as ECMA-402 §10.3.3 makes `compare` a getter. */
  get compare(): (a: string, b: string) => number {
    const s = slotOf(this);
    if (!s.bound) {
      const self = this;
      s.bound = Object.defineProperty((a: string, b: string) => compareWith(slotOf(self), a, b), 'name', { value: '' });
    }
    return s.bound;
  }

  resolvedOptions(): Record<string, unknown> {
    const s = slotOf(this);
    return { locale: s.locale, usage: s.usage, sensitivity: s.sensitivity, ignorePunctuation: s.ignorePunctuation, collation: 'default', numeric: s.numeric, caseFirst: s.caseFirst };
  }

  static supportedLocalesOf(locales: string | string[]): string[] {
    return canonicalLocales(locales).filter((l) => bestAvailable(l) !== undefined);
  }
}
Object.defineProperty(Collator.prototype, Symbol.toStringTag, { value: 'Intl.Collator', configurable: true });
Object.defineProperty(Collator, 'length', { value: 0 }); // ECMA-402 §10.1: optional parameters

function compareWith(s: NonNullable<ReturnType<typeof slots.get>>, a: unknown, b: unknown): number {
  const x = String(a), y = String(b);
  if (x === y) return 0;
  const upperFirst = s.caseFirst === 'upper';
  const cache = (s.keys ??= new Map());
  const keysOf = (t: string) => {
    let k = cache.get(t);
    if (!k) {
      if (cache.size >= KEY_CACHE_SIZE) cache.clear();
      cache.set(t, k = collationKeys(t, s.numeric, s.ignorePunctuation, upperFirst));
    }
    return k;
  };
  const kx = keysOf(x), ky = keysOf(y);
  const primary = compareLists(kx.primary, ky.primary);
  if (primary !== 0 || s.sensitivity === 'base') return primary;
  if (s.sensitivity !== 'case') {
    const secondary = compareLists(kx.secondary, ky.secondary);
    if (secondary !== 0 || s.sensitivity === 'accent') return secondary;
  }
  // The case level alone for 'case'; for 'variant' the tertiary level, case and form per unit.
  if (s.sensitivity === 'case') return compareLists(kx.case, ky.case);
  const tertiary = (k: Keys) => k.case.map((c, i) => c * 2 + k.variant[i]!);
  return compareLists(tertiary(kx), tertiary(ky));
}

let defaultCollator: Collator | undefined;

/** The options a Collator reads (ECMA-402 §10.1.1), in its order. */
const OPTION_NAMES = ['usage', 'localeMatcher', 'numeric', 'caseFirst', 'sensitivity', 'ignorePunctuation'] as const;

/**
 * Collators `localeCompare` made for a locales/options pair, so a sort that passes them builds
 * one collator, not one per comparison (and keeps its key cache). Bounded: a program that
 * passes a new pair each call clears it instead of growing it.
 */
const collatorsByRequest = new Map<string, Collator>();
const COLLATOR_CACHE_SIZE = 32;

/**
 * The collator for `localeCompare(that, locales, options)`. Each option is read once, as the
 * constructor would; only primitive values make a cache key (an object's toString could
 * answer differently next time).
 */
export function collatorFor(locales: unknown, options: unknown): Collator {
  if (options === undefined && locales === undefined) return (defaultCollator ??= new Collator());
  let read: Record<string, unknown> | undefined;
  if (options !== undefined) {
    const o = Object(options) as Record<string, unknown>;
    read = {};
    for (const name of OPTION_NAMES) read[name] = o[name];
  }
  const primitive = (v: unknown) => v === undefined || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number';
  const cacheable = (typeof locales === 'string' || locales === undefined || (Array.isArray(locales) && locales.every((l) => typeof l === 'string')))
    && (read === undefined || Object.values(read).every(primitive));
  if (!cacheable) return new Collator(locales as string[], read as CollatorOptions);
  const key = JSON.stringify([locales ?? null, read === undefined ? null : OPTION_NAMES.map((n) => read![n] === undefined ? null : [read![n]])]);
  let c = collatorsByRequest.get(key);
  if (!c) {
    c = new Collator(locales as string[], read as CollatorOptions);
    if (collatorsByRequest.size >= COLLATOR_CACHE_SIZE) collatorsByRequest.clear();
    collatorsByRequest.set(key, c);
  }
  return c;
}

/**
 * Puts `Intl.Collator` in place and routes `localeCompare` through it (ECMA-402 §19.1.1);
 * `locales` are those the image has CLDR data for besides en (cli/intl.ts).
 */
export function installCollator(locales: readonly string[]): void {
  available = new Set(['en', 'en-US', ...locales]);
  Object.defineProperty(Intl, 'Collator', { value: Collator, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(String.prototype, 'localeCompare', {
    value: function localeCompare(this: unknown, that: unknown, locales?: string | string[], options?: CollatorOptions): number {
      if (this === null || this === undefined) throw new TypeError('String.prototype.localeCompare called on null or undefined');
      return collatorFor(locales, options).compare(String(this), String(that));
    },
    writable: true, configurable: true, enumerable: false,
  });
}

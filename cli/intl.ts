/**
 * Which parts of ECMA-402 an image links (os/intl over FormatJS's polyfills from npm). QuickJS
 * has no Intl; the polyfills and their CLDR data are large (NumberFormat with en's data is
 * ~280 KB of source), so each constructor is linked only when the program's text names it or a
 * method that uses it, and locale data only for en and the `--locale`s asked for.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { OS_DIR, ROOT } from './paths.ts';

export class LocaleError extends Error {}

interface Part {
  /** The name of the part's loader in the generated module. */
  id: string;
  /** The FormatJS package (under node_modules/@formatjs) holding the polyfill. */
  pkg: string;
  /** Whether the package has per-locale data in locale-data/<locale>.js. */
  localeData: boolean;
  /** Words in the program's text that need this part. */
  usedBy: RegExp;
  /** Parts its polyfill reads when it loads. */
  needs: string[];
  /** What it installs: `Intl.X` names, and `Proto.method` for prototype methods. */
  installs: string[];
}

const formatjs = (pkg: string) => path.join(ROOT, 'node_modules', '@formatjs', pkg);
const TO_LOCALE = 'toLocaleString|toLocaleDateString|toLocaleTimeString';
const ANY_PART = `Locale|PluralRules|NumberFormat|DateTimeFormat|RelativeTimeFormat|ListFormat|Segmenter|${TO_LOCALE}`;

/**
 * In dependency order. The locale matcher every polyfill resolves locales with calls
 * Intl.Locale; NumberFormat reads PluralRules; DateTimeFormat and RelativeTimeFormat read
 * NumberFormat. `toLocaleString` may be a number's or a date's, so it links both.
 */
const PARTS: Part[] = [
  { id: 'Locale', pkg: 'intl-locale', localeData: false, usedBy: new RegExp(`\\b(${ANY_PART})\\b`), needs: [], installs: ['Locale'] },
  { id: 'PluralRules', pkg: 'intl-pluralrules', localeData: true, usedBy: new RegExp(`\\b(PluralRules|NumberFormat|DateTimeFormat|RelativeTimeFormat|${TO_LOCALE})\\b`), needs: ['Locale'], installs: ['PluralRules'] },
  {
    id: 'NumberFormat', pkg: 'intl-numberformat', localeData: true, usedBy: new RegExp(`\\b(NumberFormat|DateTimeFormat|RelativeTimeFormat|${TO_LOCALE})\\b`),
    needs: ['Locale', 'PluralRules'], installs: ['NumberFormat', 'Number.toLocaleString', 'BigInt.toLocaleString'],
  },
  {
    id: 'DateTimeFormat', pkg: 'intl-datetimeformat', localeData: true, usedBy: new RegExp(`\\b(DateTimeFormat|${TO_LOCALE})\\b`),
    needs: ['Locale', 'NumberFormat'], installs: ['DateTimeFormat', 'Date.toLocaleString', 'Date.toLocaleDateString', 'Date.toLocaleTimeString'],
  },
  { id: 'RelativeTimeFormat', pkg: 'intl-relativetimeformat', localeData: true, usedBy: /\bRelativeTimeFormat\b/, needs: ['Locale', 'NumberFormat'], installs: ['RelativeTimeFormat'] },
  { id: 'ListFormat', pkg: 'intl-listformat', localeData: true, usedBy: /\bListFormat\b/, needs: ['Locale'], installs: ['ListFormat'] },
  { id: 'Segmenter', pkg: 'intl-segmenter', localeData: false, usedBy: /\bSegmenter\b/, needs: ['Locale'], installs: ['Segmenter'] },
];

const USES_INTL = new RegExp(`\\b(Intl|localeCompare|${TO_LOCALE})\\b`);
const USES_COLLATOR = /\b(Collator|localeCompare)\b/;

/** Canonical tags for `--locale` values (`de,fr-ca` → de, fr-CA); en is always there. */
export function parseLocales(values: readonly string[]): string[] {
  const out = new Set<string>();
  for (const raw of values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean)) {
    let tag: string;
    try { [tag] = Intl.getCanonicalLocales(raw) as [string]; } catch {
      throw new LocaleError(`--locale ${raw} is not a BCP 47 language tag (e.g. de, fr-CA, pt-BR)`);
    }
    if (tag !== 'en') out.add(tag);
  }
  return [...out];
}

const hasData = (pkg: string, locale: string) => existsSync(path.join(formatjs(pkg), 'locale-data', `${locale}.js`));

/**
 * The data file of `part` for `locale`: its own, else its parent's (plural rules and list
 * patterns exist per language: fr-CA uses fr's). A locale CLDR has no number or date data for
 * is an error that names the close ones it has.
 */
function localeDataFile(part: Part, locale: string): string {
  if (!hasData('intl-numberformat', locale) && !hasData('intl-datetimeformat', locale)) {
    const dir = path.join(formatjs('intl-numberformat'), 'locale-data');
    const language = locale.split('-')[0];
    const near = readdirSync(dir).filter((f) => f.endsWith('.js') && f.split(/[-.]/)[0] === language).map((f) => f.slice(0, -3)).slice(0, 8);
    throw new LocaleError(`no CLDR data for --locale ${locale}${near.length ? ` (there is ${near.join(', ')})` : ''}`);
  }
  for (let tag = locale; ; tag = tag.slice(0, tag.lastIndexOf('-'))) {
    if (hasData(part.pkg, tag)) return path.join(formatjs(part.pkg), 'locale-data', `${tag}.js`);
    if (!tag.includes('-')) throw new LocaleError(`no CLDR data for --locale ${locale} in @formatjs/${part.pkg}`);
  }
}

export interface IntlPlan {
  /** The generated module's source, or undefined when the program uses no Intl. */
  source: string | undefined;
  /** The parts linked, for the build's report and tests (e.g. ['Locale', 'NumberFormat', 'Collator']). */
  parts: string[];
}

/**
 * The module that puts in place the Intl parts `text` (the program's own files and npm
 * packages) names, each loaded on first use (os/intl/lazy.ts) with data for en and `locales`,
 * and the other zones' rules when the text names `timeZone`. It runs before the program.
 */
export function intlPlan(text: string, locales: readonly string[]): IntlPlan {
  if (!USES_INTL.test(text)) return { source: undefined, parts: [] };
  const q = JSON.stringify;
  const osFile = (f: string) => q(path.join(OS_DIR, 'intl', f));
  const lines = [
    `import ${osFile('namespace.ts')};`,
    `import { lazyProperty, lazyMethod, once } from ${osFile('lazy.ts')};`,
    `import { setDefaults } from ${osFile('defaults.ts')};`,
  ];
  // Every polyfill canonicalises locale lists through Intl.getCanonicalLocales (~280 KiB with
  // its alias tables); the collator alone makes do with a structural check (os/intl/collator.ts).
  const formatjsParts = PARTS.filter((p) => p.usedBy.test(text));
  if (formatjsParts.length || /\bgetCanonicalLocales\b/.test(text)) {
    lines.push(
      `const loadCanonical = once(() => {`,
      `  Object.defineProperty(Intl, 'getCanonicalLocales', { value: require(${q(formatjs('intl-getcanonicallocales'))}).getCanonicalLocales, writable: true, configurable: true, enumerable: false });`,
      `});`,
      `lazyProperty(Intl, 'getCanonicalLocales', loadCanonical);`,
    );
  }
  const parts: string[] = [];
  for (const part of formatjsParts) {
    parts.push(part.id);
    const body = [`loadCanonical();`, ...part.needs.map((n) => `load${n}();`), `require(${q(path.join(formatjs(part.pkg), 'polyfill-force.js'))});`];
    if (part.localeData) for (const locale of ['en', ...locales]) body.push(`require(${q(localeDataFile(part, locale))});`);
    if (part.id === 'DateTimeFormat' && /\btimeZone\b/.test(text)) {
      parts.push('time zones');
      body.push(`require(${q(path.join(formatjs(part.pkg), 'add-golden-tz.js'))});`);
    }
    body.push(`setDefaults(${q(part.id)});`);
    lines.push(`const load${part.id} = once(() => { ${body.join(' ')} });`);
    for (const what of part.installs) {
      const [holder, method] = what.split('.');
      lines.push(method ? `lazyMethod(${holder}.prototype, ${q(method)}, load${part.id});` : `lazyProperty(Intl, ${q(holder)}, load${part.id});`);
    }
  }
  if (USES_COLLATOR.test(text)) {
    parts.push('Collator');
    lines.push(`import { installCollator } from ${osFile('collator.ts')};`, `installCollator(${q(locales)});`);
  }
  lines.push('');
  return { source: lines.join('\n'), parts };
}

/**
 * What each loaded part gets after its locale data (cli/intl.ts): the image's default locale
 * is `en-US` and its time zone UTC, as Node's in a container with no LANG and no TZ. A
 * requested locale whose data was not linked (`--locale`) falls back to the default, as in a
 * Node built with small-icu.
 */
type Polyfilled = { __defaultLocale?: string; __setDefaultTimeZone?: (tz: string) => void; prototype: object };

export function setDefaults(name: string): void {
  const c = (Intl as unknown as Record<string, Polyfilled | undefined>)[name];
  if (!c) return;
  if ('__defaultLocale' in c) c.__defaultLocale = 'en-US';
  if (name === 'DateTimeFormat') {
    c.__setDefaultTimeZone?.('UTC');
    plainSpacesInTimes(c.prototype);
  }
}

/**
 * CLDR 42 put a narrow no-break space (U+202F) before "AM"/"PM"; Node (like Chrome) keeps the
 * plain space, since the change broke parsers of formatted times. FormatJS's data has the new
 * one, so date-time results are mapped back.
 */
function plainSpacesInTimes(proto: object): void {
  const plain = (s: string) => s.replace(/\u202f/g, ' ');
  const parts = (ps: { value: string }[]) => ps.map((p) => ({ ...p, value: plain(p.value) }));
  const format = Object.getOwnPropertyDescriptor(proto, 'format')!.get!;
  // One bound function per formatter, as ECMA-402's getter returns (dtf.format === dtf.format).
  const bound = new WeakMap<object, (d?: unknown) => string>();
  Object.defineProperty(proto, 'format', {
    configurable: true,
    get(this: object) {
      let g = bound.get(this);
      if (!g) {
        const f = format.call(this) as (d?: unknown) => string;
        bound.set(this, g = (d?: unknown) => plain(f(d)));
      }
      return g;
    },
  });
  const wrap = (holder: object, name: string, map: (r: never) => unknown) => {
    const f = (holder as Record<string, ((...a: unknown[]) => unknown) | undefined>)[name];
    if (typeof f !== 'function') return;
    Object.defineProperty(holder, name, {
      value: { [name](this: unknown, ...a: unknown[]) { return map(f.apply(this, a) as never); } }[name], writable: true, configurable: true, enumerable: false,
    });
  };
  wrap(proto, 'formatToParts', parts);
  wrap(proto, 'formatRange', plain);
  wrap(proto, 'formatRangeToParts', parts);
  for (const m of ['toLocaleString', 'toLocaleDateString', 'toLocaleTimeString']) wrap(Date.prototype, m, plain);
}

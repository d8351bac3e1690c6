/**
 * What each loaded part gets after its locale data (cli/intl.ts): the image's default locale
 * is `en-US` and its time zone UTC, as Node's in a container with no LANG and no TZ. A
 * requested locale whose data was not linked (`--locale`) falls back to the default, as in a
 * Node built with small-icu.
 */
type Polyfilled = { __defaultLocale?: string; __setDefaultTimeZone?: (tz: string) => void };

export function setDefaults(name: string): void {
  const c = (Intl as unknown as Record<string, Polyfilled | undefined>)[name];
  if (c && '__defaultLocale' in c) c.__defaultLocale = 'en-US';
  if (name === 'DateTimeFormat') c?.__setDefaultTimeZone?.('UTC');
}

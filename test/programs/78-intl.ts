// expect-exit: 0
// Intl and the locale-sensitive methods (os/intl over FormatJS's polyfills in the image, ICU
// under node): numbers, dates (in UTC), plurals, relative times, lists, segments, collation.
process.env.TZ = 'UTC';
const n = 1234567.891;
console.log(n.toLocaleString(), n.toLocaleString('en-US', { maximumFractionDigits: 1 }), (0.256).toLocaleString('en-US', { style: 'percent' }));
const nf = (o: Intl.NumberFormatOptions, v: number | bigint = n) => new Intl.NumberFormat('en-US', o).format(v);
console.log(nf({ style: 'currency', currency: 'USD' }), nf({ style: 'currency', currency: 'EUR', currencyDisplay: 'name' }), nf({ style: 'currency', currency: 'JPY' }));
console.log(nf({ notation: 'compact' }), nf({ notation: 'compact', compactDisplay: 'long' }), nf({ notation: 'scientific' }), nf({ notation: 'engineering' }));
console.log(nf({ style: 'unit', unit: 'kilometer-per-hour' }), nf({ style: 'unit', unit: 'megabyte', unitDisplay: 'long' }, 3.5), nf({ minimumIntegerDigits: 3 }, 7));
console.log(nf({ signDisplay: 'always' }, 5), nf({ signDisplay: 'exceptZero' }, 0), nf({ useGrouping: false }), nf({}, 12345678901234567890n), nf({ maximumSignificantDigits: 3 }));
console.log(new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).formatToParts(-1234.5).map((p) => `${p.type}:${p.value}`).join(' '));
console.log(new Intl.NumberFormat('en-US').resolvedOptions().locale, new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).resolvedOptions().maximumFractionDigits);
for (const bad of [{ style: 'currency' }, { style: 'nope' }, { maximumFractionDigits: 101 }] as Intl.NumberFormatOptions[]) {
  try { new Intl.NumberFormat('en-US', bad); console.log('no error'); } catch (e) { console.log((e as Error).name); }
}

const d = new Date(Date.UTC(2024, 1, 29, 13, 5, 9, 45));
const df = (o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', ...o }).format(d);
console.log(d.toLocaleString('en-US', { timeZone: 'UTC' }), '|', d.toLocaleDateString('en-US', { timeZone: 'UTC' }), '|', d.toLocaleTimeString('en-US', { timeZone: 'UTC' }));
console.log(df({ dateStyle: 'full' }), '|', df({ dateStyle: 'medium' }), '|', df({ timeStyle: 'short' }), '|', df({ dateStyle: 'short', timeStyle: 'short' }));
console.log(df({ weekday: 'long', month: 'long', day: 'numeric' }), '|', df({ year: '2-digit', month: '2-digit', day: '2-digit' }), '|', df({ hour: 'numeric', hour12: false }));
console.log(df({ month: 'short', year: 'numeric' }), '|', df({ hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3, hour12: false }), '|', df({ era: 'short', year: 'numeric' }));
console.log(new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'long', day: 'numeric' }).formatToParts(d).map((p) => `${p.type}:${p.value}`).join(' '));
console.log(new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric', minute: 'numeric', timeZoneName: 'short' }).format(d));
console.log(new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Tokyo', dateStyle: 'medium', timeStyle: 'medium' }).format(d));
console.log(new Intl.DateTimeFormat().resolvedOptions().timeZone, new Intl.DateTimeFormat('en-US').resolvedOptions().calendar);
try { new Intl.DateTimeFormat('en-US', { timeZone: 'Mars/Olympus' }); } catch (e) { console.log((e as Error).name); }

const pr = new Intl.PluralRules('en-US'), ord = new Intl.PluralRules('en-US', { type: 'ordinal' });
console.log([0, 1, 2, 5].map((x) => pr.select(x)).join(), [1, 2, 3, 4, 11, 21, 22, 23, 101].map((x) => ord.select(x)).join());
const rtf = new Intl.RelativeTimeFormat('en-US', { numeric: 'auto' });
console.log(rtf.format(-1, 'day'), '|', rtf.format(2, 'week'), '|', new Intl.RelativeTimeFormat('en-US', { style: 'short' }).format(-3, 'month'), '|', rtf.format(0, 'year'));
const lf = (o: Intl.ListFormatOptions) => new Intl.ListFormat('en-US', o).format(['red', 'green', 'blue']);
console.log(lf({}), '|', lf({ type: 'disjunction' }), '|', lf({ style: 'narrow', type: 'unit' }), '|', new Intl.ListFormat('en-US').format(['solo']));
const seg = (g: 'grapheme' | 'word' | 'sentence', s: string) => [...new Intl.Segmenter('en-US', { granularity: g }).segment(s)].map((x) => x.segment);
console.log(JSON.stringify(seg('word', "Don't stop, it's 3.5 km!")), JSON.stringify(seg('sentence', 'Hi there. How are you? Fine!')));
console.log(JSON.stringify(seg('grapheme', 'e\u0301👍🏽🇩🇪a')));
console.log([...new Intl.Segmenter('en-US', { granularity: 'word' }).segment('one two')].map((x) => `${x.index}:${x.isWordLike}`).join(' '));

const words = ['résumé', 'resume', 'Resume', 'apple', 'Äpfel', 'zebra', 'item10', 'item9', 'co-op', 'coop', '_under', 'Zürich'];
console.log([...words].sort().join(' '));
console.log([...words].sort((a, b) => a.localeCompare(b)).join(' '));
console.log([...words].sort(new Intl.Collator('en', { numeric: true, caseFirst: 'upper' }).compare).join(' '));
console.log('a'.localeCompare('A', 'en', { sensitivity: 'base' }), 'é'.localeCompare('e', 'en', { sensitivity: 'accent' }), new Intl.Collator('en').resolvedOptions().sensitivity);
console.log(Intl.getCanonicalLocales(['EN-us', 'zh-hant-tw']), new Intl.Locale('en-Latn-US', { hourCycle: 'h12' }).toString(), new Intl.Locale('en').maximize().toString());
console.log(Object.prototype.toString.call(Intl), typeof Intl.DateTimeFormat.supportedLocalesOf);
console.log(Intl, new Intl.NumberFormat('en-US'), new Intl.Collator('en'), Intl.NumberFormat.length, Intl.Collator.length, Intl.DateTimeFormat.name);
console.log(['b', 'a'].toLocaleString(), [1234.5, new Date(0)].toLocaleString('en-US', { timeZone: 'UTC' }), Intl.NumberFormat('en-US').format(5));
try { void Intl.Collator.prototype.compare; } catch (e) { console.log((e as Error).name); }
export {};

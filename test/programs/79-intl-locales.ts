// expect-exit: 0
// nimbus-locale: de,fr,ja,ar-EG
// Locales beyond en, linked with `nimbus build --locale de,fr,ja,ar-EG`: numbers, dates, plurals,
// relative times and lists in each, with Node's full ICU as the reference.
process.env.TZ = 'UTC';
const d = new Date(Date.UTC(2024, 11, 24, 18, 30, 0));
for (const l of ['de-DE', 'fr-FR', 'ja-JP', 'ar-EG']) {
  console.log(l, new Intl.NumberFormat(l).format(1234567.891), new Intl.NumberFormat(l, { style: 'currency', currency: 'EUR' }).format(-42.5));
  console.log(l, new Intl.DateTimeFormat(l, { dateStyle: 'long', timeZone: 'UTC' }).format(d), '|', new Intl.DateTimeFormat(l, { timeStyle: 'short', timeZone: 'UTC' }).format(d));
  console.log(l, new Intl.RelativeTimeFormat(l, { numeric: 'auto' }).format(-1, 'day'), '|', new Intl.ListFormat(l).format(['A', 'B', 'C']), '|', new Intl.PluralRules(l).select(2));
  console.log(l, d.toLocaleDateString(l, { timeZone: 'UTC', weekday: 'long', month: 'long', day: 'numeric' }), (0.5).toLocaleString(l, { style: 'percent' }));
}
console.log(new Intl.NumberFormat('de').resolvedOptions().locale, new Intl.DateTimeFormat('de-DE').resolvedOptions().locale, new Intl.NumberFormat('fr-FR').resolvedOptions().locale);
console.log(['Äpfel', 'Zebra', 'apfel', 'Bär'].sort(new Intl.Collator('de').compare).join(' '));
export {};

/**
 * os/intl's Collator against Node's (ICU's root collation, which English uses): every pair of
 * a word list that covers case, accents, expansions, compatibility forms, punctuation, digits
 * and other scripts must compare the same way under each option, and sort the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

const WORDS = ['b', 'a', 'B', 'á', 'A', 'à', 'Á', 'ä', 'â', 'ā', 'z', 'Z', 'é', 'e', 'E', 'ê', 'ë', 'ß', 'ss', 'st', 'sr', 'æ', 'ae', 'af', 'œ', 'oe',
  'ø', 'o', 'p', '10', '9', '1', '01', '٣', '3', '_x', ' y', '\ty', '-', 'a-b', 'ab', 'a b', 'A b', 'co-op', 'coop', 'côte', 'cote', 'coté', 'côté',
  'résumé', 'resume', 'Resume', 'RESUME', 'item10', 'item9', 'item1', 'Item2', 'item02', 'α', 'Ω', 'я', 'Ж', '日本', '中', '$', '€', '£', '#', '@',
  'a1', 'a01', 'a10', 'a2', '', '!', '?', '(', 'x.y', 'x,y', "x'y", 'x"y', 'ﬁ', 'fi', 'ǅ', 'Dž', 'ĳ', 'ij', 'ł', 'l', 'm', 'đ', 'd', 'e\u0301',
  'ñ', 'n', 'Ñ', 'ç', 'c', 'Ç', 'ş', 's', 'ő', 'ö', 'x²', 'x2', 'Zürich', 'zurich', 'Straße', 'Strasse', 'naïve', 'naive', 'hello world', 'hello-world', 'helloworld'];

const OPTIONS: Intl.CollatorOptions[] = [{}, { numeric: true }, { sensitivity: 'base' }, { sensitivity: 'accent' }, { sensitivity: 'case' },
  { caseFirst: 'upper' }, { caseFirst: 'lower' }, { ignorePunctuation: true }, { numeric: true, sensitivity: 'base' }, { usage: 'search', sensitivity: 'base' }];

const nodeCollator = Intl.Collator;
const nodeLocaleCompare = String.prototype.localeCompare;
const { installCollator, collatorFor } = await import('./collator.ts');
const node = (o: Intl.CollatorOptions) => new nodeCollator('en', o);
installCollator(['de']);
const ours = (o: Intl.CollatorOptions) => new Intl.Collator('en', o);

for (const o of OPTIONS) {
  test(`Collator ${JSON.stringify(o)} compares every pair of the word list as Node's does`, () => {
    const n = node(o), c = ours(o);
    const wrong: string[] = [];
    for (const a of WORDS) for (const b of WORDS) {
      if (Math.sign(n.compare(a, b)) !== c.compare(a, b)) wrong.push(`${JSON.stringify(a)} vs ${JSON.stringify(b)}: node ${n.compare(a, b)}, ours ${c.compare(a, b)}`);
    }
    assert.deepEqual(wrong.slice(0, 10), []);
    assert.deepEqual([...WORDS].sort(c.compare), [...WORDS].sort(n.compare));
  });
}

test('Collator orders random Latin-1 strings as Node does (base and variant)', () => {
  const n = node({}), c = ours({}), nb = node({ sensitivity: 'base' }), cb = ours({ sensitivity: 'base' });
  const s = fc.string({ unit: fc.constantFrom(...'aAbBeEéÉèzZ0129 -_.,!?ßæøçñÑ'), maxLength: 6 });
  fc.assert(fc.property(s, s, (a, b) => Math.sign(n.compare(a, b)) === c.compare(a, b) && Math.sign(nb.compare(a, b)) === cb.compare(a, b)), { numRuns: 3000 });
});

test('localeCompare goes through the collator, with locales and options', () => {
  assert.equal('a'.localeCompare('B'), -1);
  assert.equal('a'.localeCompare('á', 'en', { sensitivity: 'base' }), 0);
  assert.equal('item10'.localeCompare('item9', undefined, { numeric: true }), 1);
  assert.equal(nodeLocaleCompare.call('item10', 'item9', undefined, { numeric: true }), 1);
  assert.throws(() => String.prototype.localeCompare.call(null, 'a'), TypeError);
});

test('localeCompare with locales or options reuses one collator per request, and still checks each call', () => {
  assert.equal(collatorFor('de', { numeric: true }), collatorFor('de', { numeric: true }), 'the same pair gives the same collator');
  assert.equal(collatorFor(['de'], { numeric: true, usage: undefined }), collatorFor(['de'], { numeric: true }));
  assert.notEqual(collatorFor('de', { numeric: true }), collatorFor('de', { numeric: false }));
  assert.notEqual(collatorFor('de', { numeric: true }), collatorFor('en', { numeric: true }));
  assert.notEqual(collatorFor('de', { numeric: 'true' as never }), collatorFor('de', { numeric: true }), 'a key keeps each value\'s type');
  assert.equal(collatorFor(undefined, undefined), collatorFor(undefined, undefined));
  let reads = 0;
  const counted = { get sensitivity() { reads++; return 'base'; } };
  assert.equal('a'.localeCompare('á', 'en', counted as never), 0);
  assert.equal(reads, 1, 'each option is read once per call, as by the constructor');
  const byObject = { toString: () => 'base' };
  assert.equal('a'.localeCompare('á', 'en', { sensitivity: byObject as never }), 0, 'an object value still works');
  assert.notEqual(collatorFor('en', { sensitivity: byObject as never }), collatorFor('en', { sensitivity: byObject as never }), 'and is not cached');
  for (let i = 0; i < 2; i++) assert.throws(() => 'a'.localeCompare('b', 'en', { sensitivity: 'loud' as never }), RangeError, 'a bad option throws on every call');
  const words = ['item10', 'item9', 'Item1', 'item02'];
  assert.deepEqual([...words].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })), [...words].sort((a, b) => nodeLocaleCompare.call(a, b, 'en', { numeric: true })));
});

test('resolvedOptions, supportedLocalesOf and option errors match Node', () => {
  const opts = { numeric: true, caseFirst: 'upper', sensitivity: 'accent' } as const;
  assert.deepEqual(new Intl.Collator('en', opts).resolvedOptions(), new nodeCollator('en', opts).resolvedOptions());
  assert.deepEqual(new Intl.Collator().resolvedOptions(), new nodeCollator().resolvedOptions());
  assert.equal(new Intl.Collator('de-CH').resolvedOptions().locale, 'de', 'a region without its own data resolves to the language');
  assert.equal(new Intl.Collator('sv').resolvedOptions().locale, 'en-US', 'a locale not linked falls back to the default');
  assert.deepEqual(Intl.Collator.supportedLocalesOf(['de', 'sv', 'en-GB']), ['de', 'en-GB']);
  assert.throws(() => new Intl.Collator('en', { sensitivity: 'loud' as never }), RangeError);
  assert.throws(() => new Intl.Collator('not a tag!'), RangeError);
  assert.equal(Object.prototype.toString.call(new Intl.Collator()), '[object Intl.Collator]');
  const compare = new Intl.Collator().compare;
  assert.equal(compare('a', 'b'), -1, 'compare is bound');
});

test('without Intl.getCanonicalLocales (a program whose only Intl is collation) locales are still checked and canonicalised', () => {
  const saved = Intl.getCanonicalLocales;
  delete (Intl as { getCanonicalLocales?: unknown }).getCanonicalLocales;
  try {
    assert.equal(new Intl.Collator('DE-ch').resolvedOptions().locale, 'de');
    assert.deepEqual(Intl.Collator.supportedLocalesOf(['EN-gb', 'zh-hant-TW', 'de']), ['en-GB', 'de']);
    assert.equal('a'.localeCompare('B', 'en-US'), -1);
    assert.throws(() => new Intl.Collator('not a tag!'), RangeError);
    assert.throws(() => new Intl.Collator(['en', 5 as never]), TypeError);
  } finally {
    Intl.getCanonicalLocales = saved;
  }
});

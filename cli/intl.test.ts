import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { intlPlan, LocaleError, parseLocales } from './intl.ts';
import { buildImage, BuildError } from './build.ts';
import { CORE_ELF } from './paths.ts';

test('only the Intl parts a program names are linked, with their prerequisites', () => {
  assert.deepEqual(intlPlan('console.log(1 + 1)', []), { source: undefined, parts: [] });
  assert.deepEqual(intlPlan('a.localeCompare(b)', []).parts, ['Collator']);
  assert.deepEqual(intlPlan('n.toLocaleString()', []).parts, ['Locale', 'PluralRules', 'NumberFormat', 'DateTimeFormat']);
  assert.deepEqual(intlPlan('new Intl.ListFormat()', []).parts, ['Locale', 'ListFormat']);
  assert.deepEqual(intlPlan("new Intl.DateTimeFormat('en', { timeZone: 'Asia/Tokyo' })", []).parts, ['Locale', 'PluralRules', 'NumberFormat', 'DateTimeFormat', 'time zones']);
  assert.deepEqual(intlPlan('new Intl.Segmenter()', []).parts, ['Locale', 'Segmenter']);
});

test('each part loads its prerequisites first, with data for en and every --locale', () => {
  const src = intlPlan('new Intl.RelativeTimeFormat()', ['de', 'fr-CA']).source!;
  const body = /const loadRelativeTimeFormat = once\(\(\) => \{ (.*) \}\);/.exec(src)![1]!;
  assert.match(body, /^loadCanonical\(\); loadLocale\(\); loadNumberFormat\(\); require\(".*intl-relativetimeformat\/polyfill-force\.js"\);/);
  for (const l of ['en', 'de', 'fr-CA']) assert.match(body, new RegExp(`intl-relativetimeformat/locale-data/${l}\\.js`));
  const plural = /const loadPluralRules = once\(\(\) => \{ (.*) \}\);/.exec(src)![1]!;
  assert.match(plural, /intl-pluralrules\/locale-data\/fr\.js/, 'plural rules exist per language: fr-CA uses fr\'s');
  assert.match(src, /lazyProperty\(Intl, "RelativeTimeFormat", loadRelativeTimeFormat\);/);
  assert.match(intlPlan('x.toLocaleDateString()', []).source!, /lazyMethod\(Date\.prototype, "toLocaleDateString", loadDateTimeFormat\);/);
});

test('--locale values are canonical BCP 47 tags with CLDR data, or a clear error', () => {
  assert.deepEqual(parseLocales(['de,fr-ca', 'EN', 'pt-br']), ['de', 'fr-CA', 'pt-BR']);
  assert.throws(() => parseLocales(['not a tag']), (e: unknown) => e instanceof LocaleError && /--locale not a tag is not a BCP 47 language tag/.test(e.message));
  assert.throws(() => intlPlan('n.toLocaleString()', ['de-XX']), (e: unknown) => e instanceof LocaleError && /no CLDR data for --locale de-XX \(there is .*de-CH.*\bde\)/.test(e.message));
});

test('a build with --locale links the data; a program without Intl stays as small and gets a warning', { skip: existsSync(CORE_ELF) ? false : 'the core is not built (run make)' }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-intl-test-'));
  try {
    writeFileSync(path.join(dir, 'plain.ts'), "console.log('hi');\n");
    writeFileSync(path.join(dir, 'money.ts'), "console.log(new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'EUR' }).format(1234.5));\n");
    const plain = await buildImage({ entry: path.join(dir, 'plain.ts'), output: path.join(dir, 'plain.img') });
    const plainDe = await buildImage({ entry: path.join(dir, 'plain.ts'), output: path.join(dir, 'plain-de.img'), locales: ['de'] });
    assert.deepEqual(plainDe.intl, []);
    assert.equal(plainDe.sizes.total, plain.sizes.total);
    assert.deepEqual(plainDe.warnings, ['--locale de: the program uses no Intl, so no locale data was linked']);
    const en = await buildImage({ entry: path.join(dir, 'money.ts'), output: path.join(dir, 'en.img') });
    const de = await buildImage({ entry: path.join(dir, 'money.ts'), output: path.join(dir, 'de.img'), locales: ['de'] });
    assert.deepEqual(en.intl, ['Locale', 'PluralRules', 'NumberFormat']);
    assert.ok(en.sizes.total > plain.sizes.total + 300 * 1024, `NumberFormat with en's data adds to the image (${plain.sizes.total} → ${en.sizes.total})`);
    assert.ok(de.sizes.total > en.sizes.total + 20 * 1024, `de's data adds to it (${en.sizes.total} → ${de.sizes.total})`);
    await assert.rejects(buildImage({ entry: path.join(dir, 'money.ts'), output: path.join(dir, 'x.img'), locales: ['xx-!!'] }),
      (e: unknown) => e instanceof BuildError && /Cannot build: --locale xx-!! is not a BCP 47 language tag/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

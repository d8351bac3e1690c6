// expect-exit: 0
const re = /(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})/u;
const m = '2024-03-15'.match(re)!;
console.log(m.groups?.year, m.groups?.month, m.groups?.day);
console.log('Ünïcödé ñ Ω 42'.match(/\p{L}+/gu));
console.log('a1b22c333'.replace(/\d+/g, (d) => `[${d.length}]`));
console.log([...'x=1, y=22'.matchAll(/(?<k>\w)=(?<v>\d+)/g)].map((r) => `${r.groups!.k}:${r.groups!.v}`));
console.log(/^\p{Lu}/u.test('Éa'), /(?<=\$)\d+/.exec('cost $42')![0], 'aBc'.replace(/b/i, 'X'));
console.log(/a.c/s.test('a\nc'), 'x'.padStart(3, '-'), /\p{Script=Greek}/u.test('α'));
console.log(/ab+c/gi, String(/x/y), 'a-b-c'.split(/-/));
export {};

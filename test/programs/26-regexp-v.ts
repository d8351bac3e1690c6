// expect-exit: 0
// RegExp v flag (unicodeSets): set difference/intersection, nested classes, string properties.
const notAscii = /^[\p{L}--[a-zA-Z]]+$/v;
console.log(notAscii.test('éàü'), notAscii.test('abc'), notAscii.flags, notAscii.unicodeSets, /x/u.unicodeSets);
const greekLetters = /[\p{Script=Greek}&&\p{Letter}]/gv;
console.log('αβγ 123 δ!'.match(greekLetters));
console.log(/^[[a-z]--[aeiou]]+$/v.test('bcdfg'), /^[[a-z]--[aeiou]]+$/v.test('bad'));
console.log(/[\q{abc|d}]/v.exec('xxabcx')?.[0], /^\p{RGI_Emoji}$/v.test('👍🏽'), /^\p{RGI_Emoji}$/v.source);
console.log('a-b_c'.replace(/[\p{P}--[_]]/gv, '+'), new RegExp('[\\d--[5-9]]', 'v').test('7'));
try { new RegExp('[a-z&&&b]', 'v'); } catch (e) { console.log((e as Error).name); }
try { new RegExp('a', 'uv'); } catch (e) { console.log((e as Error).name); }
console.log([...'a1b2c3'.matchAll(/[\p{L}&&[a-b]]/gv)].map((m) => m.index));
export {};

// expect-exit: 0
const d = new Date(Date.UTC(2024, 1, 29, 12, 34, 56, 789));
console.log(d.toISOString(), d.getTime(), d.getUTCDay());
console.log(JSON.stringify({ d }), new Date(0).toISOString());
const plus = new Date(d.getTime() + 86_400_000);
console.log(plus.toISOString().slice(0, 10), Date.UTC(1970, 0, 2));
console.log(new Date('2020-01-01T00:00:00Z').valueOf(), isNaN(new Date('garbage').getTime()));
const obj = { n: 1, s: 'str', a: [1, { b: null }], t: true, u: undefined, nested: { deep: { deeper: { deepest: 1 } } } };
const text = JSON.stringify(obj, null, 2);
console.log(text);
console.log(JSON.parse(text, (k, v) => (typeof v === 'number' ? v * 10 : v)));
console.log(JSON.stringify('\u2028\ud800'), JSON.stringify([NaN, Infinity, -0]));
try { JSON.parse('{bad'); } catch (e) { console.log('parse error is SyntaxError:', e instanceof SyntaxError); }
export {};

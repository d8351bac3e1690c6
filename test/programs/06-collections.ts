// expect-exit: 0
const m = new Map<string, number | object>([['a', 1], ['b', { nested: [1, 2] }]]);
m.set('c', 3);
console.log(m, m.size, [...m.keys()]);
const s = new Set([1, 'two', 3, 1]);
console.log(s, s.has('two'), s.size);
const wm = new WeakMap<object, string>(); const key = {}; wm.set(key, 'v');
console.log(wm.get(key), wm.has({}));
const ws = new WeakSet([key]); console.log(ws.has(key));
const grouped = [1, 2, 3, 4, 5, 6].reduce((acc, x) => { const k = x % 2 ? 'odd' : 'even'; (acc.get(k) ?? acc.set(k, []).get(k)!).push(x); return acc; }, new Map<string, number[]>());
console.log(grouped);
console.log([3, 1, 2].toSorted(), [1, 2, 3].findLast((x) => x < 3), [1, 2, 3].at(-1));
console.log(new Map([[{ k: 1 }, new Set(['x'])]]));
export {};

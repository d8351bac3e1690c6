// expect-exit: 0
const src: Record<string, unknown> = {
  n: 1, s: 'x', d: new Date(Date.UTC(2020, 0, 1)), r: /ab+/gi, m: new Map([['k', { v: 1 }]]), set: new Set([1, 2]),
  u8: new Uint8Array([1, 2, 3]), big: 10n, nested: { arr: [1, [2, 3]] }, und: undefined,
};
src.self = src;
const c = structuredClone(src);
console.log(c.self === c, c !== src, c.d instanceof Date, (c.d as Date).toISOString(), c.r, c.m, c.set, c.u8, c.big);
console.log(JSON.stringify(c.nested), 'und' in c);
const e = structuredClone(new RangeError('cloned'));
console.log(e instanceof RangeError, e.message);
try { structuredClone({ f: () => 1 }); } catch (err) { console.log((err as Error).name, (err as Error).message.includes('could not be cloned')); }
class Point { constructor(public x: number, public y: number) {} }
const p = structuredClone(new Point(1, 2)); console.log(p, p instanceof Point);
const shared = { v: 1 }; const pair = structuredClone([shared, shared]); console.log(pair[0] === pair[1]);
export {};

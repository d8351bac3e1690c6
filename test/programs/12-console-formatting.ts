// expect-exit: 0
console.log('%s is %d years and %i days, pi=%f', 'Bob', 42.5, 7.9, '3.14');
console.log('json %j obj %o Obj %O %%', { a: [1] }, { b: 2 }, { c: { d: 3 } });
console.log('%c styled', 'color: red', 'extra', 5);
console.log([1, [2, [3, [4, [5]]]]], { a: { b: { c: { d: {} } } } });
console.log(Array.from({ length: 120 }, (_, i) => i));
console.log('a'.repeat(20), ['a'.repeat(30), 'b'.repeat(30), 'c'.repeat(30)]);
console.log(-0, 0.1 + 0.2, 1e21, 123456789012345680000, NaN, [undefined, null], [, 1]);
// A class object itself prints as [Function: Foo] in the image (documented in os/runtime/README.md).
console.log(Symbol('sym'), function namedFn() {}, () => 1, Math.max);
console.log({ 'quoted-key': 1, valid_id: 2, 3: 'num' }, Object.create(null));
const circ: Record<string, unknown> = { name: 'c' }; circ.self = circ; console.log(circ);
console.log(new Error('shown with stack').message, [new Date(86400000)]);
console.log("it's", ["it's"], 'multi\nline', ['multi\nline']);
console.info('info'); console.debug('debug'); console.warn('warn to stderr'); console.error('error to stderr');
console.count(); console.count(); console.count('x'); console.countReset(); console.count();
console.assert(1 === 1, 'not shown'); console.assert(false, 'shown %s', 'formatted');
console.group('group'); console.log('inside'); console.group(); console.log('deeper'); console.groupEnd(); console.groupEnd(); console.log('outside');
console.dir({ a: { b: { c: { d: 1 } } } }, { depth: 0 });
console.log(new Map([['k', new Map([['k2', [1, 2]]])]]), new Set([[1, 2]]));
console.log([1.5, -2, 3n], { f: 1.0, g: -1e-7 }, 'tab\there');
export {};

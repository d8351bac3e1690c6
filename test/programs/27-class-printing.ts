// expect-exit: 0
// How console prints classes and functions (Node: [class K], [class K extends B], [Function: f]).
class Base {}
class Derived extends Base {}
class WithStatic { static count = 2; static label = 'x'; }
const Anonymous = (() => class {})();
class Child extends Derived { method(): void {} }
function plain(): void {}
const arrow = (): void => {};
async function asyncFn(): Promise<void> {}
function* gen(): Generator<number> { yield 1; }
console.log(Base, Derived, Child);
console.log(WithStatic);
console.log(Anonymous, [Base, plain], { k: Derived });
console.log(plain, arrow, asyncFn, gen);
console.log(Map, Promise, Array, Date);
console.log(typeof Base, Base.name, Derived.name, Object.getPrototypeOf(Derived) === Base);
console.log(String(new Child()), new Child(), new WithStatic());
class ErrorSub extends Error { constructor(m: string) { super(m); this.name = 'ErrorSub'; } }
console.log(ErrorSub, new ErrorSub('m') instanceof Error);
export {};

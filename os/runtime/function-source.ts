/**
 * `Function.prototype.toString` for classes in an image without function source.
 *
 * Images keep no source text (the bytecode compiler drops it), so quickjs-ng prints every
 * function, classes included, as `function K() { [native code] }`. Node's util.inspect tells a
 * class by its source (`class K ...`), so classes printed as `[Function: K]`. A class is still
 * recognisable without calling it: its `prototype` property is not writable, while an ordinary
 * or generator function's is (ECMA-262 §15.7.14 ClassDefinitionEvaluation, MakeConstructor).
 * Built-in constructors (Map, Error...) share that trait and print as functions in Node, so
 * they are recorded before the program runs and left alone. The engine's placeholder also
 * says `function` for async and generator functions, which inspect tells by the same text
 * (`async function`, `function*`); their kind comes from their prototype chain.
 */
export function installClassSource(global: Record<string, unknown> = globalThis as unknown as Record<string, unknown>): void {
  const nativeToString = Function.prototype.toString;
  const builtins = new WeakSet<Function>();
  for (const holder of [global, global.Intl as Record<string, unknown> | undefined]) {
    if (!holder) continue;
    for (const key of Object.getOwnPropertyNames(holder)) {
      const d = Object.getOwnPropertyDescriptor(holder, key);
      if (d && typeof d.value === 'function') builtins.add(d.value);
    }
  }
  const isClass = (fn: Function): boolean => {
    if (builtins.has(fn)) return false;
    const proto = Object.getOwnPropertyDescriptor(fn, 'prototype');
    return proto !== undefined && proto.writable === false;
  };
  const kinds = new Map<unknown, string>([
    [Object.getPrototypeOf(async function () {}), 'async function '],
    [Object.getPrototypeOf(function* () {}), 'function* '],
    [Object.getPrototypeOf(async function* () {}), 'async function* '],
  ]);
  const toString = {
    toString(this: Function): string {
      const text = nativeToString.call(this);
      if (!text.endsWith('[native code]\n}') || builtins.has(this)) return text;
      const nameDesc = Object.getOwnPropertyDescriptor(this, 'name')?.value;
      const name = typeof nameDesc === 'string' ? nameDesc : '';
      if (isClass(this)) return `class ${name} { [native code] }`;
      const kind = kinds.get(Object.getPrototypeOf(this));
      return kind === undefined ? text : `${kind}${name}() {\n    [native code]\n}`;
    },
  }.toString;
  Object.defineProperty(Function.prototype, 'toString', { value: toString, writable: true, configurable: true, enumerable: false });
}

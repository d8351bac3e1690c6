/**
 * util.isDeepStrictEqual (Node's strict deep equality): same prototypes, Object.is for
 * primitives, own enumerable keys (and symbols), Maps/Sets by content, Dates by time,
 * RegExps by source+flags, typed arrays by bytes, boxed primitives by value, cycles.
 */
export function isDeepStrictEqual(a: unknown, b: unknown): boolean {
  const memo = new Map<object, object>();
  const eq = (x: unknown, y: unknown): boolean => {
    if (Object.is(x, y)) return true;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return false;
    const tx = Object.prototype.toString.call(x);
    if (tx !== Object.prototype.toString.call(y)) return false;
    if (memo.get(x) === y) return true;
    memo.set(x, y);
    if (x instanceof Date) return Object.is(x.getTime(), (y as Date).getTime()) && keysEq(x, y);
    if (x instanceof RegExp) return x.source === (y as RegExp).source && x.flags === (y as RegExp).flags && x.lastIndex === (y as RegExp).lastIndex;
    if (x instanceof Error && (x.message !== (y as Error).message || x.name !== (y as Error).name)) return false;
    if (ArrayBuffer.isView(x)) {
      const bx = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
      const yv = y as ArrayBufferView;
      const by = new Uint8Array(yv.buffer, yv.byteOffset, yv.byteLength);
      if (bx.length !== by.length || bx.some((v, i) => v !== by[i])) return false;
      return keysEq(x, y, true);
    }
    if (x instanceof ArrayBuffer) {
      const bx = new Uint8Array(x), by = new Uint8Array(y as ArrayBuffer);
      return bx.length === by.length && bx.every((v, i) => v === by[i]);
    }
    for (const T of [Number, String, Boolean, BigInt, Symbol] as unknown as { prototype: { valueOf(): unknown } }[]) {
      if (x instanceof (T as unknown as Function)) {
        if (!Object.is(T.prototype.valueOf.call(x), T.prototype.valueOf.call(y))) return false;
      }
    }
    if (x instanceof Map) {
      const ym = y as Map<unknown, unknown>;
      if (x.size !== ym.size) return false;
      for (const [k, v] of x) {
        if (ym.has(k)) { if (!eq(v, ym.get(k))) return false; continue; }
        let found = false;
        for (const [k2, v2] of ym) if (eq(k, k2) && eq(v, v2)) { found = true; break; }
        if (!found) return false;
      }
      return keysEq(x, y);
    }
    if (x instanceof Set) {
      const ys = y as Set<unknown>;
      if (x.size !== ys.size) return false;
      for (const v of x) {
        if (ys.has(v)) continue;
        let found = false;
        for (const v2 of ys) if (typeof v === 'object' && eq(v, v2)) { found = true; break; }
        if (!found) return false;
      }
      return keysEq(x, y);
    }
    return keysEq(x, y);
  };
  const keysEq = (x: object, y: object, skipIndices = false): boolean => {
    const filter = (k: string): boolean => !skipIndices || !/^\d+$/.test(k);
    const kx = Object.keys(x).filter(filter), ky = Object.keys(y).filter(filter);
    if (kx.length !== ky.length) return false;
    const sx = Object.getOwnPropertySymbols(x).filter((s) => Object.prototype.propertyIsEnumerable.call(x, s));
    const sy = Object.getOwnPropertySymbols(y).filter((s) => Object.prototype.propertyIsEnumerable.call(y, s));
    if (sx.length !== sy.length) return false;
    for (const k of [...kx, ...sx]) {
      if (!Object.prototype.propertyIsEnumerable.call(y, k)) return false;
      if (!eq((x as Record<PropertyKey, unknown>)[k], (y as Record<PropertyKey, unknown>)[k])) return false;
    }
    return true;
  };
  return eq(a, b);
}

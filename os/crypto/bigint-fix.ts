/**
 * Works around an engine bug: QuickJS 2025-04-26 prints a BigInt whose bit length is a
 * multiple of 64 with a leading zero in radix 2 and 16 ((2n ** 256n - 1n).toString(2) has
 * 257 digits). @noble/curves and our RSA derive byte lengths from those strings, so without
 * this every 256-bit curve and 2048-bit key is mis-sized. Imported before @noble/curves
 * evaluates; a no-op on engines without the bug (Node, quickjs-ng).
 */
const probe = (2n ** 64n - 1n).toString(16);
if (probe.length !== 16) {
  const original = BigInt.prototype.toString;
  Object.defineProperty(BigInt.prototype, 'toString', {
    value: function toString(this: bigint, radix?: number): string {
      const s = original.call(this, radix);
      if (radix === undefined || radix === 10) return s;
      const neg = s[0] === '-';
      const digits = (neg ? s.slice(1) : s).replace(/^0+(?=.)/, '');
      return neg ? '-' + digits : digits;
    },
    writable: true, configurable: true, enumerable: false,
  });
}
export {};

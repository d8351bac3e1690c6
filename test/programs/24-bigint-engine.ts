// expect-exit: 0
// BigInt results quickjs-ng fixed (QuickJS 2025-04-26 printed a leading 0 / returned -1n).
console.log((0xb52e9a1c3f0d4e5fn).toString(16), (0xb52e9a1c3f0d4e5fn).toString(2).length);
console.log(BigInt.asUintN(64, -1n), BigInt.asIntN(64, 2n ** 63n), BigInt.asUintN(8, 257n), BigInt.asIntN(8, 255n));
const big = 2n ** 521n - 1n;
console.log(big.toString(36), big % 1000000007n, big.toString().length);
console.log(BigInt('0x' + 'f'.repeat(40)), BigInt('-12345678901234567890123'), BigInt('  42  '));
console.log((-(2n ** 200n)).toString(7), (123456789n * 987654321n) / 3n, -7n / 2n, -7n % 2n, 2n ** 64n >> 3n, -1n << 70n);
const a = new BigInt64Array([-1n, 2n ** 63n - 1n]);
const u = new BigUint64Array(a.buffer);
console.log(a, u, a[0] === -1n, typeof u[1]);
console.log([10n, 2n, -3n, 0n].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)), 5n > 4, 5n == 5 as unknown, Number(2n ** 53n + 1n));
try { BigInt(1.5); } catch (e) { console.log((e as Error).name); }
try { BigInt('1x'); } catch (e) { console.log((e as Error).name); }
console.log(JSON.stringify({ n: 1n }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)), 10n.toLocaleString === undefined);
export {};

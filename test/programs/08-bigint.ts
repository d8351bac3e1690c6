// expect-exit: 0
const big = 2n ** 100n;
console.log(big, big.toString(16), typeof big);
console.log(BigInt.asUintN(8, 257n), BigInt.asIntN(8, 255n));
let f = 1n; for (let i = 1n; i <= 25n; i++) f *= i;
console.log('25! =', f);
console.log(10n / 3n, -7n % 3n, 5n > 4, 5n == 5 as unknown as bigint, BigInt('0x1f'));
console.log(JSON.stringify({ v: big.toString() }), [1n, 2n]);
export {};

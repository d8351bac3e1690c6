// Allocates until the JavaScript heap limit is reached.
const hoard: number[][] = [];
for (let i = 0; ; i++) {
  hoard.push(new Array(100_000).fill(i));
  if (i % 50 === 0) console.log(`allocated ${i * 0.8} MB`);
}

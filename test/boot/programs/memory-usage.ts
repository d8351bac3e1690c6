// process.memoryUsage() reports the core heap: numbers that move with the program.
const a = new Array(200_000).fill(1);
const m = process.memoryUsage();
console.log(m.heapUsed > 1_000_000, m.heapTotal > m.heapUsed, m.rss >= m.heapUsed, a.length);

// Out-of-memory behaviours, chosen by argv[2]:
//   small  - many small objects until the heap is full: exit 122, never a fault
//   caught - the program catches the out-of-memory error and allocates on: still exit 122, and
//            the catch block runs at most once (the core stops the program at its next check)
//   large  - one impossible ArrayBuffer fails alone and is catchable; the program goes on
const mode = process.argv[2];
const limit = process.memoryUsage().heapTotal;
const kept: unknown[] = [];
if (mode === 'small') {
  for (let i = 0; ; i++) kept.push({ i, s: `item ${i}` });
} else if (mode === 'caught') {
  for (;;) {
    try {
      for (let i = 0; ; i++) kept.push([i, i + 1, i + 2]);
    } catch (e) {
      console.log(`caught ${(e as Error).name}`);
    }
  }
} else if (mode === 'large') {
  try {
    new ArrayBuffer(Math.floor(limit * 2));
    console.log('allocated?');
  } catch (e) {
    console.log(`caught ${e instanceof Error}`);
  }
  const after = new Uint8Array(1024);
  console.log(`survived ${after.length}`);
}
export {};

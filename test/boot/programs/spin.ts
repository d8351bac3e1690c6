// Never returns to the event loop: with --cpu-budget the VM stops it.
setTimeout(() => {
  console.log('spinning');
  let x = 0;
  for (;;) x = (x + 1) % 1000;
}, 10);

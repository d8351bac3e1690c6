// expect-exit: 1
console.log('before');
process.on('exit', (code) => console.log('exit event', code));
function fail(): never {
  throw new TypeError('something broke');
}
setTimeout(() => fail(), 1);
export {};

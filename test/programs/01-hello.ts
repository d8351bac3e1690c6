// expect-exit: 0
console.log('Hello from Nimbus');
console.log(1 + 2, 'two', true, null, undefined);
export {};

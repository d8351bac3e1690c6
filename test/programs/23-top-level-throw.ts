// expect-exit: 1
console.log('about to throw');
const e = new Error('top-level failure') as Error & { code: string };
e.code = 'E_TOP';
throw e;
export {};

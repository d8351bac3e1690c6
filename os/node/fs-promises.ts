/** node:fs/promises (os/node/fs/promises.ts). */
export * from './fs/promises.ts';
export { default } from './fs/promises.ts';

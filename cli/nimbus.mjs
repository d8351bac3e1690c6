#!/usr/bin/env node
// Entry point of the `nimbus` command. `make` bundles the TypeScript CLI into
// build/nimbus-cli.mjs (fast start); without it, the sources run through tsx.
import { existsSync } from 'node:fs';

const bundled = new URL('../build/nimbus-cli.mjs', import.meta.url);
let main;
if (existsSync(bundled) && !process.env.NIMBUS_CLI_FROM_SOURCE) {
  ({ main } = await import(bundled.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('./main.ts'));
}
process.exitCode = await main(process.argv.slice(2));

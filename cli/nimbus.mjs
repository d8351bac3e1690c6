#!/usr/bin/env node
// Entry point of the `nimbus` command. `make` bundles the TypeScript CLI into
// build/nimbus-cli.mjs (fast start); when that bundle is missing or older than the
// sources, the sources run through tsx instead.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundled = new URL('../build/nimbus-cli.mjs', import.meta.url);
const cliDir = fileURLToPath(new URL('.', import.meta.url));

function bundleIsFresh() {
  if (process.env.NIMBUS_CLI_FROM_SOURCE || !existsSync(bundled)) return false;
  const built = statSync(bundled).mtimeMs;
  return readdirSync(cliDir, { recursive: true }).every((f) => !f.endsWith('.ts') || f.endsWith('.test.ts') || statSync(cliDir + f).mtimeMs <= built);
}

let main;
if (bundleIsFresh()) {
  ({ main } = await import(bundled.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('./main.ts'));
}
process.exitCode = await main(process.argv.slice(2));

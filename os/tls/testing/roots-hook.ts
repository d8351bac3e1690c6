/**
 * Node-only test helper: lets unit tests import the image's node:tls (os/node/tls.ts) under
 * plain Node. The build resolves `nimbus:root-certificates` (cli/modules.ts); here a module
 * resolution hook maps it to the running Node's own tls.rootCertificates. Import this first
 * and load the image's modules with a dynamic import() afterwards.
 */
import { register } from 'node:module';

const roots = 'data:text/javascript,' + encodeURIComponent('import t from "node:tls"; export default t.rootCertificates;');
const hook = `export async function resolve(spec, ctx, next) {
  if (spec === 'nimbus:root-certificates') return { url: ${JSON.stringify(roots)}, shortCircuit: true };
  return next(spec, ctx);
}`;
register('data:text/javascript,' + encodeURIComponent(hook));

/** Helpers for tests that boot real images in QEMU (TCG): build once, boot, capture output. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { buildImage } from '../../cli/build.ts';
import { runImage, type RunOptions } from '../../cli/run.ts';
import { ROOT } from '../../cli/paths.ts';

export const TEST_IMAGE_DIR = path.join(ROOT, 'build', 'test-images');

export async function buildTestImage(entry: string, name = path.basename(entry).replace(/\.[^.]+$/, '')): Promise<string> {
  mkdirSync(TEST_IMAGE_DIR, { recursive: true });
  const r = await buildImage({ entry, output: path.join(TEST_IMAGE_DIR, `${name}.img`) });
  return r.image;
}

export interface BootResult { stdout: string; stderr: string; code: number; timing: Record<string, number> }

export async function boot(image: string, opts: Partial<RunOptions> = {}): Promise<BootResult> {
  const out: Buffer[] = [], err: Buffer[] = [];
  let timing: Record<string, number> = {};
  const code = await runImage({
    image, memMiB: 64, machine: 'microvm', args: [], env: {}, ports: [], net: { kind: 'none' },
    stdout: (b) => out.push(Buffer.from(b)), stderr: (b) => err.push(Buffer.from(b)),
    timing: (t) => (timing = t),
    ...opts,
  });
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code, timing };
}

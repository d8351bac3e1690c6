/** Helpers for tests that boot real images in QEMU (TCG): build once, boot, capture output. */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildImage } from '../../cli/build.ts';
import { runImage, type RunOptions } from '../../cli/run.ts';
import { ROOT } from '../../cli/paths.ts';

export const TEST_IMAGE_DIR = path.join(ROOT, 'build', 'test-images');

/**
 * Builds `entry` into build/test-images/<name>.img. A `// nimbus-locale: de,fr` line in the
 * entry builds it with `--locale de,fr` (Intl data beyond en).
 */
export async function buildTestImage(entry: string, name = path.basename(entry).replace(/\.[^.]+$/, '')): Promise<string> {
  mkdirSync(TEST_IMAGE_DIR, { recursive: true });
  const locales = /^\/\/ nimbus-locale: (.+)$/m.exec(readFileSync(entry, 'utf8'))?.[1]?.split(',');
  const r = await buildImage({ entry, output: path.join(TEST_IMAGE_DIR, `${name}.img`), locales });
  return r.image;
}

export interface BootResult { stdout: string; stderr: string; code: number; timing: Record<string, number> }

/** Starts a VM (64 MiB, microvm, no network unless `opts` say otherwise) and collects its output. */
function launch(image: string, opts: Partial<RunOptions>) {
  const out: Buffer[] = [], err: Buffer[] = [];
  let timing: Record<string, number> = {};
  const done = runImage({
    image, memMiB: 64, machine: 'microvm', args: [], env: {}, ports: [], net: { kind: 'none' },
    stdout: (b) => out.push(Buffer.from(b)), stderr: (b) => err.push(Buffer.from(b)),
    timing: (t) => (timing = t),
    ...opts,
  });
  const output = () => ({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
  return { done, output, timing: () => timing };
}

export async function boot(image: string, opts: Partial<RunOptions> = {}): Promise<BootResult> {
  const vm = launch(image, opts);
  const code = await vm.done;
  return { ...vm.output(), code, timing: vm.timing() };
}

/** A free TCP port on 127.0.0.1 (bound and released; good enough for tests). */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface ServerVm {
  hostPort: number;
  output(): { stdout: string; stderr: string };
  /** Stops the VM (if still running) and returns its result. */
  stop(): Promise<BootResult>;
  /** Resolves when the VM's stdout contains `text` (rejects after `timeoutMs`). */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
}

/** Boots an image that serves on `guestPort`, forwarded from a free host port. */
export async function startServerVm(image: string, guestPort: number, opts: Partial<RunOptions> = {}): Promise<ServerVm> {
  const hostPort = await freePort();
  const abort = new AbortController();
  const vm = launch(image, {
    net: { kind: 'user' }, ports: [{ hostAddress: '127.0.0.1', hostPort, guestPort, proto: 'tcp' }],
    signal: abort.signal, ...opts,
  });
  let finished = false;
  void vm.done.then(() => (finished = true));
  const output = vm.output;
  return {
    hostPort,
    output,
    async stop() {
      abort.abort();
      const code = await vm.done;
      return { ...output(), code, timing: vm.timing() };
    },
    async waitFor(text, timeoutMs = 60_000) {
      const t0 = Date.now();
      while (Date.now() - t0 < timeoutMs) {
        const { stdout } = output();
        if (typeof text === 'string' ? stdout.includes(text) : text.test(stdout)) return;
        if (finished) throw new Error(`VM exited before printing ${text}: ${JSON.stringify(output())}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`VM did not print ${text} within ${timeoutMs} ms: ${JSON.stringify(output())}`);
    },
  };
}

/**
 * The packed core against the same core unpacked (docs/architecture.md, "The packed core"):
 * examples/hello built once, its payload written onto build/core.elf and onto
 * build/core-unpacked.elf, the two images booted alternately on microvm. Prints file sizes and
 * medians of the guest's T record (unpack_us, entry_to_first_output_us) and the CLI's wall time.
 * `node --import tsx bench/profile/packed-core.ts [rounds]` (default 10).
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildImage } from '../../cli/build.ts';
import { writeImage } from '../../cli/image.ts';
import { runImage } from '../../cli/run.ts';
import { ROOT } from '../../cli/paths.ts';

const rounds = Number(process.argv[2] ?? 10);
const dir = path.join(ROOT, 'build', 'bench');
mkdirSync(dir, { recursive: true });
const packed = (await buildImage({ entry: path.join(ROOT, 'examples', 'hello', 'main.ts'), output: path.join(dir, 'hello-packed.img') })).image;

/** The payload (cli/image.ts: magic, version, bytecode and source-map lengths) of an image. */
function payloadOf(image: Buffer): { bytecode: Uint8Array; sourceMap: Uint8Array } {
  const at = image.lastIndexOf(Buffer.from('NBPL', 'latin1'));
  const bc = image.readUInt32LE(at + 8), map = image.readUInt32LE(at + 12);
  return { bytecode: image.subarray(at + 16, at + 16 + bc), sourceMap: image.subarray(at + 16 + bc, at + 16 + bc + map) };
}
const unpacked = path.join(dir, 'hello-unpacked.img');
writeFileSync(unpacked, writeImage(readFileSync(path.join(ROOT, 'build', 'core-unpacked.elf')), payloadOf(readFileSync(packed))).image);

const samples: Record<string, { unpack: number[]; first: number[]; wall: number[] }> = {};
for (let r = 0; r < rounds; r++) {
  for (const image of [packed, unpacked]) {
    let timing: Record<string, number> = {};
    const t0 = performance.now();
    const code = await runImage({
      image, memMiB: 16, machine: 'microvm', args: [], env: {}, ports: [], net: { kind: 'none' },
      stdout: () => {}, stderr: (b) => process.stderr.write(b), timing: (t) => (timing = t),
    });
    const wall = performance.now() - t0;
    if (code !== 0) throw new Error(`${image} exited ${code}`);
    const s = (samples[image] ??= { unpack: [], first: [], wall: [] });
    s.unpack.push(timing.unpack_us / 1000);
    s.first.push(timing.entry_to_first_output_us / 1000);
    s.wall.push(wall);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`| image (${rounds} boots each, alternated) | file | unpack_us (median) | PVH entry to first output (median) | nimbus run wall (median) |`);
console.log('| --- | --- | --- | --- | --- |');
for (const [image, s] of Object.entries(samples)) {
  console.log(`| ${path.basename(image)} | ${statSync(image).size.toLocaleString('en-US')} B | ${median(s.unpack).toFixed(2)} ms | ${median(s.first).toFixed(1)} ms | ${median(s.wall).toFixed(0)} ms |`);
}

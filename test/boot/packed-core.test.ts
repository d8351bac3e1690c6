/**
 * The packed core (tools/pack-core.c, core/platform/pvh/unpack/): build/core.elf stores the
 * core's code as one LZ4 block that the guest unpacks in place at boot. These tests check the
 * file's layout, that both machine types boot it and report the unpacking in the T record, that
 * a damaged block or check value ends the boot with a clear message and EXIT_CORE_PANIC (120)
 * instead of running damaged code, and that the packer refuses what it cannot pack.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { boot, buildTestImage, TEST_IMAGE_DIR } from './vm.ts';
import { ROOT } from '../../cli/paths.ts';

const HELLO = path.join(ROOT, 'examples', 'hello', 'main.ts');
const CORE = path.join(ROOT, 'build', 'core.elf');
const UNPACKED = path.join(ROOT, 'build', 'core-unpacked.elf');
const PACKER = path.join(ROOT, 'build', 'nimbus-pack-core');
const PT_NULL = 0, PT_LOAD = 1;

interface Phdr { type: number; offset: number; vaddr: number; filesz: number; memsz: number }

function programHeaders(file: Buffer): Phdr[] {
  const phoff = Number(file.readBigUInt64LE(0x20)), size = file.readUInt16LE(0x36), count = file.readUInt16LE(0x38);
  return Array.from({ length: count }, (_, i) => {
    const at = phoff + i * size;
    return {
      type: file.readUInt32LE(at), offset: Number(file.readBigUInt64LE(at + 8)), vaddr: Number(file.readBigUInt64LE(at + 16)),
      filesz: Number(file.readBigUInt64LE(at + 32)), memsz: Number(file.readBigUInt64LE(at + 40)),
    };
  });
}

/** The descriptor core_unpack reads: magic, then src, packed size, unpacked size, check value. */
function descriptorAt(file: Buffer): number {
  const at = file.indexOf('NIMBUS-PACKED01\0', 0, 'latin1');
  assert.ok(at > 0, 'the packed core has the unpacker descriptor');
  return at;
}

test('build/core.elf holds the core code as one LZ4 block, placed to unpack in place', () => {
  const packed = readFileSync(CORE), unpacked = readFileSync(UNPACKED);
  const ph = programHeaders(packed), uph = programHeaders(unpacked);
  assert.equal(uph[1].type, PT_LOAD, 'the unpacked core loads its code (header 1)');
  assert.equal(ph[1].type, PT_NULL, 'the packed core loads nothing at the code region');
  const tail = ph[4], data = ph[2], code = uph[1];
  assert.equal(tail.type, PT_LOAD);
  const d = descriptorAt(packed);
  const [src, packedSize, unpackedSize] = [0, 1, 2].map((i) => Number(packed.readBigUInt64LE(d + 16 + 8 * i)));
  assert.equal(src, tail.vaddr, 'the descriptor names where the block is loaded');
  assert.equal(packedSize, tail.filesz);
  assert.equal(unpackedSize, code.filesz, 'it unpacks to the whole code segment');
  assert.ok(tail.vaddr >= code.vaddr && tail.vaddr + tail.filesz <= data.vaddr, 'the block lies inside the region it unpacks into, before .data');
  assert.ok(tail.vaddr + tail.filesz >= code.vaddr + code.filesz + (packedSize >> 8) + 32, "LZ4's in-place margin is kept");
  assert.ok(statSync(CORE).size < 0.7 * statSync(UNPACKED).size, `packed ${statSync(CORE).size} B against ${statSync(UNPACKED).size} B`);
  const report = JSON.parse(readFileSync(path.join(ROOT, 'build', 'core-pack.json'), 'utf8'));
  assert.deepEqual(report, { unpacked: unpackedSize, packed: packedSize, file: statSync(CORE).size });
});

for (const machine of ['microvm', 'q35'] as const) {
  test(`a packed image boots on ${machine} and reports the unpacking in its timing`, async () => {
    const image = await buildTestImage(HELLO, 'packed-hello');
    const r = await boot(image, { machine });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /hello/i);
    const t = r.timing;
    assert.ok(t.unpack_us > 0 && t.unpack_us < t.entry_to_js_us, JSON.stringify(t));
    // The phases before JS are each measured and lie inside entry_to_js (each rounds down).
    for (const phase of ['platform_init_us', 'calibrate_us', 'engine_init_us'] as const) assert.ok(t[phase]! > 0, `${phase} in ${JSON.stringify(t)}`);
    const phases = t.unpack_us + t.platform_init_us! + t.calibrate_us! + t.engine_init_us!;
    assert.ok(phases <= t.entry_to_js_us && phases > 0.9 * t.entry_to_js_us, `phases ${phases} µs against entry_to_js ${JSON.stringify(t)}`);
  });
}

test('a damaged packed core ends the boot with a clear message and exit 120', async () => {
  const image = await buildTestImage(HELLO, 'packed-hello');
  const good = readFileSync(image);
  const tail = programHeaders(good)[4];

  // Bytes of the block overwritten: LZ4 rejects the block, or the check value catches the result.
  const broken = Buffer.from(good);
  broken.fill(0xff, tail.offset + (tail.filesz >> 1), tail.offset + (tail.filesz >> 1) + 64);
  const brokenPath = path.join(TEST_IMAGE_DIR, 'packed-damaged.img');
  writeFileSync(brokenPath, broken);
  const r1 = await boot(brokenPath);
  assert.equal(r1.code, 120, r1.stderr);
  assert.match(r1.stderr, /nimbus: core panic: the image's packed core is damaged: /);

  // A block LZ4 accepts but whose result differs: only the check value can tell.
  const wrongCheck = Buffer.from(good);
  const d = descriptorAt(wrongCheck);
  wrongCheck.writeBigUInt64LE(wrongCheck.readBigUInt64LE(d + 40) ^ 1n, d + 40);
  const wrongPath = path.join(TEST_IMAGE_DIR, 'packed-wrong-check.img');
  writeFileSync(wrongPath, wrongCheck);
  const r2 = await boot(wrongPath);
  assert.equal(r2.code, 120, r2.stderr);
  assert.match(r2.stderr, /packed core is damaged: the unpacked code does not match its check value/);
});

test('the packer refuses a core it has packed already and a file that is no core', () => {
  const again = spawnSync(PACKER, [CORE, path.join(TEST_IMAGE_DIR, 'packed-twice.elf')], { encoding: 'utf8' });
  assert.equal(again.status, 1);
  assert.match(again.stderr, /^pack-core: this core is packed already\n$/);
  const notElf = path.join(TEST_IMAGE_DIR, 'not-a-core.bin');
  writeFileSync(notElf, Buffer.alloc(4096, 0x41));
  const r = spawnSync(PACKER, [notElf, path.join(TEST_IMAGE_DIR, 'not-a-core.elf')], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^pack-core: the input is not a little-endian ELF64 file/);
});

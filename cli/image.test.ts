import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { CORE_ELF } from './paths.ts';
import { buildPayload, writeImage } from './image.ts';

const core = existsSync(CORE_ELF) ? readFileSync(CORE_ELF) : undefined;
const skip = core ? false : 'build/core.elf not built (run make)';

test('writeImage points the spare PT_LOAD at the payload, above the core, and patches the descriptor', { skip }, () => {
  const bytecode = new Uint8Array([1, 2, 3, 4, 5]);
  const sourceMap = new TextEncoder().encode('{"version":3}');
  const r = writeImage(core!, { bytecode, sourceMap });
  const v = new DataView(r.image.buffer);
  const phoff = Number(v.getBigUint64(0x20, true)), phentsize = v.getUint16(0x36, true), phnum = v.getUint16(0x38, true);
  const loads = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (v.getUint32(at, true) === 1) {
      loads.push({ offset: Number(v.getBigUint64(at + 8, true)), paddr: Number(v.getBigUint64(at + 24, true)), filesz: Number(v.getBigUint64(at + 32, true)), memsz: Number(v.getBigUint64(at + 40, true)) });
    }
  }
  const payload = loads.find((l) => l.paddr === r.payloadPhys)!;
  assert.ok(payload, 'a PT_LOAD at the payload address');
  assert.equal(r.payloadPhys % 4096, 0);
  for (const l of loads) if (l !== payload) assert.ok(l.paddr + l.memsz <= r.payloadPhys, 'payload above every core segment');
  const bytes = r.image.subarray(payload.offset, payload.offset + payload.filesz);
  assert.deepEqual(Buffer.from(bytes), Buffer.from(buildPayload({ bytecode, sourceMap })));
  const desc = Buffer.from(r.image).indexOf('NIMBUS-PAYLOAD1\0', 0, 'latin1');
  assert.equal(Number(v.getBigUint64(desc + 16, true)), r.payloadPhys);
  assert.equal(Number(v.getBigUint64(desc + 24, true)), payload.filesz);
});

test('writeImage refuses a file that is not ELF64 and an image that already holds a program', { skip }, () => {
  assert.throws(() => writeImage(new Uint8Array(64), { bytecode: new Uint8Array(1) }), /not a little-endian ELF64 file/);
  const once = writeImage(core!, { bytecode: new Uint8Array(1) }).image;
  assert.throws(() => writeImage(once, { bytecode: new Uint8Array(1) }), /no free payload segment/);
});

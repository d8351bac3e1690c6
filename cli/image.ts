/**
 * Image writer: a prebuilt core ELF + the program's bytecode = a bootable image (DESIGN
 * decision 10: no C compiler at build time). The core's linker script reserves an empty
 * PT_LOAD program header for the payload; we append the payload at the end of the file,
 * point that header at it (loaded just above the core's memory image), and patch the
 * core's `nimbus_payload` descriptor, found by its magic, with the load address and size.
 */

const PT_LOAD = 1;
const PF_R = 4;
const PAGE = 4096;
const DESC_MAGIC = 'NIMBUS-PAYLOAD1\0';
const PAYLOAD_MAGIC = 0x4c50424e; // "NBPL"

export interface ImageParts {
  bytecode: Uint8Array;
  sourceMap?: Uint8Array;
}

export interface ImageLayout {
  image: Uint8Array;
  coreBytes: number;
  payloadBytes: number;
  payloadPhys: number;
}

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

export function buildPayload(parts: ImageParts): Uint8Array {
  const map = parts.sourceMap ?? new Uint8Array(0);
  const out = new Uint8Array(16 + parts.bytecode.length + map.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, PAYLOAD_MAGIC, true);
  view.setUint32(4, 1, true);
  view.setUint32(8, parts.bytecode.length, true);
  view.setUint32(12, map.length, true);
  out.set(parts.bytecode, 16);
  out.set(map, 16 + parts.bytecode.length);
  return out;
}

export function writeImage(core: Uint8Array, parts: ImageParts): ImageLayout {
  const view = new DataView(core.buffer, core.byteOffset, core.byteLength);
  if (view.getUint32(0) !== 0x7f454c46 || core[4] !== 2 || core[5] !== 1) {
    throw new Error('core image is not a little-endian ELF64 file');
  }
  const phoff = Number(view.getBigUint64(0x20, true));
  const phentsize = view.getUint16(0x36, true);
  const phnum = view.getUint16(0x38, true);
  let placeholder = -1;
  let coreEnd = 0;
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (view.getUint32(at, true) !== PT_LOAD) continue;
    const paddr = Number(view.getBigUint64(at + 24, true));
    const memsz = Number(view.getBigUint64(at + 40, true));
    if (memsz === 0 && view.getBigUint64(at + 32, true) === 0n) placeholder = at;
    else coreEnd = Math.max(coreEnd, paddr + memsz);
  }
  if (placeholder < 0) throw new Error('core image has no free payload segment (was it already written?)');
  const descAt = Buffer.from(core.buffer, core.byteOffset, core.byteLength).indexOf(DESC_MAGIC, 0, 'latin1');
  if (descAt < 0) throw new Error('core image has no payload descriptor');

  const payload = buildPayload(parts);
  const fileOffset = alignUp(core.length, PAGE);
  const phys = alignUp(coreEnd, PAGE);
  const image = new Uint8Array(fileOffset + payload.length);
  image.set(core);
  image.set(payload, fileOffset);
  const out = new DataView(image.buffer);
  out.setUint32(placeholder, PT_LOAD, true);
  out.setUint32(placeholder + 4, PF_R, true);
  out.setBigUint64(placeholder + 8, BigInt(fileOffset), true);
  out.setBigUint64(placeholder + 16, BigInt(phys), true);
  out.setBigUint64(placeholder + 24, BigInt(phys), true);
  out.setBigUint64(placeholder + 32, BigInt(payload.length), true);
  out.setBigUint64(placeholder + 40, BigInt(payload.length), true);
  out.setBigUint64(placeholder + 48, BigInt(PAGE), true);
  out.setBigUint64(descAt + 16, BigInt(phys), true);
  out.setBigUint64(descAt + 24, BigInt(payload.length), true);
  return { image, coreBytes: core.length, payloadBytes: payload.length, payloadPhys: phys };
}

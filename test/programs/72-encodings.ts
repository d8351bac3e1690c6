// expect-exit: 0
// TextDecoder for windows-1252 (latin1) and utf-16le, streaming and BOMs; Buffer's base64url.
import { Buffer as NodeBuffer } from 'node:buffer';

const show = (s: string) => JSON.stringify(s);
const all = Uint8Array.from({ length: 256 }, (_, i) => i);
for (const label of ['latin1', 'ISO-8859-1', 'windows-1252', 'ascii']) {
  const d = new TextDecoder(label);
  console.log(label, d.encoding, show(d.decode(all.subarray(0x7e, 0xa2))), d.decode(all).length);
}
const u16 = new TextDecoder('utf-16le');
console.log(u16.encoding, show(u16.decode(new Uint8Array([0xff, 0xfe, 0x68, 0, 0xe9, 0, 0x3d, 0xd8, 0x00, 0xde]))));
const stream = new TextDecoder('utf-16');
const bytes = [0x68, 0, 0x69, 0, 0x3d, 0xd8, 0x00, 0xde, 0x21, 0];
let out = '';
for (const b of bytes) out += stream.decode(new Uint8Array([b]), { stream: true });
out += stream.decode();
console.log('stream', show(out), stream.encoding);
console.log('lone surrogate', show(new TextDecoder('utf-16le').decode(new Uint8Array([0x00, 0xd8, 0x41, 0]))));
console.log('odd byte', show(new TextDecoder('utf-16le').decode(new Uint8Array([0x41, 0, 0x42]))));
try { new TextDecoder('utf-16le', { fatal: true }).decode(new Uint8Array([0x00, 0xdc])); } catch (e) { console.log((e as Error).name, (e as { code: string }).code); }
console.log('bom kept', show(new TextDecoder('utf-16le', { ignoreBOM: true }).decode(new Uint8Array([0xff, 0xfe, 0x41, 0]))));
try { new TextDecoder('klingon'); } catch (e) { console.log((e as Error).name, (e as Error).message); }

const raw = Buffer.from([0xfb, 0xff, 0xbf, 0x00, 0x3e, 0x3f]);
console.log(raw.toString('base64'), raw.toString('base64url'), Buffer.from(raw.toString('base64url'), 'base64url').equals(raw));
console.log(Buffer.byteLength('-_-_', 'base64url'), Buffer.isEncoding('base64url'), Buffer.isEncoding('BASE64URL'));
const w = Buffer.alloc(4);
console.log(w.write('AQID', 'base64url'), [...w]);
console.log(NodeBuffer.from('aGk_Pz4-', 'base64url').toString(), NodeBuffer.from('hi??>>').toString('base64url'));

// expect-exit: 0
const enc = new TextEncoder();
const bytes = enc.encode('héllo €𝄞');
console.log(bytes, bytes.length);
const dec = new TextDecoder();
console.log(dec.decode(bytes), dec.encoding);
console.log(new TextDecoder().decode(new Uint8Array([0xff, 0x61, 0xe2, 0x82, 0x62, 0xf0, 0x9f, 0x98])));
try { new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xc3])); } catch (e) { console.log('fatal:', (e as Error).name); }
const s = new TextDecoder();
const parts = [new Uint8Array([0xe2, 0x82]), new Uint8Array([0xac, 0x41])];
console.log(parts.map((p) => s.decode(p, { stream: true })).join('') + s.decode());
console.log(JSON.stringify(new TextDecoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]))), JSON.stringify(new TextDecoder('utf-8', { ignoreBOM: true }).decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]))));
const into = new Uint8Array(5); console.log(enc.encodeInto('a€b', into), into);
console.log(btoa('hello'), atob('aGVsbG8='), btoa(String.fromCharCode(255, 0, 128)));
try { btoa('€'); } catch (e) { console.log('btoa error', (e as Error).name); }
export {};

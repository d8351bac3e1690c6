// expect-exit: 0
import { Buffer } from 'node:buffer';
const b = Buffer.from('Hello, Nimbus');
console.log(b.toString('hex'), b.toString('base64'), b.length);
console.log(Buffer.from('48656c6c6f', 'hex').toString(), Buffer.from('SGk=', 'base64').toString('utf8'));
const c = Buffer.alloc(8); c.writeUInt32BE(0xcafebabe, 0); c.writeInt16LE(-2, 4);
console.log(c.readUInt32BE(0).toString(16), c.readInt16LE(4), c.toJSON());
console.log(Buffer.concat([Buffer.from('ab'), Buffer.from('cd')]).toString(), Buffer.byteLength('€'), Buffer.compare(Buffer.from('a'), Buffer.from('b')));
console.log(b.subarray(0, 5).toString(), b.indexOf('Nimbus'), b.equals(Buffer.from('Hello, Nimbus')), Buffer.isBuffer(b));
console.log(globalThis.Buffer === Buffer, b.slice(-6).toString('latin1'));

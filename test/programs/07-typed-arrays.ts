// expect-exit: 0
const buf = new ArrayBuffer(16);
const u8 = new Uint8Array(buf);
const dv = new DataView(buf);
dv.setUint32(0, 0xdeadbeef);
dv.setFloat64(8, Math.PI, true);
console.log(u8);
console.log(dv.getUint32(0).toString(16), dv.getFloat64(8, true));
const i16 = new Int16Array([1, -2, 30000, -32768]);
console.log(i16, i16.length, i16.byteLength);
const f32 = Float32Array.from([1.5, 2.25, -0]);
console.log(f32, Array.from(f32));
console.log(new Uint8Array([1, 2, 3, 4]).subarray(1, 3), new Uint8ClampedArray([300, -5]));
console.log(new BigInt64Array([1n, -1n]), new Uint8Array(200).length);
console.log(new Uint8Array(150));
export {};

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as ours from './encoding.ts';

test('TextEncoder matches Node on arbitrary strings, lone surrogates included', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
    assert.deepEqual(new ours.TextEncoder().encode(s), new globalThis.TextEncoder().encode(s));
  }));
});

test('TextDecoder matches Node on arbitrary bytes (replacement of ill-formed sequences)', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
    assert.equal(new ours.TextDecoder().decode(b), new globalThis.TextDecoder().decode(b));
  }));
});

test('streaming decode across every split point equals one-shot decode', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 24 }), fc.nat(24), (b, k) => {
    const cut = Math.min(k, b.length);
    const d = new ours.TextDecoder();
    const s = d.decode(b.subarray(0, cut), { stream: true }) + d.decode(b.subarray(cut));
    assert.equal(s, new globalThis.TextDecoder().decode(b));
  }));
});

test('fatal mode throws TypeError; BOM is stripped unless ignoreBOM', () => {
  assert.throws(() => new ours.TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xc3])), TypeError);
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, 0x41]);
  assert.equal(new ours.TextDecoder().decode(bom), 'A');
  assert.equal(new ours.TextDecoder('utf8', { ignoreBOM: true }).decode(bom), '\ufeffA');
  assert.throws(() => new ours.TextDecoder('klingon'), RangeError);
  assert.equal(new ours.TextDecoder('latin1').decode(new Uint8Array([0x41, 0x80, 0xe9])), 'A\u0080é');
  assert.equal(new ours.TextDecoder('utf-16le').decode(new Uint8Array([0x41, 0, 0x3d, 0xd8, 0x00, 0xde])), 'A😀');
});

test('encodeInto stops before a character that does not fit', () => {
  const dest = new Uint8Array(4);
  assert.deepEqual(new ours.TextEncoder().encodeInto('a€b', dest), new globalThis.TextEncoder().encodeInto('a€b', new Uint8Array(4)));
});

test('atob/btoa match Node, including forgiving whitespace and errors', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
    const bin = String.fromCharCode(...b);
    assert.equal(ours.btoa(bin), globalThis.btoa(bin));
    assert.equal(ours.atob(globalThis.btoa(bin)), bin);
  }));
  assert.equal(ours.atob(' aGk '), 'hi');
  assert.equal(ours.atob('aGk'), 'hi');
  assert.throws(() => ours.atob('a'), { name: 'InvalidCharacterError' });
  assert.throws(() => ours.btoa('€'), { name: 'InvalidCharacterError' });
});

test('base64url round-trips', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
    const s = ours.base64Encode(b, true);
    assert.equal(s, Buffer.from(b).toString('base64url'));
    assert.deepEqual(ours.base64Decode(s), b);
  }));
});

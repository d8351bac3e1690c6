/** node:punycode (deprecated in Node, still imported): the npm `punycode` package Node's own copy comes from. */
import impl from 'punycode/punycode.js';

const p = impl as typeof import('punycode');
export const { decode, encode, toASCII, toUnicode, ucs2, version } = p;
export default p;

/** node:buffer: the npm `buffer` package (Node's Buffer API on Uint8Array), plus web helpers. */
import { Buffer, SlowBuffer, INSPECT_MAX_BYTES, kMaxLength } from 'buffer/index.js';
import { atob, btoa } from '../runtime/encoding.ts';
import { addBase64Url } from '../runtime/buffer-base64url.ts';
import { addNativeFill } from '../runtime/buffer-fill.ts';

import { Blob, File } from '../web/blob.ts';

addBase64Url(Buffer as never);
addNativeFill(Buffer as never);

export { Buffer, SlowBuffer, INSPECT_MAX_BYTES, kMaxLength, atob, btoa, Blob, File };
export const constants = { MAX_LENGTH: kMaxLength, MAX_STRING_LENGTH: 2 ** 29 - 24 };
export default { Buffer, SlowBuffer, INSPECT_MAX_BYTES, kMaxLength, atob, btoa, constants, Blob, File };

/**
 * The contract of hw.encodeText written the slow, obvious way: the fake hw implements it with
 * this, and the conformance suite holds every core to it.
 * - 'utf8': the WHATWG Encoding Standard's UTF-8 encoder over the string's code points, a lone
 *   surrogate taken as U+FFFD (as TextEncoder and Node's Buffer do);
 * - 'latin1': the low byte of each UTF-16 code unit (Node's Buffer 'latin1'/'binary').
 */
export function referenceEncodeText(s: string, encoding: 'utf8' | 'latin1'): Uint8Array {
  const out: number[] = [];
  if (encoding === 'latin1') {
    for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i) & 0xff);
    return Uint8Array.from(out);
  }
  for (const ch of s) {
    let cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return Uint8Array.from(out);
}

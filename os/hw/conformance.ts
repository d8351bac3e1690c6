/**
 * The hw conformance suite: checks of the hw contract (./hw.ts, core/include/hw.h) that every
 * implementation passes — the fake in Node (os/hw/conformance.test.ts), the PVH core in QEMU
 * and the process core (test/boot/conformance.test.ts runs test/boot/programs/hw-conformance.ts
 * on both targets). Where the fake and the core disagreed (exit codes, missing members, IRQ
 * line counts), a check here now holds them to one answer.
 *
 * Checks only what is safe in a running image: no exit, no fault, no device writes; the error
 * paths of calls that would change the machine. Uses nothing but `hw` (no Node API).
 */
import { referenceChecksum } from './checksum-reference.ts';
import { referenceEncodeText } from './text-reference.ts';
import { referenceSegmentTcp } from './segment-reference.ts';
import { GROUP_MEMBERS, OPTIONAL_GROUPS, REQUIRED_GROUPS, type Hw, type HwWith } from './hw.ts';

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  /** Why it failed. */
  readonly detail?: string;
}

class CheckFailed extends Error {}

function expect(cond: boolean, what: string): void {
  if (!cond) throw new CheckFailed(what);
}

/** `fn` throws an instance of `type` (RangeError, TypeError). */
function throwsA(fn: () => unknown, type: ErrorConstructor, what: string): void {
  try {
    fn();
  } catch (e) {
    expect(e instanceof type, `${what}: threw ${(e as Error)?.name ?? String(e)} (${(e as Error)?.message}), not ${type.name}`);
    return;
  }
  throw new CheckFailed(`${what}: did not throw`);
}

type Check = [name: string, run: (hw: Hw) => void];

const groupChecks: Check[] = [
  ['groups: every required group is offered, in order, then known optional ones', (hw) => {
    expect(Array.isArray(hw.groups), 'groups is an array');
    expect(REQUIRED_GROUPS.every((g, i) => hw.groups[i] === g), `groups starts with ${REQUIRED_GROUPS.join(',')}: ${hw.groups.join(',')}`);
    const rest = hw.groups.slice(REQUIRED_GROUPS.length);
    expect(rest.every((g) => (OPTIONAL_GROUPS as readonly string[]).includes(g)), `unknown groups: ${rest.join(',')}`);
    expect(new Set(hw.groups).size === hw.groups.length, 'no group twice');
  }],
  ['groups: the members of offered groups exist, those of the others are absent', (hw) => {
    const offered = new Set<string>(hw.groups);
    const o = hw as unknown as Record<string, unknown>;
    for (const [group, members] of Object.entries(GROUP_MEMBERS)) {
      for (const m of members) {
        if (offered.has(group)) expect(m in o && o[m] !== undefined, `${group}.${m} is present`);
        else expect(!(m in o), `${m} is absent (group ${group} not offered)`);
      }
    }
  }],
];

const requiredChecks: Check[] = [
  ['clock: now() is a finite ms count that never goes backwards; nowNs() agrees', (hw) => {
    const a = hw.now(), ns = hw.nowNs(), b = hw.now();
    expect(typeof a === 'number' && Number.isFinite(a) && a >= 0, `now() = ${a}`);
    expect(b >= a, 'now() is monotonic');
    expect(typeof ns === 'bigint', 'nowNs() is a bigint');
    const nsMs = Number(ns) / 1e6;
    expect(nsMs >= a - 1 && nsMs <= b + 1, `nowNs() ${nsMs} ms lies between now() ${a} and ${b}`);
  }],
  ['clock: wallClock() is ms since the epoch, after 2020', (hw) => {
    const w = hw.wallClock();
    expect(Number.isFinite(w) && w > Date.UTC(2020, 0, 1), `wallClock() = ${w}`);
  }],
  ['console: write() takes fd 1 or 2 and a string or a Uint8Array', (hw) => {
    hw.write(1, '');
    hw.write(2, new Uint8Array(0));
    throwsA(() => hw.write(3 as 1, 'x'), RangeError, 'write(3)');
    throwsA(() => hw.write(1, 42 as unknown as string), TypeError, 'write(1, 42)');
  }],
  ['yield: a passed deadline returns a ready-line mask at once; NaN is refused', (hw) => {
    const before = hw.now();
    const mask = hw.yield(0);
    expect(Number.isInteger(mask) && mask >= 0, `yield(0) = ${mask}`);
    expect(hw.now() - before < 1000, 'yield(0) returned at once');
    throwsA(() => hw.yield(NaN), RangeError, 'yield(NaN)');
  }],
  ['exit: a code outside 0-255 is refused (RangeError) and does not end the program', (hw) => {
    throwsA(() => hw.exit(256), RangeError, 'exit(256)');
    throwsA(() => hw.exit(-1), RangeError, 'exit(-1)');
  }],
  ['entropy: fills a Uint8Array (all or nothing); anything else is a TypeError', (hw) => {
    const buf = new Uint8Array(32);
    const n = hw.entropy(buf);
    expect(n === 0 || n === 32, `entropy() wrote ${n} of 32 bytes`);
    if (n === 32) expect(buf.some((b) => b !== 0), '32 random bytes are not all zero');
    throwsA(() => hw.entropy('x' as unknown as Uint8Array), TypeError, "entropy('x')");
  }],
  ['boot: cmdline, memSize, machine and sourceMap()', (hw) => {
    expect(typeof hw.cmdline === 'string', 'cmdline is a string');
    expect(Number.isInteger(hw.memSize) && hw.memSize >= 1 << 20, `memSize = ${hw.memSize}`);
    expect(typeof hw.machine === 'string' && hw.machine.length > 0, 'machine is a name');
    const map = hw.sourceMap();
    expect(map === undefined || typeof map === 'string', 'sourceMap() is a string or undefined');
  }],
  ['engine: memoryUsage() figures are consistent; setRejectionTracker takes only functions, setPromiseHook functions or null', (hw) => {
    const m = hw.memoryUsage();
    for (const k of ['heapTotal', 'heapUsed', 'jsUsed', 'jsLimit'] as const) expect(Number.isFinite(m[k]) && m[k] >= 0, `memoryUsage().${k} = ${m[k]}`);
    expect(m.heapUsed <= m.heapTotal, 'heapUsed <= heapTotal');
    expect(m.jsLimit > 0 && m.jsLimit <= m.heapTotal, `0 < jsLimit ${m.jsLimit} <= heapTotal ${m.heapTotal}`);
    expect(m.heapTotal <= hw.memSize, 'heapTotal <= memSize');
    throwsA(() => hw.setRejectionTracker(1 as never), TypeError, 'setRejectionTracker(1)');
    throwsA(() => hw.setPromiseHook(1 as never), TypeError, 'setPromiseHook(1)');
    hw.setPromiseHook(null);
  }],
  ['engine: checksum() is RFC 1071 for every length, offset and partial sum', (hw) => {
    // Lengths around the 8-byte step and odd ones, at odd offsets, over bytes with carries.
    const data = new Uint8Array(1600);
    let x = 0x9e3779b9;
    for (let i = 0; i < data.length; i++) { x = (x ^ (x << 13)) >>> 0; x ^= x >>> 17; x = (x ^ (x << 5)) >>> 0; data[i] = x & 0xff; }
    for (const len of [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 20, 40, 63, 64, 65, 1460, 1514, 1599]) {
      for (const off of [0, 1, 2, 3]) {
        if (off + len > data.length) continue;
        const view = data.subarray(off, off + len);
        for (const partial of [0, 1, 0xffff, 0x1fffe, 0xffffffff]) {
          const got = hw.checksum(view, partial), want = referenceChecksum(view, partial);
          expect(got === want, `checksum(len ${len}, offset ${off}, partial ${partial}) = ${got}, RFC 1071 says ${want}`);
        }
      }
    }
    expect(hw.checksum(new Uint8Array(64).fill(0xff)) === 0xffff, 'all ones sum to 0xffff');
    expect(hw.checksum(new Uint8Array(9)) === 0, 'all zeros sum to 0');
    throwsA(() => hw.checksum([1, 2] as never), TypeError, 'checksum([1, 2])');
  }],
  ['engine: segmentTcp() cuts a TCP super-segment as a TSO device does, with finished checksums', (hw) => {
    // Ethernet + IPv4 (with a 4-byte option) + TCP (12 bytes of options) + 3,001 payload bytes.
    const ihl = 24, thl = 32, payload = 3001, hdr = 14 + ihl + thl;
    const frame = new Uint8Array(hdr + payload);
    const f = new DataView(frame.buffer);
    for (let i = 0; i < payload; i++) frame[hdr + i] = (i * 7 + 3) & 0xff;
    f.setUint16(12, 0x0800);
    frame[14] = 0x40 | (ihl / 4); f.setUint16(16, ihl + thl + payload); f.setUint16(18, 0xfffe); f.setUint16(20, 0x4000);
    frame[22] = 64; frame[23] = 6; f.setUint32(26, 0x0a00020f); f.setUint32(30, 0x0a000202);
    f.setUint16(14 + ihl, 80); f.setUint16(14 + ihl + 2, 40000); f.setUint32(14 + ihl + 4, 0xffffff00); f.setUint32(14 + ihl + 8, 77);
    frame[14 + ihl + 12] = (thl / 4) << 4; frame[14 + ihl + 13] = 0x80 | 0x10 | 0x08 | 0x01; // CWR ACK PSH FIN
    f.setUint16(14 + ihl + 14, 1000); f.setUint16(14 + ihl + 16, 0x1234); // a partial sum there: ignored
    const mss = 1448, out = new Uint8Array(2000);
    const pseudo = new Uint8Array(12);
    let seen = 0;
    for (let k = 0; k < 3; k++) {
      const n = hw.segmentTcp(frame, k, mss, out);
      const len = Math.min(mss, payload - k * mss);
      expect(n === hdr + len, `segment ${k}: ${n} bytes, want ${hdr + len}`);
      const o = new DataView(out.buffer);
      expect(o.getUint16(16) === ihl + thl + len, `segment ${k}: IPv4 total length ${o.getUint16(16)}`);
      expect(o.getUint16(18) === ((0xfffe + k) & 0xffff), `segment ${k}: identification ${o.getUint16(18)}`);
      expect(referenceChecksum(out.subarray(14, 14 + ihl)) === 0xffff, `segment ${k}: the IPv4 header checksum verifies`);
      expect(o.getUint32(14 + ihl + 4) === ((0xffffff00 + k * mss) >>> 0), `segment ${k}: sequence number wraps as 2^32 arithmetic`);
      const flags = out[14 + ihl + 13]!;
      expect(flags === (k === 0 ? 0x90 : k === 2 ? 0x19 : 0x10), `segment ${k}: flags 0x${flags.toString(16)}`);
      pseudo.set(out.subarray(26, 34)); pseudo[9] = 6; new DataView(pseudo.buffer).setUint16(10, thl + len);
      expect(referenceChecksum(out.subarray(14 + ihl, n), referenceChecksum(pseudo)) === 0xffff, `segment ${k}: the TCP checksum verifies`);
      expect(out.subarray(hdr, n).every((b, i) => b === frame[hdr + k * mss + i]), `segment ${k}: payload bytes`);
      const want = new Uint8Array(2000);
      referenceSegmentTcp(frame, k, mss, want);
      expect(out.subarray(0, n).every((b, i) => b === want[i]), `segment ${k}: byte for byte the reference`);
      seen += len;
    }
    expect(seen === payload, 'the segments hold the whole payload');
    // One segment: the frame comes out whole with its checksums finished.
    const one = new Uint8Array(frame.length);
    expect(hw.segmentTcp(frame, 0, 65535, one) === frame.length, 'segmentSize above the payload: one segment');
    expect(one[14 + ihl + 13] === 0x99, 'and it keeps every flag');
    throwsA(() => hw.segmentTcp(frame, 3, mss, out), RangeError, 'index past the last segment');
    throwsA(() => hw.segmentTcp(frame, 0, mss, new Uint8Array(hdr + mss - 1)), RangeError, 'out too small');
    throwsA(() => hw.segmentTcp(frame, 0, 0, out), RangeError, 'segmentSize 0');
    throwsA(() => hw.segmentTcp(frame, 0, 65536, out), RangeError, 'segmentSize 65536');
    throwsA(() => hw.segmentTcp(frame, 0.5, mss, out), RangeError, 'index 0.5');
    throwsA(() => hw.segmentTcp(frame.subarray(0, frame.length - 1), 0, mss, out), RangeError, 'IPv4 total length not the frame');
    throwsA(() => hw.segmentTcp(frame, 0, mss, frame.subarray(100)), RangeError, 'out overlapping the frame');
    const udp = frame.slice(); udp[23] = 17;
    throwsA(() => hw.segmentTcp(udp, 0, mss, out), RangeError, 'a UDP packet');
    const fragment = frame.slice(); fragment[20] = 0x20;
    throwsA(() => hw.segmentTcp(fragment, 0, mss, out), RangeError, 'a fragment');
    throwsA(() => hw.segmentTcp([1, 2] as never, 0, mss, out), TypeError, 'segmentTcp([1, 2])');
  }],
  ['engine: encodeText() is UTF-8 (lone surrogates as U+FFFD) and Latin-1 (low bytes) for every kind of string', (hw) => {
    const long = 'GET /x HTTP/1.1\r\nHost: a\r\n'.repeat(200);
    const strings = ['', 'a', 'ascii only', '\u00e9t\u00e9 \u00ff\u0080', '\u20ac \u4e2d\u6587', '\ud83d\ude00 pair', 'lone \ud800 high', 'lone \udc00 low',
      '\ud800', '\udfff\ud800', 'end \ud83d', '\u0000nul\u0000', '\u07ff\u0800\uffff', long, long + '\u00e9', long + '\ud800'];
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('').slice(0, 80);
    for (const s of strings) {
      for (const enc of ['utf8', 'latin1'] as const) {
        const got = hw.encodeText(s, enc), want = referenceEncodeText(s, enc);
        expect(got instanceof Uint8Array, `encodeText(${JSON.stringify(s.slice(0, 20))}, ${enc}) is a Uint8Array`);
        expect(got.length === want.length && got.every((b, i) => b === want[i]),
          `encodeText(${JSON.stringify(s.slice(0, 20))}, ${enc}) = ${hex(got)} (${got.length} bytes), want ${hex(want)} (${want.length})`);
      }
    }
    const a = hw.encodeText('same', 'utf8'), b = hw.encodeText('same', 'utf8');
    a[0] = 0;
    expect(b[0] === 0x73, 'each call returns its own bytes');
    throwsA(() => hw.encodeText(1 as never, 'utf8'), TypeError, 'encodeText(1)');
    throwsA(() => hw.encodeText('x', 'utf16le' as never), TypeError, "encodeText('x', 'utf16le')");
  }],
];

const optionalChecks: Partial<Record<(typeof OPTIONAL_GROUPS)[number], Check[]>> = {
  pci: [['pci: bad width, offset, alignment or bdf are refused; absent functions read all ones', (h) => {
    const hw = h as HwWith<'pci'>;
    throwsA(() => hw.pciRead(0, 0, 3 as 4), RangeError, 'width 3');
    throwsA(() => hw.pciRead(0, 256, 1), RangeError, 'offset 256');
    throwsA(() => hw.pciRead(0, 2, 4), RangeError, 'unaligned');
    throwsA(() => hw.pciRead(0x10000, 0, 4), RangeError, 'bdf 0x10000');
    // Bus 255, device 31, function 7: nothing answers there on any machine we boot.
    expect(hw.pciRead(0xffff, 0, 4) >>> 0 === 0xffffffff, 'an absent function reads 0xffffffff');
    expect(hw.pciRead(0xffff, 0, 2) === 0xffff, 'and 0xffff at width 2');
  }]],
  mmio: [['mmio: RAM cannot be mapped; unmapped addresses cannot be read or written', (h) => {
    const hw = h as HwWith<'mmio'>;
    throwsA(() => hw.mmioMap(0x200000, 4096), RangeError, 'mmioMap of RAM');
    throwsA(() => hw.mmioRead(0x200000, 4), RangeError, 'mmioRead of RAM');
    throwsA(() => hw.mmioWrite(0x200000, 4, 0), RangeError, 'mmioWrite of RAM');
    throwsA(() => hw.mmioRead(0x200000, 3 as 4), RangeError, 'width 3');
  }]],
  ports: [['ports: the ports the platform owns and bad ports are refused', (h) => {
    const hw = h as HwWith<'ports'>;
    for (const p of [0x20, 0x40, 0x70, 0x3f8, 0xcf8, 0xf4]) throwsA(() => hw.portRead(p, 1), RangeError, `port 0x${p.toString(16)}`);
    throwsA(() => hw.portRead(0x3f6, 4), RangeError, 'a dword overlapping COM1');
    throwsA(() => hw.portRead(0x10000, 1), RangeError, 'port 0x10000');
    throwsA(() => hw.portWrite(0x80, 3 as 1, 0), RangeError, 'width 3');
  }]],
  irq: [['irq: 24 lines; acks and GSIs out of range are refused; an MSI line is in range', (h) => {
    const hw = h as HwWith<'irq'>;
    expect(hw.irqLines === 24, `irqLines = ${hw.irqLines}`);
    throwsA(() => hw.irqAck(hw.irqLines), RangeError, `irqAck(${hw.irqLines})`);
    throwsA(() => hw.irqAck(-1), RangeError, 'irqAck(-1)');
    throwsA(() => hw.irqAttachGsi(48), RangeError, 'irqAttachGsi(48)');
    const msi = hw.irqAttachMsi();
    expect(Number.isInteger(msi.line) && msi.line >= 0 && msi.line < hw.irqLines, `MSI line ${msi.line}`);
    expect(Math.floor(msi.address / 0x100000) === 0xfee, `MSI address 0x${msi.address.toString(16)} is in the LAPIC window`);
    expect(Number.isInteger(msi.data), 'MSI data');
  }]],
  dma: [['dma: zeroed, page-aligned regions of the size asked; sizes 0 and over 64 MiB refused; a fence', (h) => {
    const hw = h as HwWith<'dma'>;
    const r = hw.dmaAlloc(5000);
    expect(r.buffer.byteLength === 5000, `buffer of ${r.buffer.byteLength} bytes`);
    expect(r.phys % 4096 === 0 && r.phys > 0, `phys 0x${r.phys.toString(16)} is page-aligned`);
    expect(new Uint8Array(r.buffer).every((b) => b === 0), 'zeroed');
    throwsA(() => hw.dmaAlloc(0), RangeError, 'dmaAlloc(0)');
    throwsA(() => hw.dmaAlloc(64 * 1024 * 1024 + 1), RangeError, 'dmaAlloc(64 MiB + 1)');
    hw.dmaFence();
  }]],
};

/** Run every check that applies to `hw` (required groups, and each optional group it offers). */
export function runConformance(hw: Hw): CheckResult[] {
  const checks = [...groupChecks, ...requiredChecks];
  for (const g of OPTIONAL_GROUPS) if (hw.groups.includes(g)) checks.push(...(optionalChecks[g] ?? []));
  return checks.map(([name, run]) => {
    try {
      run(hw);
      return { name, ok: true };
    } catch (e) {
      return { name, ok: false, detail: e instanceof CheckFailed ? e.message : `threw ${(e as Error)?.name}: ${(e as Error)?.message}` };
    }
  });
}

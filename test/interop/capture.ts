/**
 * Test infrastructure (Node): a tshark capture on the Linux end of the link (the tap inside
 * the test namespace), and one-pass frame counts over it for any set of display filters
 * (`tshark -z io,stat`, with TCP and IPv4 checksum verification switched on).
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Netns, Proc } from './netns.ts';

export class Capture {
  readonly file: string;
  readonly #ns: Netns;
  readonly #proc: Proc;

  private constructor(ns: Netns, file: string, proc: Proc) {
    this.#ns = ns;
    this.file = file;
    this.#proc = proc;
  }

  /** Starts capturing on the namespace's tap; resolves once tshark reports it is capturing. */
  static async start(ns: Netns, name: string): Promise<Capture> {
    const file = join(ns.dir, `${name}.pcapng`);
    // dumpcap itself rather than tshark: tshark reports "Capturing on" before its dumpcap child has
    // attached, and the first packets (here the DHCP DISCOVER) would be missed.
    const proc = ns.spawn(['dumpcap', '-q', '-i', ns.tapName, '-w', file]);
    await proc.waitFor(/Capturing on/, 10_000);
    // "Capturing on" comes slightly before packets are actually collected; frames sent in
    // that gap (the first DHCP DISCOVER) would be missing from the file.
    await new Promise((r) => setTimeout(r, Number(process.env.CAPTURE_START_MS ?? 500)));
    return new Capture(ns, file, proc);
  }

  /**
   * Stops the capture (SIGINT: tshark flushes the file). With INTEROP_PCAP_DIR set, a copy
   * of the file is kept there for a look with Wireshark.
   */
  /** Returns dumpcap's closing summary (packets received/dropped). */
  async stop(): Promise<string> {
    // libpcap hands packets to dumpcap in TPACKET_V3 blocks that the kernel retires on a
    // timer; dumpcap exits without reading a block still open, so the last packets would be
    // missing. Idle the link past the retire timeout first.
    await new Promise((r) => setTimeout(r, Number(process.env.CAPTURE_SETTLE_MS ?? 1000)));
    await this.#proc.kill('SIGINT', 5000);
    const dir = process.env.INTEROP_PCAP_DIR;
    if (dir) copyFileSync(this.file, join(dir, `interop-${this.file.split('/').pop()}`));
    return this.#proc.stderr.replace(/\r/g, '').split('\n').filter((l) => /Packets/.test(l)).join('; ');
  }

  /** Frame counts matching each display filter, from one tshark pass over the file. */
  async counts<K extends string>(filters: Record<K, string>): Promise<Record<K, number>> {
    const names = Object.keys(filters) as K[];
    const stat = `io,stat,0,${names.map((n) => filters[n]).join(',')}`;
    const out = await this.#ns.exec(['tshark', '-n', '-r', this.file, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE',
      '-o', 'udp.check_checksum:TRUE', '-q', '-z', stat], 60_000);
    const row = out.split('\n').find((l) => /^\|\s*0\.000\s*<>/.test(l));
    if (!row) throw new Error(`no io,stat row in tshark output:\n${out}`);
    // | interval | frames | bytes | frames | bytes | ...
    const cells = row.split('|').map((c) => c.trim()).filter((c) => c !== '');
    const counts = {} as Record<K, number>;
    names.forEach((n, k) => { counts[n] = Number(cells[1 + 2 * k]); });
    return counts;
  }

  /** One line per frame matching `filter` (number, time, addresses, ports, flags, seq/ack), for failure messages. */
  async describe(filter: string, max = 20): Promise<string> {
    const out = await this.#ns.exec(['tshark', '-n', '-r', this.file, '-Y', filter, '-T', 'fields', '-E', 'separator= ',
      '-e', 'frame.number', '-e', 'frame.time_relative', '-e', 'ip.src', '-e', 'tcp.srcport', '-e', 'ip.dst', '-e', 'tcp.dstport',
      '-e', 'tcp.flags.str', '-e', 'tcp.seq_raw', '-e', 'tcp.ack_raw', '-e', 'tcp.len'], 60_000);
    return out.trim().split('\n').slice(0, max).join('\n');
  }
}

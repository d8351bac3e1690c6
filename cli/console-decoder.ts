/**
 * Decodes the guest's serial stream (docs/console-protocol.md): program stdout and stderr
 * multiplexed with DLE (0x10) escapes, plus records the core writes for the host.
 *   DLE 'S'            start of Nimbus output: everything before it (firmware banners) is dropped
 *   DLE '1' | DLE '2'  following bytes belong to stdout | stderr
 *   DLE DLE            a literal 0x10 byte
 *   DLE 'X' code '\n'  the program exited with `code`
 *   DLE 'T' text '\n'  boot timing, key=value pairs
 */

const DLE = 0x10;

export interface ConsoleEvents {
  stdout(bytes: Uint8Array): void;
  stderr(bytes: Uint8Array): void;
  exit?(code: number): void;
  timing?(fields: Record<string, number>): void;
}

export class ConsoleDecoder {
  #started = false;
  #fd: 1 | 2 = 1;
  #pendingDle = false;
  #record: { kind: number; text: number[] } | undefined;
  constructor(private readonly events: ConsoleEvents) {}

  get started(): boolean {
    return this.#started;
  }

  push(chunk: Uint8Array): void {
    let runStart = -1;
    const flush = (end: number) => {
      if (runStart >= 0 && end > runStart) {
        const bytes = chunk.subarray(runStart, end);
        if (this.#fd === 1) this.events.stdout(bytes);
        else this.events.stderr(bytes);
      }
      runStart = -1;
    };
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.#record) {
        if (b === 0x0a) {
          this.#finishRecord();
        } else if (this.#record.text.length < 4096) {
          this.#record.text.push(b);
        }
        continue;
      }
      if (this.#pendingDle) {
        this.#pendingDle = false;
        if (b === 0x53 /* S */) {
          this.#started = true;
          this.#fd = 1;
        } else if (!this.#started) {
          // still in firmware output: ignore
        } else if (b === 0x31 || b === 0x32) {
          this.#fd = b === 0x31 ? 1 : 2;
        } else if (b === DLE) {
          runStart = i; // the escaped byte itself is data
        } else if (b === 0x58 /* X */ || b === 0x54 /* T */) {
          this.#record = { kind: b, text: [] };
        }
        continue;
      }
      if (b === DLE) {
        flush(i);
        this.#pendingDle = true;
        continue;
      }
      if (this.#started && runStart < 0) runStart = i;
    }
    flush(chunk.length);
  }

  #finishRecord(): void {
    const { kind, text } = this.#record!;
    this.#record = undefined;
    const s = String.fromCharCode(...text);
    if (kind === 0x58) {
      const code = Number(s);
      if (Number.isInteger(code)) this.events.exit?.(code);
    } else {
      const fields: Record<string, number> = {};
      for (const pair of s.split(' ')) {
        const [k, v] = pair.split('=');
        if (k && v !== undefined && !Number.isNaN(Number(v))) fields[k] = Number(v);
      }
      this.events.timing?.(fields);
    }
  }
}

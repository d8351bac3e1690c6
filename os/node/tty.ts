/**
 * node:tty: the image's console is a serial line, not a terminal, so `isatty` is false and
 * process.stdout.isTTY is false; the classes exist for libraries that test for or extend
 * them (debug, chalk, supports-color).
 */
import { Readable, Writable } from './stream.ts';

export const isatty = (_fd: number): boolean => false;
export class ReadStream extends Readable {
  readonly isTTY = true;
  isRaw = false;
  constructor(readonly fd: number) { super(); }
  override _read(): void {}
  setRawMode(mode: boolean): this { this.isRaw = mode; return this; }
}
export class WriteStream extends Writable {
  readonly isTTY = true;
  columns = 80;
  rows = 24;
  constructor(readonly fd: number) { super(); }
  override _write(chunk: Uint8Array, _e: string, cb: () => void): void {
    (this.fd === 2 ? globalThis.process.stderr : globalThis.process.stdout).write(chunk);
    cb();
  }
  getColorDepth(): number { return 1; }
  hasColors(): boolean { return false; }
  getWindowSize(): [number, number] { return [this.columns, this.rows]; }
  clearLine(_dir: number, cb?: () => void): boolean { cb?.(); return true; }
  clearScreenDown(cb?: () => void): boolean { cb?.(); return true; }
  cursorTo(_x: number, _y?: number | (() => void), cb?: () => void): boolean { (typeof _y === 'function' ? _y : cb)?.(); return true; }
  moveCursor(_dx: number, _dy: number, cb?: () => void): boolean { cb?.(); return true; }
}
export default { isatty, ReadStream, WriteStream };

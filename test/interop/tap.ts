/**
 * Host-side helper for interop tests (runs on Node, not in the image): open a Linux tap
 * device through tap-bridge.py and exchange raw Ethernet frames with it.
 * The caller creates the tap (`ip tuntap add dev NAME mode tap`) or runs as root.
 *
 * Frames sent in one turn of the event loop are written to the bridge in one pipe write
 * (cork/uncork on the next tick), so a burst from one stack poll costs one system call.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export interface Tap {
  send(frame: Uint8Array): void;
  onFrame(cb: (frame: Uint8Array) => void): void;
  /** Resolves once the bridge has opened the device. */
  ready: Promise<void>;
  /** Resolves when the bridge process has exited (after close() or on its own). */
  exited: Promise<void>;
  close(): void;
}

const BRIDGE = join(dirname(fileURLToPath(import.meta.url)), 'tap-bridge.py');

export interface OpenTapOptions {
  /** Open the device inside this network namespace (runs the bridge under `ip netns exec`). */
  netns?: string;
}

export function openTap(name: string, options: OpenTapOptions = {}): Tap {
  const argv = options.netns ? ['ip', 'netns', 'exec', options.netns, 'python3', BRIDGE, name] : ['python3', BRIDGE, name];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  const listeners: ((frame: Uint8Array) => void)[] = [];
  let pending: Buffer = Buffer.alloc(0);
  child.stdout.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let off = 0;
    while (pending.length - off >= 2) {
      const len = pending.readUInt16BE(off);
      if (pending.length - off - 2 < len) break;
      const frame = new Uint8Array(pending.buffer, pending.byteOffset + off + 2, len).slice();
      off += 2 + len;
      for (const cb of listeners) cb(frame);
    }
    pending = pending.subarray(off);
  });
  let stderr = '';
  let closed = false;
  const exited = new Promise<void>((resolve) => { child.on('close', () => resolve()); });
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += d.toString();
      if (stderr.includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`tap-bridge exited with ${code}: ${stderr.trim()}`)));
    child.on('error', reject);
  });
  ready.catch(() => {});
  child.stdin.on('error', () => { /* bridge gone: frames are dropped, as on a dead wire */ });
  let corked = false;
  return {
    ready,
    exited,
    send(frame) {
      if (closed) return;
      if (frame.length > 0xffff) throw new RangeError(`Cannot send frame of ${frame.length} bytes`);
      if (!corked) {
        corked = true;
        child.stdin.cork();
        process.nextTick(() => { corked = false; child.stdin.uncork(); });
      }
      const header = Buffer.alloc(2);
      header.writeUInt16BE(frame.length);
      child.stdin.write(header);
      child.stdin.write(frame);
    },
    onFrame(cb) {
      listeners.push(cb);
    },
    close() {
      if (closed) return;
      closed = true;
      child.stdin.end();
      child.kill();
    },
  };
}

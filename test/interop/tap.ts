/**
 * Host-side helper for interop tests (runs on Node, not in the image): open a Linux tap
 * device through tap-bridge.py and exchange raw Ethernet frames with it.
 * The caller creates the tap (`ip tuntap add dev NAME mode tap`) or runs as root.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export interface Tap {
  send(frame: Uint8Array): void;
  onFrame(cb: (frame: Uint8Array) => void): void;
  /** Resolves once the bridge has opened the device. */
  ready: Promise<void>;
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
  let pending = Buffer.alloc(0);
  child.stdout.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 2) {
      const len = pending.readUInt16BE(0);
      if (pending.length < 2 + len) break;
      const frame = new Uint8Array(pending.subarray(2, 2 + len));
      pending = pending.subarray(2 + len);
      for (const cb of listeners) cb(frame);
    }
  });
  let stderr = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`tap-bridge exited with ${code}: ${stderr.trim()}`)));
    child.on('error', reject);
  });
  ready.catch(() => {});
  return {
    ready,
    send(frame) {
      if (frame.length > 0xffff) throw new RangeError(`Cannot send frame of ${frame.length} bytes`);
      const header = Buffer.alloc(2);
      header.writeUInt16BE(frame.length);
      child.stdin.write(Buffer.concat([header, frame]));
    },
    onFrame(cb) {
      listeners.push(cb);
    },
    close() {
      child.stdin.end();
      child.kill();
    },
  };
}

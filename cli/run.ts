/**
 * `nimbus run`: boot an image in QEMU, stream the program's stdout/stderr, return its exit code.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, accessSync, constants } from 'node:fs';
import { ConsoleDecoder } from './console-decoder.ts';
import { processPlan } from './process-target.ts';

export type Machine = 'microvm' | 'q35';

export interface PortForward { hostAddress: string; hostPort: number; guestPort: number; proto: 'tcp' | 'udp' }

export interface RunOptions {
  image: string;
  memMiB: number;
  machine: Machine;
  args: string[];
  env: Record<string, string>;
  ports: PortForward[];
  net: { kind: 'auto' | 'none' | 'user' } | { kind: 'tap'; ifname: string };
  ip?: string;
  gateway?: string;
  dns?: string;
  testHooks?: boolean;
  /** Longest time (ms) JS may run without returning to the event loop; 0 = no limit. */
  cpuBudgetMs?: number;
  /** Sample the JS stack at most every N µs onto stderr (nimbus.profile_us, core/js/engine.c). */
  profileUs?: number;
  /** 'js' keeps os/crypto on @noble instead of the core's native crypto group (nimbus.crypto=js). */
  crypto?: 'native' | 'js';
  /** false declines virtio-net's transmit offloads (CSUM, HOST_TSO4) where the device offers them (nimbus.offloads=off). */
  offloads?: boolean;
  /** 'windowed': the PVH core calibrates its clock in short windows at boot, as before the long window (nimbus.clock=windowed; a test and diagnosis knob). */
  clockCalibration?: 'long-window' | 'windowed';
  timing?: (fields: Record<string, number>) => void;
  /** Where program output goes (defaults: this process's stdout and stderr). */
  stdout?: (b: Uint8Array) => void;
  stderr?: (b: Uint8Array) => void;
  extraQemuArgs?: string[];
  /** A command QEMU runs under, e.g. ['ip', 'netns', 'exec', 'ns1'] (tests). */
  launcher?: string[];
  /** Where the image runs: a QEMU VM (default) or a confined Linux process (cli/process-target.ts). */
  target?: 'qemu' | 'process';
  /** Stops the VM when aborted (the run then resolves with 130, as Ctrl-C). */
  signal?: AbortSignal;
  /** The network device's MAC (default: QEMU's, or random on the process target); a fleet sets each instance's. */
  mac?: string;
}

/** Exit codes the CLI itself produces (documented in docs/exit-codes.md). */
export const EXIT_VM_FAILED = 125;
/** Process target: the instance made a system call its seccomp filter forbids (killed by SIGSYS). */
export const EXIT_FORBIDDEN_CALL = 124;
export const EXIT_INTERRUPTED = 130;

export class RunError extends Error {}

export function findQemu(): string {
  const p = (process.env.PATH ?? '').split(':').filter(Boolean)
    .map((dir) => `${dir}/qemu-system-x86_64`)
    .find((file) => {
      try {
        accessSync(file, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  if (!p) {
    throw new RunError('qemu-system-x86_64 not found: install the Debian/Ubuntu package qemu-system-x86 (apt-get install qemu-system-x86)');
  }
  return p;
}

export function parseMem(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?)i?B?$/i.exec(text.trim());
  if (!m) throw new RangeError(`Invalid memory size '${text}' (examples: 8M, 256M, 1G)`);
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toUpperCase();
  const mib = unit === 'G' ? n * 1024 : unit === 'K' ? n / 1024 : n;
  if (mib < 4 || mib > 3072) throw new RangeError(`Memory size ${text} is out of range (4M to 3G)`);
  return Math.round(mib);
}

export function parsePort(text: string): PortForward {
  const m = /^(?:(\d+\.\d+\.\d+\.\d+):)?(\d+):(\d+)(?:\/(tcp|udp))?$/.exec(text);
  if (!m) throw new RangeError(`Invalid port mapping '${text}' (expected HOST:GUEST, e.g. 8080:80)`);
  const hostPort = Number(m[2]), guestPort = Number(m[3]);
  for (const p of [hostPort, guestPort]) if (p < 1 || p > 65535) throw new RangeError(`Invalid port ${p} in '${text}'`);
  return { hostAddress: m[1] ?? '127.0.0.1', hostPort, guestPort, proto: (m[4] as 'tcp' | 'udp') ?? 'tcp' };
}

const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

export function kernelCommandLine(o: RunOptions): string {
  const parts = [`nimbus.argv=${b64url(JSON.stringify(o.args))}`, `nimbus.env=${b64url(JSON.stringify(o.env))}`];
  if (o.ip) parts.push(`nimbus.ip=${o.ip}`);
  if (o.gateway) parts.push(`nimbus.gateway=${o.gateway}`);
  if (o.dns) parts.push(`nimbus.dns=${o.dns}`);
  if (o.testHooks) parts.push('nimbus.testhooks=1');
  if (o.cpuBudgetMs) parts.push(`nimbus.cpu_budget_ms=${Math.round(o.cpuBudgetMs)}`);
  if (o.profileUs) parts.push(`nimbus.profile_us=${Math.round(o.profileUs)}`);
  if (o.crypto === 'js') parts.push('nimbus.crypto=js');
  if (o.offloads === false) parts.push('nimbus.offloads=off');
  if (o.clockCalibration === 'windowed') parts.push('nimbus.clock=windowed');
  return parts.join(' ');
}

/**
 * Software emulation (TCG) unless NIMBUS_ACCEL=kvm: a /dev/kvm node can exist where KVM does
 * not work (nested or restricted hosts), and QEMU then aborts.
 */
function kvmUsable(): boolean {
  if (process.env.NIMBUS_ACCEL !== 'kvm') return false;
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    throw new RunError('NIMBUS_ACCEL=kvm but /dev/kvm is not usable');
  }
}

/** The PVH core copies at most this many bytes of the kernel command line (core/platform/pvh/main.c). */
export const QEMU_CMDLINE_MAX = 4095;

export function qemuArgs(o: RunOptions): string[] {
  const cmdline = kernelCommandLine(o);
  const bytes = Buffer.byteLength(cmdline);
  if (bytes > QEMU_CMDLINE_MAX) {
    throw new RunError(`The program's arguments and environment take ${bytes} bytes on the guest's command line; a QEMU image carries at most ${QEMU_CMDLINE_MAX}. ` +
      'Put the configuration in a file built into the image (nimbus build --include .env) or run with --target process.');
  }
  const kvm = kvmUsable();
  const args = [
    '-M', o.machine === 'microvm' ? 'microvm,pit=on,pic=off,rtc=on,isa-serial=on,acpi=off' : 'q35',
    '-accel', kvm ? 'kvm' : 'tcg',
    '-cpu', kvm ? 'host' : 'max',
    '-m', `${o.memMiB}M`,
    '-nodefaults', '-no-user-config', '-nographic', '-no-reboot',
    '-serial', 'stdio',
    '-device', 'isa-debug-exit,iobase=0xf4,iosize=4',
    '-kernel', o.image,
    '-append', cmdline,
  ];
  // QEMU's virtio-mmio defaults to the legacy (version 1) interface; we drive virtio 1.x only.
  if (o.machine === 'microvm') args.push('-global', 'virtio-mmio.force-legacy=false');
  const dev = (name: string) => (o.machine === 'microvm' ? `virtio-${name}-device` : `virtio-${name}-pci,disable-legacy=on`);
  args.push('-device', dev('rng'));
  const net = o.net.kind === 'auto' ? (o.ports.length ? { kind: 'user' as const } : { kind: 'none' as const }) : o.net;
  if (net.kind === 'user') {
    const fwd = o.ports.map((p) => `,hostfwd=${p.proto}:${p.hostAddress}:${p.hostPort}-:${p.guestPort}`).join('');
    args.push('-netdev', `user,id=n0${fwd}`, '-device', `${dev('net')},netdev=n0`);
  } else if (net.kind === 'tap') {
    args.push('-netdev', `tap,id=n0,ifname=${net.ifname},script=no,downscript=no`, '-device', `${dev('net')},netdev=n0${o.mac ? `,mac=${o.mac}` : ''}`);
  }
  return args.concat(o.extraQemuArgs ?? []);
}

const outputClosed = { stdout: false, stderr: false };
let watching = false;
function watchOutputStreams(): void {
  if (watching) return;
  watching = true;
  for (const name of ['stdout', 'stderr'] as const) process[name].on('error', () => { outputClosed[name] = true; });
}

let deathSignalPrefix: string[] | undefined;

/**
 * util-linux's `setpriv --pdeathsig KILL --`, when this machine's setpriv has the option
 * (2.33 and later): QEMU 7.2 has no way to end with its parent, but the death signal a process
 * asks for survives its exec of QEMU, so a VM ends with the CLI even when the CLI is killed
 * with SIGKILL. Without it the VM runs on after such a kill, as before.
 */
export function exitWithParentPrefix(): string[] {
  if (deathSignalPrefix === undefined) {
    const help = spawnSync('setpriv', ['--help'], { encoding: 'utf8' });
    deathSignalPrefix = help.status === 0 && /--pdeathsig/.test(help.stdout) ? ['setpriv', '--pdeathsig', 'KILL', '--'] : [];
  }
  return deathSignalPrefix;
}

/** Boot the image; resolves with the program's exit code. */
export function runImage(o: RunOptions): Promise<number> {
  if (!existsSync(o.image)) return Promise.reject(new RunError(`Cannot run ${o.image}: no such file`));
  const qemu = o.target === 'process' ? '' : findQemu();
  // A reader that goes away (`nimbus run app.img | head`) must not crash the CLI with EPIPE:
  // the rest of that stream is dropped and the VM runs on, as if writing to /dev/null.
  watchOutputStreams();
  const out = o.stdout ?? ((b) => { if (!outputClosed.stdout) process.stdout.write(b); });
  const err = o.stderr ?? ((b) => { if (!outputClosed.stderr) process.stderr.write(b); });
  const processTarget = o.target === 'process';
  const plan = processTarget ? processPlan(o) : undefined;
  return (plan ?? Promise.resolve(undefined)).then((proc) => new Promise((resolve, reject) => {
    // Own process group: Ctrl-C reaches only us, and we stop the VM ourselves.
    // Both targets end with this CLI even when it is killed with SIGKILL: the process target's
    // instance and its user-mode relay by themselves (core/platform/process/main.c,
    // cli/usernet.ts), QEMU through setpriv's death signal.
    const [cmd, ...args] = [...(proc ? [] : exitWithParentPrefix()), ...(o.launcher ?? []), ...(proc ? proc.argv : [qemu, ...qemuArgs(o)])];
    const env = processTarget ? { ...process.env, NIMBUS_EXIT_WITH_PARENT: '1' } : process.env;
    const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe', ...(proc?.fds ?? [])], detached: true, env });
    proc?.spawned();
    let exitCode: number | undefined;
    let interrupted = false;
    let qemuStderr = '';
    const decoder = new ConsoleDecoder({
      stdout: out,
      stderr: err,
      exit: (c) => (exitCode = c),
      timing: o.timing,
    });
    child.stdout!.on('data', (c: Buffer) => decoder.push(c));
    child.stderr!.on('data', (c: Buffer) => {
      qemuStderr += c.toString();
    });
    const onSignal = () => {
      interrupted = true;
      // The whole process group: a launcher (ip netns exec) may stand between us and QEMU.
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    if (o.signal?.aborted) onSignal();
    o.signal?.addEventListener('abort', onSignal, { once: true });
    child.on('error', (e) => reject(new RunError(`Cannot start ${cmd}: ${e.message}`)));
    child.on('close', (status, signal) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      o.signal?.removeEventListener('abort', onSignal);
      if (exitCode !== undefined) return resolve(exitCode);
      if (interrupted) return resolve(EXIT_INTERRUPTED);
      const msg = qemuStderr.trim().split('\n').filter((l) => !/terminating on signal/.test(l)).join('\n');
      if (processTarget) {
        if (signal === 'SIGSYS') {
          err(Buffer.from(`nimbus: the instance was killed by SIGSYS: it made a system call outside its seccomp allow-list\n`));
          return resolve(EXIT_FORBIDDEN_CALL);
        }
        const why = signal ? ` by ${signal}` : ` (exit status ${status})`;
        // User mode needs unprivileged user namespaces, which some hosts turn off.
        const hint = /^unshare: /m.test(msg) ? '\n(user mode needs unprivileged user namespaces: sysctl kernel.unprivileged_userns_clone=1, and on Ubuntu kernel.apparmor_restrict_unprivileged_userns=0; or use --net tap:IFNAME)' : '';
        err(Buffer.from(`nimbus: the instance stopped without reporting an exit code${why}${msg ? `:\n${msg}` : ''}${hint}\n`));
        return resolve(EXIT_VM_FAILED);
      }
      // The guest ran (its start marker came) and left through isa-debug-exit, whose status is
      // (code << 1) | 1, but its exit record was lost: the UART's bounded wait gave up while a
      // loaded host did not drain the serial port, and bytes were dropped. The code is still
      // known; only status 1 stays ambiguous (QEMU's own failures exit 1).
      if (decoder.started && status !== null && status > 1 && status & 1) {
        err(Buffer.from(`nimbus: the console lost output at the end (the host did not drain the VM's serial port in time); exit code ${status >> 1} from QEMU's exit status\n`));
        return resolve(status >> 1);
      }
      err(Buffer.from(`nimbus: the VM stopped without reporting an exit code (QEMU exit status ${status})${msg ? `:\n${msg}` : ''}\n`));
      resolve(EXIT_VM_FAILED);
    });
  }));
}

/** The `nimbus` command line: build and run TypeScript programs as virtual machines. */
import path from 'node:path';
import { buildImage, formatSizes, BuildError } from './build.ts';
import { runImage, parseMem, parsePort, RunError, type Machine, type RunOptions, EXIT_VM_FAILED } from './run.ts';

const HELP: Record<string, string> = {
  main: `nimbus: build and run TypeScript programs as unikernel virtual machines

Usage:
  nimbus build <entry.ts> [-o image]       build a bootable image
  nimbus run <entry.ts | image> [options]  build if needed, then boot it in QEMU
  nimbus up <entry.ts | image> -n N        start a fleet of instances (docs/fleet.md)
  nimbus ps | logs | stop | rm             list, read, stop and remove fleet instances
  nimbus <command> --help                  help for a command

Options:
  -h, --help      show this help
  --version       print the version`,
  build: `Usage: nimbus build <entry.ts> [-o image] [--quiet]

Bundles <entry.ts> and its npm dependencies with the Nimbus library OS, compiles the bundle
to quickjs-ng bytecode and writes a bootable image (ELF64 with a PVH entry point).

Options:
  -o, --output FILE   where to write the image (default: <entry>.img next to the entry)
  --include PATH      put a file or folder (relative to the entry's folder, repeatable) into
                      the image, read-only; the program's working directory is that folder
  --locale L[,L...]   CLDR data for these locales besides en, for programs that use Intl
                      (e.g. --locale de,fr-CA; repeatable)
  -q, --quiet         do not print the image path and size breakdown
  -h, --help          show this help

Every Node built-in module name resolves. A module the image cannot provide (child_process,
cluster, worker_threads, http2, ...) loads with its constants and classes, its functions throw
an error with code ERR_NIMBUS_UNSUPPORTED, and the build prints one warning per such module
naming the packages that import it. A 'node:' name that is no Node built-in fails the build.`,
  run: `Usage: nimbus run <entry.ts | image> [options] [-- args...]

Boots the program in QEMU. Its stdout and stderr go to this terminal's stdout and stderr,
and nimbus exits with the program's exit code. Ctrl-C stops the VM (exit code 130).

Options:
  --mem SIZE           guest memory, e.g. 16M, 256M, 1G (default 64M)
  --machine TYPE       microvm (virtio-mmio, default) or q35 (virtio-pci)
  --target T           qemu (a VM, default) or process: the same image as a Linux process
                       confined by seccomp, at native speed (networking: --net tap:IFNAME,
                       or -p in user mode, which needs no root)
  --include PATH       as for nimbus build (when building an entry .ts)
  --locale L[,L...]    as for nimbus build (when building an entry .ts)
  --env K=V            set an environment variable for the program (repeatable)
  -p, --publish H:G    forward host port H (on 127.0.0.1) to guest port G, TCP
                       (repeatable; [ADDR:]H:G[/udp]); implies --net user
  --net MODE           user (QEMU user networking; on the process target, a relay into a
                       user + network namespace, no root), tap:IFNAME, or none
                       (default: user when ports are published, else none)
  --ip ADDR/PREFIX     static address instead of DHCP
  --gateway ADDR       default gateway for --ip
  --dns ADDR           DNS server for --ip
  --cpu-budget MS      stop the program (exit 123) if it runs MS ms without returning
                       to the event loop, e.g. an endless loop (default: no limit)
  --crypto js|native   primitives for TLS and node:crypto: the core's BearSSL (native,
                       the default) or @noble in JavaScript (js)
  --profile US         sample the JS stack at most every US microseconds and print each
                       sample on stderr as a 'PROF|frame|...' line (a diagnosis tool;
                       bench/profile/js-samples.ts sums them up)
  --timing             print boot timing measured inside the guest to stderr
  --test-hooks         enable test-only hooks in the guest (hw.testFault, used by the
                       core's fault tests); never for production
  -h, --help           show this help

Exit codes: the program's own (0-119), 70 the image's JavaScript could not start,
120 core panic, 121 CPU fault, 122 out of memory, 123 CPU budget exceeded,
124 (process target) a system call outside the seccomp allow-list,
125 the VM could not run, 130 interrupted (docs/exit-codes.md).`,
};

function fail(message: string, code = 2): never {
  process.stderr.write(`nimbus: ${message}\n`);
  process.exit(code);
}

interface Parsed { positionals: string[]; rest: string[]; flags: Map<string, string[]> }

function parse(argv: string[], valued: Set<string>, aliases: Record<string, string>): Parsed {
  const flags = new Map<string, string[]>();
  const positionals: string[] = [];
  let rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]!;
    if (a === '--') { rest = argv.slice(i + 1); break; }
    if (!a.startsWith('-') || a === '-') { positionals.push(a); continue; }
    let value: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) { value = a.slice(eq + 1); a = a.slice(0, eq); }
    const name = aliases[a] ?? a;
    if (valued.has(name)) {
      if (value === undefined) {
        value = argv[++i];
        if (value === undefined) fail(`option ${a} needs a value`);
      }
    } else if (value !== undefined) {
      fail(`option ${a} takes no value`);
    } else if (!['--help', '--quiet', '--timing', '--test-hooks', '--version'].includes(name)) {
      fail(`unknown option ${a} (see nimbus --help)`);
    }
    flags.set(name, [...(flags.get(name) ?? []), value ?? 'true']);
  }
  return { positionals, rest, flags };
}

async function cmdBuild(argv: string[]): Promise<number> {
  const p = parse(argv, new Set(['--output', '--include', '--locale']), { '-o': '--output', '-q': '--quiet', '-h': '--help' });
  if (p.flags.has('--help')) { console.log(HELP.build); return 0; }
  if (p.positionals.length !== 1) fail('build takes exactly one entry file (see nimbus build --help)');
  const r = await buildImage({ entry: p.positionals[0]!, output: p.flags.get('--output')?.[0], include: p.flags.get('--include'), locales: p.flags.get('--locale') });
  for (const w of r.warnings) console.error(`nimbus: warning: ${w}`);
  if (!p.flags.has('--quiet')) console.log(formatSizes(r));
  return 0;
}

async function cmdRun(argv: string[]): Promise<number> {
  const p = parse(argv, new Set(['--include', '--locale', '--mem', '--machine', '--target', '--env', '--publish', '--net', '--ip', '--gateway', '--dns', '--cpu-budget', '--crypto', '--profile']),
    { '-p': '--publish', '-h': '--help', '-e': '--env' });
  if (p.flags.has('--help')) { console.log(HELP.run); return 0; }
  if (p.positionals.length !== 1) fail('run takes exactly one entry file or image (see nimbus run --help)');
  const target = p.positionals[0]!;
  const one = (k: string) => p.flags.get(k)?.at(-1);
  const machine = (one('--machine') ?? 'microvm') as Machine;
  if (machine !== 'microvm' && machine !== 'q35') fail(`unknown machine '${machine}' (microvm or q35)`);
  const runTarget = one('--target') ?? 'qemu';
  if (runTarget !== 'qemu' && runTarget !== 'process') fail(`unknown target '${runTarget}' (qemu or process)`);
  const env: Record<string, string> = {};
  for (const kv of p.flags.get('--env') ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) fail(`--env takes K=V, got '${kv}'`);
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  let net: RunOptions['net'] = { kind: 'auto' };
  const netText = one('--net');
  if (netText === 'none' || netText === 'user') net = { kind: netText };
  else if (netText?.startsWith('tap:') && netText.length > 4) net = { kind: 'tap', ifname: netText.slice(4) };
  else if (netText !== undefined) fail(`--net takes user, tap:IFNAME or none, got '${netText}'`);
  let memMiB = 64, ports;
  try {
    if (one('--mem')) memMiB = parseMem(one('--mem')!);
    ports = (p.flags.get('--publish') ?? []).map(parsePort);
  } catch (e) {
    fail((e as Error).message);
  }
  if (ports.length && net.kind === 'none') fail('-p needs networking; drop --net none');
  const budget = one('--cpu-budget');
  if (budget !== undefined && !/^\d+$/.test(budget)) fail(`--cpu-budget takes a number of milliseconds, got '${budget}'`);
  const profile = one('--profile');
  if (profile !== undefined && !/^[1-9]\d*$/.test(profile)) fail(`--profile takes a number of microseconds, got '${profile}'`);
  const cryptoFlag = one('--crypto');
  if (cryptoFlag !== undefined && cryptoFlag !== 'js' && cryptoFlag !== 'native') fail(`--crypto takes js or native, got '${cryptoFlag}'`);
  const ip = one('--ip');
  if (ip && !/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(ip)) fail(`--ip takes ADDR/PREFIX, e.g. 10.0.2.15/24, got '${ip}'`);

  let image = target;
  if (/\.[cm]?[jt]sx?$/.test(target)) {
    const r = await buildImage({ entry: target, output: path.join('build', 'images', path.basename(target).replace(/\.[^.]+$/, '') + '.img'), include: p.flags.get('--include'), locales: p.flags.get('--locale') });
    for (const w of r.warnings) console.error(`nimbus: warning: ${w}`);
    image = r.image;
  }
  return runImage({
    image, memMiB, machine, env, ports, net, args: p.rest, ip, gateway: one('--gateway'), dns: one('--dns'),
    target: runTarget,
    testHooks: p.flags.has('--test-hooks'),
    cpuBudgetMs: budget === undefined ? undefined : Number(budget),
    profileUs: profile === undefined ? undefined : Number(profile),
    crypto: cryptoFlag as 'js' | 'native' | undefined,
    timing: p.flags.has('--timing') ? (t) => process.stderr.write(`nimbus: timing ${JSON.stringify(t)}\n`) : undefined,
  });
}

async function fleet(cmd: 'up' | 'ps' | 'logs' | 'stop' | 'rm', argv: string[]): Promise<number> {
  const { fleetMain, FleetUsageError } = await import('./fleet/commands.ts');
  try {
    return await fleetMain(cmd, argv);
  } catch (e) {
    if (e instanceof FleetUsageError) fail(e.message);
    if (e instanceof Error && !(e instanceof TypeError)) fail(e.message, 1);
    throw e;
  }
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') { console.log(HELP.main); return cmd ? 0 : 2; }
    if (cmd === '--version') { console.log('nimbus 0.1.0'); return 0; }
    if (cmd === 'build') return await cmdBuild(rest);
    if (cmd === 'run') return await cmdRun(rest);
    if (cmd === 'up' || cmd === 'ps' || cmd === 'logs' || cmd === 'stop' || cmd === 'rm') return await fleet(cmd, rest);
    // Internal: the fleet's supervisor, started detached by the fleet commands (cli/fleet/client.ts).
    if (cmd === '__supervisor') return await (await import('./fleet/supervisor.ts')).supervisorMain(rest[0]!);
    // Internal: the process target's user-mode relay, run by `nimbus run` in a namespace.
    if (cmd === '__usernet') return await (await import('./usernet.ts')).usernetMain(rest[0]!);
    fail(`unknown command '${cmd}' (see nimbus --help)`);
  } catch (e) {
    if (e instanceof BuildError || e instanceof RunError || e instanceof RangeError) {
      process.stderr.write(`nimbus: ${e.message}\n`);
      return e instanceof RunError ? EXIT_VM_FAILED : 1;
    }
    throw e;
  }
}

/**
 * node:os for the image: platform linux, x64, one CPU, memory figures from the core's heap
 * (process.memoryUsage), the hostname from HOSTNAME in the environment (default "nimbus").
 */
const proc = () => globalThis.process as unknown as { env: Record<string, string | undefined>; uptime(): number; memoryUsage(): { heapTotal: number; heapUsed: number; rss: number } };

export const EOL = '\n';
export const devNull = '/dev/null';
export const platform = (): string => 'linux';
export const type = (): string => 'Linux';
export const arch = (): string => 'x64';
export const machine = (): string => 'x86_64';
export const release = (): string => 'nimbus';
export const version = (): string => 'Nimbus unikernel';
export const endianness = (): 'LE' => 'LE';
export const hostname = (): string => proc().env.HOSTNAME ?? 'nimbus';
export const homedir = (): string => proc().env.HOME ?? '/';
export const tmpdir = (): string => (proc().env.TMPDIR ?? '/tmp').replace(/(.)\/$/, '$1');
export const uptime = (): number => Math.floor(proc().uptime());
export const loadavg = (): number[] => [0, 0, 0];
export const totalmem = (): number => proc().memoryUsage().heapTotal;
export const freemem = (): number => { const m = proc().memoryUsage(); return Math.max(0, m.heapTotal - m.rss); };
export const availableParallelism = (): number => 1;
export const cpus = () => [{ model: 'Nimbus vCPU', speed: 0, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } }];
export const networkInterfaces = () => ({});
export const userInfo = () => ({ uid: 0, gid: 0, username: 'root', homedir: homedir(), shell: null });
export const getPriority = (): number => 0;
export const setPriority = (): void => {};
export const constants = {
  signals: { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 },
  errno: { E2BIG: 7, EACCES: 13, EADDRINUSE: 98, EADDRNOTAVAIL: 99, EAGAIN: 11, EBADF: 9, ECONNREFUSED: 111, ECONNRESET: 104, EEXIST: 17, EINVAL: 22, EISDIR: 21, ENOENT: 2, ENOSPC: 28, ENOTDIR: 20, ENOTEMPTY: 39, EPERM: 1, EPIPE: 32, ETIMEDOUT: 110 },
  priority: { PRIORITY_LOW: 19, PRIORITY_BELOW_NORMAL: 10, PRIORITY_NORMAL: 0, PRIORITY_ABOVE_NORMAL: -7, PRIORITY_HIGH: -14, PRIORITY_HIGHEST: -20 },
};
export default {
  EOL, devNull, platform, type, arch, machine, release, version, endianness, hostname, homedir, tmpdir, uptime, loadavg, totalmem,
  freemem, availableParallelism, cpus, networkInterfaces, userInfo, getPriority, setPriority, constants,
};

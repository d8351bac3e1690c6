/**
 * Node-shaped errors for the socket layer: the same `code`, `errno` (negative, Linux values
 * as libuv reports them), `syscall`, `address`/`port` and message text Node prints, so a
 * program that logs or matches on them behaves the same in the image.
 */

/** libuv error numbers on Linux (uv-errno.h) and c-ares/getaddrinfo ones Node uses. */
export const ERRNO: Record<string, number> = {
  EAGAIN: -11, EPIPE: -32, EINVAL: -22, EMSGSIZE: -90, EADDRINUSE: -98, EADDRNOTAVAIL: -99, ENETUNREACH: -101,
  ECONNABORTED: -103, ECONNRESET: -104, ENOBUFS: -105, ETIMEDOUT: -110, ECONNREFUSED: -111,
  EHOSTUNREACH: -113, EAFNOSUPPORT: -97, ENOTFOUND: -3008, EAI_AGAIN: -3001, EAI_FAIL: -3002,
};

/** uv_strerror text, used by the "code: description" form (listen, bind). */
const DESCRIPTION: Record<string, string> = {
  EADDRINUSE: 'address already in use', EADDRNOTAVAIL: 'address not available', EINVAL: 'invalid argument',
  ENETUNREACH: 'network is unreachable', EMSGSIZE: 'message too long', ENOBUFS: 'no buffer space available',
};

export interface SystemError extends Error {
  code: string;
  errno?: number;
  syscall?: string;
  address?: string;
  port?: number;
  hostname?: string;
}

function make(message: string, props: Partial<SystemError>): SystemError {
  const e = new Error(message) as SystemError;
  Object.assign(e, props);
  return e;
}

/** `connect ECONNREFUSED 10.0.2.2:81` (Node's exceptionWithHostPort). */
export function errnoWithHostPort(code: string, syscall: string, address: string, port: number | undefined): SystemError {
  const details = port !== undefined && port > 0 ? `${address}:${port}` : address;
  const props: Partial<SystemError> = { errno: ERRNO[code], code, syscall, address };
  if (port !== undefined && port > 0) props.port = port;
  return make(`${syscall} ${code} ${details}`, props);
}

/** `listen EADDRINUSE: address already in use :::80` (Node's uvExceptionWithHostPort). */
export function uvWithHostPort(code: string, syscall: string, address: string, port: number): SystemError {
  const desc = DESCRIPTION[code] ?? code.toLowerCase();
  return make(`${syscall} ${code}: ${desc} ${address}:${port}`, { errno: ERRNO[code], code, syscall, address, port });
}

/** `read ECONNRESET`, `write EPIPE` (Node's errnoException). */
export function errnoError(code: string, syscall: string): SystemError {
  return make(`${syscall} ${code}`, { errno: ERRNO[code], code, syscall });
}

/** `getaddrinfo ENOTFOUND host` / `queryA ETIMEOUT host` (dns). */
export function dnsError(code: string, syscall: string, hostname: string): SystemError {
  const props: Partial<SystemError> = { code, syscall, hostname };
  if (syscall === 'getaddrinfo') props.errno = ERRNO[code];
  return make(`${syscall} ${code} ${hostname}`, props);
}

/** Node's internal errors: `code` plus the `[CODE]` name suffix Node shows. */
export function nodeError<E extends Error>(Base: new (m: string) => E, code: string, message: string): E & { code: string } {
  const e = new Base(message) as E & { code: string };
  e.code = code;
  return e;
}

export function badPort(name: string, port: unknown, allowZero: boolean): RangeError & { code: string } {
  const received = typeof port === 'number' ? `type number (${port})` : typeof port === 'string' ? `type string ('${port}')` : `${port === null ? 'null' : typeof port}`;
  return nodeError(RangeError, 'ERR_SOCKET_BAD_PORT', `${name} should be ${allowZero ? '>=' : '>'} 0 and < 65536. Received ${received}.`);
}

/** What follows "Received " in Node's ERR_INVALID_ARG_TYPE messages (its determineSpecificType). */
export function receivedText(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return value.name ? `function ${value.name}` : 'an instance of Function';
  if (typeof value === 'object') return `an instance of ${(value as object).constructor?.name ?? 'Object'}`;
  if (typeof value === 'string') return `type string ('${value.length > 28 ? `${value.slice(0, 25)}...` : value}')`;
  return `type ${typeof value} (${String(value)})`;
}

export function invalidArgType(name: string, expected: string, value: unknown): TypeError & { code: string } {
  return nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', `The "${name}" argument must be ${expected}. Received ${receivedText(value)}`);
}

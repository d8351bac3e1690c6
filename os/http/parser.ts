/**
 * Incremental HTTP/1.1 message parser (RFC 9112), pure: no clock, no I/O, no exceptions.
 *
 * Feed byte chunks with `push(chunk)`; the parser calls its sink synchronously with the
 * head of each message, body slices (subarrays of the chunks given: zero copy, so the
 * caller must not reuse a chunk's memory afterwards) and the end of each message. Several
 * messages may arrive in one chunk (pipelining) and a message may be split at any byte.
 *
 * Strictness follows Node's llhttp in its default (strict) mode, so that a request Node
 * rejects is rejected here too, with the status a server should answer:
 *   400 bad syntax or framing (CL with TE, duplicate Content-Length, bad chunk size, bare
 *       LF, obs-fold, CTL bytes in a field, space before the colon, non-token method/name)
 *   413 body larger than `maxBodySize`
 *   414 request-target longer than `maxUriLength`
 *   431 header section (start line included) longer than `maxHeaderSize`
 *   505 well-formed HTTP version other than 1.0 / 1.1
 * After an error the parser is dead: further input is ignored.
 *
 * A request method must be one of Node's `http.METHODS` (uppercase), as llhttp requires:
 * `get` or `FOO` is 400 HPE_INVALID_METHOD.
 *
 * Where we differ from llhttp (Node 20), on purpose:
 * - a response preceded by more than MAX_INFORMATIONAL 1xx responses (an endless stream of
 *   `100 Continue`) fails with HPE_INFORMATIONAL_FLOOD; llhttp consumes them until a timeout;
 * - exactly one SP between request-line parts (RFC 9112 §3): `GET  / HTTP/1.1` is 400, which
 *   llhttp accepts; strict splitting leaves no doubt about where the target ends;
 * - a request-target over `maxUriLength` (8 KB by default) is 414; Node only bounds the
 *   whole head (16 KB);
 * - any version but HTTP/1.0 and 1.1 is 505 (RFC 9110 §15.6.6); llhttp answers 400 to
 *   `HTTP/1.2` and serves `HTTP/2.0` as if it were 1.1.
 * (The server, not the parser, closes an `Upgrade` request that has no 'upgrade' listener
 * after answering it; Node keeps such a connection alive.)
 */

import { METHODS } from './status.ts';

/** Informational (1xx) responses accepted before the final one. */
export const MAX_INFORMATIONAL = 32;

/** The methods llhttp (and so Node) accepts. */
const KNOWN_METHODS: ReadonlySet<string> = new Set(METHODS);

export interface ParserLimits {
  /** Bytes of start line + header fields (and, separately, of trailers). Node: 16384. */
  readonly maxHeaderSize?: number;
  /** Bytes of the request-target. */
  readonly maxUriLength?: number;
  /** Bytes of a request/response body after de-chunking. */
  readonly maxBodySize?: number;
  /**
   * Tests only: `false` turns off the whole-head fast path (#wholeHead), so that a test can
   * hold the parser's output with and without it to be the same.
   */
  readonly fastHead?: boolean;
}

interface HeadCommon {
  readonly versionMajor: number;
  readonly versionMinor: number;
  /** [name, value, name, value, ...] as received (names keep their case), latin1-decoded. */
  readonly rawHeaders: string[];
  /** Persistent connection after this message (RFC 9112 §9.3). */
  readonly keepAlive: boolean;
  /** 'length' → `contentLength` bytes follow; 'eof' → body ends when the connection does. */
  readonly bodyKind: 'none' | 'length' | 'chunked' | 'eof';
  readonly contentLength: number;
  /** A `Connection: upgrade` + `Upgrade` request or a 101 response. */
  readonly upgrade: boolean;
  /** Request carried `Expect: 100-continue` (lowercase value of Expect, '' if none). */
  readonly expect: string;
}
export interface RequestHead extends HeadCommon {
  readonly kind: 'request';
  readonly method: string;
  readonly url: string;
}
export interface ResponseHead extends HeadCommon {
  readonly kind: 'response';
  readonly statusCode: number;
  readonly statusMessage: string;
}
export type MessageHead = RequestHead | ResponseHead;

export interface ParseError {
  /** The status a server answers with (for a response parser: what went wrong, as a code). */
  readonly status: 400 | 413 | 414 | 431 | 505;
  /** Stable code in llhttp's spirit: 'HPE_INVALID_CONSTANT', 'HPE_HEADER_OVERFLOW', ... */
  readonly code: string;
  readonly reason: string;
}

export interface ParserSink {
  onHead(head: MessageHead): void;
  onBody(data: Uint8Array): void;
  /** `rawTrailers` is [name, value, ...] from a chunked body's trailer section. */
  onEnd(rawTrailers: string[]): void;
  onError(error: ParseError): void;
}

const CR = 0x0d, LF = 0x0a, SP = 0x20, HTAB = 0x09, COLON = 0x3a;

/** RFC 9110 §5.6.2 tchar. */
const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) { TOKEN[c] = 1; TOKEN[c + 0x20] = 1; }

/**
 * A well-formed field line (RFC 9112 §5.1): a token, a colon, optional whitespace and a value
 * of field bytes (the same sets as TOKEN and isFieldByte).
 */
const FIELD_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[\t ]*([\t\x20-\x7e\x80-\xff]*)$/;

/** RFC 9110 §5.5 field-vchar / SP / HTAB / obs-text: everything but CTLs (HTAB allowed) and DEL. */
function isFieldByte(b: number): boolean {
  return b === HTAB || (b >= 0x20 && b !== 0x7f);
}
/** Request-target bytes: visible ASCII and obs-text; never CTL, SP or DEL. */
function isUriByte(b: number): boolean {
  return b > 0x20 && b !== 0x7f;
}

/** RFC 9110 §5.6.2 token: one or more tchar (the TOKEN set), matched in the engine's C. */
const TOKEN_STRING = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function isToken(s: string): boolean {
  return TOKEN_STRING.test(s);
}

/**
 * The whole-head fast path's request-line (RFC 9112 §3), with its CRLF: a method of the
 * letters and '-' that known methods use, exactly one SP, a target of request-target bytes
 * (isUriByte), one SP, HTTP/1.0 or HTTP/1.1 (§2.3). Anything else is left to #startLine.
 */
const FAST_REQUEST_LINE = /^([A-Z-]+) ([\x21-\x7e\x80-\xff]+) HTTP\/1\.([01])\r\n/;

/**
 * The fast path's field line (RFC 9112 §5.1) with its CRLF, from lastIndex (sticky): a token,
 * a colon and a value of field bytes (isFieldByte), captured without its leading and
 * trailing SP/HTAB (§5.1: OWS is not part of the value). Anything else is left to #fieldLine.
 */
const FAST_FIELD_LINE =
  /([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[\t ]*((?:[\x21-\x7e\x80-\xff](?:[\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)?)[\t ]*\r\n/y;

/**
 * The end of the head that starts at `start` (the offset after its empty line's CRLF) if it
 * is in `chunk` and at most `max` bytes long, else -1. One indexOf (the engine's C) per line;
 * a LF is the head's last line's when CR LF follows it. Whether each line really ends in CRLF
 * is the regular expressions' to check.
 */
function headEnd(chunk: Uint8Array, start: number, max: number): number {
  const limit = Math.min(chunk.length, start + max);
  let lf = chunk.indexOf(LF, start);
  while (lf >= 0 && lf + 3 <= limit) {
    if (chunk[lf + 1] === CR && chunk[lf + 2] === LF) return lf + 3;
    lf = chunk.indexOf(LF, lf + 1);
  }
  return -1;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  // A whole small array needs no view: a keep-alive request's chunk is often just its head.
  if (start === 0 && end === bytes.length && end <= 4096) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let s = '';
  for (let i = start; i < end; i += 4096) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + 4096)) as unknown as number[]);
  }
  return s;
}

const enum State {
  StartLine,
  Headers,
  BodyLength,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  BodyEof,
  Dead,
}

const MAX_CHUNK_LINE = 4096;

export class HttpParser {
  readonly #kind: 'request' | 'response';
  readonly #sink: ParserSink;
  readonly #maxHeader: number;
  readonly #maxUri: number;
  readonly #maxBody: number;
  /** A request parser with the whole-head fast path on (ParserLimits.fastHead). */
  readonly #fast: boolean;
  #fastHeads = 0;
  #state = State.StartLine;
  /** Bytes of the line being assembled across chunks (without its terminator). */
  #line: Uint8Array = new Uint8Array(256);
  #lineLen = 0;
  /** Bytes of the current header (or trailer) section so far. */
  #sectionBytes = 0;
  #head: { raw: string[] } = { raw: [] };
  #pending = { method: '', url: '', major: 1, minor: 1, status: 0, message: '' };
  #remaining = 0;
  #bodyBytes = 0;
  #noBodyNext = false;
  #informational = 0;
  #trailers: string[] = [];
  /** A push() is running: a chunk pushed from inside a sink callback waits in #later. */
  #pushing = false;
  #later: Uint8Array[] = [];
  /** detach() was called: bytes from here on are not HTTP (an upgrade, a CONNECT tunnel). */
  #detached = false;
  #rest: Uint8Array[] = [];

  constructor(kind: 'request' | 'response', sink: ParserSink, limits: ParserLimits = {}) {
    this.#kind = kind;
    this.#sink = sink;
    this.#maxHeader = limits.maxHeaderSize ?? 16384;
    this.#maxUri = limits.maxUriLength ?? 8192;
    this.#maxBody = limits.maxBodySize ?? Infinity;
    this.#fast = kind === 'request' && limits.fastHead !== false;
  }

  /** Tests only: how many message heads the whole-head fast path has parsed. */
  get fastHeads(): number {
    return this.#fastHeads;
  }

  /** Response parsers only: the next response answers a HEAD request, so it has no body. */
  expectNoBody(): void {
    this.#noBodyNext = true;
  }

  get dead(): boolean {
    return this.#state === State.Dead;
  }

  /** True between messages (no partial message buffered). */
  get idle(): boolean {
    return this.#state === State.StartLine && this.#lineLen === 0 && this.#later.length === 0;
  }

  /** Is a message in progress whose body runs to end of connection? */
  get readingToEof(): boolean {
    return this.#state === State.BodyEof;
  }

  /**
   * Stops parsing after the message head being delivered (call it from onHead): the bytes
   * that follow it, in this chunk and any pushed later, are kept for takeRest().
   */
  detach(): void {
    this.#detached = true;
  }

  /** After detach(): the bytes that came after the head (a copy), and forgets them. */
  takeRest(): Uint8Array {
    let n = 0;
    for (const r of this.#rest) n += r.length;
    const out = new Uint8Array(n);
    let off = 0;
    for (const r of this.#rest) { out.set(r, off); off += r.length; }
    this.#rest = [];
    return out;
  }

  push(chunk: Uint8Array): void {
    if (this.#detached) { if (chunk.length > 0) this.#rest.push(chunk); return; }
    // Re-entrancy (a sink callback whose socket delivers synchronously, e.g. on resume()):
    // bytes must be parsed in order, so a nested push queues its chunk for the outer one.
    if (this.#pushing) {
      if (chunk.length > 0) this.#later.push(chunk);
      return;
    }
    this.#pushing = true;
    try {
      this.#consume(chunk);
      while (this.#later.length > 0) {
        const next = this.#later.shift()!;
        if (this.#detached) this.#rest.push(next);
        else this.#consume(next);
      }
    } finally {
      this.#pushing = false;
    }
  }

  /** Parses one chunk. Every loop turn consumes at least one byte or ends the loop. */
  #consume(bytes: Uint8Array): void {
    // A plain view: a subclass's subarray (a Buffer's, npm `buffer`) constructs through its
    // species in JS, for every line and body piece. Sinks get plain Uint8Array views.
    const chunk = Object.getPrototypeOf(bytes) === Uint8Array.prototype ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let i = 0;
    const n = chunk.length;
    while (i < n && this.#state !== State.Dead && !this.#detached) {
      switch (this.#state) {
        case State.StartLine:
          if (this.#fast && this.#lineLen === 0 && this.#sectionBytes === 0) {
            const end = this.#wholeHead(chunk, i);
            if (end >= 0) { i = end; break; }
          }
          i = this.#lineBytes(chunk, i);
          break;
        case State.Headers:
        case State.ChunkSize:
        case State.ChunkDataEnd:
        case State.Trailers:
          i = this.#lineBytes(chunk, i);
          break;
        case State.BodyLength: {
          const take = Math.min(this.#remaining, n - i);
          this.#remaining -= take;
          const data = chunk.subarray(i, i + take);
          i += take;
          this.#sink.onBody(data);
          if (this.#remaining === 0) this.#finishMessage([]);
          break;
        }
        case State.ChunkData: {
          const take = Math.min(this.#remaining, n - i);
          this.#remaining -= take;
          const data = chunk.subarray(i, i + take);
          i += take;
          this.#sink.onBody(data);
          if (this.#remaining === 0) this.#state = State.ChunkDataEnd;
          break;
        }
        case State.BodyEof: {
          const data = chunk.subarray(i);
          i = n;
          this.#bodyBytes += data.length;
          if (this.#bodyBytes > this.#maxBody) return this.#fail(413, 'HPE_BODY_TOO_LARGE', 'Body exceeds the configured limit');
          this.#sink.onBody(data);
          break;
        }
      }
    }
    if (this.#detached && i < n) this.#rest.push(chunk.subarray(i));
  }

  /**
   * The peer closed its sending side. A body delimited by the connection ends here; any
   * other partial message is an error (returned as `false`, the sink is not told).
   */
  finish(): boolean {
    if (this.#state === State.BodyEof) {
      this.#finishMessage([]);
      return true;
    }
    return this.idle || this.#state === State.Dead;
  }

  #fail(status: ParseError['status'], code: string, reason: string): void {
    this.#state = State.Dead;
    this.#sink.onError({ status, code, reason });
  }

  /**
   * Accumulate one CRLF-terminated line; returns the new offset into chunk. The bytes are
   * searched with the engine's indexOf, not visited one by one in JS (the interpreter's cost
   * per byte dominated a keep-alive request), and a line whole in one chunk is passed on as a
   * view without a copy. The verdicts are those of a byte-at-a-time reader: the size limits
   * only grow with the line's length, so one check after the bytes up to the first error
   * decides what a check after each byte would have.
   */
  #lineBytes(chunk: Uint8Array, start: number): number {
    const n = chunk.length;
    const lf = chunk.indexOf(LF, start);
    const end = lf < 0 ? n : lf; // [start, end) belongs to this line, its CR included
    // A CR must be followed by LF; a LF must follow a CR (no bare LF, llhttp strict).
    const pendingCr = this.#lineLen > 0 && this.#line[this.#lineLen - 1] === CR;
    if (pendingCr && end > start) return this.#failCr(n);
    let cr = start < end ? chunk.indexOf(CR, start) : -1;
    if (cr >= end) cr = -1;
    const badCr = cr >= 0 && cr < end - 1; // a CR with a byte other than LF after it
    const take = badCr ? cr + 1 - start : end - start; // what a byte-at-a-time reader keeps
    if (this.#lineLen === 0 && lf >= 0 && !badCr) {
      // The whole line is in this chunk: check it and pass it on as a view.
      const view = chunk.subarray(start, end);
      if (!this.#checkLineSize(take, view)) return n;
      if (take === 0 || view[take - 1] !== CR) return this.#failLf(n);
      this.#onLine(view.subarray(0, take - 1));
      return lf + 1;
    }
    if (this.#lineLen + take > this.#line.length) {
      let size = this.#line.length * 2;
      while (size < this.#lineLen + take) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.#line.subarray(0, this.#lineLen));
      this.#line = grown;
    }
    this.#line.set(chunk.subarray(start, start + take), this.#lineLen);
    this.#lineLen += take;
    if (!this.#checkLineSize(this.#lineLen, this.#line)) return n;
    if (badCr) return this.#failCr(n);
    if (lf < 0) return n;
    if (this.#lineLen === 0 || this.#line[this.#lineLen - 1] !== CR) return this.#failLf(n);
    const line = this.#line.subarray(0, this.#lineLen - 1);
    this.#lineLen = 0;
    this.#onLine(line);
    return lf + 1;
  }

  /**
   * The whole-head fast path. A keep-alive request usually arrives as one chunk that holds its
   * whole head, and taking it line by line (#lineBytes, #onLine, #startLine, #fieldLine: views,
   * a decode and several calls per line) was most of the parser's cost in the interpreter.
   * Here the head is decoded once and matched by the engine's regular expressions (C): one
   * exec for the request-line, one per field line. The rule that keeps it safe: it accepts only
   * a head the line-by-line path would take without an error and with no limit near its bound,
   * and fills the same #head, #pending and #sectionBytes that path would before the same
   * #endOfHead. For anything else it returns -1 having changed nothing, and #lineBytes parses
   * the same bytes from the same state, so every verdict still comes from the slow path.
   */
  #wholeHead(chunk: Uint8Array, start: number): number {
    // Every per-line check of #checkLineSize is at most the head's length - 1.
    const end = headEnd(chunk, start, this.#maxHeader);
    if (end < 0) return -1;
    const text = latin1(chunk, start, end);
    const m = FAST_REQUEST_LINE.exec(text);
    // A known method has at most 11 bytes, so with the target within maxUri the request-line
    // is within its own bound in #checkLineSize (maxUri + 32) too.
    if (m === null || !KNOWN_METHODS.has(m[1]!) || m[2]!.length > this.#maxUri) return -1;
    const raw: string[] = [];
    const last = text.length - 2; // the empty line
    let at = m[0].length;
    while (at < last) {
      FAST_FIELD_LINE.lastIndex = at;
      const f = FAST_FIELD_LINE.exec(text);
      if (f === null) return -1;
      raw.push(f[1]!, f[2]!);
      at = FAST_FIELD_LINE.lastIndex;
    }
    this.#head = { raw };
    this.#pending = { method: m[1]!, url: m[2]!, major: 1, minor: m[3] === '1' ? 1 : 0, status: 0, message: '' };
    this.#sectionBytes = text.length;
    this.#state = State.Headers;
    this.#fastHeads++;
    this.#endOfHead();
    return end;
  }

  #failCr(n: number): number {
    this.#fail(400, 'HPE_CR_EXPECTED', 'CR not followed by LF');
    return n;
  }

  #failLf(n: number): number {
    this.#fail(400, 'HPE_LF_EXPECTED', 'Bare LF without CR');
    return n;
  }

  /**
   * Limits are checked as bytes arrive so a huge line cannot make us buffer it all. `len` is
   * the line's length so far (its CR included); `head` holds its first bytes.
   */
  #checkLineSize(len: number, head: Uint8Array): boolean {
    switch (this.#state) {
      case State.StartLine:
        if (this.#kind === 'request' && len > this.#maxUri + 32) {
          // A method is at most a few letters; a start line this long has a long target.
          const sp = head.subarray(0, 33).indexOf(SP);
          if (sp > 0) this.#fail(414, 'HPE_URI_TOO_LONG', 'Request-target too long');
          else this.#fail(400, 'HPE_INVALID_METHOD', 'Invalid method');
          return false;
        }
        if (this.#sectionBytes + len > this.#maxHeader) {
          this.#fail(431, 'HPE_HEADER_OVERFLOW', 'Header section too large');
          return false;
        }
        return true;
      case State.Headers:
      case State.Trailers:
        if (this.#sectionBytes + len > this.#maxHeader) {
          this.#fail(431, 'HPE_HEADER_OVERFLOW', 'Header section too large');
          return false;
        }
        return true;
      case State.ChunkSize:
      case State.ChunkDataEnd:
        if (len > MAX_CHUNK_LINE) {
          this.#fail(400, 'HPE_INVALID_CHUNK_SIZE', 'Chunk size line too long');
          return false;
        }
        return true;
      default:
        return true;
    }
  }

  #onLine(line: Uint8Array): void {
    switch (this.#state) {
      case State.StartLine:
        // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request-line.
        if (line.length === 0 && this.#sectionBytes < 8) {
          this.#sectionBytes += 2;
          return;
        }
        this.#sectionBytes += line.length + 2;
        this.#startLine(line);
        return;
      case State.Headers:
        this.#sectionBytes += line.length + 2;
        if (line.length === 0) return this.#endOfHead();
        this.#fieldLine(line, this.#head.raw);
        return;
      case State.Trailers:
        this.#sectionBytes += line.length + 2;
        if (line.length === 0) return this.#finishMessage(this.#trailers);
        this.#fieldLine(line, this.#trailers);
        return;
      case State.ChunkSize:
        return this.#chunkSize(line);
      case State.ChunkDataEnd:
        // RFC 9112 §7.1: chunk-data is followed by CRLF exactly.
        if (line.length !== 0) return this.#fail(400, 'HPE_STRICT', 'Expected CRLF after chunk data');
        this.#state = State.ChunkSize;
        return;
    }
  }

  #startLine(line: Uint8Array): void {
    this.#head = { raw: [] };
    if (this.#kind === 'request') {
      // RFC 9112 §3: request-line = method SP request-target SP HTTP-version
      let i = 0;
      while (i < line.length && TOKEN[line[i]] === 1) i++;
      if (i === 0 || i >= line.length || line[i] !== SP) return this.#fail(400, 'HPE_INVALID_METHOD', 'Invalid method');
      const mEnd = i++;
      if (!KNOWN_METHODS.has(latin1(line, 0, mEnd))) return this.#fail(400, 'HPE_INVALID_METHOD', 'Invalid method');
      const uStart = i;
      while (i < line.length && isUriByte(line[i])) i++;
      if (i - uStart > this.#maxUri) return this.#fail(414, 'HPE_URI_TOO_LONG', 'Request-target too long');
      if (i === uStart || i >= line.length || line[i] !== SP) return this.#fail(400, 'HPE_INVALID_URL', 'Invalid request-target');
      const uEnd = i++;
      const version = this.#version(line, i);
      if (version === null) return;
      if (version.end !== line.length) return this.#fail(400, 'HPE_INVALID_VERSION', 'Invalid HTTP version');
      this.#pending = {
        method: latin1(line, 0, mEnd),
        url: latin1(line, uStart, uEnd),
        major: version.major,
        minor: version.minor,
        status: 0,
        message: '',
      };
    } else {
      // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
      const version = this.#version(line, 0);
      if (version === null) return;
      let i = version.end;
      if (line[i] !== SP) return this.#fail(400, 'HPE_INVALID_VERSION', 'Invalid HTTP version');
      i++;
      let status = 0;
      for (let k = 0; k < 3; k++, i++) {
        const d = line[i] - 0x30;
        if (!(d >= 0 && d <= 9)) return this.#fail(400, 'HPE_INVALID_STATUS', 'Invalid status code');
        status = status * 10 + d;
      }
      if (status < 100) return this.#fail(400, 'HPE_INVALID_STATUS', 'Invalid status code');
      let message = '';
      if (i < line.length) {
        if (line[i] !== SP) return this.#fail(400, 'HPE_INVALID_STATUS', 'Invalid status code');
        for (let k = i + 1; k < line.length; k++) {
          if (!isFieldByte(line[k])) return this.#fail(400, 'HPE_INVALID_STATUS', 'Invalid reason phrase');
        }
        message = latin1(line, i + 1, line.length);
      }
      this.#pending = { method: '', url: '', major: version.major, minor: version.minor, status, message };
    }
    this.#state = State.Headers;
  }

  /** HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3). */
  #version(line: Uint8Array, at: number): { major: number; minor: number; end: number } | null {
    const ok =
      line.length >= at + 8 &&
      line[at] === 0x48 && line[at + 1] === 0x54 && line[at + 2] === 0x54 && line[at + 3] === 0x50 &&
      line[at + 4] === 0x2f && line[at + 6] === 0x2e;
    const major = line[at + 5] - 0x30, minor = line[at + 7] - 0x30;
    if (!ok || !(major >= 0 && major <= 9) || !(minor >= 0 && minor <= 9)) {
      this.#fail(400, 'HPE_INVALID_VERSION', 'Invalid HTTP version');
      return null;
    }
    if (major !== 1 || minor > 1) {
      this.#fail(505, 'HPE_INVALID_VERSION', 'HTTP version not supported');
      return null;
    }
    return { major, minor, end: at + 8 };
  }

  /**
   * Parses `name: value` into `out`; on failure reports and returns false. A well-formed line
   * is matched by one regular expression (the engine's, in C) on its text; anything else is
   * walked byte by byte below to name the first fault.
   */
  #fieldLine(line: Uint8Array, out: string[]): boolean {
    const m = FIELD_LINE.exec(latin1(line, 0, line.length));
    if (m) {
      const value = m[2]!;
      let ve = value.length;
      while (ve > 0 && (value.charCodeAt(ve - 1) === SP || value.charCodeAt(ve - 1) === HTAB)) ve--;
      out.push(m[1]!, ve === value.length ? value : value.slice(0, ve));
      return true;
    }
    return this.#fieldLineFault(line, out);
  }

  #fieldLineFault(line: Uint8Array, out: string[]): boolean {
    // RFC 9112 §5.2: obs-fold is rejected (a server MUST reject or replace it).
    if (line[0] === SP || line[0] === HTAB) {
      this.#fail(400, 'HPE_INVALID_HEADER_TOKEN', 'Obsolete line folding is not accepted');
      return false;
    }
    let i = 0;
    while (i < line.length && TOKEN[line[i]] === 1) i++;
    // RFC 9112 §5.1: no whitespace is allowed between the field name and colon.
    if (i === 0 || i >= line.length || line[i] !== COLON) {
      this.#fail(400, 'HPE_INVALID_HEADER_TOKEN', 'Invalid header field name');
      return false;
    }
    const name = latin1(line, 0, i);
    let vs = i + 1, ve = line.length;
    for (let k = vs; k < ve; k++) {
      if (!isFieldByte(line[k])) {
        this.#fail(400, 'HPE_INVALID_HEADER_TOKEN', 'Invalid character in header value');
        return false;
      }
    }
    while (vs < ve && (line[vs] === SP || line[vs] === HTAB)) vs++;
    while (ve > vs && (line[ve - 1] === SP || line[ve - 1] === HTAB)) ve--;
    out.push(name, latin1(line, vs, ve));
    return true;
  }

  #endOfHead(): void {
    const raw = this.#head.raw;
    const p = this.#pending;
    let contentLength = -1;
    let te = '';
    let connection = '';
    let expect = '';
    let hasUpgrade = false;
    for (let k = 0; k < raw.length; k += 2) {
      const name = raw[k].toLowerCase();
      const value = raw[k + 1];
      if (name === 'content-length') {
        // llhttp rejects a second Content-Length even when equal (request smuggling).
        if (contentLength !== -1) return this.#fail(400, 'HPE_UNEXPECTED_CONTENT_LENGTH', 'Duplicate Content-Length');
        if (!/^[0-9]{1,15}$/.test(value)) return this.#fail(400, 'HPE_INVALID_CONTENT_LENGTH', 'Invalid Content-Length');
        contentLength = Number(value);
      } else if (name === 'transfer-encoding') {
        te = te === '' ? value : `${te},${value}`;
      } else if (name === 'connection') {
        connection = connection === '' ? value : `${connection},${value}`;
      } else if (name === 'expect') {
        expect = value.toLowerCase();
      } else if (name === 'upgrade') {
        hasUpgrade = true;
      }
    }
    const tokens = connection.toLowerCase().split(',').map((t) => t.trim());
    const http11 = p.minor === 1;
    let keepAlive = http11 ? !tokens.includes('close') : tokens.includes('keep-alive');
    const isRequest = this.#kind === 'request';
    const upgrade = isRequest ? hasUpgrade && tokens.includes('upgrade') : p.status === 101;

    let bodyKind: HeadCommon['bodyKind'];
    if (te !== '') {
      // RFC 9112 §6.1: Transfer-Encoding with Content-Length is a smuggling vector; reject.
      if (contentLength !== -1) return this.#fail(400, 'HPE_UNEXPECTED_CONTENT_LENGTH', 'Content-Length with Transfer-Encoding');
      const codings = te.toLowerCase().split(',').map((t) => t.trim());
      const last = codings[codings.length - 1];
      if (codings.slice(0, -1).includes('chunked')) return this.#fail(400, 'HPE_INVALID_TRANSFER_ENCODING', 'chunked must be the final coding');
      if (last === 'chunked') bodyKind = 'chunked';
      else if (isRequest) {
        // RFC 9112 §6.3 (4): a request whose final coding is not chunked → 400.
        return this.#fail(400, 'HPE_INVALID_TRANSFER_ENCODING', 'Request body length cannot be determined');
      } else {
        bodyKind = 'eof';
        keepAlive = false;
      }
    } else if (contentLength !== -1) {
      bodyKind = contentLength === 0 ? 'none' : 'length';
    } else {
      bodyKind = isRequest ? 'none' : 'eof';
      if (!isRequest) keepAlive = false;
    }
    if (!isRequest) {
      const s = p.status;
      if (this.#noBodyNext || (s >= 100 && s < 200) || s === 204 || s === 304) {
        bodyKind = 'none';
        if (s >= 100 && s < 200 && s !== 101) keepAlive = true;
      }
    }
    if (bodyKind === 'length' && contentLength > this.#maxBody) {
      return this.#fail(413, 'HPE_BODY_TOO_LARGE', 'Body exceeds the configured limit');
    }
    if (upgrade) keepAlive = false;
    // Written out rather than spread from a common part: a spread copies key by key in the
    // interpreter, about a quarter of a fast-path request's parse under QuickJS.
    const length = Math.max(contentLength, 0);
    const head: MessageHead = isRequest
      ? {
        kind: 'request', method: p.method, url: p.url, versionMajor: p.major, versionMinor: p.minor, rawHeaders: raw,
        keepAlive, bodyKind, contentLength: length, upgrade, expect,
      }
      : {
        kind: 'response', statusCode: p.status, statusMessage: p.message, versionMajor: p.major, versionMinor: p.minor,
        rawHeaders: raw, keepAlive, bodyKind, contentLength: length, upgrade, expect,
      };
    const informational = !isRequest && p.status >= 100 && p.status < 200 && p.status !== 101;
    if (!informational) { this.#noBodyNext = false; this.#informational = 0; }
    else if (++this.#informational > MAX_INFORMATIONAL) {
      return this.#fail(400, 'HPE_INFORMATIONAL_FLOOD', `More than ${MAX_INFORMATIONAL} informational responses`);
    }
    this.#sectionBytes = 0;
    this.#bodyBytes = 0;
    this.#trailers = [];
    this.#sink.onHead(head);
    if (this.#state === State.Dead) return;
    if (informational) {
      this.#state = State.StartLine;
      return;
    }
    switch (bodyKind) {
      case 'none':
        return this.#finishMessage([]);
      case 'length':
        this.#remaining = contentLength;
        this.#state = State.BodyLength;
        return;
      case 'chunked':
        this.#state = State.ChunkSize;
        return;
      case 'eof':
        this.#state = State.BodyEof;
        return;
    }
  }

  /** RFC 9112 §7.1: chunk-size [ chunk-ext ] CRLF; chunk-size = 1*HEXDIG. */
  #chunkSize(line: Uint8Array): void {
    let i = 0;
    let size = 0;
    while (i < line.length) {
      const b = line[i];
      let d: number;
      if (b >= 0x30 && b <= 0x39) d = b - 0x30;
      else if (b >= 0x41 && b <= 0x46) d = b - 0x37;
      else if (b >= 0x61 && b <= 0x66) d = b - 0x57;
      else break;
      size = size * 16 + d;
      if (size > Number.MAX_SAFE_INTEGER) return this.#fail(400, 'HPE_INVALID_CHUNK_SIZE', 'Chunk size overflow');
      i++;
    }
    if (i === 0) return this.#fail(400, 'HPE_INVALID_CHUNK_SIZE', 'Invalid chunk size');
    if (i < line.length) {
      // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ); we check bytes, not grammar.
      let k = i;
      while (k < line.length && (line[k] === SP || line[k] === HTAB)) k++;
      if (line[k] !== 0x3b) return this.#fail(400, 'HPE_INVALID_CHUNK_SIZE', 'Invalid chunk size');
      for (; k < line.length; k++) {
        if (!isFieldByte(line[k])) return this.#fail(400, 'HPE_INVALID_CHUNK_SIZE', 'Invalid chunk extension');
      }
    }
    this.#bodyBytes += size;
    if (this.#bodyBytes > this.#maxBody) return this.#fail(413, 'HPE_BODY_TOO_LARGE', 'Body exceeds the configured limit');
    if (size === 0) {
      this.#sectionBytes = 0;
      this.#state = State.Trailers;
    } else {
      this.#remaining = size;
      this.#state = State.ChunkData;
    }
  }

  #finishMessage(trailers: string[]): void {
    this.#state = State.StartLine;
    this.#sectionBytes = 0;
    this.#sink.onEnd(trailers);
  }
}

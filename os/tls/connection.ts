/**
 * What the TLS client and server share: the record layer, alerts (RFC 8446 §6), application
 * data, KeyUpdate (§4.6.3) and the endpoint contract. An endpoint is a pure state machine:
 * bytes and the current time go in, bytes for the wire, decrypted data and events come out.
 * It never reads a clock, never schedules a timer, and never throws: any malformed input
 * ends in a fatal alert on the wire and an `error` event.
 */
import type { Random } from '../crypto/hash.ts';
import { Alert, ContentType, HandshakeType } from './constants.ts';
import { TlsAlert, TlsError, alertCode } from './errors.ts';
import { nextTrafficSecret, trafficKeys } from './key-schedule.ts';
import { HandshakeBuffer, frameHandshake, type HandshakeMessage } from './messages.ts';
import { RecordLayer, Tls13Protection, type RecordProtection } from './record.ts';
import type { CipherSuite } from './suites.ts';
import { Reader } from './wire.ts';

export type TlsEvent =
  | { type: 'secure' }                       // handshake complete
  | { type: 'end' }                          // peer sent close_notify
  | { type: 'error'; error: TlsError }       // fatal; the connection is closed
  | { type: 'session'; session: Uint8Array } // client: a resumable session (opaque)
  | { type: 'keylog'; line: string };        // NSS key log line (SSLKEYLOGFILE format)

export interface TlsOutput {
  wire: Uint8Array[];
  data: Uint8Array[];
  events: TlsEvent[];
}

export interface EndpointOptions {
  random: Random;
  /** Extra zero bytes added to each TLS 1.3 record (RFC 8446 §5.4). */
  padding?: number;
}

/** Limits that keep a hostile peer from making us spin (RFC 8446 §5.1 allows CCS/empty records, but not forever). */
const MAX_IDLE_RECORDS = 64;

export abstract class TlsEndpoint {
  protected readonly records = new RecordLayer();
  protected readonly hs = new HandshakeBuffer();
  protected readonly random: Random;
  protected now = 0;
  #out: TlsOutput = { wire: [], data: [], events: [] };
  #pendingWrites: Uint8Array[] = [];
  #idleRecords = 0;
  state: 'handshake' | 'open' | 'closed' = 'handshake';
  /** We have sent close_notify (no more writes). */
  writeClosed = false;
  /** The peer has sent close_notify. */
  readClosed = false;
  version: 'TLSv1.3' | 'TLSv1.2' | undefined;
  suite: CipherSuite | undefined;
  alpnProtocol: string | false = false;
  /** TLS 1.3 application traffic secrets, for KeyUpdate. */
  protected readSecret: Uint8Array | null = null;
  protected writeSecret: Uint8Array | null = null;
  /** Whether application data may be received now (RFC 8446 §2: after the peer's Finished). */
  protected appReadable = false;
  #keyUpdatePending = false;

  constructor(opts: EndpointOptions) {
    this.random = opts.random;
    this.records.padding = opts.padding ?? 0;
  }

  get isServer(): boolean { return false; }

  /** Feed bytes read from the transport. */
  receive(bytes: Uint8Array, now: number): TlsOutput {
    this.now = now;
    if (this.state === 'closed') return this.#flush();
    this.#guard(() => {
      this.records.feed(bytes);
      let r;
      while (this.state !== 'closed' && (r = this.records.next())) this.#onRecord(r.type, r.data);
    });
    return this.#flush();
  }

  /** Queue application data; sent once the handshake is done. */
  write(data: Uint8Array): TlsOutput {
    if (this.state === 'closed' || this.writeClosed) return this.#flush();
    if (this.state !== 'open') this.#pendingWrites.push(data.slice());
    else this.#guard(() => this.records.encode(ContentType.application_data, data, this.#out.wire));
    return this.#flush();
  }

  /** Send close_notify (RFC 8446 §6.1). Reading continues until the peer closes. */
  close(): TlsOutput {
    if (!this.writeClosed && this.state !== 'closed') {
      this.#pendingWrites = [];
      this.#sendAlert(1, Alert.close_notify);
      this.writeClosed = true;
      if (this.readClosed) this.state = 'closed';
    }
    return this.#flush();
  }

  /** Abort with a fatal alert (e.g. a handshake timeout decided by the caller). */
  abort(alert: number = Alert.user_canceled, message = 'connection aborted'): TlsOutput {
    if (this.state !== 'closed') this.fail(new TlsAlert(alert, message));
    return this.#flush();
  }

  /** TLS 1.3 KeyUpdate (RFC 8446 §4.6.3); `requestPeer` asks the peer to update too. */
  keyUpdate(requestPeer: boolean): TlsOutput {
    if (this.state === 'open' && this.version === 'TLSv1.3' && !this.writeClosed) {
      this.#guard(() => this.#sendKeyUpdate(requestPeer));
    }
    return this.#flush();
  }

  /** Start the handshake (the client's ClientHello; a server does nothing). */
  start(now: number): TlsOutput {
    this.now = now;
    this.#guard(() => this.onStart());
    return this.#flush();
  }

  // ---- for subclasses ----

  protected onStart(): void {}
  protected abstract onHandshake(msg: HandshakeMessage): void;
  /** Whether a ChangeCipherSpec record is acceptable now. */
  protected abstract acceptCcs(data: Uint8Array): boolean;

  protected emit(e: TlsEvent): void { this.#out.events.push(e); }

  protected sendHandshake(type: number, body: Uint8Array): Uint8Array {
    const msg = frameHandshake(type, body);
    this.records.encode(ContentType.handshake, msg, this.#out.wire);
    return msg;
  }

  protected sendRaw(type: number, data: Uint8Array): void {
    this.records.encode(type, data, this.#out.wire);
  }

  protected setReadKeys(p: RecordProtection): void {
    // RFC 8446 §5.1: handshake messages must not span a key change.
    if (!this.hs.empty) throw new TlsAlert(Alert.unexpected_message, 'handshake message spans a key change');
    this.records.read = p;
  }

  protected setWriteKeys(p: RecordProtection): void { this.records.write = p; }

  protected protection13(secret: Uint8Array): Tls13Protection {
    const k = trafficKeys(this.suite!, secret);
    return new Tls13Protection(this.suite!.aead, k.key, k.iv);
  }

  /** Handshake done: flush writes queued before it. */
  protected established(): void {
    this.state = 'open';
    this.emit({ type: 'secure' });
    const q = this.#pendingWrites;
    this.#pendingWrites = [];
    for (const d of q) this.records.encode(ContentType.application_data, d, this.#out.wire);
  }

  /** Post-handshake handshake messages common to both sides (TLS 1.3). */
  protected onPostHandshake13(msg: HandshakeMessage): boolean {
    if (msg.type !== HandshakeType.key_update) return false;
    const r = new Reader(msg.body);
    const request = r.u8();
    r.end();
    if (request > 1) throw new TlsAlert(Alert.illegal_parameter, 'bad KeyUpdate request');
    this.readSecret = nextTrafficSecret(this.suite!.hash, this.readSecret!);
    this.setReadKeys(this.protection13(this.readSecret));
    // RFC 8446 §4.6.3: answer update_requested with our own update (not requesting one).
    if (request === 1 && !this.writeClosed && !this.#keyUpdatePending) this.#sendKeyUpdate(false);
    this.#keyUpdatePending = false;
    return true;
  }

  #sendKeyUpdate(requestPeer: boolean): void {
    this.sendHandshake(HandshakeType.key_update, new Uint8Array([requestPeer ? 1 : 0]));
    this.writeSecret = nextTrafficSecret(this.suite!.hash, this.writeSecret!);
    this.setWriteKeys(this.protection13(this.writeSecret));
    if (requestPeer) this.#keyUpdatePending = true;
  }

  /** Ends the connection with a fatal alert and an error event. */
  protected fail(e: TlsAlert): void {
    if (this.state === 'closed') return;
    try { if (!e.silent) this.#sendAlert(2, e.alert); } catch { /* keys unusable: close without the alert */ }
    this.state = 'closed';
    const code = e.code ?? `ERR_SSL_${e.alertName.toUpperCase()}`;
    this.emit({ type: 'error', error: new TlsError(e.message, code, e.alert, false) });
  }

  #sendAlert(level: number, desc: number): void {
    this.records.encode(ContentType.alert, new Uint8Array([level, desc]), this.#out.wire);
  }

  #guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (err instanceof TlsAlert) this.fail(err);
      else this.fail(new TlsAlert(Alert.internal_error, `internal error: ${(err as Error)?.message ?? err}`));
    }
  }

  #flush(): TlsOutput {
    const o = this.#out;
    this.#out = { wire: [], data: [], events: [] };
    return o;
  }

  #onRecord(type: number, data: Uint8Array): void {
    if (type === ContentType.handshake || type === ContentType.alert) this.#idleRecords = 0;
    switch (type) {
      case ContentType.change_cipher_spec:
        if (!this.acceptCcs(data)) throw new TlsAlert(Alert.unexpected_message, 'unexpected change_cipher_spec');
        if (++this.#idleRecords > MAX_IDLE_RECORDS) throw new TlsAlert(Alert.unexpected_message, 'too many empty records');
        return;
      case ContentType.alert: return this.#onAlert(data);
      case ContentType.handshake: {
        if (data.length === 0) throw new TlsAlert(Alert.unexpected_message, 'empty handshake record');
        this.hs.add(data);
        let m;
        while (this.state !== 'closed' && (m = this.hs.next())) this.onHandshake(m);
        return;
      }
      case ContentType.application_data:
        if (!this.appReadable || !this.hs.empty) throw new TlsAlert(Alert.unexpected_message, 'application data before the handshake finished');
        if (this.readClosed) throw new TlsAlert(Alert.unexpected_message, 'data after close_notify');
        if (data.length === 0 && ++this.#idleRecords > MAX_IDLE_RECORDS) throw new TlsAlert(Alert.unexpected_message, 'too many empty records');
        if (data.length) { this.#idleRecords = 0; this.#out.data.push(data); }
        return;
    }
  }

  #onAlert(data: Uint8Array): void {
    if (data.length !== 2) throw new TlsAlert(Alert.decode_error, 'malformed alert');
    const [level, desc] = data;
    if (desc === Alert.close_notify) {
      this.readClosed = true;
      this.emit({ type: 'end' });
      if (this.writeClosed) this.state = 'closed';
      return;
    }
    // RFC 8446 §6: every alert but close_notify and user_canceled is fatal in TLS 1.3.
    if (desc === Alert.user_canceled || (level === 1 && this.version === 'TLSv1.2' && desc !== Alert.no_renegotiation)) return;
    if (level === 1 && desc === Alert.no_renegotiation) return;
    this.state = 'closed';
    const e = new TlsAlert(desc, '');
    this.emit({ type: 'error', error: new TlsError(`peer sent alert ${e.alertName} (${desc})`, alertCode(desc), desc, true) });
  }
}

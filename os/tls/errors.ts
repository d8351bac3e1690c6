/** The one exception type inside the TLS state machines: a fatal alert to send. */
import { ALERT_NAMES } from './constants.ts';

export class TlsAlert extends Error {
  override name = 'TlsAlert';
  /**
   * `code` is the Node-style code callers see: OpenSSL's reason as Node names it
   * (`ERR_SSL_NO_SHARED_CIPHER`) where we know the matching one, a certificate failure's
   * code, else `ERR_SSL_<ALERT NAME>`. `silent`: close without sending the alert, as
   * OpenSSL does for a first record that is not TLS at all (wrong version, an HTTP request).
   */
  constructor(readonly alert: number, message: string, readonly code?: string, readonly silent = false) {
    super(message);
  }
  get alertName(): string { return ALERT_NAMES[this.alert] ?? `alert ${this.alert}`; }
}

/** What the endpoint reports when a connection fails. */
export class TlsError extends Error {
  override name = 'Error';
  constructor(message: string, readonly code: string, readonly alert?: number, readonly remote = false) {
    super(message);
  }
}

// OpenSSL (and so Node) names these alerts SSLV3_ALERT_*, the rest TLSV1_ALERT_*.
const SSLV3_ALERTS = new Set([10, 20, 40, 42, 43, 44, 45, 46, 47]);

/** Node's code for an alert received from the peer: ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE etc. */
export function alertCode(alert: number): string {
  const name = (ALERT_NAMES[alert] ?? 'unknown').toUpperCase();
  const family = SSLV3_ALERTS.has(alert) ? 'SSLV3' : alert === 116 ? 'TLSV13' : 'TLSV1';
  return `ERR_SSL_${family}_ALERT_${name}`;
}

/**
 * os/tls: TLS as a pure, time-injected state machine (RFC 8446 client and server, RFC 5246
 * client). An endpoint takes bytes from the transport and the current time, and returns
 * bytes for the wire, decrypted application data and events; it never reads a clock or
 * schedules a timer, and malformed input ends in a fatal alert, never an exception.
 * Certificates (os/tls/x509) are parsed and verified here too; the caller supplies the
 * trust store and the clock.
 */
export { TlsClient, type ClientOptions } from './client.ts';
export { TlsServer, type ServerOptions, type ServerIdentity } from './server.ts';
export type { TlsEndpoint, TlsEvent, TlsOutput } from './connection.ts';
export { TlsError } from './errors.ts';
export { parseCertificate, type Certificate } from './x509/certificate.ts';
export { verifyChain, type VerifyFailure } from './x509/verify.ts';
export { checkServerIdentity } from './x509/identity.ts';

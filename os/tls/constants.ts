/** TLS code points (RFC 8446 §B, RFC 5246 §A, IANA registries). */

export const ContentType = { change_cipher_spec: 20, alert: 21, handshake: 22, application_data: 23 } as const;

export const HandshakeType = {
  hello_request: 0, client_hello: 1, server_hello: 2, new_session_ticket: 4, end_of_early_data: 5,
  encrypted_extensions: 8, certificate: 11, server_key_exchange: 12, certificate_request: 13,
  server_hello_done: 14, certificate_verify: 15, client_key_exchange: 16, finished: 20,
  key_update: 24, message_hash: 254,
} as const;

export const ExtensionType = {
  server_name: 0, status_request: 5, supported_groups: 10, ec_point_formats: 11, signature_algorithms: 13,
  alpn: 16, extended_master_secret: 23, session_ticket: 35, pre_shared_key: 41, early_data: 42,
  supported_versions: 43, cookie: 44, psk_key_exchange_modes: 45, signature_algorithms_cert: 50,
  key_share: 51, renegotiation_info: 0xff01,
} as const;

/** RFC 8446 §6 AlertDescription. */
export const Alert = {
  close_notify: 0, unexpected_message: 10, bad_record_mac: 20, record_overflow: 22, handshake_failure: 40,
  bad_certificate: 42, unsupported_certificate: 43, certificate_revoked: 44, certificate_expired: 45,
  certificate_unknown: 46, illegal_parameter: 47, unknown_ca: 48, access_denied: 49, decode_error: 50,
  decrypt_error: 51, protocol_version: 70, insufficient_security: 71, internal_error: 80,
  inappropriate_fallback: 86, user_canceled: 90, no_renegotiation: 100, missing_extension: 109,
  unsupported_extension: 110, unrecognized_name: 112, bad_certificate_status_response: 113,
  unknown_psk_identity: 115, certificate_required: 116, no_application_protocol: 120,
} as const;

export const ALERT_NAMES: Record<number, string> = Object.fromEntries(Object.entries(Alert).map(([k, v]) => [v, k]));

export const TLS12 = 0x0303;
export const TLS13 = 0x0304;

/** RFC 8446 §4.1.3: ServerHello.random of a HelloRetryRequest (SHA-256("HelloRetryRequest")). */
export const HRR_RANDOM = new Uint8Array([
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
]);

/** RFC 8446 §4.1.3 downgrade sentinels in the last 8 bytes of ServerHello.random. */
export const DOWNGRADE_TLS12 = new Uint8Array([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01]);
export const DOWNGRADE_TLS11 = new Uint8Array([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00]);

/** RFC 8446 §5.1, §5.2 limits. */
export const MAX_PLAINTEXT = 1 << 14;
export const MAX_CIPHERTEXT_13 = (1 << 14) + 256;
export const MAX_CIPHERTEXT_12 = (1 << 14) + 2048;
/** Largest handshake message we accept (certificate chains are the big ones). */
export const MAX_HANDSHAKE_MESSAGE = 1 << 17;

// The TLS benchmark's program (bench/tls.ts), run unchanged by Nimbus and by Linux + Node in the
// baseline VM (`app=tls-server`): an HTTPS server on port 80 with an ECDSA P-256 certificate
// (test data made for the benchmark, valid 100 years; not a secret), TLS 1.3 only.
//
//   GET /        the hello body (readiness probe, over HTTPS)
//   GET /bulk    10 MiB from a buffer allocated once at start
// The handshake benchmark connects, completes the handshake and closes without a request.
import https from 'node:https';

const key = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgcKRBLfn0BdT42KeF
RscQkScssY8dhqKBFhkTR4DSLNehRANCAASV3e/BDCmnA+83jZXJWjMy/OIXPC66
+PWrZ+gb9VrRG8f+zYBTkogKdxnQnUVlVQwPhawH7b00Ep63guuI+ixP
-----END PRIVATE KEY-----
`;
const cert = `-----BEGIN CERTIFICATE-----
MIIBrTCCAVOgAwIBAgIUBQVMJ2u+mx8F5bdv3/GD1+7l6y0wCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRdGxzLWJlbmNoLmludmFsaWQwIBcNMjYxMjAyMTYwMjIyWhgP
MjEyNjExMDgxNjAyMjJaMBwxGjAYBgNVBAMMEXRscy1iZW5jaC5pbnZhbGlkMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEld3vwQwppwPvN42VyVozMvziFzwuuvj1
q2foG/Va0RvH/s2AU5KICncZ0J1FZVUMD4WsB+29NBKet4LriPosT6NxMG8wHQYD
VR0OBBYEFCpeMhzUPWFovSJWHhVKsZggQ8ZWMB8GA1UdIwQYMBaAFCpeMhzUPWFo
vSJWHhVKsZggQ8ZWMA8GA1UdEwEB/wQFMAMBAf8wHAYDVR0RBBUwE4IRdGxzLWJl
bmNoLmludmFsaWQwCgYIKoZIzj0EAwIDSAAwRQIhAJsdyGlIgBmWgCAEOzUjwmrg
/6PNHUNG52QopGr+JH0lAiAzAF6BIP3KMDqAzorgvH+VbTOqu3yI+sZw+wf2W8HI
vg==
-----END CERTIFICATE-----
`;
const hello = 'Hello from Nimbus!\n';
const BULK_BYTES = 10 * 1024 * 1024;
const bulk = Buffer.alloc(BULK_BYTES, 0x61);

const server = https.createServer({ key, cert, minVersion: 'TLSv1.3' }, (req, res) => {
  const body = req.url === '/bulk' ? bulk : hello;
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
  res.end(body);
});
server.on('tlsClientError', () => {});
server.listen(80, () => {
  console.log(`READY tls node ${process.version}`);
});

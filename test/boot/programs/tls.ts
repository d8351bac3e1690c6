// TLS in the image: an https server (key and certificate from the environment) and, once it
// listens, fetches over https from the host: a trusted server (NODE_EXTRA_CA_CERTS), a
// self-signed one and one whose certificate names another host, printing what happens.
import https from 'node:https';
import tls from 'node:tls';

const env = process.env;
const server = https.createServer({ key: env.KEY_PEM, cert: env.CERT_PEM }, (req, res) => {
  const socket = req.socket as unknown as tls.TLSSocket;
  const sni = req.url === '/sni' ? ` for ${socket.servername}` : '';
  res.end(`hello over ${socket.getProtocol?.()} ${req.url}${sni}\n`);
});
// SNI: another certificate for sni.test, chosen by the host name the client asks for.
if (env.SNI_KEY_PEM) server.addContext('sni.test', { key: env.SNI_KEY_PEM, cert: env.SNI_CERT_PEM });
server.listen(8443, () => console.log('listening on 8443'));

async function tryFetch(name: string, url: string): Promise<void> {
  try {
    const r = await fetch(url);
    console.log(`${name}: ${r.status} ${(await r.text()).trim()}`);
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause;
    console.log(`${name}: ${(e as Error).message} ${cause?.code}`);
  }
}

const host = env.HOST_ADDR ?? '10.0.2.2';
await tryFetch('trusted', `https://${host}:${env.GOOD_PORT}/a`);
await tryFetch('self-signed', `https://${host}:${env.SELF_PORT}/b`);
await tryFetch('wrong-name', `https://${host}:${env.WRONG_PORT}/c`);
const s = tls.connect({ host, port: Number(env.GOOD_PORT), servername: 'host.test', ALPNProtocols: ['http/1.1'] }, () => {
  console.log(`tls.connect: ${s.getProtocol()} ${s.alpnProtocol} authorized=${s.authorized} cn=${(s.getPeerCertificate() as { subject: { CN: string } }).subject.CN}`);
  s.end();
});
s.on('error', (e) => console.log('tls.connect error', (e as { code?: string }).code));
const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode('abc'));
console.log('global subtle', Buffer.from(digest).toString('hex').slice(0, 16));
console.log('client done');

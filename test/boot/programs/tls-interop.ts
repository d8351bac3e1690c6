// TLS interop in the image: an https server with the key and certificate chain from files
// included in the image (key.pem, cert.pem; root.pem is the CA the client trusts; PEMs that
// large do not fit the 4 KiB boot command line that carries the environment) (curl reaches it), then tls.connect to each host peer listed in CASES (JSON), printing one
// line per case (CASES is base64 of JSON): "case NAME: ok PROTOCOL authorized=BOOL reply=FIRST-LINE" or "case NAME: error CODE".
import https from 'node:https';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';

const env = process.env;
const pem = (name: string) => readFileSync(name, 'utf8') as string;
const ROOT_PEM = pem('root.pem');
interface Case { name: string; port: number; servername: string; trustRoot: boolean; request?: string }

const server = https.createServer({ key: pem('key.pem'), cert: pem('cert.pem') }, (req, res) => {
  const socket = req.socket as unknown as tls.TLSSocket;
  res.end(`hello over ${socket.getProtocol()} ${req.url}\n`);
});
server.listen(8443, () => console.log('listening on 8443'));

function run(c: Case): Promise<string> {
  return new Promise((resolve) => {
    const s = tls.connect({ host: env.HOST_ADDR ?? '10.0.2.2', port: c.port, servername: c.servername, ...(c.trustRoot ? { ca: ROOT_PEM } : {}) });
    let reply = '';
    let proto: string | null = null;
    const timer = setTimeout(() => { s.destroy(); resolve('error TIMEOUT'); }, 60_000);
    s.on('secureConnect', () => {
      proto = s.getProtocol();
      if (c.request) s.write(c.request);
      else s.end();
    });
    s.on('data', (d: Buffer) => (reply += d));
    s.on('close', () => { clearTimeout(timer); resolve(`ok ${proto} authorized=${s.authorized} reply=${reply.split('\r\n')[0]}`); });
    s.on('error', (e: Error & { code?: string }) => { clearTimeout(timer); resolve(`error ${e.code}`); });
  });
}

for (const c of JSON.parse(Buffer.from(env.CASES ?? 'W10=', 'base64').toString()) as Case[]) console.log(`case ${c.name}: ${await run(c)}`);
console.log('cases done');

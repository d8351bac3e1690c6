// The image's https server for hostile peers (key and certificate from the environment).
import https from 'node:https';

const server = https.createServer({ key: process.env.KEY_PEM, cert: process.env.CERT_PEM }, (req, res) => {
  res.end(`still serving ${req.url}\n`);
});
server.listen(8443, () => console.log('listening on 8443'));

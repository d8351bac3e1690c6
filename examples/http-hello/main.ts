// A small web service: a static page and a JSON API, written against node:http.
// Runs the same under `node` and as a Nimbus VM: `nimbus run main.ts -p 8080:80`.
import http from 'node:http';

const PORT = Number(process.env.PORT ?? 80);
const startedAt = Date.now();
let visits = 0;

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Hello from Nimbus</title></head>
<body>
  <h1>Hello from Nimbus!</h1>
  <p>This page is served by a TypeScript program running as its own virtual machine.</p>
  <ul>
    <li><a href="/api/hello?name=world">GET /api/hello?name=world</a></li>
    <li><a href="/api/stats">GET /api/stats</a></li>
    <li>POST /api/echo with a JSON body</li>
  </ul>
</body>
</html>
`;

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  visits++;
  if (req.method === 'GET' && url.pathname === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  } else if (req.method === 'GET' && url.pathname === '/api/hello') {
    sendJson(res, 200, { message: `Hello, ${url.searchParams.get('name') ?? 'stranger'}!` });
  } else if (req.method === 'GET' && url.pathname === '/api/stats') {
    sendJson(res, 200, { visits, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) });
  } else if (req.method === 'POST' && url.pathname === '/api/echo') {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        sendJson(res, 200, { youSent: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') });
      } catch {
        sendJson(res, 400, { error: 'body is not valid JSON' });
      }
    });
  } else {
    sendJson(res, 404, { error: `no route for ${req.method} ${url.pathname}` });
  }
});

server.listen(PORT, () => console.log(`http-hello listening on port ${PORT}`));

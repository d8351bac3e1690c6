// Resolves a name through the DHCP-provided DNS server and fetches a file over HTTP.
import dns from 'node:dns/promises';

const host = process.argv[2] ?? 'web.test';
const port = process.argv[3] ?? '8000';
const addresses = await dns.resolve4(host);
console.log(`resolved ${host} to ${addresses.join(',')}`);
const response = await fetch(`http://${host}:${port}/file.bin`);
const body = new Uint8Array(await response.arrayBuffer());
let sum = 0;
for (const b of body) sum = (sum * 31 + b) >>> 0;
console.log(`status ${response.status} length ${body.length} checksum ${sum}`);

// expect-exit: 0
// FormData: entries, set/delete, Files; Response.formData() parsing multipart/form-data
// (fields, a file, CRLF inside a value, UTF-8) and urlencoded bodies; a FormData body round-trips
// through Request; the errors for a malformed body and an unsupported type.
const fd = new FormData();
fd.append('a', '1');
fd.append('a', 'two');
fd.append('blob', new Blob(['bytes'], { type: 'text/plain' }));
fd.append('file', new File(['<p>hi</p>'], 'page.html', { type: 'text/html' }), 'renamed.html');
fd.set('b', 'x');
console.log([...fd.keys()].join(','), fd.getAll('a').join('|'), fd.has('b'), fd.get('missing'));
fd.set('a', 'only');
fd.delete('b');
const desc = (v: unknown) => (typeof v === 'string' ? v : `${(v as File).constructor.name}(${(v as File).name},${(v as File).type},${(v as File).size})`);
console.log([...fd].map(([k, v]) => `${k}=${desc(v)}`).join(' '), Object.prototype.toString.call(fd));

const boundary = 'XyZ-boundary-123';
const body = [
  `--${boundary}`,
  'Content-Disposition: form-data; name="title"',
  '',
  'Hello, multipart',
  `--${boundary}`,
  'Content-Disposition: form-data; name="note"',
  '',
  'line one\r\nline two',
  `--${boundary}`,
  'Content-Disposition: form-data; name="upload"; filename="data.bin"',
  'Content-Type: application/octet-stream',
  '',
  '\u0001\u0002\u0003',
  `--${boundary}`,
  'Content-Disposition: form-data; name="quoted name"',
  '',
  'é ü',
  `--${boundary}--`,
  '',
].join('\r\n');

async function main(): Promise<void> {
  const parsed = await new Response(body, { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }).formData();
  for (const [k, v] of parsed) console.log(JSON.stringify(k), typeof v === 'string' ? JSON.stringify(v) : desc(v));
  const upload = parsed.get('upload') as File;
  console.log([...new Uint8Array(await upload.arrayBuffer())].join(','));
  const urlencoded = await new Response('x=1&y=hello+world&x=%C3%A9', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }).formData();
  console.log([...urlencoded].map(([k, v]) => `${k}=${v}`).join(' '));
  const req = new Request('http://example.test/', { method: 'POST', body: fd });
  console.log(/^multipart\/form-data; boundary=/.test(req.headers.get('content-type')!));
  const again = await req.formData();
  for (const [k, v] of again) console.log('again', k, typeof v === 'string' ? v : `${desc(v)} ${await (v as File).text()}`);
  try { await new Response('garbage', { headers: { 'content-type': 'multipart/form-data; boundary=nope' } }).formData(); } catch (e) { console.log((e as Error).name, (e as Error).message); }
  try { await new Response('x', { headers: { 'content-type': 'text/plain' } }).formData(); } catch (e) { console.log((e as Error).name); }
}
main();

// expect-exit: 0
// node:os, node:tty and parts of node:util libraries call, where an image and Linux agree.
import os from 'node:os';
import tty from 'node:tty';
import util from 'node:util';
import { isDate, isRegExp, isPromise } from 'node:util/types';
import { StringDecoder } from 'node:string_decoder';
import querystring from 'node:querystring';
import url from 'node:url';

console.log(os.platform(), os.type(), os.EOL === '\n', os.endianness(), typeof os.tmpdir(), os.arch());
console.log(os.totalmem() > 0, os.freemem() >= 0, os.cpus().length > 0, typeof os.hostname(), os.constants.signals.SIGTERM);
console.log(tty.isatty(1), tty.isatty(2), typeof tty.WriteStream);
console.log(isDate(new Date()), isRegExp(/x/), isPromise(Promise.resolve()), util.types.isUint8Array(new Uint8Array(1)));
console.log(util.format('%s=%d %j', 'a', 42, { b: 1 }), util.inspect({ deep: { er: { est: 1 } } }, { depth: 0 }));
const dbg = util.debuglog('corpus-section');
dbg('not shown: NODE_DEBUG does not name this section');
console.log('debuglog enabled', dbg.enabled, JSON.stringify(util.styleText('red', 'x')), JSON.stringify(util.styleText('red', 'x', { validateStream: false })));
console.log(util.isDeepStrictEqual({ a: [1] }, { a: [1] }), util.promisify.custom === Symbol.for('nodejs.util.promisify.custom'));
const euro = Buffer.from('€');
const d = new StringDecoder('utf8');
console.log(JSON.stringify(d.write(euro.subarray(0, 1)) + '|' + d.write(euro.subarray(1)) + '|' + d.end()));
const h = new StringDecoder('hex');
console.log(h.write(Buffer.from([1, 255])), new StringDecoder('base64').write(Buffer.from('ab')) + '|' + new StringDecoder('latin1').end(Buffer.from([0xe9])));
try { new StringDecoder('klingon' as never); } catch (e) { console.log((e as { code: string }).code, (e as Error).message); }
console.log(JSON.stringify(querystring.parse('a=1&a=2&b=x+y&c=%E2%82%AC&d')), querystring.stringify({ a: [1, 2], b: 'x y', c: '€' }));
console.log(querystring.escape("a b!'"), querystring.unescape('%41%zz'));
const u = url.parse('http://user:pw@example.com:8080/p/a/t/h?query=string#hash', true);
console.log(u.protocol, u.auth, u.host, u.port, u.pathname, u.search, JSON.stringify(u.query), u.hash);
console.log(url.format({ protocol: 'https', hostname: 'example.com', pathname: '/x', query: { a: '1' } }), url.resolve('http://a/b/c', '../d'));
console.log(url.fileURLToPath('file:///tmp/a%20b'), url.pathToFileURL('/tmp/a b').href);

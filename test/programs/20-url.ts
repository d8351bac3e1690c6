// expect-exit: 0
const u = new URL('HTTPS://User:Pw@Example.COM:443/a/./b/../c%20d?x=1&y=two+words#Frag');
console.log(u.href, u.protocol, u.host, u.hostname, u.port, u.pathname, u.search, u.hash, u.origin, u.username);
console.log(u.searchParams.get('y'), [...u.searchParams.keys()]);
u.searchParams.append('z', 'a b&c'); u.port = '8443'; u.hash = '';
console.log(u.toString());
console.log(new URL('../up?q', 'http://h.com/a/b/c').href, new URL('//other.org/p', 'https://h.com').href, new URL('?only', 'http://h/p/q').href);
console.log(new URL('http://h/ sp"ace<>').pathname, new URL('http://0x7f.1/').hostname, new URL('http://[::FFFF:1.2.3.4]/').host);
for (const bad of ['nope', 'http://', 'http://a:99999']) { try { new URL(bad); } catch (e) { console.log('invalid:', bad, (e as { code?: string }).code); } }
const p = new URLSearchParams({ b: '2', a: '1' }); p.sort(); p.set('c', 'é'); console.log(p.toString(), p.size, p.has('a'));
console.log(new URL('mailto:someone@example.com').pathname, URL.canParse('x:y'), JSON.stringify({ u: new URL('http://a.b') }));
console.log(u.searchParams, new URLSearchParams('q=%F0%9F%98%80&e=').get('q'));
export {};

// expect-exit: 0
// URLPattern: test() and exec() on strings and init dictionaries, named groups with modifiers,
// wildcards, regexp groups, baseURL, ignoreCase, hasRegExpGroups, and TypeError for bad patterns.
// Node 20 and 22 have no global URLPattern (Node 24 does): there the program loads the same
// urlpattern-polyfill the image links, so under those Nodes this compares the engines and the
// runtime's URL beneath one implementation, not two implementations of the standard.
// (No top-level await: the V8 harness bundles the corpus as a script.)
const g = globalThis as { URLPattern?: unknown };
void (g.URLPattern ? Promise.resolve() : import('urlpattern-polyfill')).then(() => main(g.URLPattern as Ctor));
type Pattern = URLPattern & { hasRegExpGroups?: boolean };
type Ctor = new (input?: string | URLPatternInit, base?: string | { ignoreCase?: boolean }, options?: { ignoreCase?: boolean }) => Pattern;

function main(Ctor: Ctor): void {
  const groups = (r: URLPatternResult | null, part: keyof Omit<URLPatternResult, 'inputs'> = 'pathname') =>
    r === null ? 'null' : `${JSON.stringify(r[part].input)} ${JSON.stringify(r[part].groups)}`;
  const components = (p: Pattern) =>
    (['protocol', 'username', 'password', 'hostname', 'port', 'pathname', 'search', 'hash'] as const).map((k) => `${k}=${p[k]}`).join(' ');

  console.log('typeof', typeof Ctor, typeof g.URLPattern, Ctor === g.URLPattern);

  // Named groups in a pathname-only pattern.
  const books = new Ctor({ pathname: '/books/:id' });
  console.log(components(books));
  console.log('test', books.test('https://example.com/books/123'), books.test('https://example.com/books'), books.test({ pathname: '/books/9' }));
  console.log('exec', groups(books.exec('https://example.com/books/123')));
  console.log('exec miss', groups(books.exec('https://example.com/authors/1')));
  const r = books.exec({ pathname: '/books/x' })!;
  console.log('inputs', JSON.stringify(r.inputs), 'hostname', groups(r, 'hostname'));

  // Modifiers: optional, one or more, zero or more; a group with a prefix and a suffix.
  const opt = new Ctor({ pathname: '/users/:id?' });
  console.log('optional', opt.test({ pathname: '/users' }), opt.test({ pathname: '/users/7' }), groups(opt.exec({ pathname: '/users' })));
  const plus = new Ctor({ pathname: '/tags/:tag+' });
  console.log('one-or-more', plus.test({ pathname: '/tags' }), groups(plus.exec({ pathname: '/tags/a/b/c' })));
  const star = new Ctor({ pathname: '/tree/:seg*' });
  console.log('zero-or-more', groups(star.exec({ pathname: '/tree' })), groups(star.exec({ pathname: '/tree/x/y' })));
  const braces = new Ctor({ pathname: '/blog/:year{-:month}?' });
  console.log('braces', groups(braces.exec({ pathname: '/blog/2024-05' })), groups(braces.exec({ pathname: '/blog/2024' })));

  // Wildcards: an unnamed group numbered from 0, in pathname and hostname.
  const files = new Ctor({ pathname: '/files/*' });
  console.log('wildcard', groups(files.exec({ pathname: '/files/a/b.txt' })), files.test({ pathname: '/file' }));
  const sub = new Ctor('https://*.example.com/*');
  const subHit = sub.exec('https://api.example.com/v1/x');
  console.log('host wildcard', groups(subHit, 'hostname'), groups(subHit), sub.test('https://example.com/'));

  // Regexp groups, named and unnamed.
  const items = new Ctor({ pathname: '/items/:id(\\d+)' });
  console.log('regexp', items.test({ pathname: '/items/42' }), items.test({ pathname: '/items/abc' }), groups(items.exec({ pathname: '/items/42' })));
  const unnamed = new Ctor({ pathname: '/v(\\d+)/:rest*' });
  console.log('unnamed regexp', groups(unnamed.exec({ pathname: '/v2/a/b' })), components(unnamed));
  const alt = new Ctor({ pathname: '/:kind(cat|dog)s' });
  console.log('alternation', groups(alt.exec({ pathname: '/dogs' })), alt.test({ pathname: '/cows' }));

  // A full URL pattern string, and a baseURL for the pattern and for the input.
  const full = new Ctor('https://:sub.example.com:8080/api/:version/*\\?q=:query#:frag');
  console.log(components(full));
  const hit = full.exec('https://shop.example.com:8080/api/v3/users/1?q=shoes#top');
  console.log('full', groups(hit, 'hostname'), groups(hit), groups(hit, 'search'), groups(hit, 'hash'), groups(hit, 'port'));
  const based = new Ctor('/api/*', 'https://example.com');
  console.log(components(based));
  console.log('baseURL', based.test('https://example.com/api/x'), based.test('https://other.com/api/x'), based.test('/api/y', 'https://example.com'));
  const init = new Ctor({ pathname: '/docs/:page', baseURL: 'https://example.com/start' });
  console.log(components(init));
  console.log('init baseURL', init.test({ pathname: '/docs/a', baseURL: 'https://example.com' }), groups(init.exec('/docs/intro', 'https://example.com')));

  // Canonicalised inputs: the pattern matches the URL as the URL parser writes it.
  const enc = new Ctor({ pathname: '/caf\u00e9/:x' });
  console.log('encoded', components(enc), enc.test('https://example.com/caf%C3%A9/1'), groups(enc.exec('https://example.com/caf\u00e9/1')));
  const defaultPort = new Ctor({ protocol: 'https', port: '' });
  console.log('default port', defaultPort.test('https://example.com:443/'), defaultPort.test('https://example.com:444/'));

  // ignoreCase (the options argument).
  const caseless = new Ctor({ pathname: '/About/:x' }, { ignoreCase: true });
  console.log('ignoreCase', caseless.test({ pathname: '/about/1' }), new Ctor({ pathname: '/About/:x' }).test({ pathname: '/about/1' }));

  // hasRegExpGroups, where the implementation has it.
  if ('hasRegExpGroups' in books) {
    console.log('hasRegExpGroups', books.hasRegExpGroups, items.hasRegExpGroups, files.hasRegExpGroups, unnamed.hasRegExpGroups);
  } else {
    console.log('hasRegExpGroups absent');
  }

  // Invalid patterns, and a baseURL beside an init dictionary, throw TypeError (messages differ between implementations).
  for (const bad of [() => new Ctor({ pathname: '/:id(' }), () => new Ctor('/relative/without/base'), () => new Ctor({ pathname: '/(a' }),
    () => new Ctor({ pathname: '/:' }), () => new Ctor({ pathname: '/x' }, 'not a url'), () => books.test({ pathname: '/books/1' }, 'https://example.com')]) {
    try {
      console.log('no throw', String(bad()));
    } catch (e) {
      console.log('throws', (e as Error).name, e instanceof TypeError);
    }
  }
  // A malformed input to test() or exec() is no match, not an error.
  console.log('bad input', books.test('not a url'), groups(books.exec('::')), books.test('/books/1', 'not a url'));
}
export {};

// expect-exit: 0
// AsyncLocalStorage across native await: chains of awaits, Promise.all and Promise.race,
// async iterators and for await, async generators, thenables, try/finally after a rejection,
// nested runs and enterWith, concurrent requests that must not see each other's store.
import { AsyncLocalStorage } from 'node:async_hooks';

const als = new AsyncLocalStorage<string>();
const id = () => als.getStore() ?? 'none';
const tick = (ms = 0) => new Promise<void>((r) => setTimeout(r, ms));
const lines: string[] = [];
const log = (s: string) => lines.push(s);

async function leaf(tag: string): Promise<string> {
  await null;
  await tick(1);
  return `${tag}=${id()}`;
}

async function chain(): Promise<void> {
  log(`chain start ${id()}`);
  await Promise.resolve();
  log(`after resolved await ${id()}`);
  await tick(2);
  log(`after timer await ${id()}`);
  log(`leaf ${await leaf('a')}`);
  const all = await Promise.all([leaf('p1'), leaf('p2'), tick(1).then(() => `then=${id()}`)]);
  log(`all ${all.join(' ')} now ${id()}`);
  log(`race ${await Promise.race([leaf('r'), tick(50).then(() => 'slow')])} now ${id()}`);
  const settled = await Promise.allSettled([Promise.reject(new Error('x')), leaf('s')]);
  log(`allSettled ${settled.map((s) => s.status).join(',')} now ${id()}`);
  log(`thenable ${await { then(r: (v: string) => void) { setTimeout(() => r(`inside=${id()}`), 1); } }} now ${id()}`);
  try {
    await Promise.reject(new Error('boom'));
  } catch (e) {
    log(`catch ${(e as Error).message} ${id()}`);
  } finally {
    await tick(1);
    log(`finally ${id()}`);
  }
}

async function* numbers(n: number) {
  for (let i = 0; i < n; i++) {
    await tick(1);
    yield `${i}:${id()}`;
  }
}

async function iterate(): Promise<void> {
  const got: string[] = [];
  for await (const v of numbers(3)) got.push(v);
  log(`for await ${got.join(' ')} now ${id()}`);
  const it = numbers(2)[Symbol.asyncIterator]();
  const first = await it.next();
  log(`manual next ${first.value} now ${id()}`);
  await it.return(undefined);
  const custom = {
    [Symbol.asyncIterator]() {
      let i = 0;
      return { next: async () => { await tick(1); return i < 2 ? { value: `c${i++}:${id()}`, done: false } : { value: undefined, done: true }; } };
    },
  };
  const got2: string[] = [];
  for await (const v of custom) got2.push(v as string);
  log(`custom iterator ${got2.join(' ')} now ${id()}`);
}

async function request(name: string, delay: number): Promise<string> {
  return als.run(name, async () => {
    await tick(delay);
    const inner = await als.run(`${name}/inner`, async () => { await tick(1); return id(); });
    await tick(delay);
    return `${name}: inner ${inner} back ${id()}`;
  });
}

async function main(): Promise<void> {
  await als.run('main', async () => {
    await chain();
    await iterate();
    log(`after all ${id()}`);
  });
  log(`outside ${id()}`);
  const results = await Promise.all([request('req1', 5), request('req2', 1), request('req3', 3)]);
  for (const r of results) log(r);
  await als.run('enter', async () => {
    await tick(1);
    als.enterWith('entered');
    log(`enterWith sync ${id()}`);
    await tick(1);
    log(`enterWith after await ${id()}`);
  });
  const fromTimer = await new Promise<string>((resolve) => als.run('timer', () => setTimeout(async () => { await tick(1); resolve(id()); }, 1)));
  log(`timer then await ${fromTimer}`);
  console.log(lines.join('\n'));
}
void main();

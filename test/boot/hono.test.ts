/** The Hono example (a fetch-handler module from npm, unmodified) answering in QEMU. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT } from '../../cli/paths.ts';
import { buildTestImage, startServerVm } from './vm.ts';

test('examples/hono serves its routes from the VM, on $PORT', async () => {
  const image = await buildTestImage(path.join(ROOT, 'examples', 'hono', 'main.ts'), 'hono');
  const vm = await startServerVm(image, 8081, { env: { PORT: '8081' } });
  const url = (p: string) => `http://127.0.0.1:${vm.hostPort}${p}`;
  try {
    await vm.waitFor('Listening on http://0.0.0.0:8081/');
    assert.equal(await (await fetch(url('/'))).text(), 'Hello from Hono on Nimbus!');
    const created = await fetch(url('/notes'), { method: 'POST', body: JSON.stringify({ text: 'first' }), headers: { 'content-type': 'application/json' } });
    assert.equal(created.status, 201);
    assert.deepEqual(await created.json(), { id: 1, text: 'first' });
    assert.deepEqual(await (await fetch(url('/notes'))).json(), [{ id: 1, text: 'first' }]);
    const bad = await fetch(url('/notes'), { method: 'POST', body: JSON.stringify({}), headers: { 'content-type': 'application/json' } });
    assert.equal(bad.status, 400);
    assert.equal((await fetch(url('/notes/9'))).status, 404);
  } finally {
    const r = await vm.stop();
    assert.equal(r.stderr, '');
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executorDirName, isPlainName, MAX_PLAIN_NAME_BYTES } from '../../../src/agent/sandbox-paths.ts';

test('executorDirName keeps plain ids and gives long or unsafe ones a short, stable, distinct name', () => {
  assert.equal(executorDirName('web.1f2e-3'), 'web.1f2e-3');
  const limit = 'a'.repeat(MAX_PLAIN_NAME_BYTES);
  assert.equal(executorDirName(limit), limit);

  const long = `ct:1795600000000:0:job:${'--arg=x '.repeat(60)}`;
  const name = executorDirName(long);
  assert.ok(isPlainName(name) && Buffer.byteLength(name) < 255, name);
  assert.ok(name.startsWith('ct_1795600000000_0_job_--arg_x_'), 'a readable prefix');
  assert.equal(executorDirName(long), name, 'the same id always gets the same name');
  assert.notEqual(executorDirName(`${long}y`), name);

  // Multi-byte characters count in bytes; '/', '.', '..' and '' are never used as they are.
  assert.notEqual(executorDirName('é'.repeat(101)), 'é'.repeat(101));
  for (const unsafe of ['a/b', '.', '..', '']) {
    const n = executorDirName(unsafe);
    assert.ok(isPlainName(n) && !n.includes('/') && n !== '.' && n !== '..', `${unsafe} → ${n}`);
  }
});

// `trireme chronos` flags and `trireme dev` with Chronos in it, as a person runs them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, runCli, startRole, tempDir } from '../helpers/processes.ts';
import { postJob } from '../helpers/chronos.ts';

test('bad chronos flags stop it with one line naming the flag', async () => {
  const r = await runCli(['chronos', '--http-port', 'many']);
  assert.equal(r.code, 1);
  assert.match(r.stderr.trim(), /--http-port.*'many' is not a port number/);
  const zk = await runCli(['chronos', '--zk', 'zk:///chronos', '--http-port', '0', '--http-address', '127.0.0.1']);
  assert.equal(zk.code, 1);
  assert.match(zk.stderr.trim(), /--zk.*is not a ZooKeeper URL/);
  const eps = await runCli(['chronos', '--task_epsilon', '-5']);
  assert.equal(eps.code, 1);
  assert.match(eps.stderr, /task-epsilon/);
});

test('`trireme dev` starts Chronos too, prints its address, and runs a job on its agents', async () => {
  const dir = tempDir();
  const dev = await startRole(['dev', '--data-dir', dir.path, '--master-port', '0', '--agent-port', '0', '--marathon-port', '0', '--chronos-port', '0', '--agents', '1'], 'chronos listening');
  try {
    const output = await eventually(() => (dev.output().includes('Trireme is running') ? dev.output() : undefined));
    const url = /chronos +(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    assert.ok(url, output);
    const file = join(dir.path, 'dev-job.out');
    await postJob(url, { name: 'hello', command: `echo "hello from $CHRONOS_JOB_NAME on $HOST" >> ${file}` });
    await eventually(() => existsSync(file) && readFileSync(file, 'utf8').includes('hello from hello on 127.0.0.2'), 20_000);
    assert.ok(existsSync(join(dir.path, 'chronos', 'chronos.db')), 'Chronos keeps its state under the data dir');
  } finally {
    await dev.stop();
    dir.remove();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { MemoryStore } from '../../../src/state/memory-store.ts';
import { SqliteStore } from '../../../src/state/sqlite-store.ts';
import { MarathonRepository } from '../../../src/marathon/repository.ts';
import { parseApp } from '../../../src/marathon/app-definition.ts';
import type { Instance } from '../../../src/marathon/model.ts';
import { tempDir } from '../../helpers/processes.ts';

const app = (id: string, version: string) => ({ ...parseApp({ id, cmd: 'sleep 1' }), version, versionInfo: { lastConfigChangeAt: version, lastScalingAt: version } });
const instance = (taskId: string, appId: string): Instance => ({
  taskId, appId, agentId: 'a', host: 'h', ports: [31000], servicePorts: [10000], state: 'TASK_RUNNING', version: 'v1', configVersion: 'v1',
  stagedAt: 'v1', startedAt: 'v1', killRequestedAt: null, unreachableSince: null, ipAddresses: [],
});

test('what was saved comes back after a restart; writes of one turn apply in call order', async () => {
  const dir = tempDir();
  try {
    const store = await SqliteStore.open(join(dir.path, 'm'), 'marathon.db');
    const repo = new MarathonRepository(store);
    await repo.saveFrameworkId('fw-1');
    await Promise.all([
      repo.saveApp(app('/prod/web', '2026-01-01T00:00:00.000Z')),
      repo.saveApp(app('/prod/web', '2026-01-02T00:00:00.000Z')),
      repo.saveApp(app('/gone', '2026-01-01T00:00:00.000Z')),
      repo.saveInstance(instance('prod_web.1', '/prod/web')),
      repo.deleteInstance('prod_web.1'), // put then delete in the same turn: gone
      repo.deleteInstance('prod_web.2'),
      repo.saveInstance(instance('prod_web.2', '/prod/web')), // delete then put: present
      repo.saveGroup({ id: '/prod', dependencies: [], version: 'v1' }),
    ]);
    await repo.deleteApp('/gone', ['2026-01-01T00:00:00.000Z']);
    await store.close();

    const reopened = await SqliteStore.open(join(dir.path, 'm'), 'marathon.db');
    const state = await new MarathonRepository(reopened).load();
    assert.equal(state.frameworkId, 'fw-1');
    assert.deepEqual(state.apps.map((a) => [a.id, a.version]), [['/prod/web', '2026-01-02T00:00:00.000Z']]);
    assert.deepEqual(state.versions.get('/prod/web'), ['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z']);
    assert.equal(state.versions.get('/gone'), undefined);
    assert.deepEqual(state.instances.map((i) => i.taskId), ['prod_web.2']);
    assert.deepEqual(state.groups.map((g) => g.id), ['/prod']);
    assert.equal((await new MarathonRepository(reopened).appVersion('/prod/web', '2026-01-01T00:00:00.000Z'))?.version, '2026-01-01T00:00:00.000Z');
    await reopened.close();
  } finally {
    dir.remove();
  }
});

test('a failed commit rejects every write of its batch and later writes still work', async () => {
  const store = new MemoryStore();
  const repo = new MarathonRepository(store);
  // A BigInt cannot be stored as JSON: the store refuses the transaction.
  const bad = repo.saveInstance({ ...instance('x.1', '/x'), ports: [1n] as unknown as number[] });
  const good = repo.saveInstance(instance('x.2', '/x'));
  const results = await Promise.allSettled([bad, good]);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected'], 'one batch, one transaction');
  await repo.saveInstance(instance('x.3', '/x'));
  assert.deepEqual((await repo.load()).instances.map((i) => i.taskId), ['x.3']);
});

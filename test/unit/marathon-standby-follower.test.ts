// A Marathon standby's read model follows what the leader writes to the shared store (here an in-process store,
// which reports the writes made through it; on ZooKeeper the watch sees the other instance's writes).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/common/logger.ts';
import { eventually } from '../helpers/processes.ts';
import { MemoryStore } from '../../src/state/memory-store.ts';
import { InstanceIndex } from '../../src/marathon/instance-index.ts';
import { MarathonRepository } from '../../src/marathon/repository.ts';
import { applyStoredValue, StandbyFollower, type ReadModel } from '../../src/marathon/standby-follower.ts';
import type { AppDefinition } from '../../src/marathon/app-definition.ts';
import type { Deployment, Instance } from '../../src/marathon/model.ts';

function emptyModel(): ReadModel {
  return { apps: new Map(), versions: new Map(), instances: new InstanceIndex(), deployments: new Map(), groups: new Map(), deploymentsRevision: 0 };
}
const app = (id: string, version: string) => ({ id, version, instances: 1 }) as unknown as AppDefinition;
const instance = (taskId: string, appId: string) => ({ taskId, appId, agentId: 'a1', state: 'TASK_RUNNING' }) as unknown as Instance;

describe('Marathon standby follower', () => {
  it('applies each stored key to the read model, ids decoded; ignores keys it does not hold', () => {
    const m = emptyModel();
    assert.equal(applyStoredValue(m, '/marathon', '/marathon/apps/%2Fweb', app('/web', 'v1')), true);
    applyStoredValue(m, '/marathon', '/marathon/app-versions/%2Fweb/v2', app('/web', 'v2'));
    applyStoredValue(m, '/marathon', '/marathon/app-versions/%2Fweb/v1', app('/web', 'v1'));
    applyStoredValue(m, '/marathon', '/marathon/instances/web.1', instance('web.1', '/web'));
    applyStoredValue(m, '/marathon', '/marathon/deployments/d1', { id: 'd1' });
    applyStoredValue(m, '/marathon', '/marathon/groups/%2Fg', { id: '/g', dependencies: [], version: 'v1' });
    assert.deepEqual([...m.apps.keys()], ['/web']);
    assert.deepEqual(m.versions.get('/web'), ['v1', 'v2']);
    assert.equal(m.instances.get('web.1')?.appId, '/web');
    assert.equal(m.deploymentsRevision, 1, 'cached views keyed on deployments change');
    assert.deepEqual([...m.groups.keys()], ['/g']);
    applyStoredValue(m, '/marathon', '/marathon/app-versions/%2Fweb/v1', undefined);
    applyStoredValue(m, '/marathon', '/marathon/instances/web.1', undefined);
    applyStoredValue(m, '/marathon', '/marathon/deployments/d1', undefined);
    assert.deepEqual(m.versions.get('/web'), ['v2']);
    assert.equal(m.instances.size, 0);
    assert.equal(m.deployments.size, 0);
    assert.equal(applyStoredValue(m, '/marathon', '/marathon/framework-id', 'fw'), false);
    assert.equal(applyStoredValue(m, '/marathon', '/chronos/jobs/x', {}), false);
  });

  it('after start, the read model shows what was stored before (one reload) and every later write', async () => {
    const store = new MemoryStore();
    const repository = new MarathonRepository(store);
    await repository.saveApp(app('/before', 'v1'));
    const model = emptyModel();
    const follower = new StandbyFollower({
      store, model, logger: createLogger('test', 'error'),
      reload: async () => {
        const s = await repository.load();
        for (const a of s.apps) model.apps.set(a.id, a);
      },
    });
    await follower.start();
    assert.deepEqual([...model.apps.keys()], ['/before']);
    await repository.saveApp(app('/web', 'v1'));
    await repository.saveInstance(instance('web.1', '/web'));
    await repository.saveDeployment({ id: 'd1' } as unknown as Deployment);
    await repository.deleteApp('/before', ['v1']);
    await eventually(() => !model.apps.has('/before'), 5000, 5);
    await follower.stop();
    assert.deepEqual([...model.apps.keys()], ['/web']);
    assert.equal(model.instances.get('web.1')?.state, 'TASK_RUNNING');
    assert.deepEqual([...model.deployments.keys()], ['d1']);
    await repository.saveApp(app('/after-stop', 'v1'));
    await new Promise((r) => setImmediate(r));
    assert.equal(model.apps.has('/after-stop'), false, 'a stopped follower changes nothing');
  });
});

// Group versions and rollback over HTTP against a real cluster: every change through /v2/groups is a version,
// GET /v2/groups/{id}/versions lists them, PUT /v2/groups/{id} {"version": ...} puts the group's apps back as they
// were (a removed app comes back, an added one goes), and the history survives a Marathon restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startCluster, type RoleProcess, type TestCluster } from '../helpers/processes.ts';
import { api, startMarathonRole } from '../helpers/marathon.ts';

describe('marathon group versions and rollback', () => {
  let cluster: TestCluster;
  let marathon: RoleProcess;
  let base: string;

  before(async () => {
    cluster = await startCluster({ agents: 1, agentIpBase: 153, agentArgs: ['--resources', 'cpus:2;mem:512;disk:1000;ports:[31000-31100]'] });
    marathon = await startMarathonRole(cluster.masterAddress, cluster.dir);
    base = marathon.url;
  });
  after(async () => {
    await marathon?.stop();
    await cluster?.stop();
  });

  /** The group's apps once no deployment is running, as id → [cmd, instances, running tasks' count]. */
  const settled = async (groupId: string) => eventually(async () => {
    if ((await api(base, 'GET', '/v2/deployments')).body.length > 0) return undefined;
    const group = (await api(base, 'GET', `/v2/groups${groupId}`)).body;
    const apps = Object.fromEntries(group.apps.map((a: any) => [a.id, [a.cmd, a.instances, a.tasksRunning]]));
    return Object.values(apps).every((v: any) => v[1] === v[2]) ? apps : undefined;
  }, 30_000, 200);

  it('lists versions, shows one, rolls back to it, and keeps the history across a restart', async () => {
    const app = (id: string, cmd: string, instances = 1) => ({ id, cmd, cpus: 0.1, mem: 16, instances, portDefinitions: [] });
    const created = await api(base, 'POST', '/v2/groups', { id: '/shop', apps: [app('web', 'sleep 300'), app('worker', 'sleep 301')] });
    assert.equal(created.status, 201, created.text);
    const v1 = created.body.version;
    assert.deepEqual(await settled('/shop'), { '/shop/web': ['sleep 300', 1, 1], '/shop/worker': ['sleep 301', 1, 1] });
    assert.deepEqual((await api(base, 'GET', '/v2/groups/shop/versions')).body, [v1]);

    // The update changes web, removes worker and adds api.
    const updated = await api(base, 'PUT', '/v2/groups/shop', { apps: [app('web', 'sleep 302', 2), app('api', 'sleep 303')] });
    assert.equal(updated.status, 200, updated.text);
    const v2 = updated.body.version;
    assert.deepEqual(await settled('/shop'), { '/shop/web': ['sleep 302', 2, 2], '/shop/api': ['sleep 303', 1, 1] });
    assert.deepEqual((await api(base, 'GET', '/v2/groups/shop/versions')).body, [v2, v1]);

    const old = await api(base, 'GET', `/v2/groups/shop/versions/${v1}`);
    assert.equal(old.status, 200);
    assert.equal(old.body.id, '/shop');
    assert.equal(old.body.version, v1);
    assert.deepEqual(old.body.apps.map((a: any) => [a.id, a.cmd]), [['/shop/web', 'sleep 300'], ['/shop/worker', 'sleep 301']]);
    assert.deepEqual((await api(base, 'GET', `/v2/groups/shop/versions/${encodeURIComponent(v1)}`)).body, old.body);
    assert.equal((await api(base, 'GET', '/v2/groups/shop/versions/2000-01-01T00:00:00.000Z')).status, 404);
    assert.ok((await api(base, 'GET', '/v2/groups/shop/versions/%E0%A4%A')).status < 500);
    assert.equal((await api(base, 'GET', '/v2/groups/nope/versions')).status, 404);
    const root = await api(base, 'GET', '/v2/groups/versions');
    assert.equal(root.status, 200);
    assert.ok(Array.isArray(root.body));

    // Marathon 1.x answers a version the group never had with 422, and changes nothing.
    const unknown = await api(base, 'PUT', '/v2/groups/shop', { version: '2000-01-01T00:00:00.000Z' });
    assert.equal(unknown.status, 422);
    assert.match(unknown.body.message, /not available in version 2000-01-01T00:00:00.000Z/);

    const rolledBack = await api(base, 'PUT', '/v2/groups/shop', { version: v1 });
    assert.equal(rolledBack.status, 200, rolledBack.text);
    assert.equal(typeof rolledBack.body.deploymentId, 'string');
    assert.ok(rolledBack.body.version > v2);
    assert.deepEqual(await settled('/shop'), { '/shop/web': ['sleep 300', 1, 1], '/shop/worker': ['sleep 301', 1, 1] });
    // The tasks really run the old command again, and the rollback itself is a new version.
    const tasks = (await api(base, 'GET', '/v2/apps/shop/web/tasks')).body.tasks;
    assert.equal(tasks.length, 1);
    assert.equal((await api(base, 'GET', '/v2/apps/shop/web')).body.app.cmd, 'sleep 300');
    assert.deepEqual((await api(base, 'GET', '/v2/groups/shop/versions')).body, [rolledBack.body.version, v2, v1]);

    await marathon.stop();
    marathon = await startMarathonRole(cluster.masterAddress, cluster.dir);
    base = marathon.url;
    assert.deepEqual((await api(base, 'GET', '/v2/groups/shop/versions')).body, [rolledBack.body.version, v2, v1]);
    const again = await api(base, 'GET', `/v2/groups/shop/versions/${v2}`);
    assert.deepEqual(again.body.apps.map((a: any) => [a.id, a.cmd, a.instances]), [['/shop/api', 'sleep 303', 1], ['/shop/web', 'sleep 302', 2]]);

    // Deleting the group forgets its history.
    assert.equal((await api(base, 'DELETE', '/v2/groups/shop?force=true')).status, 200);
    await eventually(async () => (await api(base, 'GET', '/v2/tasks')).body.tasks.length === 0, 30_000, 200);
    const recreated = await api(base, 'POST', '/v2/groups', { id: '/shop' });
    assert.equal(recreated.status, 201);
    assert.deepEqual((await api(base, 'GET', '/v2/groups/shop/versions')).body, [recreated.body.version]);
  });
});

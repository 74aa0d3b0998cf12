// Marathon's REST API contract over HTTP: status codes and bodies (400/404/409/422), deployments and their
// cancellation, versions, filters, queue delay, service endpoints, and a fuzz test that no body yields a 5xx.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { eventually, startCluster, tempDir, startRole, type RoleProcess, type TestCluster } from '../helpers/processes.ts';
import { api, openEvents, startMarathonRole } from '../helpers/marathon.ts';

describe('marathon REST API', () => {
  let cluster: TestCluster;
  let marathon: RoleProcess;
  let base: string;

  before(async () => {
    cluster = await startCluster({ agents: 1, agentIpBase: 31, agentArgs: ['--resources', 'cpus:1;mem:512;disk:1000;ports:[31000-31100]'] });
    marathon = await startMarathonRole(cluster.masterAddress, cluster.dir);
    base = marathon.url;
  });
  after(async () => {
    await marathon?.stop();
    await cluster?.stop();
  });

  it('answers bad input with Marathon\'s codes and bodies: 400, 404, 409, 422', async () => {
    const invalid = await api(base, 'POST', '/v2/apps', { id: 'bad', cmd: 'sleep 1', cpus: 'lots', instances: -2, colour: 'red' });
    assert.equal(invalid.status, 422);
    assert.equal(invalid.body.message, 'Object is not valid');
    assert.deepEqual(invalid.body.details.map((d: any) => d.path).sort(), ['/colour', '/cpus', '/instances']);
    assert.ok(invalid.body.details.every((d: any) => d.errors.length > 0 && d.errors.every((e: unknown) => typeof e === 'string')));
    const badId = await api(base, 'POST', '/v2/apps', { id: 'Not_Valid', cmd: 'x' });
    assert.equal(badId.status, 422);
    assert.equal(badId.body.details[0].path, '/id');
    const neither = await api(base, 'POST', '/v2/apps', { id: 'x' });
    assert.equal(neither.status, 422);
    const malformed = await api(base, 'POST', '/v2/apps', '{"id": "x", ');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.message, 'Invalid JSON');
    const missing = await api(base, 'GET', '/v2/apps/nope/nested');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { message: "App '/nope/nested' does not exist" });
    assert.equal((await api(base, 'PATCH', '/v2/apps/nope', { instances: 2 })).status, 404);
    assert.equal((await api(base, 'DELETE', '/v2/apps/nope')).status, 404);

    const first = await api(base, 'POST', '/v2/apps', { id: '/dup', cmd: 'sleep 300', cpus: 0.1, mem: 16, instances: 0 });
    assert.equal(first.status, 201);
    const dup = await api(base, 'POST', '/v2/apps', { id: 'dup', cmd: 'sleep 300' });
    assert.equal(dup.status, 409);
    assert.match(dup.body.message, /already exists/);
  });

  it('a change to an app under deployment is 409 with the deployment ids, unless ?force=true; deployments can be cancelled', async () => {
    // cpus 8 never fits the 1-cpu agent, so the deployment stays in progress.
    const created = await api(base, 'POST', '/v2/apps', { id: '/stuck', cmd: 'sleep 300', cpus: 8, mem: 16, instances: 2 });
    assert.equal(created.status, 201);
    const deploymentId = created.body.deployments[0].id;
    const list = (await api(base, 'GET', '/v2/deployments')).body;
    const d = list.find((x: any) => x.id === deploymentId);
    assert.deepEqual(d.affectedApps, ['/stuck']);
    // Marathon's plan for a new app: start it (done at once), then scale it (stuck: cpus 8 never fits).
    assert.deepEqual(d.steps, [{ actions: [{ action: 'StartApplication', app: '/stuck' }] }, { actions: [{ action: 'ScaleApplication', app: '/stuck' }] }]);
    assert.equal(d.totalSteps, 2);
    const scaling = await eventually(async () => (await api(base, 'GET', '/v2/deployments')).body.find((x: any) => x.id === deploymentId && x.currentStep === 2));
    assert.deepEqual(scaling.currentActions, [{ action: 'ScaleApplication', app: '/stuck', readinessCheckResults: [] }]);
    assert.equal(d.version, created.body.version);

    const conflict = await api(base, 'PUT', '/v2/apps/stuck', { instances: 3 });
    assert.equal(conflict.status, 409);
    assert.deepEqual(conflict.body.deployments, [{ id: deploymentId }]);
    assert.match(conflict.body.message, /locked by one or more deployments.*force=true/);
    assert.equal((await api(base, 'POST', '/v2/apps/stuck/restart')).status, 409);

    const forced = await api(base, 'PUT', '/v2/apps/stuck?force=true', { instances: 1, cpus: 0.1 });
    assert.equal(forced.status, 200, forced.text);
    assert.notEqual(forced.body.deploymentId, deploymentId);
    await eventually(async () => {
      const a = (await api(base, 'GET', '/v2/apps/stuck')).body.app;
      return a.tasksRunning === 1 && a.deployments.length === 0 ? a : undefined;
    }, 30_000);

    // Cancel with rollback: the app goes back to what it was before the change.
    const big = await api(base, 'PUT', '/v2/apps/stuck', { cpus: 8 });
    assert.equal(big.status, 200);
    const rollback = await api(base, 'DELETE', `/v2/deployments/${big.body.deploymentId}`);
    assert.equal(rollback.status, 200);
    assert.ok(rollback.body.deploymentId && rollback.body.version);
    const restored = (await api(base, 'GET', '/v2/apps/stuck')).body.app;
    assert.equal(restored.cpus, 0.1);
    await eventually(async () => (await api(base, 'GET', '/v2/apps/stuck')).body.app.deployments.length === 0 || undefined, 30_000);

    // Force-cancel: the deployment is just dropped.
    const again = await api(base, 'PUT', '/v2/apps/stuck', { cpus: 8 });
    const cancelled = await api(base, 'DELETE', `/v2/deployments/${again.body.deploymentId}?force=true`);
    assert.equal(cancelled.status, 202);
    assert.ok(!(await api(base, 'GET', '/v2/deployments')).body.some((x: any) => x.id === again.body.deploymentId));
    assert.equal((await api(base, 'DELETE', '/v2/deployments/no-such-id')).status, 404);
    assert.equal((await api(base, 'DELETE', '/v2/apps/stuck?force=true')).status, 200);
  });

  it('keeps versions, filters apps, resets launch delays, PATCHes partially', async () => {
    const created = await api(base, 'POST', '/v2/apps', { id: '/filters/one', cmd: 'sleep 300', cpus: 0.1, mem: 16, instances: 0, labels: { tier: 'web', env: 'prod' } });
    assert.equal(created.status, 201);
    await api(base, 'POST', '/v2/apps', { id: '/filters/two', args: ['sleep', '300'], cpus: 0.1, mem: 16, instances: 0, labels: { tier: 'db' } });
    const patched = await api(base, 'PATCH', '/v2/apps/filters/one', { mem: 32 });
    assert.equal(patched.status, 200);
    const one = (await api(base, 'GET', '/v2/apps/filters/one')).body.app;
    assert.equal(one.mem, 32);
    assert.equal(one.cmd, 'sleep 300', 'PATCH keeps what it does not mention');
    assert.equal(one.versionInfo.lastConfigChangeAt, patched.body.version);
    const versions = (await api(base, 'GET', '/v2/apps/filters/one/versions')).body.versions;
    assert.deepEqual(versions, [patched.body.version, created.body.version]);
    const v1 = await api(base, 'GET', `/v2/apps/filters/one/versions/${created.body.version}`);
    assert.equal(v1.body.mem, 16);
    assert.equal((await api(base, 'GET', '/v2/apps/filters/one/versions/1999-01-01T00:00:00.000Z')).status, 404);
    // Roll back by version.
    const back = await api(base, 'PUT', '/v2/apps/filters/one', { version: created.body.version });
    assert.equal(back.status, 200);
    assert.equal((await api(base, 'GET', '/v2/apps/filters/one')).body.app.mem, 16);

    const ids = async (q: string) => (await api(base, 'GET', `/v2/apps?${q}`)).body.apps.map((a: any) => a.id).filter((id: string) => id.startsWith('/filters/'));
    assert.deepEqual(await ids('label=tier==web'), ['/filters/one']);
    assert.deepEqual(await ids('label=tier'), ['/filters/one', '/filters/two']);
    assert.deepEqual(await ids(`label=${encodeURIComponent('tier in (db, cache)')}`), ['/filters/two']);
    assert.deepEqual(await ids('id=two'), ['/filters/two']);
    assert.deepEqual(await ids('cmd=sleep'), ['/filters/one']);
    assert.equal((await api(base, 'GET', '/v2/apps?label=a%20b%20c')).status, 400);
    const embedded = (await api(base, 'GET', '/v2/apps?embed=apps.tasks&embed=apps.lastTaskFailure')).body.apps[0];
    assert.ok(Array.isArray(embedded.tasks));
    assert.ok('tasksRunning' in embedded && 'deployments' in embedded);
    assert.ok(!('tasks' in (await api(base, 'GET', '/v2/apps')).body.apps[0]));

    assert.equal((await api(base, 'DELETE', '/v2/queue/filters/one/delay')).status, 204);
    assert.equal((await api(base, 'DELETE', '/v2/queue/nope/delay')).status, 404);
  });

  it('a crashing app is relaunched with growing backoff, shown in /v2/queue and resettable', async () => {
    const created = await api(base, 'POST', '/v2/apps', { id: '/crash', cmd: 'exit 1', cpus: 0.1, mem: 16, backoffSeconds: 2, backoffFactor: 3, maxLaunchDelaySeconds: 60 });
    assert.equal(created.status, 201);
    // Second failure: 2 × 3 = 6 s, more than backoffSeconds alone could give.
    const entry = await eventually(async () => {
      const q = (await api(base, 'GET', '/v2/queue')).body.queue.find((e: any) => e.app.id === '/crash');
      return q && !q.delay.overdue && q.delay.timeLeftSeconds > 2 ? q : undefined;
    }, 30_000);
    assert.equal(entry.count, 1);
    const app = (await api(base, 'GET', '/v2/apps/crash')).body.app;
    assert.equal(app.lastTaskFailure.state, 'TASK_FAILED');
    assert.equal(app.lastTaskFailure.appId, '/crash');
    assert.equal((await api(base, 'DELETE', '/v2/queue/crash/delay')).status, 204);
    const reset = (await api(base, 'GET', '/v2/queue')).body.queue.find((e: any) => e.app.id === '/crash');
    assert.ok(!reset || reset.delay.overdue, JSON.stringify(reset));
    assert.equal((await api(base, 'DELETE', '/v2/apps/crash?force=true')).status, 200);
    await eventually(async () => !(await api(base, 'GET', '/v2/tasks')).body.tasks.some((t: any) => t.appId === '/crash') || undefined);
  });

  it('groups: nested creation, tree view, scaleBy, deletion, 422 paths into nested apps', async () => {
    const bad = await api(base, 'POST', '/v2/groups', { id: '/prod', groups: [{ id: 'db', apps: [{ id: 'pg', cmd: 'x', cpus: -1 }] }] });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.details.map((d: any) => d.path), ['/groups/0/apps/0/cpus']);
    const created = await api(base, 'POST', '/v2/groups', {
      id: '/prod', apps: [{ id: 'web', cmd: 'sleep 300', cpus: 0.1, mem: 16 }],
      groups: [{ id: 'db', apps: [{ id: 'pg', cmd: 'sleep 300', cpus: 0.1, mem: 16 }] }],
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.get('location'), '/v2/groups/prod');
    assert.equal((await api(base, 'POST', '/v2/groups', { id: '/prod' })).status, 409);
    const tree = (await api(base, 'GET', '/v2/groups/prod')).body;
    assert.equal(tree.id, '/prod');
    assert.deepEqual(tree.apps.map((a: any) => a.id), ['/prod/web']);
    assert.deepEqual(tree.groups.map((g: any) => g.id), ['/prod/db']);
    assert.deepEqual(tree.groups[0].apps.map((a: any) => a.id), ['/prod/db/pg']);
    assert.deepEqual((await api(base, 'GET', '/v2/apps/prod/*')).body['*'].map((a: any) => a.id), ['/prod/db/pg', '/prod/web']);
    assert.deepEqual((await api(base, 'GET', '/v2/apps/prod/db/*')).body['*'].map((a: any) => a.id), ['/prod/db/pg']);
    const root = (await api(base, 'GET', '/v2/groups')).body;
    assert.equal(root.id, '/');
    assert.ok(root.groups.some((g: any) => g.id === '/prod'));
    await eventually(async () => {
      const apps = (await api(base, 'GET', '/v2/apps?id=/prod/')).body.apps;
      return apps.length === 2 && apps.every((a: any) => a.tasksRunning === 1 && a.deployments.length === 0) || undefined;
    }, 30_000);

    const scaled = await api(base, 'PUT', '/v2/groups/prod', { scaleBy: 2 });
    assert.equal(scaled.status, 200, scaled.text);
    await eventually(async () => {
      const apps = (await api(base, 'GET', '/v2/apps?id=/prod/')).body.apps;
      return apps.every((a: any) => a.instances === 2 && a.tasksRunning === 2) || undefined;
    }, 30_000);

    const removed = await api(base, 'DELETE', '/v2/groups/prod');
    assert.equal(removed.status, 200);
    assert.equal((await api(base, 'GET', '/v2/groups/prod')).status, 404);
    assert.equal((await api(base, 'GET', '/v2/apps/prod/db/pg')).status, 404);
    await eventually(async () => !(await api(base, 'GET', '/v2/tasks')).body.tasks.some((t: any) => t.appId.startsWith('/prod/')) || undefined, 20_000);
  });

  it('PUT creates, suspend keeps the app without tasks, task kills with host/scale and /v2/tasks/delete, destroy ends with app_terminated_event', async () => {
    const stream = await openEvents(base, '?event_type=app_terminated_event&event_type=event_stream_attached');
    try {
      await stream.attached;
      const created = await api(base, 'PUT', '/v2/apps/ops', { cmd: 'sleep 300', cpus: 0.1, mem: 16, instances: 3 });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.headers.get('location'), '/v2/apps/ops');
      const running = async (n: number) => eventually(async () => {
        const a = (await api(base, 'GET', '/v2/apps/ops')).body.app;
        return a.tasksRunning === n && a.tasks.length === n && a.deployments.length === 0 ? a : undefined;
      }, 30_000);
      const app = await running(3);
      const text = await (await fetch(`${base}/v2/apps/ops/tasks`, { headers: { Accept: 'text/plain' } })).text();
      assert.equal(text.trim().split('\t').filter((x) => /^127\.0\.31\.2:\d+$/.test(x)).length, 3, text);
      const runningOnly = (await api(base, 'GET', '/v2/tasks?status=running')).body.tasks.filter((t: any) => t.appId === '/ops');
      assert.equal(runningOnly.length, 3);
      assert.equal((await api(base, 'GET', '/v2/tasks?status=staging')).body.tasks.filter((t: any) => t.appId === '/ops').length, 0);

      // Kill one with scale: instances drop to 2, nothing replaces it.
      const one = app.tasks[0].id;
      const scaled = await api(base, 'POST', '/v2/tasks/delete?scale=true', { ids: [one] });
      assert.equal(scaled.status, 200, scaled.text);
      assert.ok(scaled.body.deploymentId);
      const two = await running(2);
      assert.equal(two.instances, 2);
      assert.ok(!two.tasks.some((t: any) => t.id === one));
      // Kill all on a host with scale: the app is left with 0 instances.
      const none = await api(base, 'DELETE', '/v2/apps/ops/tasks?host=127.0.31.2&scale=true');
      assert.equal(none.status, 200, none.text);
      assert.ok(none.body.deploymentId);
      assert.equal((await running(0)).instances, 0);
      // Resume, then suspend by PATCH.
      await api(base, 'PATCH', '/v2/apps/ops', { instances: 2 });
      await running(2);
      const suspend = await api(base, 'PUT', '/v2/apps/ops', { instances: 0 });
      assert.equal(suspend.status, 200);
      const suspended = await running(0);
      assert.equal(suspended.id, '/ops', 'a suspended app stays');
      const destroyed = await api(base, 'DELETE', '/v2/apps/ops');
      assert.equal(destroyed.status, 200);
      await eventually(() => stream.events.some((e) => e.type === 'app_terminated_event' && e.data.appId === '/ops') || undefined, 20_000);
    } finally {
      stream.close();
    }
  });

  it('serves /ping, /v2/info, /v2/leader, /metrics', async () => {
    const ping = await fetch(`${base}/ping`);
    assert.equal(await ping.text(), 'pong');
    const info = (await api(base, 'GET', '/v2/info')).body;
    assert.equal(info.name, 'marathon');
    assert.equal(info.elected, true);
    assert.equal(info.leader, `127.0.0.1:${marathon.port}`);
    assert.match(info.frameworkId, /-0000$/);
    assert.equal(info.marathon_config.master, cluster.masterAddress);
    assert.equal(info.marathon_config.failover_timeout, 604800);
    assert.equal(info.marathon_config.reconciliation_interval, 600000);
    assert.equal(info.http_config.http_port, marathon.port);
    assert.deepEqual((await api(base, 'GET', '/v2/leader')).body, { leader: `127.0.0.1:${marathon.port}` });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /^marathon_apps_active_gauge \d+$/m);
    assert.match(metrics, /^marathon_events_total\{type="deployment_info"\} \d+$/m);
    // Abdicating: the (only) instance is elected again, reloads its state and keeps its framework id.
    const appsBefore = (await api(base, 'GET', '/v2/apps')).body.apps.map((a: any) => [a.id, a.version]);
    assert.ok(appsBefore.length > 0);
    assert.deepEqual((await api(base, 'DELETE', '/v2/leader')).body, { message: 'Leadership abdicated' });
    await eventually(async () => {
      const i = (await api(base, 'GET', '/v2/info')).body;
      return i.elected && i.frameworkId === info.frameworkId ? i : undefined;
    });
    await new Promise((r) => setTimeout(r, 300)); // the abdication happens just after the answer
    assert.deepEqual((await api(base, 'GET', '/v2/apps')).body.apps.map((a: any) => [a.id, a.version]), appsBefore);
    const after = await api(base, 'POST', '/v2/apps', { id: '/after-abdication', cmd: 'sleep 300', cpus: 0.1, mem: 16 });
    assert.equal(after.status, 201);
    await eventually(async () => (await api(base, 'GET', '/v2/apps/after-abdication')).body.app.tasksRunning === 1 || undefined, 30_000);
    assert.equal((await api(base, 'DELETE', '/v2/apps/after-abdication')).status, 200);
  });
});

describe('marathon validation fuzz', () => {
  it('no JSON body sent to POST /v2/apps, PUT/PATCH /v2/apps/{id}, POST /v2/groups or PUT /v2/groups/{id} yields a 5xx', async () => {
    // A master without agents: bodies that happen to be valid apps create apps that never launch anything.
    const dir = tempDir();
    const master = await startRole(['master', '--ip', '127.0.0.1', '--port', '0', '--work-dir', `${dir.path}/master`], 'master listening');
    const marathon = await startMarathonRole(`127.0.0.1:${master.port}`, dir.path);
    try {
      const fieldValue = fc.oneof(fc.jsonValue(), fc.constantFrom(0, -1, 1.5, 1e308, '', 'x', '/a/b', '..', [], {}, null, true));
      const appish = fc.dictionary(fc.constantFrom('id', 'cmd', 'args', 'instances', 'cpus', 'mem', 'disk', 'gpus', 'ports', 'portDefinitions', 'requirePorts',
        'constraints', 'container', 'env', 'labels', 'healthChecks', 'upgradeStrategy', 'unreachableStrategy', 'fetch', 'uris', 'backoffFactor',
        'dependencies', 'killSelection', 'acceptedResourceRoles', 'version', '__proto__', 'constructor', 'unknownField'), fieldValue, { maxKeys: 8 });
      const body = fc.oneof(
        fc.jsonValue().map((v) => JSON.stringify(v)),
        appish.map((o) => JSON.stringify(o)),
        appish.map((o) => JSON.stringify({ id: 'fuzz', cmd: 'true', instances: 0, ...o })),
        fc.string().map((s) => `{"id": ${s}`),
      );
      const target = fc.constantFrom(['POST', '/v2/apps'], ['PUT', '/v2/apps/fuzz'], ['PATCH', '/v2/apps/fuzz'], ['POST', '/v2/groups'], ['PUT', '/v2/groups/fuzzg']);
      await fc.assert(fc.asyncProperty(body, target, async (text, [method, path]) => {
        const r = await api(marathon.url, method!, path!, text);
        assert.ok(r.status < 500, `${method} ${path} ${text} → ${r.status} ${r.text}`);
        assert.ok(r.status !== 400 || r.body?.message, 'a 400 has a message');
        if (r.status === 422) assert.ok(Array.isArray(r.body.details) && r.body.details.length > 0, r.text);
        // Keep the next case independent of this one (an app may have been created).
        if (r.status === 201 || r.status === 200) await api(marathon.url, 'DELETE', '/v2/groups?force=true');
      }), { numRuns: 400 });
      // Still healthy afterwards.
      assert.equal((await api(marathon.url, 'GET', '/v2/apps')).status, 200);
    } finally {
      await marathon.stop();
      await master.stop();
      dir.remove();
    }
  });
});

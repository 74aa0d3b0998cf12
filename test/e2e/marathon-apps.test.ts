// Marathon against a real master and 3 agents, over HTTP: the seed's walk-through (fixed port 8000 vs $PORT),
// scaling, self-healing, rolling restart, the SSE stream of a deployment, and a Marathon restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import { eventually, getJson, startCluster, type RoleProcess, type TestCluster } from '../helpers/processes.ts';
import { api, openEvents, startMarathonRole } from '../helpers/marathon.ts';

describe('marathon apps on a real cluster', () => {
  let cluster: TestCluster;
  let marathon: RoleProcess;
  let base: string;
  const running = async (appId: string, n: number) => eventually(async () => {
    const r = await api(base, 'GET', `/v2/apps/${appId}`);
    const tasks = (r.body?.app?.tasks ?? []).filter((t: any) => t.state === 'TASK_RUNNING');
    return r.body.app.tasksRunning === n && tasks.length === n && r.body.app.tasks.length === n ? r.body.app : undefined;
  }, 30_000);

  before(async () => {
    cluster = await startCluster({ agents: 3, agentIpBase: 30, agentArgs: ['--resources', 'cpus:2;mem:1024;disk:5000;ports:[8000-8000,31000-32000]'] });
    marathon = await startMarathonRole(cluster.masterAddress, cluster.dir);
    base = marathon.url;
  });
  after(async () => {
    await marathon?.stop();
    await cluster?.stop();
  });

  it('walk-through: app `test` on fixed port 8000 runs one per agent, the 4th waits in the queue with the reason', async () => {
    const created = await api(base, 'POST', '/v2/apps', {
      id: 'test', cmd: 'python3 -m http.server --bind $HOST 8000', cpus: 0.1, mem: 16, instances: 1, requirePorts: true, portDefinitions: [{ port: 8000 }],
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.get('location'), '/v2/apps/test');
    assert.equal(created.headers.get('marathon-deployment-id'), created.body.deployments[0].id);
    assert.equal(created.body.id, '/test');
    assert.equal(created.body.mem, 16);
    assert.match(created.body.version, /^\d{4}-\d\d-\d\dT/);
    await running('test', 1);

    const scaled = await api(base, 'PUT', '/v2/apps/test', { instances: 3 });
    assert.equal(scaled.status, 200, scaled.text);
    assert.ok(scaled.body.deploymentId && scaled.body.version);
    const app = await running('test', 3);
    const hosts = app.tasks.map((t: any) => t.host).sort();
    assert.deepEqual(hosts, ['127.0.30.2', '127.0.30.3', '127.0.30.4'], 'one instance per agent');
    for (const t of app.tasks) {
      assert.deepEqual(t.ports, [8000]);
      assert.match(t.id, /^test\.[0-9a-f-]{36}$/);
      const page = await eventually(async () => { const r = await fetch(`http://${t.host}:8000/`); return r.ok ? r.status : undefined; });
      assert.equal(page, 200);
    }
    await eventually(async () => (await api(base, 'GET', '/v2/deployments')).body.length === 0 || undefined);

    await api(base, 'PUT', '/v2/apps/test', { instances: 4 });
    const queued = await eventually(async () => {
      const q = (await api(base, 'GET', '/v2/queue?embed=lastUnusedOffers')).body.queue.find((e: any) => e.app.id === '/test');
      return q?.processedOffersSummary.rejectSummaryLastOffers.some((r: any) => r.reason === 'InsufficientPorts') ? q : undefined;
    }, 30_000);
    assert.equal(queued.count, 1);
    assert.ok(queued.lastUnusedOffers.some((o: any) => o.reason.some((r: string) => r.includes('port 8000'))), JSON.stringify(queued.lastUnusedOffers));
    const still = (await api(base, 'GET', '/v2/apps/test')).body.app;
    assert.equal(still.tasksRunning, 3);
    assert.equal(still.deployments.length, 1, 'the scale to 4 is still being deployed');

    // Changing it while that deployment runs needs ?force=true.
    const locked = await api(base, 'DELETE', '/v2/apps/test');
    assert.equal(locked.status, 409);
    assert.equal(locked.body.deployments[0].id, still.deployments[0].id);
    const destroyed = await api(base, 'DELETE', '/v2/apps/test?force=true');
    assert.equal(destroyed.status, 200);
    await eventually(async () => (await api(base, 'GET', '/v2/tasks')).body.tasks.length === 0 || undefined, 20_000);
    const gone = await api(base, 'GET', '/v2/apps/test');
    assert.equal(gone.status, 404);
    assert.deepEqual(gone.body, { message: "App '/test' does not exist" });
  });

  it('with $PORT every instance runs and answers on its host:port with Marathon\'s environment; scale down; kills are healed', async () => {
    const created = await api(base, 'POST', '/v2/apps', {
      id: '/web', cmd: 'env > env.txt && exec python3 -m http.server --bind $HOST $PORT', cpus: 0.1, mem: 16, instances: 5, labels: { team: 'core' },
    });
    assert.equal(created.status, 201, created.text);
    const app = await running('web', 5);
    for (const t of app.tasks) {
      const env = await eventually(async () => { const r = await fetch(`http://${t.host}:${t.ports[0]}/env.txt`); return r.ok ? r.text() : undefined; });
      assert.match(env, new RegExp(`^MESOS_TASK_ID=${t.id.replace('.', '\\.')}$`, 'm'));
      assert.match(env, /^MARATHON_APP_ID=\/web$/m);
      assert.match(env, new RegExp(`^MARATHON_APP_VERSION=${app.version}$`, 'm'));
      assert.match(env, new RegExp(`^PORT0=${t.ports[0]}$`, 'm'));
      assert.match(env, new RegExp(`^HOST=${t.host.replace(/\./g, '\\.')}$`, 'm'));
      assert.match(env, /^MARATHON_APP_LABEL_TEAM=core$/m);
      assert.match(env, /^MARATHON_APP_RESOURCE_MEM=16$/m);
    }
    const text = await (await fetch(`${base}/v2/tasks`, { headers: { Accept: 'text/plain' } })).text();
    assert.equal(text.trim().split('\t').filter((x) => /:\d+$/.test(x)).length, 5, text);

    await api(base, 'PUT', '/v2/apps/web', { instances: 2 });
    const scaled = await running('web', 2);
    const survivors = scaled.tasks.map((t: any) => t.id);
    const youngest = [...app.tasks].sort((a: any, b: any) => a.stagedAt.localeCompare(b.stagedAt)).slice(-3).map((t: any) => t.id);
    if (new Set(app.tasks.map((t: any) => t.stagedAt)).size === app.tasks.length) {
      assert.ok(survivors.every((id: string) => !youngest.includes(id)), 'YOUNGEST_FIRST kills the newest tasks');
    }

    // Killed through the API (without scale): replaced.
    const victim = survivors[0];
    const killed = await api(base, 'DELETE', `/v2/apps/web/tasks/${victim}`);
    assert.equal(killed.status, 200);
    assert.equal(killed.body.task.id, victim);
    const healed = await eventually(async () => {
      const a = (await api(base, 'GET', '/v2/apps/web')).body.app;
      return a.tasksRunning === 2 && a.tasks.length === 2 && !a.tasks.some((t: any) => t.id === victim) ? a : undefined;
    }, 30_000);
    assert.equal(healed.instances, 2);

    // Killed outside Marathon (the process dies): replaced, and the failure is reported.
    const outside = healed.tasks[0];
    killTaskProcess(cluster.dir, outside.id);
    const after = await eventually(async () => {
      const a = (await api(base, 'GET', '/v2/apps/web')).body.app;
      return a.tasksRunning === 2 && !a.tasks.some((t: any) => t.id === outside.id) && a.lastTaskFailure ? a : undefined;
    }, 30_000);
    assert.equal(after.lastTaskFailure.taskId, outside.id);
    assert.equal(after.lastTaskFailure.appId, '/web');
  });

  it('a rolling restart replaces every task while keeping minimumHealthCapacity running throughout', async () => {
    const before = await running('web', 2);
    const oldIds: string[] = before.tasks.map((t: any) => t.id);
    const stream = await openEvents(base, '?event_type=status_update_event&event_type=event_stream_attached');
    try {
      await stream.attached;
      const r = await api(base, 'POST', '/v2/apps/web/restart');
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('marathon-deployment-id'), r.body.deploymentId);
      let minSampled = Infinity;
      const done = await eventually(async () => {
        const a = (await api(base, 'GET', '/v2/apps/web')).body.app;
        minSampled = Math.min(minSampled, a.tasksRunning);
        return a.deployments.length === 0 && a.tasksRunning === 2 && a.tasks.length === 2 ? a : undefined;
      }, 40_000, 50);
      assert.ok(minSampled >= 2, `running dropped to ${minSampled}`);
      assert.ok(done.tasks.every((t: any) => !oldIds.includes(t.id) && t.version === r.body.version));
      // Replay every status update of the restart: the running set never fell below 2 (minimumHealthCapacity 1).
      await eventually(() => oldIds.every((id) => stream.events.some((e) => e.data.taskId === id && e.data.taskStatus === 'TASK_KILLED')) || undefined);
      const runningSet = new Set(oldIds);
      let min = runningSet.size;
      for (const e of stream.events) {
        if (e.type !== 'status_update_event' || e.data.appId !== '/web') continue;
        if (e.data.taskStatus === 'TASK_RUNNING') runningSet.add(e.data.taskId); else runningSet.delete(e.data.taskId);
        min = Math.min(min, runningSet.size);
      }
      assert.ok(min >= 2, `running instances fell to ${min}`);
      assert.ok(stream.events.every((e) => e.type === 'status_update_event' || e.type === 'event_stream_attached'), 'event_type filters the stream');
    } finally {
      stream.close();
    }
  });

  it('the SSE stream shows a deployment\'s events in order', async () => {
    const stream = await openEvents(base);
    try {
      await stream.attached;
      const created = await api(base, 'POST', '/v2/apps', { id: 'sse', cmd: 'sleep 300', cpus: 0.1, mem: 16 });
      const deploymentId = created.body.deployments[0].id;
      await eventually(() => stream.events.some((e) => e.type === 'group_change_success' && e.data.version === created.body.version) || undefined, 30_000);
      const types = stream.events.map((e) => e.type);
      const at = (pred: (e: any) => boolean) => stream.events.findIndex(pred);
      const post = at((e) => e.type === 'api_post_event' && e.data.appDefinition.id === '/sse');
      const info = at((e) => e.type === 'deployment_info' && e.data.plan.id === deploymentId);
      const runningAt = at((e) => e.type === 'status_update_event' && e.data.appId === '/sse' && e.data.taskStatus === 'TASK_RUNNING');
      // Two steps (start, then scale to 1): the scale step succeeds once the task runs.
      const steps = stream.events.flatMap((e, i) => (e.type === 'deployment_step_success' && e.data.plan.id === deploymentId ? [i] : []));
      assert.equal(steps.length, 2);
      assert.deepEqual(stream.events[steps[0]!]!.data.currentStep.actions, [{ action: 'StartApplication', app: '/sse' }]);
      assert.deepEqual(stream.events[steps[1]!]!.data.currentStep.actions, [{ action: 'ScaleApplication', app: '/sse' }]);
      const step = steps[1]!;
      const success = at((e) => e.type === 'deployment_success' && e.data.id === deploymentId);
      // Marathon posts api_post_event once the deployment is started, so it may follow deployment_info.
      assert.ok(post >= 0 && info >= 0 && runningAt > info && step > runningAt && success > step, types.join(','));
      assert.ok(types.includes('instance_changed_event'));
      assert.ok(at((e) => e.type === 'group_change_success' && e.data.version === created.body.version) > step);
      for (const e of stream.events) {
        assert.equal(e.data.eventType, e.type);
        assert.ok(!Number.isNaN(Date.parse(e.data.timestamp)));
      }
      const status = stream.events[runningAt]!.data;
      assert.equal(status.host.startsWith('127.0.30.'), true);
      assert.ok(status.slaveId && status.taskId.startsWith('sse.') && status.version === created.body.version);
      assert.deepEqual(stream.events[info]!.data.currentStep.actions, [{ action: 'StartApplication', app: '/sse' }]);
    } finally {
      stream.close();
    }
  });

  it('a restarted marathon keeps its apps, framework id and the same running tasks', async () => {
    const beforeApps = (await api(base, 'GET', '/v2/apps')).body.apps.map((a: any) => a.id).sort();
    const beforeTasks = (await api(base, 'GET', '/v2/tasks')).body.tasks.map((t: any) => t.id).sort();
    const frameworkId = (await api(base, 'GET', '/v2/info')).body.frameworkId;
    assert.ok(beforeTasks.length >= 3);
    await marathon.stop();
    marathon = await startMarathonRole(cluster.masterAddress, cluster.dir);
    base = marathon.url;
    assert.deepEqual((await api(base, 'GET', '/v2/apps')).body.apps.map((a: any) => a.id).sort(), beforeApps);
    await eventually(async () => (await api(base, 'GET', '/v2/info')).body.frameworkId === frameworkId || undefined);
    // Give reconciliation and a few offer cycles time to (wrongly) relaunch anything.
    await new Promise((r) => setTimeout(r, 3000));
    const tasks = (await api(base, 'GET', '/v2/tasks')).body.tasks;
    assert.deepEqual(tasks.map((t: any) => t.id).sort(), beforeTasks);
    assert.ok(tasks.every((t: any) => t.state === 'TASK_RUNNING'));
    const state = await getJson(`http://${cluster.masterAddress}/master/state`);
    const fw = state.frameworks.find((f: any) => f.id === frameworkId);
    assert.deepEqual(fw.tasks.map((t: any) => t.id).sort(), beforeTasks, 'the master runs exactly the same tasks');
  });
});

/** Kills a task's processes directly, as a crash or an operator outside Marathon would. */
function killTaskProcess(dir: string, taskId: string): void {
  let found = false;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (cwd.startsWith(dir) && cwd.includes(taskId)) { process.kill(Number(pid), 'SIGKILL'); found = true; }
    } catch { /* gone */ }
  }
  assert.ok(found, `no process found for ${taskId}`);
}

// Marathon health checks against a real master and 2 agents: HTTP and TCP checks run by Marathon, COMMAND checks
// run by the agent (TaskInfo.health_check → TaskStatus.healthy); healthy tasks show in tasksHealthy and
// healthCheckResults, failing ones are killed and replaced with Marathon's events. Also group dependencies: an
// app starts only once the apps it depends on are deployed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startCluster, type RoleProcess, type TestCluster } from '../helpers/processes.ts';
import { api, openEvents, startMarathonRole } from '../helpers/marathon.ts';

const HTTP_SERVER = 'exec python3 -m http.server --bind $HOST $PORT';
const fast = { gracePeriodSeconds: 15, intervalSeconds: 1, timeoutSeconds: 2, maxConsecutiveFailures: 3 };

describe('marathon health checks and group dependencies on a real cluster', () => {
  let cluster: TestCluster;
  let marathon: RoleProcess;
  let base: string;
  let stream: Awaited<ReturnType<typeof openEvents>>;

  const app = async (id: string) => (await api(base, 'GET', `/v2/apps/${id}`)).body.app;
  const healthy = (id: string, n: number) => eventually(async () => {
    const a = await app(id);
    return a.tasksHealthy === n && a.tasksRunning === n && a.tasks.length === n ? a : undefined;
  }, 30_000);
  const noDeployments = () => eventually(async () => (await api(base, 'GET', '/v2/deployments')).body.length === 0 || undefined, 30_000);
  const destroy = async (id: string) => {
    assert.equal((await api(base, 'DELETE', `/v2/apps${id}?force=true`)).status, 200);
  };

  before(async () => {
    cluster = await startCluster({ agents: 2, agentIpBase: 61 });
    marathon = await startMarathonRole(cluster.masterAddress, cluster.dir);
    base = marathon.url;
    stream = await openEvents(base);
    await stream.attached;
  });
  after(async () => {
    stream?.close();
    await marathon?.stop();
    await cluster?.stop();
  });

  it('HTTP health check on $PORT: tasks become healthy, the deployment ends only then, healthCheckResults alive', async () => {
    const created = await api(base, 'POST', '/v2/apps', {
      id: '/hc/http', cmd: HTTP_SERVER, cpus: 0.05, mem: 32, instances: 2, healthChecks: [{ protocol: 'HTTP', path: '/', portIndex: 0, ...fast }],
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.healthChecks[0].ignoreHttp1xx, false, 'defaults filled in');
    const a = await healthy('hc/http', 2);
    assert.equal(a.tasksUnhealthy, 0);
    for (const t of a.tasks) {
      assert.equal(t.healthCheckResults.length, 1);
      assert.equal(t.healthCheckResults[0].alive, true);
      assert.equal(t.healthCheckResults[0].taskId, t.id);
      assert.equal(t.healthCheckResults[0].consecutiveFailures, 0);
      assert.match(t.healthCheckResults[0].firstSuccess, /^\d{4}-/);
    }
    await noDeployments();
    const deploymentId = created.body.deployments[0].id;
    const at = (pred: (e: { type: string; data: any }) => boolean) => stream.events.findIndex(pred);
    const firstHealthy = at((e) => e.type === 'health_status_changed_event' && e.data.appId === '/hc/http' && e.data.alive === true);
    const success = at((e) => e.type === 'deployment_success' && e.data.id === deploymentId);
    assert.ok(firstHealthy >= 0 && success > firstHealthy, 'deployment_success comes after the tasks became healthy');
    await destroy('/hc/http');
  });

  it('TCP and COMMAND checks: healthy through Marathon\'s probe and through the agent\'s TaskStatus.healthy', async () => {
    assert.equal((await api(base, 'POST', '/v2/apps', { id: '/hc/tcp', cmd: HTTP_SERVER, cpus: 0.05, mem: 32, healthChecks: [{ protocol: 'TCP', ...fast }] })).status, 201);
    assert.equal((await api(base, 'POST', '/v2/apps', {
      id: '/hc/cmd', cmd: 'touch ready && sleep 1000', cpus: 0.05, mem: 16,
      healthChecks: [{ protocol: 'COMMAND', command: { value: 'test -f ready' }, delaySeconds: 0, ...fast }],
    })).status, 201);
    const tcp = await healthy('hc/tcp', 1);
    assert.equal(tcp.tasks[0].healthCheckResults[0].alive, true);
    const cmd = await healthy('hc/cmd', 1);
    assert.equal(cmd.tasks[0].healthCheckResults[0].alive, true);
    await destroy('/hc/tcp');
    await destroy('/hc/cmd');
  });

  it('HTTPS (self-signed certificate), MESOS_HTTP and MESOS_TCP checks make tasks healthy', async () => {
    const httpsServer = 'openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 1 -subj /CN=task 2>/dev/null && exec python3 -c "'
      + 'import http.server, ssl, os; s = http.server.HTTPServer((os.environ[\'HOST\'], int(os.environ[\'PORT\'])), http.server.SimpleHTTPRequestHandler); '
      + 'c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain(\'cert.pem\', \'key.pem\'); s.socket = c.wrap_socket(s.socket, server_side=True); s.serve_forever()"';
    const apps = [
      { id: '/hc/https', cmd: httpsServer, healthChecks: [{ protocol: 'HTTPS', ...fast }] },
      { id: '/hc/mesos-http', cmd: HTTP_SERVER, healthChecks: [{ protocol: 'MESOS_HTTP', path: '/', delaySeconds: 0, ...fast }] },
      { id: '/hc/mesos-tcp', cmd: HTTP_SERVER, healthChecks: [{ protocol: 'MESOS_TCP', delaySeconds: 0, ...fast }] },
    ];
    for (const a of apps) assert.equal((await api(base, 'POST', '/v2/apps', { ...a, cpus: 0.05, mem: 32 })).status, 201);
    for (const a of apps) {
      const shown = await healthy(a.id.slice(1), 1);
      assert.equal(shown.tasks[0].healthCheckResults[0].alive, true, a.id);
    }
    for (const a of apps) await destroy(a.id);
  });

  it('a failing HTTP check (404) kills the task after maxConsecutiveFailures + 1 failures and replaces it', async () => {
    assert.equal((await api(base, 'POST', '/v2/apps', {
      id: '/hc/broken', cmd: HTTP_SERVER, cpus: 0.05, mem: 32,
      healthChecks: [{ protocol: 'HTTP', path: '/missing', ...fast, gracePeriodSeconds: 0, maxConsecutiveFailures: 2 }],
    })).status, 201);
    const first = await eventually(async () => (await app('hc/broken')).tasks.find((t: any) => t.state === 'TASK_RUNNING'), 30_000);
    const kill = await eventually(() => stream.events.find((e) => e.type === 'unhealthy_task_kill_event' && e.data.taskId === first.id), 30_000);
    assert.equal(kill.data.appId, '/hc/broken');
    assert.equal(kill.data.reason, '404 Not Found');
    const failures = stream.events.filter((e) => e.type === 'failed_health_check_event' && e.data.taskId === first.id);
    assert.equal(failures.length, 3, 'with maxConsecutiveFailures 2 the 3rd failure kills');
    await eventually(() => stream.events.some((e) => e.type === 'status_update_event' && e.data.taskId === first.id && e.data.taskStatus === 'TASK_KILLED'), 30_000);
    // Replaced by a new task, itself unhealthy (tasksUnhealthy) until it is killed too.
    const replaced = await eventually(async () => {
      const a = await app('hc/broken');
      return a.tasks.some((t: any) => t.id !== first.id && t.state === 'TASK_RUNNING' && t.healthCheckResults[0]?.lastFailureCause) ? a : undefined;
    }, 30_000);
    assert.ok(replaced.tasksUnhealthy >= 1);
    await destroy('/hc/broken');
  });

  it('a failing COMMAND check: the agent kills the task and Marathon replaces it', async () => {
    assert.equal((await api(base, 'POST', '/v2/apps', {
      id: '/hc/false', cmd: 'sleep 1000', cpus: 0.05, mem: 16, backoffSeconds: 0.1,
      healthChecks: [{ protocol: 'COMMAND', command: { value: 'false' }, delaySeconds: 0, ...fast, gracePeriodSeconds: 0, maxConsecutiveFailures: 2 }],
    })).status, 201);
    const first = await eventually(async () => (await app('hc/false')).tasks.find((t: any) => t.state === 'TASK_RUNNING'), 30_000);
    await eventually(() => stream.events.find((e) => e.type === 'health_status_changed_event' && e.data.taskId === first.id && e.data.alive === false)
      ?? stream.events.find((e) => e.type === 'failed_health_check_event' && e.data.taskId === first.id), 30_000);
    await eventually(() => stream.events.some((e) => e.type === 'status_update_event' && e.data.taskId === first.id && e.data.taskStatus === 'TASK_KILLED'), 30_000);
    await eventually(async () => (await app('hc/false')).tasks.some((t: any) => t.id !== first.id && t.state === 'TASK_RUNNING'), 30_000);
    await destroy('/hc/false');
  });

  it('group dependencies: /g/web starts only once /g/db is running and healthy; steps follow the plan', async () => {
    const posted = await api(base, 'POST', '/v2/groups', {
      id: '/g',
      apps: [
        { id: 'web', cmd: 'sleep 1000', cpus: 0.05, mem: 16, instances: 2, dependencies: ['db'] },
        { id: 'db', cmd: HTTP_SERVER, cpus: 0.05, mem: 32, healthChecks: [{ protocol: 'HTTP', ...fast }] },
      ],
    });
    assert.equal(posted.status, 201, posted.text);
    const deploymentId = posted.body.deploymentId;
    const d = (await api(base, 'GET', '/v2/deployments')).body.find((x: any) => x.id === deploymentId);
    assert.deepEqual(d.steps, [
      { actions: [{ action: 'StartApplication', app: '/g/db' }, { action: 'StartApplication', app: '/g/web' }] },
      { actions: [{ action: 'ScaleApplication', app: '/g/db' }] },
      { actions: [{ action: 'ScaleApplication', app: '/g/web' }] },
    ]);
    assert.equal(d.totalSteps, 3);
    assert.deepEqual((await api(base, 'GET', '/v2/apps/g/web')).body.app.dependencies, ['/g/db']);
    await eventually(() => stream.events.some((e) => e.type === 'deployment_success' && e.data.id === deploymentId), 30_000);
    const at = (pred: (e: { type: string; data: any }) => boolean) => stream.events.findIndex(pred);
    const stepOf = (app: string) => at((e) => e.type === 'deployment_step_success' && e.data.plan.id === deploymentId && e.data.currentStep.actions.some((a: any) => a.action === 'ScaleApplication' && a.app === app));
    const dbHealthy = at((e) => e.type === 'health_status_changed_event' && e.data.appId === '/g/db' && e.data.alive === true);
    const webFirstTask = at((e) => e.type === 'status_update_event' && e.data.appId === '/g/web');
    assert.ok(dbHealthy >= 0 && stepOf('/g/db') > dbHealthy, 'db\'s step ends once it is healthy');
    assert.ok(webFirstTask > stepOf('/g/db'), 'web launches only after db\'s step');
    assert.ok(stepOf('/g/web') > webFirstTask);
    assert.equal((await app('g/web')).tasksRunning, 2);

    // A cycle is refused before anything changes.
    const cyclic = await api(base, 'PUT', '/v2/groups/g', { id: '/g', apps: [
      { id: 'web', cmd: 'sleep 1000', cpus: 0.05, mem: 16, instances: 2, dependencies: ['db'] },
      { id: 'db', cmd: HTTP_SERVER, cpus: 0.05, mem: 32, dependencies: ['web'] },
    ] });
    assert.equal(cyclic.status, 422, cyclic.text);
    assert.deepEqual(cyclic.body.details, [{ path: '/', errors: ['Dependency graph has cyclic dependencies: /g/db -> /g/web -> /g/db'] }]);
    assert.deepEqual((await app('g/db')).dependencies, []);
    assert.equal((await api(base, 'DELETE', '/v2/groups/g?force=true')).status, 200);

    // Group-level dependencies: every app of /h/web waits for the apps of /h/db.
    const nested = await api(base, 'POST', '/v2/groups', { id: '/h', groups: [
      { id: 'web', dependencies: ['/h/db'], apps: [{ id: 'front', cmd: 'sleep 1000', cpus: 0.05, mem: 16 }] },
      { id: 'db', apps: [{ id: 'main', cmd: 'sleep 1000', cpus: 0.05, mem: 16 }] },
    ] });
    assert.equal(nested.status, 201, nested.text);
    const plan = (await api(base, 'GET', '/v2/deployments')).body.find((x: any) => x.id === nested.body.deploymentId);
    assert.deepEqual(plan?.steps.slice(1), [{ actions: [{ action: 'ScaleApplication', app: '/h/db/main' }] }, { actions: [{ action: 'ScaleApplication', app: '/h/web/front' }] }]);
    await eventually(async () => (await app('h/web/front')).tasksRunning === 1 || undefined, 30_000);
    assert.equal((await api(base, 'DELETE', '/v2/groups/h?force=true')).status, 200);
  });

  it('bad health checks are 422 with Marathon\'s messages', async () => {
    const bad = await api(base, 'POST', '/v2/apps', { id: '/hc/bad', cmd: 'sleep 1', healthChecks: [{ protocol: 'TCP', portIndex: 3 }, { protocol: 'COMMAND' }] });
    assert.equal(bad.status, 422, bad.text);
    assert.deepEqual(bad.body.details, [
      { path: '/healthChecks(0)', errors: ['Health check port indices must address an element of the ports array or container port mappings.'] },
      { path: '/healthChecks(1)/command', errors: ['command is required for protocol COMMAND'] },
    ]);
  });
});

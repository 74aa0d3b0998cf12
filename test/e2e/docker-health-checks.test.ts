// End to end through Marathon with the real Docker Engine: health checks of DOCKER apps run by the agent as Mesos'
// docker executor runs them. COMMAND checks run inside the container (docker exec: the container's file system
// and environment), their verdicts reach Marathon's healthCheckResults; a MESOS_HTTP check reaches a
// host-networked container on the agent's address; MESOS_HTTP and MESOS_TCP checks of a container with no network
// at all (NONE) reach it on 127.0.0.1 inside its own network namespace, as Mesos' docker executor checks.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { eventually, getJson, startCluster, type RoleProcess, type TestCluster } from '../helpers/processes.ts';
import { api, startMarathonRole } from '../helpers/marathon.ts';
import { TEST_IMAGE, testDocker, type TestDocker } from '../helpers/docker.ts';

const available = await testDocker();
const fast = { delaySeconds: 0, gracePeriodSeconds: 0, intervalSeconds: 1, timeoutSeconds: 10 };

describe('health checks of Docker tasks', { skip: 'skip' in available ? available.skip : false }, () => {
  let docker: TestDocker;
  let cluster: TestCluster;
  let marathon: RoleProcess;
  const agentIds = new Set<string>();

  const dockerApp = (id: string, cmd: string, healthChecks: object[], extra: object = {}) => ({
    id, cmd, cpus: 0.05, mem: 32, instances: 1, healthChecks,
    container: { type: 'DOCKER', docker: { image: TEST_IMAGE, network: 'HOST' } }, ...extra,
  });
  const runningTask = (id: string, pred: (t: any) => boolean) => eventually(async () => {
    const t = (await api(marathon.url, 'GET', `/v2/apps${id}`)).body?.app?.tasks?.find((x: any) => x.state === 'TASK_RUNNING');
    if (t) agentIds.add(t.slaveId);
    return t && pred(t) ? t : undefined;
  }, 30_000, 200);

  before(async () => {
    docker = (available as { docker: TestDocker }).docker;
    cluster = await startCluster({ agents: 1, agentIpBase: 111, agentArgs: ['--containerizers', 'mesos,docker', '--docker-socket', docker.host] });
    marathon = await startMarathonRole(cluster.masterAddress, cluster.dir);
  });
  after(async () => {
    await marathon?.stop();
    await cluster?.stop();
    await docker?.removeAgentContainers([...agentIds]);
  });

  it('a COMMAND check that passes inside the container makes the task healthy', async () => {
    // /mnt/mesos/sandbox exists only inside the container; MARATHON_APP_ID is in the container's environment.
    const created = await api(marathon.url, 'POST', '/v2/apps', dockerApp('/dhc/healthy', 'sleep 600', [
      { protocol: 'COMMAND', command: { value: 'test -d /mnt/mesos/sandbox && test "$MARATHON_APP_ID" = /dhc/healthy' }, maxConsecutiveFailures: 3, ...fast },
    ]));
    assert.equal(created.status, 201, created.text);
    const task = await runningTask('/dhc/healthy', (t) => t.healthCheckResults?.[0]?.alive === true);
    assert.equal(task.healthCheckResults[0].consecutiveFailures, 0);
    const app = (await api(marathon.url, 'GET', '/v2/apps/dhc/healthy')).body.app;
    assert.equal(app.tasksHealthy, 1);
  });

  it('a COMMAND check exiting 1 makes the task unhealthy; its output lands in the sandbox stderr', async () => {
    const created = await api(marathon.url, 'POST', '/v2/apps', dockerApp('/dhc/unhealthy', 'sleep 600', [
      { protocol: 'COMMAND', command: { value: 'echo "check ran in $MESOS_CONTAINER_NAME" >&2; exit 1' }, maxConsecutiveFailures: 1000, ...fast },
    ]));
    assert.equal(created.status, 201, created.text);
    // A failure recorded from the agent's TaskStatus.healthy: false (not merely no result yet).
    const task = await runningTask('/dhc/unhealthy', (t) => t.healthCheckResults?.[0]?.alive === false && t.healthCheckResults[0].lastFailure);
    assert.match(task.healthCheckResults[0].lastFailure, /^\d{4}-/);
    assert.equal(task.healthCheckResults[0].firstSuccess ?? null, null, JSON.stringify(task.healthCheckResults));
    const app = (await api(marathon.url, 'GET', '/v2/apps/dhc/unhealthy')).body.app;
    assert.equal(app.tasksUnhealthy, 1);
    // The exec ran in the task's own container.
    const state = await getJson(`${cluster.agents[0]!.url}/state`);
    const executor = state.frameworks.flatMap((f: any) => f.executors).find((e: any) => e.id === task.id);
    const container = (await docker.docker.listContainers({ filters: { label: [`trireme.task_id=${task.id}`] } }))[0]!;
    assert.match(readFileSync(`${executor.directory}/stderr`, 'utf8'), new RegExp(`check ran in ${container.Names[0]!.slice(1)}`));
  });

  it('a MESOS_HTTP check reaches a host-networked container on the agent address', async () => {
    const created = await api(marathon.url, 'POST', '/v2/apps', dockerApp('/dhc/http', 'mkdir -p /tmp/w && echo ok > /tmp/w/index.html && exec httpd -f -p "$HOST:$PORT0" -h /tmp/w', [
      { protocol: 'MESOS_HTTP', path: '/', portIndex: 0, maxConsecutiveFailures: 3, ...fast, gracePeriodSeconds: 30 },
    ], { portDefinitions: [{ port: 0 }] }));
    assert.equal(created.status, 201, created.text);
    await runningTask('/dhc/http', (t) => t.healthCheckResults?.[0]?.alive === true);
  });

  it('MESOS_HTTP and MESOS_TCP checks reach a container without network on 127.0.0.1 inside its namespace', async () => {
    const serve = (port: number) => `mkdir -p /tmp/w && echo ok > /tmp/w/index.html && exec httpd -f -p 127.0.0.1:${port} -h /tmp/w`;
    const none = { container: { type: 'DOCKER', docker: { image: TEST_IMAGE, network: 'NONE' } } };
    for (const [id, hc] of [
      ['/dhc/none-http', { protocol: 'MESOS_HTTP', path: '/', port: 8080 }],
      ['/dhc/none-tcp', { protocol: 'MESOS_TCP', port: 8081 }],
    ] as const) {
      const created = await api(marathon.url, 'POST', '/v2/apps', dockerApp(id, serve(hc.port), [{ ...hc, maxConsecutiveFailures: 3, ...fast, gracePeriodSeconds: 30 }], none));
      assert.equal(created.status, 201, created.text);
    }
    await runningTask('/dhc/none-http', (t) => t.healthCheckResults?.[0]?.alive === true);
    await runningTask('/dhc/none-tcp', (t) => t.healthCheckResults?.[0]?.alive === true);
  });

  it('a MESOS_TCP check of a port nobody listens on inside the container fails', async () => {
    const created = await api(marathon.url, 'POST', '/v2/apps', dockerApp('/dhc/none-closed', 'sleep 600', [
      { protocol: 'MESOS_TCP', port: 8082, maxConsecutiveFailures: 1000, ...fast },
    ], { container: { type: 'DOCKER', docker: { image: TEST_IMAGE, network: 'NONE' } } }));
    assert.equal(created.status, 201, created.text);
    await runningTask('/dhc/none-closed', (t) => t.healthCheckResults?.[0]?.alive === false && t.healthCheckResults[0].lastFailure);
    const log = cluster.agents[0]!.output();
    assert.match(log, /TCP health check failed: Failed to connect to 127\.0\.0\.1:8082/);
  });

  it('destroying the apps removes their containers', async () => {
    for (const id of ['/dhc/healthy', '/dhc/unhealthy', '/dhc/http', '/dhc/none-http', '/dhc/none-tcp', '/dhc/none-closed']) assert.equal((await api(marathon.url, 'DELETE', `/v2/apps${id}?force=true`)).status, 200);
    await eventually(async () => {
      for (const agentId of agentIds) if ((await docker.docker.listContainers({ all: true, filters: { label: [`trireme.agent_id=${agentId}`] } })).length > 0) return false;
      return true;
    }, 30_000, 200);
  });
});

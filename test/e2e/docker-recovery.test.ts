// End to end with the real Docker Engine: recovery of DOCKER tasks after kill -9 of the agent. With --recover
// reconnect the restarted agent finds its containers by name and label, keeps the same tasks running (output still
// flowing into the sandbox, health checks resumed, kill with its grace period), reports a container that exited
// meanwhile with its real status, and removes its own orphaned containers but not other agents'. With --recover
// cleanup it removes the containers and the master reports the tasks lost. Marathon keeps the same task throughout.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, getJson, startCluster, type TestCluster } from '../helpers/processes.ts';
import { RawScheduler, launch } from '../helpers/raw-scheduler.ts';
import { api, startMarathonRole } from '../helpers/marathon.ts';
import { TEST_IMAGE, testDocker, type TestDocker } from '../helpers/docker.ts';

const available = await testDocker();
const skip = 'skip' in available ? available.skip : false;

function dockerTask(id: string, agentId: string, cmd: string, extra: object = {}): object {
  return {
    name: id, task_id: { value: id }, agent_id: { value: agentId }, command: { value: cmd },
    resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }, { name: 'mem', type: 'SCALAR', scalar: { value: 32 } }],
    container: { type: 'DOCKER', docker: { image: TEST_IMAGE, network: 'HOST' } },
    ...extra,
  };
}

const SANDBOX = '/mnt/mesos/sandbox';
// Answers each `ping` file dropped into its sandbox with a line on stdout; exits 0 on SIGTERM saying so.
const RESPONDER = `echo started; trap 'echo got TERM; exit 0' TERM; while true; do if [ -e ${SANDBOX}/ping ]; then rm ${SANDBOX}/ping; echo pong; fi; sleep 0.1; done`;

describe('docker container recovery', { skip }, () => {
  let cluster: TestCluster | undefined;
  const agentIds = new Set<string>();
  let docker: TestDocker;
  after(async () => {
    await cluster?.stop();
    if (docker) await docker.removeAgentContainers([...agentIds, 'some-other-agent']);
  });

  const start = async () => {
    docker = (available as { docker: TestDocker }).docker;
    cluster = await startCluster({ agents: 1, agentIpBase: 110, agentArgs: ['--containerizers', 'mesos,docker', '--docker-socket', docker.host] });
    const s = new RawScheduler(cluster.masterAddress);
    await s.subscribe({ user: 'root', name: 'docker-recovery', checkpoint: true, capabilities: [{ type: 'TASK_KILLING_STATE' }] });
    s.autoAck();
    const [offer] = await s.nextOffers();
    agentIds.add(offer.agent_id.value);
    return { s, offer, agentId: offer.agent_id.value as string };
  };
  const containerOf = (s: RawScheduler, taskId: string): string =>
    `mesos-${s.updates(taskId).find((u: any) => u.state === 'TASK_RUNNING').container_status.container_id.value}`;
  const sandboxOf = async (url: string, taskId: string): Promise<string> => {
    const state = await getJson(`${url}/state`);
    for (const fw of state.frameworks) for (const ex of [...fw.executors, ...fw.completed_executors]) if (ex.id === taskId) return ex.directory as string;
    throw new Error(`no sandbox for ${taskId}`);
  };

  it('--recover reconnect: same task running, output and health checks go on, an exit meanwhile is reported, kill works, own orphans removed', async () => {
    const { s, offer, agentId } = await start();
    try {
      const check = { type: 'COMMAND', command: { value: `test ! -e ${SANDBOX}/sick` }, delay_seconds: 0, interval_seconds: 0.3, timeout_seconds: 10, consecutive_failures: 1000, grace_period_seconds: 0 };
      const r = await s.call(launch([offer.id.value], [
        dockerTask('keeps', agentId, RESPONDER, { health_check: check, kill_policy: { grace_period: { nanoseconds: 10e9 } } }),
        dockerTask('ends-meanwhile', agentId, `while [ ! -e ${SANDBOX}/go ]; do sleep 0.1; done; echo ending; exit 3`),
      ]));
      assert.equal(r.status, 202, r.text);
      await s.waitForUpdate('keeps', 'TASK_RUNNING', 30_000);
      await s.waitForUpdate('ends-meanwhile', 'TASK_RUNNING', 30_000);
      await s.waitFor((e) => e.type === 'UPDATE' && e.update.status.task_id.value === 'keeps' && e.update.status.healthy === true, 30_000);
      const agentUrl = cluster!.agents[0]!.url;
      const keepsSandbox = await sandboxOf(agentUrl, 'keeps');
      const endsSandbox = await sandboxOf(agentUrl, 'ends-meanwhile');
      await eventually(() => readFileSync(join(keepsSandbox, 'stdout'), 'utf8') === 'started\n');
      const keeps = containerOf(s, 'keeps');
      const ends = containerOf(s, 'ends-meanwhile');
      const keepsCreated = (await docker.docker.getContainer(keeps).inspect()).Created;

      await cluster!.agents[0]!.stop('SIGKILL');
      // While no agent watches: one container ends, a container of this agent appears that no task owns (as if
      // the agent died between starting it and checkpointing its task), and one of another agent.
      writeFileSync(join(endsSandbox, 'go'), '');
      await eventually(async () => (await docker.docker.getContainer(ends).inspect()).State.Status === 'exited', 15_000);
      const orphan = await docker.docker.createContainer({ name: `mesos-orphan-${process.pid}`, Image: TEST_IMAGE, Cmd: ['sleep', '600'], Labels: { 'trireme.agent_id': agentId, 'trireme.container_id': `orphan-${process.pid}` } });
      await orphan.start();
      const foreign = await docker.docker.createContainer({ name: `mesos-foreign-${process.pid}`, Image: TEST_IMAGE, Cmd: ['sleep', '600'], Labels: { 'trireme.agent_id': 'some-other-agent' } });
      await foreign.start();

      const restarted = await cluster!.startAgent(0);
      assert.equal((await getJson(`${restarted.url}/state`)).id, agentId, 'the agent re-registers under the same id');
      const failed = await s.waitForUpdate('ends-meanwhile', 'TASK_FAILED', 30_000);
      assert.equal(failed.message, 'Container exited with status 3');
      assert.equal(readFileSync(join(endsSandbox, 'stdout'), 'utf8'), 'ending\n', 'output written while the agent was down reaches the sandbox');
      await eventually(async () => (await docker.docker.listContainers({ all: true, filters: { name: [ends] } })).length === 0, 15_000);

      // The same container, not a new one; the master still has the task running on the same agent.
      const info = await docker.docker.getContainer(keeps).inspect();
      assert.equal(info.Created, keepsCreated);
      assert.equal(info.State.Running, true);
      const master = await getJson(`http://${cluster!.masterAddress}/master/state`);
      const task = master.frameworks.flatMap((f: any) => f.tasks).find((t: any) => t.id === 'keeps');
      assert.equal(task?.state, 'TASK_RUNNING');
      assert.equal(task?.slave_id, agentId);
      assert.ok(s.updates('keeps').every((u: any) => u.state === 'TASK_STARTING' || u.state === 'TASK_RUNNING'), 'no task was lost or restarted');
      const stats = await getJson<any[]>(`${restarted.url}/monitor/statistics`);
      assert.ok(stats.some((e) => e.executor_id === 'keeps'), 'the re-adopted container is monitored');

      // Its output still flows into the sandbox, without repeating what was written before the crash.
      writeFileSync(join(keepsSandbox, 'ping'), '');
      const stdout = () => readFileSync(join(keepsSandbox, 'stdout'), 'utf8');
      await eventually(() => stdout().includes('pong'), 30_000).catch((err: Error) => { throw new Error(`${err.message}; stdout: ${JSON.stringify(stdout())}`); });
      assert.equal(stdout(), 'started\npong\n');

      // Its health check runs again (inside the container: the path exists only there).
      const seen = s.events.length;
      writeFileSync(join(keepsSandbox, 'sick'), '');
      const unhealthy = await s.waitFor((e) => e.type === 'UPDATE' && e.update.status.task_id.value === 'keeps' && e.update.status.healthy === false, 30_000, seen);
      assert.equal(unhealthy.update.status.state, 'TASK_RUNNING');

      // Own orphan removed, another agent's container left alone.
      await eventually(async () => (await docker.docker.listContainers({ all: true, filters: { name: [`mesos-orphan-${process.pid}`] } })).length === 0, 15_000);
      assert.equal((await docker.docker.getContainer(`mesos-foreign-${process.pid}`).inspect()).State.Running, true);
      await docker.docker.getContainer(`mesos-foreign-${process.pid}`).remove({ force: true });

      // Kill through the scheduler: SIGTERM within the grace period, TASK_KILLED, container removed.
      const kill = await s.call({ type: 'KILL', kill: { task_id: { value: 'keeps' }, agent_id: { value: agentId } } });
      assert.equal(kill.status, 202);
      await s.waitForUpdate('keeps', 'TASK_KILLING', 15_000);
      const killed = await s.waitForUpdate('keeps', 'TASK_KILLED', 30_000);
      assert.equal(killed.message, 'Container exited with status 0');
      assert.match(readFileSync(join(keepsSandbox, 'stdout'), 'utf8'), /got TERM\n$/);
      await eventually(async () => (await docker.docker.listContainers({ all: true, filters: { name: [keeps] } })).length === 0, 15_000);
    } finally {
      s.close();
    }
  });

  it('--recover cleanup: the containers are removed and the master reports the task lost', async () => {
    await cluster?.stop();
    const { s, offer, agentId } = await start();
    try {
      const r = await s.call(launch([offer.id.value], [dockerTask('doomed', agentId, 'sleep 600')]));
      assert.equal(r.status, 202, r.text);
      await s.waitForUpdate('doomed', 'TASK_RUNNING', 30_000);
      const name = containerOf(s, 'doomed');
      await cluster!.agents[0]!.stop('SIGKILL');
      assert.equal((await docker.docker.getContainer(name).inspect()).State.Running, true, 'the container outlives its agent');
      await cluster!.startAgent(0, ['--recover', 'cleanup']);
      const lost = await s.waitForUpdate('doomed', 'TASK_LOST', 30_000);
      assert.equal(lost.reason, 'REASON_AGENT_RESTARTED');
      assert.deepEqual(await docker.docker.listContainers({ all: true, filters: { label: [`trireme.agent_id=${agentId}`] } }), []);
    } finally {
      s.close();
    }
  });

  it('through Marathon: after kill -9 and restart of the agent the app keeps its task and container, none is launched again', async () => {
    await cluster?.stop();
    docker = (available as { docker: TestDocker }).docker;
    cluster = await startCluster({ agents: 1, agentIpBase: 110, agentArgs: ['--containerizers', 'mesos,docker', '--docker-socket', docker.host] });
    const marathon = await startMarathonRole(cluster.masterAddress, cluster.dir);
    try {
      const created = await api(marathon.url, 'POST', '/v2/apps', {
        id: '/recovered', cmd: 'sleep 600', cpus: 0.05, mem: 32, instances: 1,
        container: { type: 'DOCKER', docker: { image: TEST_IMAGE, network: 'HOST' } },
      });
      assert.equal(created.status, 201, created.text);
      const running = () => eventually(async () => {
        const app = (await api(marathon.url, 'GET', '/v2/apps/recovered')).body?.app;
        return app?.tasksRunning === 1 && app.tasks.length === 1 && app.tasks[0].state === 'TASK_RUNNING' ? app.tasks[0] : undefined;
      }, 30_000, 200);
      const before = await running();
      agentIds.add(before.slaveId);
      const containers = async () => (await docker.docker.listContainers({ all: true, filters: { label: [`trireme.agent_id=${before.slaveId}`] } })).map((c) => c.Id);
      const [containerBefore] = await containers();

      await cluster.agents[0]!.stop('SIGKILL');
      await cluster.startAgent(0);
      // The agent is back and registered; Marathon still has the same task, on the same container.
      await eventually(async () => (await getJson(`${cluster!.agents[0]!.url}/state`)).frameworks.some((f: any) => f.executors.some((e: any) => e.id === before.id)), 15_000);
      const after = await running();
      assert.equal(after.id, before.id);
      assert.equal(after.startedAt, before.startedAt);
      assert.deepEqual(await containers(), [containerBefore]);
      const app = (await api(marathon.url, 'GET', '/v2/apps/recovered')).body.app;
      assert.equal(app.lastTaskFailure, undefined, 'no task failed or was lost');

      assert.equal((await api(marathon.url, 'DELETE', '/v2/apps/recovered')).status, 200);
      await eventually(async () => (await containers()).length === 0, 30_000, 200);
    } finally {
      await marathon.stop();
    }
  });
});

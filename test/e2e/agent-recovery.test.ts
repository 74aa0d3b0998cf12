// End to end: agent recovery. After kill -9 of the agent and a restart (--recover reconnect, the default) the agent
// re-adopts its still-running tasks, re-registers under the same id, the master keeps the same tasks running, and
// tasks that ended while it was down are reported with their real exit status. --recover cleanup kills them instead.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, getJson, eventually, tempDir, type TestCluster } from '../helpers/processes.ts';
import { RawScheduler, commandTask, launch } from '../helpers/raw-scheduler.ts';

async function launchAll(s: RawScheduler, tasks: Array<[string, string, object?]>): Promise<void> {
  const [offer] = await s.nextOffers();
  const infos = tasks.map(([id, cmd, extra]) => commandTask(id, offer.agent_id.value, cmd, 'cpus:0.1;mem:32', extra));
  const r = await s.call(launch([offer.id.value], infos));
  assert.equal(r.status, 202, r.text);
  for (const [id] of tasks) await s.waitForUpdate(id, 'TASK_RUNNING');
}

/** The pid a task's container runs under, from the agent's container checkpoint. */
function containerPid(agentWorkDir: string, containerId: string): number {
  return JSON.parse(readFileSync(join(agentWorkDir, 'meta', 'containers', containerId, 'container.json'), 'utf8')).pid;
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); } catch { return false; }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

describe('agent recovery', () => {
  const gate = tempDir();
  let cluster: TestCluster | undefined;
  after(async () => { await cluster?.stop(); gate.remove(); });

  it('kill -9 and restart: running tasks are re-adopted with the same ids, tasks that ended meanwhile report their exit status', async () => {
    cluster = await startCluster({ agents: 1, agentIpBase: 79 });
    const s = new RawScheduler(cluster.masterAddress);
    try {
      await s.subscribe({ user: 'root', name: 'recovery', checkpoint: true });
      s.autoAck();
      const go = join(gate.path, 'go');
      const waitGo = `while [ ! -e ${go} ]; do sleep 0.1; done`;
      // Healthy while its sandbox has no file `sick`.
      const check = { type: 'COMMAND', command: { value: 'test ! -e sick' }, delay_seconds: 0, interval_seconds: 0.3, timeout_seconds: 10, consecutive_failures: 1000, grace_period_seconds: 0 };
      await launchAll(s, [['keeps-running', 'sleep 600'], ['fails-meanwhile', `${waitGo}; exit 3`], ['finishes-meanwhile', `${waitGo}; exit 0`], ['checked', 'sleep 600', { health_check: check }]]);
      await s.waitFor((e) => e.type === 'UPDATE' && e.update.status.task_id.value === 'checked' && e.update.status.healthy === true);
      const agentUrl = cluster.agents[0]!.url;
      const before = await getJson(`${agentUrl}/state`);
      const running = s.updates('keeps-running').find((u: any) => u.state === 'TASK_RUNNING');
      const containerId = running.container_status.container_id.value;
      const workDir = join(cluster.dir, 'agent-0');
      const pid = containerPid(workDir, containerId);

      await cluster.agents[0]!.stop('SIGKILL');
      writeFileSync(go, ''); // the two gated tasks end while no agent watches them
      const gated = ['fails-meanwhile', 'finishes-meanwhile'].map((id) => s.updates(id).find((u: any) => u.state === 'TASK_RUNNING').container_status.container_id.value);
      await eventually(() => gated.every((c) => existsSync(join(workDir, 'meta', 'containers', c, 'exit_status'))), 10_000);
      assert.ok(alive(pid), 'the task outlives its agent');

      const restarted = await cluster.startAgent(0);
      const after = await getJson(`${restarted.url}/state`);
      assert.equal(after.id, before.id, 'the agent re-registers under the same id');
      const failed = await s.waitForUpdate('fails-meanwhile', 'TASK_FAILED');
      assert.equal(failed.message, 'Command exited with status 3');
      const finished = await s.waitForUpdate('finishes-meanwhile', 'TASK_FINISHED');
      assert.equal(finished.message, 'Command exited with status 0');

      const master = await getJson(`http://${cluster.masterAddress}/master/state`);
      const tasks = master.frameworks.flatMap((f: any) => f.tasks);
      const kept = tasks.find((t: any) => t.id === 'keeps-running');
      assert.equal(kept?.state, 'TASK_RUNNING');
      assert.equal(kept?.slave_id, before.id);
      assert.deepEqual(s.updates('keeps-running').map((u: any) => u.state), ['TASK_STARTING', 'TASK_RUNNING'], 'no task was lost or restarted');
      assert.ok(alive(pid), 'the same process still runs');
      const stats = await getJson<any[]>(`${restarted.url}/monitor/statistics`);
      assert.ok(stats.some((e) => e.executor_id === 'keeps-running'), 'the recovered task is monitored');

      // The re-adopted task's health check runs again.
      const checkedStatus = s.updates('checked').find((u: any) => u.state === 'TASK_RUNNING');
      const seen = s.events.length;
      writeFileSync(join(after.frameworks[0].executors.find((e: any) => e.id === 'checked').directory, 'sick'), '');
      const unhealthy = await s.waitFor((e) => e.type === 'UPDATE' && e.update.status.task_id.value === 'checked' && e.update.status.healthy === false, 15_000, seen);
      assert.equal(unhealthy.update.status.state, 'TASK_RUNNING');
      assert.equal(unhealthy.update.status.container_status.container_id.value, checkedStatus.container_status.container_id.value);

      // The restarted agent controls the re-adopted task.
      const kill = await s.call({ type: 'KILL', kill: { task_id: { value: 'keeps-running' }, agent_id: running.agent_id } });
      assert.equal(kill.status, 202);
      await s.waitForUpdate('keeps-running', 'TASK_KILLED');
      await eventually(() => !alive(pid), 5000);
    } finally {
      s.close();
    }
  });

  it('--recover cleanup kills what the crashed agent left running; the master reports it lost', async () => {
    await cluster?.stop();
    cluster = await startCluster({ agents: 1, agentIpBase: 79 });
    const s = new RawScheduler(cluster.masterAddress);
    try {
      await s.subscribe({ user: 'root', name: 'cleanup' });
      s.autoAck();
      await launchAll(s, [['doomed', 'sleep 600']]);
      const containerId = s.updates('doomed').find((u: any) => u.state === 'TASK_RUNNING').container_status.container_id.value;
      const workDir = join(cluster.dir, 'agent-0');
      const pid = containerPid(workDir, containerId);
      await cluster.agents[0]!.stop('SIGKILL');
      assert.ok(alive(pid));
      await cluster.startAgent(0, ['--recover', 'cleanup']);
      const lost = await s.waitForUpdate('doomed', 'TASK_LOST');
      assert.equal(lost.reason, 'REASON_AGENT_RESTARTED');
      assert.ok(!alive(pid), 'the task process was killed');
      assert.deepEqual(readdirSync(join(workDir, 'meta', 'tasks')), []);
    } finally {
      s.close();
    }
  });
});

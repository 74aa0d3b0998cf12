// --isolation namespaces/pid: each task runs in its own pid (and mount) namespace with its own /proc, so it sees
// only its own processes; killing it still goes through SIGTERM with the grace period, as without namespaces.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, eventually, getJson, type TestCluster } from '../helpers/processes.ts';
import { RawScheduler } from '../helpers/raw-scheduler.ts';

const root = process.getuid?.() === 0;
const skip = !root && process.env.CI !== 'true' ? 'namespaces need root' : false;

describe('mesos containerizer: namespaces/pid', { skip }, () => {
  let cluster: TestCluster;
  let s: RawScheduler;
  before(async () => {
    assert.ok(root, 'the pid namespace test needs root');
    cluster = await startCluster({ agents: 1, agentIpBase: 74, agentArgs: ['--isolation', 'posix/cpu,posix/mem,namespaces/pid'] });
    s = new RawScheduler(cluster.masterAddress);
    await s.subscribe({ user: 'root', name: 'pid-ns' });
    s.autoAck();
  });
  after(async () => { s?.close(); await cluster?.stop(); });

  const runTask = (id: string, cmd: string) => s.launchCommand(id, cmd);
  /** The task's stdout through the agent's files API. */
  const stdout = async (taskId: string): Promise<string> => {
    const path = `/frameworks/${s.frameworkId}/executors/${taskId}/runs/latest/stdout`;
    return (await getJson(`${cluster.agents[0]!.url}/files/read?path=${encodeURIComponent(path)}&offset=0`)).data;
  };

  it('the task sees only its own processes and its own /proc', async () => {
    await runTask('ns', 'echo "pid=$$"; echo "procs=$(ls /proc | grep -c "^[0-9]")"; sleep 0.2');
    await s.waitForUpdate('ns', 'TASK_FINISHED');
    const out = await eventually(async () => { const t = await stdout('ns'); return t.includes('procs=') ? t : undefined; });
    const pid = Number(/pid=(\d+)/.exec(out)![1]);
    const procs = Number(/procs=(\d+)/.exec(out)![1]);
    // pid 1 is the namespace's waiting shell; the task's shell comes right after it.
    assert.ok(pid <= 3, `the task's shell is pid ${pid} in its namespace`);
    assert.ok(procs <= 5, `the task sees ${procs} processes in /proc, not the machine's`);
  });

  it('a kill still sends SIGTERM to the task first (its handler runs) and ends TASK_KILLED', async () => {
    await runTask('graceful', 'trap "echo got-term; exit 0" TERM; echo trapping; while :; do sleep 0.1; done');
    const running = await s.waitForUpdate('graceful', 'TASK_RUNNING');
    // RUNNING is reported when the container starts; kill only once the task's handler is installed.
    await eventually(async () => (await stdout('graceful')).includes('trapping'));
    const r = await s.call({ type: 'KILL', kill: { task_id: { value: 'graceful' }, agent_id: running.agent_id } });
    assert.equal(r.status, 202);
    await s.waitForUpdate('graceful', 'TASK_KILLED', 30_000);
    await eventually(async () => (await stdout('graceful')).includes('got-term'));
  });
});

// End to end: unacknowledged status updates survive an agent crash. The agent checkpoints each update before it
// first sends it; after kill -9 and a restart (--recover reconnect) it re-sends every update the framework never
// acknowledged, with the same uuid and in order, and once acknowledged an update is not sent again. A task whose id
// is too long for a directory name runs, its output is readable through the files API, and it survives the restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, eventually, getJson, type TestCluster } from '../helpers/processes.ts';
import { RawScheduler, commandTask, launch } from '../helpers/raw-scheduler.ts';

describe('agent restarts: checkpointed status updates, long task ids', () => {
  let cluster: TestCluster;
  let s: RawScheduler | undefined;
  let other: RawScheduler | undefined;
  before(async () => { cluster = await startCluster({ agents: 1, agentIpBase: 140 }); });
  after(async () => { s?.close(); other?.close(); await cluster?.stop(); });

  it('a restarted agent re-sends unacknowledged updates with their uuids, in order, and forgets them once acknowledged', async () => {
    s = new RawScheduler(cluster.masterAddress);
    await s.subscribe({ user: 'root', name: 'no-acks', checkpoint: true });
    const [offer] = await s.nextOffers();
    const r = await s.call(launch([offer.id.value], [commandTask('quick', offer.agent_id.value, 'echo done')]));
    assert.equal(r.status, 202, r.text);
    // Only TASK_STARTING is acknowledged: TASK_RUNNING (sent, re-sent) and TASK_FINISHED (queued behind it) are not.
    await s.ack(await s.waitForUpdate('quick', 'TASK_STARTING'));
    const running = await s.waitForUpdate('quick', 'TASK_RUNNING');
    const agent = cluster.agents[0]!;
    await eventually(async () => {
      const state = await getJson(`${agent.url}/state`);
      return state.frameworks.some((f: any) => f.completed_executors.some((e: any) => e.id === 'quick'));
    });
    assert.equal(s.updates('quick').filter((u) => u.state === 'TASK_FINISHED').length, 0, 'TASK_FINISHED waits behind the unacknowledged TASK_RUNNING');

    await agent.stop('SIGKILL');
    const seen = s.events.length;
    await cluster.startAgent(0);
    const again = await s.waitFor((e) => e.type === 'UPDATE' && e.update.status.task_id.value === 'quick', 15_000, seen);
    assert.equal(again.update.status.state, 'TASK_RUNNING', 'the oldest unacknowledged update comes first');
    assert.equal(again.update.status.uuid, running.uuid, 'with the uuid it had before the crash');
    await s.ack(again.update.status);
    const finished = await s.waitFor((e) => e.type === 'UPDATE' && e.update.status.task_id.value === 'quick' && e.update.status.state === 'TASK_FINISHED', 15_000, seen);
    const finishedStatus = finished.update.status;
    assert.equal(finishedStatus.message, 'Command exited with status 0');

    // Killed again before TASK_FINISHED is acknowledged: it comes back with the same uuid too.
    await cluster.agents[0]!.stop('SIGKILL');
    const seen2 = s.events.length;
    await cluster.startAgent(0);
    const finishedAgain = await s.waitFor((e) => e.type === 'UPDATE' && e.update.status.task_id.value === 'quick', 15_000, seen2);
    assert.equal(finishedAgain.update.status.state, 'TASK_FINISHED');
    assert.equal(finishedAgain.update.status.uuid, finishedStatus.uuid);
    await s.ack(finishedAgain.update.status);
    const workDir = join(cluster.dir, 'agent-0');
    await eventually(() => readdirSync(join(workDir, 'meta', 'updates')).length === 0, 10_000);
    await eventually(async () => {
      const master = await getJson(`http://${cluster.masterAddress}/master/state`);
      return master.frameworks[0].completed_tasks.find((t: any) => t.id === 'quick')?.state === 'TASK_FINISHED';
    }, 10_000);

    // Acknowledged: a further crash and restart sends nothing for the task.
    await cluster.agents[0]!.stop('SIGKILL');
    const seen3 = s.events.length;
    const restarted = await cluster.startAgent(0);
    await eventually(async () => (await getJson(`${restarted.url}/metrics/snapshot`))['slave/registered'] === 1);
    // Longer than two retry intervals (--status-update-retry-interval 500ms in the test cluster): a pending update would show.
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(s.events.slice(seen3).filter((e) => e.type === 'UPDATE'), []);
    s.close(); // its offers go back to the pool for the next test
  });

  it('a task with a 400-character id runs, its stdout is readable through /files/read, and it survives a restart', async () => {
    other = new RawScheduler(cluster.masterAddress);
    await other.subscribe({ user: 'root', name: 'long-ids', checkpoint: true });
    other.autoAck();
    // As Chronos builds ids: the job's name and run arguments, here padded well past a file name's 255 bytes.
    const id = `ct:1795600000000:0:long-job:${'--arg=value-'.repeat(40)}`.slice(0, 400);
    assert.equal(id.length, 400);
    const [offer] = await other.nextOffers();
    const r = await other.call(launch([offer.id.value], [commandTask(id, offer.agent_id.value, 'echo "from $MESOS_TASK_ID" | cut -c1-30; echo ${#MESOS_TASK_ID}; sleep 600')]));
    assert.equal(r.status, 202, r.text);
    const running = await other.waitForUpdate(id, 'TASK_RUNNING');
    const fwId = other.frameworkId;
    const read = async (url: string) => {
      const path = `/frameworks/${fwId}/executors/${id}/runs/latest/stdout`;
      return (await getJson(`${url}/files/read?path=${encodeURIComponent(path)}&offset=0`)).data;
    };
    const expected = `from ${id.slice(0, 25)}\n400\n`; // the task sees its full id in MESOS_TASK_ID
    await eventually(async () => (await read(cluster.agents[0]!.url)) === expected);
    const directory = (await getJson(`${cluster.agents[0]!.url}/state`)).frameworks.find((f: any) => f.id === fwId).executors[0].directory;

    await cluster.agents[0]!.stop('SIGKILL');
    const restarted = await cluster.startAgent(0);
    const state = await getJson(`${restarted.url}/state`);
    const executor = state.frameworks.find((f: any) => f.id === fwId).executors.find((e: any) => e.id === id);
    assert.equal(executor?.directory, directory, 'the same sandbox after the restart');
    assert.equal(await read(restarted.url), expected);
    const master = await getJson(`http://${cluster.masterAddress}/master/state`);
    assert.equal(master.frameworks.find((f: any) => f.id === fwId).tasks.find((t: any) => t.id === id)?.state, 'TASK_RUNNING');
    assert.deepEqual(other.updates(id).map((u: any) => u.state), ['TASK_STARTING', 'TASK_RUNNING'], 'not restarted or lost');

    const kill = await other.call({ type: 'KILL', kill: { task_id: { value: id }, agent_id: running.agent_id } });
    assert.equal(kill.status, 202);
    await other.waitForUpdate(id, 'TASK_KILLED');
  });
});

// End to end: under disk pressure the agent removes completed sandboxes long before --gc-delay, as Mesos' agent
// does (--gc-disk-headroom, --disk-watch-interval). The real disk cannot be filled in a test, so the headroom is
// set to 1: then any disk usage leaves a max allowed age of 0 and a completed sandbox goes at the next disk check.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, getJson, eventually, runCli, oneLine, type TestCluster } from '../helpers/processes.ts';
import { RawScheduler, commandTask, launch } from '../helpers/raw-scheduler.ts';

const WEEK_SECS = 7 * 86_400;

async function sandboxOf(agentUrl: string, taskId: string): Promise<string> {
  const state = await getJson(`${agentUrl}/state`);
  for (const fw of state.frameworks) for (const ex of [...fw.executors, ...fw.completed_executors]) if (ex.id === taskId) return ex.directory;
  throw new Error(`no sandbox for ${taskId}`);
}

describe('sandbox garbage collection under disk pressure', () => {
  let cluster: TestCluster | undefined;
  let s: RawScheduler | undefined;
  after(async () => { s?.close(); await cluster?.stop(); });

  it('a completed sandbox is removed at the next disk check once its age exceeds the allowed one, despite a week of --gc-delay', async () => {
    cluster = await startCluster({ agents: 1, agentIpBase: 143, agentArgs: (i) => (i === 0 ? ['--gc-delay', '1weeks', '--gc-disk-headroom', '1', '--disk-watch-interval', '300ms'] : []) });
    const agentUrl = cluster.agents[0]!.url;
    s = new RawScheduler(cluster.masterAddress);
    await s.subscribe({ user: 'root', name: 'gc-disk' });
    s.autoAck();
    const [offer] = await s.nextOffers();
    const r = await s.call(launch([offer.id.value], [commandTask('short', offer.agent_id.value, 'echo done')], { refuse_seconds: 0 }));
    assert.equal(r.status, 202, r.text);
    await s.waitForUpdate('short', 'TASK_FINISHED');
    const sandbox = await sandboxOf(agentUrl, 'short');
    assert.ok(sandbox.startsWith(cluster.dir));
    await eventually(() => !existsSync(sandbox), 10_000);
    const metrics = await getJson(`${agentUrl}/metrics/snapshot`);
    assert.equal(metrics['slave/executor_directory_max_allowed_age_secs'], 0);
    const { flags } = await getJson(`${agentUrl}/flags`);
    assert.equal(flags.gc_disk_headroom, '1');
    assert.equal(flags.disk_watch_interval, '300ms');
  });

  it('with the default headroom the allowed age follows the real usage of the work directory\'s disk', async () => {
    assert.ok(cluster, 'the first test started the cluster');
    const agent = await cluster.startAgent(1, ['--gc-delay', '1weeks', '--disk-watch-interval', '300ms']);
    const fs = statfsSync(cluster.dir);
    const usage = (fs.blocks - fs.bfree) / fs.blocks;
    // Until its first disk check the agent reports the whole gc-delay.
    const age = await eventually(async () => {
      const a = (await getJson(`${agent.url}/metrics/snapshot`))['slave/executor_directory_max_allowed_age_secs'] as number;
      return a !== WEEK_SECS && a;
    });
    // gc_delay × (1 − 0.1 − usage), give or take what other processes wrote meanwhile.
    assert.ok(Math.abs(age - WEEK_SECS * Math.max(0, 0.9 - usage)) < WEEK_SECS * 0.01, `max allowed age ${age}s, disk usage ${usage}`);
    assert.ok(age < WEEK_SECS * 0.9);
    const { flags } = await getJson(`${agent.url}/flags`);
    assert.equal(flags.gc_disk_headroom, '0.1');
    assert.ok(existsSync(join(cluster.dir, 'agent-1')));
  });

  it('a headroom outside 0..1 is refused at start-up, naming the flag', async () => {
    const r = await runCli(['agent', '--master', '127.0.0.1:1', '--gc-disk-headroom', '1.5']);
    assert.notEqual(r.code, 0);
    assert.match(oneLine(r.stderr), /--gc-disk-headroom.*between 0\.0 and 1\.0/);
  });
});

// End to end: --task-launcher. The default (posix_spawn) is what every other agent test runs on; here an agent
// started with Node's child_process launcher runs, reports and kills tasks the same way, and a bad value is refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, oneLine, runCli, startCluster, type TestCluster } from '../helpers/processes.ts';
import { RawScheduler } from '../helpers/raw-scheduler.ts';

describe('agent --task-launcher', () => {
  let cluster: TestCluster;
  let s: RawScheduler;
  before(async () => {
    cluster = await startCluster({ agents: 1, agentIpBase: 160, agentArgs: ['--task-launcher', 'child_process'] });
    s = new RawScheduler(cluster.masterAddress);
    await s.subscribe({ user: 'root', name: 'launcher' });
    s.autoAck();
  });
  after(async () => { s?.close(); await cluster?.stop(); });

  it('the agent says which launcher it uses', async () => {
    const { flags } = await getJson(`${cluster.agents[0]!.url}/flags`);
    assert.equal(flags.task_launcher, 'child_process');
  });

  it('with child_process, exit statuses and kills are reported as with posix_spawn', async () => {
    await s.launchCommand('exits-3', 'exit 3');
    const failed = await s.waitForUpdate('exits-3', 'TASK_FAILED');
    assert.equal(failed.message, 'Command exited with status 3');
    const agentId = await s.launchCommand('sleeper', 'sleep 600');
    await s.waitForUpdate('sleeper', 'TASK_RUNNING');
    await s.call({ type: 'KILL', kill: { task_id: { value: 'sleeper' }, agent_id: agentId } });
    const killed = await s.waitForUpdate('sleeper', 'TASK_KILLED');
    assert.match(killed.message, /signal Terminated|signal Killed/);
  });

  it('an unknown launcher is refused at start-up, naming the flag and the choices', async () => {
    const r = await runCli(['agent', '--master', '127.0.0.1:1', '--task-launcher', 'fork']);
    assert.notEqual(r.code, 0);
    assert.match(oneLine(r.stderr), /--task-launcher.*fork.*posix_spawn, child_process/);
  });
});

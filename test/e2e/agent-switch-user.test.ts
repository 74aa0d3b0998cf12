// End to end: Mesos' --switch_user. A command task without CommandInfo.user runs as FrameworkInfo.user on a root
// agent; with --no-switch-user it runs as the agent's user; a FrameworkInfo.user unknown on the agent fails the task
// with a message naming the user and the field.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getJson, startCluster, type TestCluster } from '../helpers/processes.ts';
import { RawScheduler, commandTask, launch } from '../helpers/raw-scheduler.ts';

const isRoot = process.getuid?.() === 0;
// Switching users needs a root agent; under CI the suite runs as root and must not skip.
const skip = !isRoot && process.env.CI !== 'true' ? 'switching users needs root' : false;

/** Launches one task on the first offer from the agent at `hostname`, declining the others. */
async function launchOn(s: RawScheduler, hostname: string, task: (agentId: string) => object): Promise<void> {
  const offers = await s.nextOffers();
  const offer = offers.find((o: any) => o.hostname === hostname);
  assert.ok(offer, `an offer from ${hostname}`);
  const r = await s.call(launch([offer.id.value], [task(offer.agent_id.value)]));
  assert.equal(r.status, 202, r.text);
}

function sandboxStdout(state: any, taskId: string): string {
  const dir = state.frameworks.flatMap((f: any) => f.completed_executors).find((e: any) => e.id === taskId).directory;
  return readFileSync(join(dir, 'stdout'), 'utf8');
}

describe('--switch-user and FrameworkInfo.user', { skip }, () => {
  let cluster: TestCluster;
  const schedulers: RawScheduler[] = [];
  before(async () => {
    assert.ok(isRoot, 'the agent must run as root to switch users');
    // Agent 0 switches users (the default), agent 1 runs with --no-switch-user.
    cluster = await startCluster({ agents: 2, agentIpBase: 141, agentArgs: (i) => (i === 1 ? ['--no-switch-user'] : []) });
  });
  after(async () => { for (const s of schedulers) s.close(); await cluster?.stop(); });

  async function framework(user: string): Promise<RawScheduler> {
    const s = new RawScheduler(cluster.masterAddress);
    schedulers.push(s);
    await s.subscribe({ user, name: `as-${user}` });
    s.autoAck();
    return s;
  }

  it('runs a task as FrameworkInfo.user, or as the agent\'s user with --no-switch-user', async () => {
    const [switching, notSwitching] = cluster.agents.map((a) => a!.url);
    const nobody = await framework('nobody');
    await launchOn(nobody, '127.0.141.2', (agentId) => commandTask('whoami-switch', agentId, 'id -un'));
    await nobody.waitForUpdate('whoami-switch', 'TASK_FINISHED', 20_000);
    assert.equal(sandboxStdout(await getJson(`${switching}/state`), 'whoami-switch'), 'nobody\n');

    await launchOn(nobody, '127.0.141.3', (agentId) => commandTask('whoami-no-switch', agentId, 'id -un'));
    await nobody.waitForUpdate('whoami-no-switch', 'TASK_FINISHED', 20_000);
    assert.equal(sandboxStdout(await getJson(`${notSwitching}/state`), 'whoami-no-switch'), 'root\n');
  });

  it('a FrameworkInfo.user unknown on the agent fails the task saying so; --no-switch-user ignores it', async () => {
    const bogus = await framework('trireme-no-such-user');
    await launchOn(bogus, '127.0.141.2', (agentId) => commandTask('bogus-user', agentId, 'true'));
    const failed = await bogus.waitForUpdate('bogus-user', 'TASK_FAILED', 20_000);
    assert.equal(failed.reason, 'REASON_CONTAINER_LAUNCH_FAILED');
    assert.equal(failed.message, "Failed to launch container: No such user 'trireme-no-such-user' on this agent (FrameworkInfo.user)");

    await launchOn(bogus, '127.0.141.3', (agentId) => commandTask('bogus-ignored', agentId, 'true'));
    await bogus.waitForUpdate('bogus-ignored', 'TASK_FINISHED', 20_000);
  });
});

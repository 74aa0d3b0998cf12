// End to end: CommandInfo.user on the mesos containerizer. The task runs as that user (uid, gid, groups) in a
// sandbox that user owns, and its COMMAND health checks run as that user; an unknown user fails the task with a
// message naming it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { getJson, startCluster, type TestCluster } from '../helpers/processes.ts';
import { RawScheduler, commandTask, launch } from '../helpers/raw-scheduler.ts';

const isRoot = process.getuid?.() === 0;
// Switching users needs a root agent; under CI the suite runs as root and must not skip.
const skip = !isRoot && process.env.CI !== 'true' ? 'switching users needs root' : false;

describe('CommandInfo.user', { skip }, () => {
  let cluster: TestCluster;
  let s: RawScheduler;
  before(async () => {
    assert.ok(isRoot, 'the agent must run as root to switch users');
    cluster = await startCluster({ agents: 1, agentIpBase: 113 });
    s = new RawScheduler(cluster.masterAddress);
    await s.subscribe({ user: 'root', name: 'task-user' });
    s.autoAck();
  });
  after(async () => { s?.close(); await cluster?.stop(); });

  it('runs the task as the user, in a sandbox it owns; an unknown user fails the task saying so', async () => {
    const [offer] = await s.nextOffers();
    const agentId = offer.agent_id.value;
    const asNobody = commandTask('as-nobody', agentId, 'id -u; id -g; echo mine > own-file', 'cpus:0.1;mem:32', { command: { value: 'id -u; id -g; echo mine > own-file', user: 'nobody' } });
    const unknown = commandTask('no-such-user', agentId, 'true', 'cpus:0.1;mem:32', { command: { value: 'true', user: 'trireme-no-such-user' } });
    // Its COMMAND health check runs as the task's user too.
    const checked = commandTask('checked-as-nobody', agentId, 'sleep 600', 'cpus:0.1;mem:32', {
      command: { value: 'sleep 600', user: 'nobody' },
      health_check: { type: 'COMMAND', command: { value: 'test "$(id -u)" = 65534' }, delay_seconds: 0, interval_seconds: 0.3, timeout_seconds: 10, consecutive_failures: 1000, grace_period_seconds: 0 },
    });
    const r = await s.call(launch([offer.id.value], [asNobody, unknown, checked]));
    assert.equal(r.status, 202, r.text);

    await s.waitForUpdate('as-nobody', 'TASK_FINISHED', 20_000);
    const state = await getJson(`${cluster.agents[0]!.url}/state`);
    const sandbox = state.frameworks.flatMap((f: any) => f.completed_executors).find((e: any) => e.id === 'as-nobody').directory;
    assert.equal(readFileSync(join(sandbox, 'stdout'), 'utf8'), '65534\n65534\n');
    assert.equal(statSync(join(sandbox, 'own-file')).uid, 65534, 'the task wrote its sandbox as nobody');
    assert.equal(statSync(sandbox).uid, 65534, 'the sandbox belongs to the task user');

    const failed = await s.waitForUpdate('no-such-user', 'TASK_FAILED', 20_000);
    assert.equal(failed.reason, 'REASON_CONTAINER_LAUNCH_FAILED');
    assert.equal(failed.message, "Failed to launch container: No such user 'trireme-no-such-user' on this agent (CommandInfo.user)");

    const verdict = await s.waitFor((e) => e.type === 'UPDATE' && e.update.status.task_id.value === 'checked-as-nobody' && e.update.status.healthy !== undefined, 20_000);
    assert.equal(verdict.update.status.healthy, true, 'the check ran as nobody');
  });
});

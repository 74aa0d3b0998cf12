// End to end with a real Docker Engine: the task user (CommandInfo.user, else FrameworkInfo.user) of a DOCKER task.
// As Mesos' docker containerizer, that user owns the sandbox while the container runs as its image's user, unless
// DockerInfo.parameters sets `user` (not exercised here: the local test image's /bin is for root only); a user
// unknown on the agent fails the task saying so.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getJson, startCluster, type TestCluster } from '../helpers/processes.ts';
import { RawScheduler, launch } from '../helpers/raw-scheduler.ts';
import { TEST_IMAGE, testDocker, type TestDocker } from '../helpers/docker.ts';

const available = await testDocker();
const isRoot = process.getuid?.() === 0;
const skip = 'skip' in available ? available.skip : !isRoot && process.env.CI !== 'true' ? 'switching users needs root' : false;

function dockerTask(id: string, agentId: string, cmd: string, extra: { user?: string } = {}): object {
  return {
    name: id, task_id: { value: id }, agent_id: { value: agentId },
    resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }, { name: 'mem', type: 'SCALAR', scalar: { value: 32 } }],
    command: { value: cmd, ...(extra.user ? { user: extra.user } : {}) },
    container: { type: 'DOCKER', docker: { image: TEST_IMAGE, network: 'HOST' } },
  };
}

describe('docker tasks and the task user', { skip }, () => {
  let cluster: TestCluster;
  let docker: TestDocker;
  let s: RawScheduler;
  let agentId = '';

  before(async () => {
    assert.ok(isRoot, 'the agent must run as root to hand sandboxes to other users');
    docker = (available as { docker: TestDocker }).docker;
    cluster = await startCluster({ agents: 1, agentIpBase: 142, agentArgs: ['--containerizers', 'mesos,docker', '--docker-socket', docker.host] });
    s = new RawScheduler(cluster.masterAddress);
    await s.subscribe({ user: 'nobody', name: 'docker-as-nobody' });
    s.autoAck();
  });
  after(async () => {
    s?.close();
    await cluster?.stop();
    if (agentId) await docker?.removeAgentContainers([agentId]);
  });

  it("FrameworkInfo.user owns the sandbox while the container runs as its image's user; an unknown user fails the task", async () => {
    const [offer] = await s.nextOffers();
    agentId = offer.agent_id.value;
    const show = 'id -u; stat -c %u "$MESOS_SANDBOX"';
    const r = await s.call(launch([offer.id.value], [
      dockerTask('image-user', agentId, show),
      dockerTask('unknown-user', agentId, 'true', { user: 'trireme-no-such-user' }),
    ]));
    assert.equal(r.status, 202, r.text);

    await s.waitForUpdate('image-user', 'TASK_FINISHED', 60_000);
    const state = await getJson(`${cluster.agents[0]!.url}/state`);
    const stdout = (id: string) => readFileSync(join(state.frameworks[0].completed_executors.find((e: any) => e.id === id).directory, 'stdout'), 'utf8');
    assert.equal(stdout('image-user'), '0\n65534\n', 'runs as the image user (root) in a sandbox owned by nobody');

    const failed = await s.waitForUpdate('unknown-user', 'TASK_FAILED', 60_000);
    assert.equal(failed.reason, 'REASON_CONTAINER_LAUNCH_FAILED');
    assert.equal(failed.message, "Failed to launch container: No such user 'trireme-no-such-user' on this agent (CommandInfo.user)");
  });
});

// End to end through Chronos: a job with a `container` runs in the local busybox image through the agent's docker
// containerizer, writes into a mapped host volume, and counts as a success. Chronos task ids contain ':', so the
// sandbox path does too: the agent must still mount it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startCluster, tempDir } from '../helpers/processes.ts';
import { chronosDir, getJob, isoIn, postJob, startChronosProcess } from '../helpers/chronos.ts';
import { TEST_IMAGE, testDocker, type TestDocker } from '../helpers/docker.ts';

const available = await testDocker();

describe('Chronos Docker jobs', { skip: 'skip' in available ? available.skip : false }, () => {
  it('a job with a container runs in its image, sees its volume, and succeeds', async () => {
    const docker = (available as { docker: TestDocker }).docker;
    const cluster = await startCluster({ agents: 1, agentIpBase: 73, agentArgs: ['--containerizers', 'mesos,docker', '--docker-socket', docker.host] });
    const chronos = await startChronosProcess(cluster.masterAddress, chronosDir(cluster.dir));
    const volume = tempDir('trireme-chronos-volume-');
    const agentIds: string[] = [];
    try {
      await postJob(chronos.url, {
        name: 'in-docker', schedule: `R1/${isoIn(500)}/PT1M`, cpus: 0.1, mem: 32,
        command: 'echo "ran $CHRONOS_JOB_NAME in $MESOS_SANDBOX" > /out/result',
        container: { type: 'DOCKER', image: TEST_IMAGE, network: 'HOST', volumes: [{ containerPath: '/out', hostPath: volume.path, mode: 'RW' }] },
      });
      const job = await eventually(async () => { const j = await getJob(chronos.url, 'in-docker'); return j.successCount === 1 && j; }, 30_000, 200)
        .catch(async (err) => {
          // The run history carries each failed attempt's status message (e.g. why the container did not start).
          const stat = await (await fetch(`${chronos.url}/v1/scheduler/job/stat/in-docker`)).json() as any;
          throw new Error(`${(err as Error).message}: ${stat.taskStatHistory.map((r: any) => r.message).join(' | ')}`);
        });
      assert.equal(job.errorCount, 0);
      assert.equal(job.container.image, TEST_IMAGE, 'the container is kept on the job');
      const result = join(volume.path, 'result');
      assert.ok(existsSync(result), 'the container wrote into the mapped host path');
      assert.equal(readFileSync(result, 'utf8'), 'ran in-docker in /mnt/mesos/sandbox\n', 'the job ran in the container, with its environment');
      const state = await (await fetch(`http://${cluster.masterAddress}/master/state`)).json() as any;
      const task = state.frameworks.flatMap((f: any) => f.completed_tasks).find((t: any) => t.name === 'ChronosTask:in-docker');
      assert.equal(task.state, 'TASK_FINISHED');
      assert.equal(task.container?.type, 'DOCKER');
      agentIds.push(task.slave_id);
    } finally {
      await chronos.stop();
      await cluster.stop();
      await docker.removeAgentContainers(agentIds);
      volume.remove();
    }
  });
});

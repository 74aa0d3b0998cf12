// End to end through Marathon: an app with container.type DOCKER runs the local busybox image on an agent with
// the docker containerizer, serves HTTP on its Marathon-assigned port, and is gone when the app is destroyed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, getJson, startCluster } from '../helpers/processes.ts';
import { api, startMarathonRole } from '../helpers/marathon.ts';
import { TEST_IMAGE, testDocker, type TestDocker } from '../helpers/docker.ts';

const available = await testDocker();

describe('Marathon Docker apps', { skip: 'skip' in available ? available.skip : false }, () => {
  it('a DOCKER app with host networking serves on $PORT0 at its task host:port; destroying it removes the container', async () => {
    const docker = (available as { docker: TestDocker }).docker;
    const cluster = await startCluster({ agents: 1, agentIpBase: 71, agentArgs: ['--containerizers', 'mesos,docker', '--docker-socket', docker.host] });
    const marathon = await startMarathonRole(cluster.masterAddress, cluster.dir);
    const agentIds: string[] = [];
    try {
      const app = {
        id: '/docker-web', instances: 1, cpus: 0.1, mem: 32, portDefinitions: [{ port: 0 }],
        cmd: 'mkdir -p /tmp/w && echo "marathon-docker $MARATHON_APP_ID" > /tmp/w/index.html && exec httpd -f -p "$HOST:$PORT0" -h /tmp/w',
        container: { type: 'DOCKER', docker: { image: TEST_IMAGE, network: 'HOST' } },
      };
      const created = await api(marathon.url, 'POST', '/v2/apps', app);
      assert.equal(created.status, 201, created.text);
      const task = await eventually(async () => {
        const r = await api(marathon.url, 'GET', '/v2/apps/docker-web');
        const t = r.body?.app?.tasks?.[0];
        return t?.state === 'TASK_RUNNING' && t;
      }, 30_000, 200);
      agentIds.push(task.slaveId);
      assert.equal(task.host, '127.0.71.2');
      const body = await eventually(async () => { const res = await fetch(`http://${task.host}:${task.ports[0]}/`); return res.ok && res.text(); }, 15_000, 200);
      assert.equal(body, 'marathon-docker /docker-web\n');
      const owned = await docker.docker.listContainers({ filters: { label: [`trireme.agent_id=${task.slaveId}`] } });
      assert.equal(owned.length, 1);
      assert.equal(owned[0]!.Image, TEST_IMAGE);

      const destroyed = await api(marathon.url, 'DELETE', '/v2/apps/docker-web');
      assert.equal(destroyed.status, 200, destroyed.text);
      await eventually(async () => (await docker.docker.listContainers({ all: true, filters: { label: [`trireme.agent_id=${task.slaveId}`] } })).length === 0, 30_000, 200);
      const state = await getJson(`http://127.0.0.1:${cluster.master.port}/master/state`);
      assert.ok(state.frameworks[0].completed_tasks.some((t: any) => t.state === 'TASK_KILLED'));
    } finally {
      await marathon.stop();
      await cluster.stop();
      await docker.removeAgentContainers(agentIds);
    }
  });
});

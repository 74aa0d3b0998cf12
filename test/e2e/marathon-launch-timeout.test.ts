// --task-launch-timeout: a task that never gets to TASK_RUNNING (here its fetch hangs on a server that never
// answers) is killed after the timeout and replaced by a new task, as Marathon does.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { eventually, getJson, startCluster } from '../helpers/processes.ts';
import { api, startMarathonRole } from '../helpers/marathon.ts';

describe('marathon task launch timeout', () => {
  it('kills a task stuck before running and launches a replacement', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => { sockets.push(s); });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const cluster = await startCluster({ agents: 1, agentIpBase: 36, agentArgs: ['--resources', 'cpus:1;mem:512;disk:1000;ports:[31000-31100]'] });
    const marathon = await startMarathonRole(cluster.masterAddress, cluster.dir, ['--task-launch-timeout', '3s']);
    try {
      const created = await api(marathon.url, 'POST', '/v2/apps', {
        id: '/stuck', cmd: 'sleep 300', cpus: 0.1, mem: 16, fetch: [{ uri: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/never.tgz` }],
      });
      assert.equal(created.status, 201, created.text);
      const first = await eventually(async () => (await api(marathon.url, 'GET', '/v2/apps/stuck')).body.app.tasks[0]?.id, 30_000);
      // After the timeout the first task is killed at the master and a different one takes its place.
      await eventually(async () => {
        const state = await getJson(`http://${cluster.masterAddress}/master/state`);
        const done = state.frameworks.flatMap((f: any) => f.completed_tasks);
        return done.some((t: any) => t.id === first && t.state === 'TASK_KILLED');
      }, 30_000);
      const tasks = await eventually(async () => {
        const t = (await api(marathon.url, 'GET', '/v2/apps/stuck')).body.app.tasks;
        return t.length === 1 && t[0].id !== first ? t : undefined;
      }, 30_000);
      assert.notEqual(tasks[0].id, first);
      assert.equal((await api(marathon.url, 'GET', '/v2/info')).body.marathon_config.task_launch_timeout, 3000);
    } finally {
      await marathon.stop();
      await cluster.stop();
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});

// Marathon recovering from its store: a deployment in progress survives a restart, and a running task missing
// from the store (state restored from an older copy) is killed at reconciliation and replaced.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { eventually, getJson, startCluster } from '../helpers/processes.ts';
import { api, startMarathonRole } from '../helpers/marathon.ts';

describe('marathon recovery', () => {
  it('keeps deployments across a restart and kills tasks its store does not know', async () => {
    const cluster = await startCluster({ agents: 1, agentIpBase: 33, agentArgs: ['--resources', 'cpus:1;mem:512;disk:1000;ports:[31000-31100]'] });
    let marathon = await startMarathonRole(cluster.masterAddress, cluster.dir);
    try {
      let base = marathon.url;
      const stuck = await api(base, 'POST', '/v2/apps', { id: '/stuck', cmd: 'sleep 300', cpus: 8, mem: 16 });
      assert.equal(stuck.status, 201);
      const created = await api(base, 'POST', '/v2/apps', { id: '/keep', cmd: 'sleep 300', cpus: 0.1, mem: 16, instances: 2 });
      assert.equal(created.status, 201);
      const first = await eventually(async () => {
        const a = (await api(base, 'GET', '/v2/apps/keep')).body.app;
        return a.tasksRunning === 2 ? a : undefined;
      }, 30_000);
      const frameworkId = (await api(base, 'GET', '/v2/info')).body.frameworkId;
      await marathon.stop();

      // The store loses one running task, as if restored from an older copy.
      const forgotten: string = first.tasks[0].id;
      const db = new Database(join(cluster.dir, 'marathon', 'marathon.db'));
      const removed = db.prepare('DELETE FROM kv WHERE key = ?').run(`/marathon/instances/${encodeURIComponent(forgotten)}`).changes;
      db.close();
      assert.equal(removed, 1);

      marathon = await startMarathonRole(cluster.masterAddress, cluster.dir);
      base = marathon.url;
      const deployments = (await api(base, 'GET', '/v2/deployments')).body;
      assert.deepEqual(deployments.map((d: any) => d.id), [stuck.body.deployments[0].id], 'the unfinished deployment is still there');
      assert.equal((await api(base, 'PUT', '/v2/apps/stuck', { instances: 2 })).status, 409, 'and still holds its app');

      const healed = await eventually(async () => {
        const a = (await api(base, 'GET', '/v2/apps/keep')).body.app;
        return a.tasksRunning === 2 && a.tasks.length === 2 && !a.tasks.some((t: any) => t.id === forgotten) ? a : undefined;
      }, 30_000);
      assert.ok(healed.tasks.some((t: any) => t.id === first.tasks[1].id), 'the known task kept running');
      await eventually(async () => {
        const state = await getJson(`http://${cluster.masterAddress}/master/state`);
        const fw = state.frameworks.find((f: any) => f.id === frameworkId);
        return fw.completed_tasks.some((t: any) => t.id === forgotten && t.state === 'TASK_KILLED') && !fw.tasks.some((t: any) => t.id === forgotten) || undefined;
      }, 30_000);
    } finally {
      await marathon.stop();
      await cluster.stop();
    }
  });
});

// The project's scheduler client and the sample framework against a real master and agents.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO, startCluster, startRole, getJson, eventually } from '../helpers/processes.ts';
import { SchedulerClient } from '../../src/scheduler-client/client.ts';
import type { TaskStatus } from '../../src/proto/mesos.ts';

describe('scheduler client', () => {
  it('examples/run-n.ts runs 5 copies across the cluster, exits 0 and tears its framework down', async () => {
    const cluster = await startCluster({ agents: 2, agentIpBase: 6 });
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'examples/run-n.ts'), '--master', cluster.masterAddress, '--instances', '5', '--cmd', 'echo hi from $MESOS_TASK_ID', '--name', 'copies'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c) => { out += c; });
      child.stderr.on('data', (c) => { out += c; });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.equal(code, 0, out);
      assert.match(out, /all 5 tasks done, 0 failed/);
      const state = await getJson(`http://${cluster.masterAddress}/master/state`);
      assert.equal(state.frameworks.length, 0, 'torn down');
      const done = state.completed_frameworks.find((f: any) => f.name === 'copies');
      assert.equal(done.completed_tasks.filter((t: any) => t.state === 'TASK_FINISHED').length, 5);
    } finally {
      await cluster.stop();
    }
  });

  it('re-subscribes with its framework id after the master restarts, keeps its task and reconciles it', async () => {
    const cluster = await startCluster({ agents: 1, agentIpBase: 7 });
    const client = new SchedulerClient({ master: cluster.masterAddress, frameworkInfo: { user: 'root', name: 'survivor', failover_timeout: 300 }, reconnectBackoffMs: { min: 100, max: 500 } });
    const updates: TaskStatus[] = [];
    const subscriptions: Array<{ frameworkId: string; reconnected: boolean }> = [];
    client.on('update', (s) => updates.push(s));
    client.on('subscribed', (s) => subscriptions.push(s));
    let launched = false;
    client.on('offers', async (offers) => {
      for (const o of offers) {
        if (launched) { await client.decline([o.id.value], { refuse_seconds: 3600 }); continue; }
        launched = true;
        await client.launch([o.id.value], [{ name: 'long', task_id: { value: 'long-1' }, agent_id: o.agent_id, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }, { name: 'mem', type: 'SCALAR', scalar: { value: 32 } }], command: { value: 'sleep 600' } }]);
      }
    });
    client.setKnownTasks(() => [{ task_id: { value: 'long-1' } }]);
    let master = cluster.master;
    try {
      client.start();
      await eventually(() => updates.some((u) => u.task_id.value === 'long-1' && u.state === 'TASK_RUNNING'));
      const frameworkId = client.frameworkId!;
      await master.stop();
      // Same port and work dir: the registry remembers the agent, which re-registers with its task.
      master = await startRole(['master', '--ip', '127.0.0.1', '--port', String(cluster.master.port), '--work-dir', join(cluster.dir, 'master'), '--allocation-interval', '200ms'], 'master listening');
      cluster.master = master;
      await eventually(() => subscriptions.length >= 2, 20_000);
      assert.equal(subscriptions[1]!.frameworkId, frameworkId);
      assert.equal(subscriptions[1]!.reconnected, true);
      // Explicit reconciliation after the re-subscription reports the task still running.
      // The master answers only once the agent is back, so the client keeps asking.
      await eventually(() => updates.some((u) => u.task_id.value === 'long-1' && u.reason === 'REASON_RECONCILIATION' && u.state === 'TASK_RUNNING'), 20_000, 200);
      const state = await getJson(`${master.url}/master/state`);
      assert.equal(state.frameworks[0].id, frameworkId);
      assert.equal(state.frameworks[0].tasks[0].id, 'long-1');
    } finally {
      await client.stop({ teardown: true });
      await cluster.stop();
    }
  });
});

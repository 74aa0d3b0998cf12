// `trireme dev --ha`, kill -9 and restart on the same data dir: ZooKeeper's ensemble comes back with its data, the
// masters elect a leader again, the agents (same ids) re-adopt their tasks and Marathon finds its apps in ZooKeeper —
// the tasks that were running keep running under the same ids and pids, nothing is relaunched.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, getJson, killSandboxProcesses, processesUnder, startRole, tempDir, type RoleProcess } from '../helpers/processes.ts';
import { api } from '../helpers/marathon.ts';
import { ensureZooKeeper } from '../helpers/zookeeper.ts';

describe('trireme dev --ha, kill -9 and restart', () => {
  it('keeps the apps and the running tasks (same ids and processes) across the restart', async () => {
    ensureZooKeeper();
    const dir = tempDir('trireme-devha-restart-');
    const start = async () => {
      const dev = await startRole(['dev', '--ha', '--data-dir', dir.path, '--master-port', '0', '--agent-port', '0', '--zk-port', '0', '--marathon-port', '0', '--chronos-port', '0'], 'master listening', 90_000);
      await eventually(() => dev.output().includes('Trireme (HA) is running'), 90_000);
      const marathons = [...dev.output().matchAll(/marathon \d +(http:\/\/[\d.:]+)/g)].map((m) => m[1]!);
      const masters = [...dev.output().matchAll(/master \d +(http:\/\/[\d.:]+)/g)].map((m) => m[1]!);
      return { dev, marathon: marathons[0]!, masters };
    };
    const running = async (marathon: string) => ((await api(marathon, 'GET', '/v2/apps/web')).body?.app?.tasks ?? [])
      .filter((t: any) => t.state === 'TASK_RUNNING').map((t: any) => t.id as string).sort();
    let dev: RoleProcess | undefined;
    try {
      let s = await start();
      dev = s.dev;
      // Either Marathon instance serves the API (a standby proxies to the leader).
      const created = await api(s.marathon, 'POST', '/v2/apps', { id: '/web', cmd: 'sleep 600', cpus: 0.1, mem: 16, instances: 2 });
      assert.equal(created.status, 201, created.text);
      const before = await eventually(async () => { const ids = await running(s.marathon); return ids.length === 2 && ids; }, 60_000, 300);
      const sleepers = await eventually(() => { const p = processesUnder(dir.path, 'sleep'); return p.length === 2 && p; }, 10_000, 100);

      await dev.stop('SIGKILL');
      dev = undefined;
      assert.deepEqual(processesUnder(dir.path, 'sleep'), sleepers, 'the tasks outlive kill -9 of dev --ha');

      s = await start();
      dev = s.dev;
      // Same ids, same processes, and no deployment to redo.
      const after = await eventually(async () => {
        const ids = await running(s.marathon);
        return ids.length === 2 && (await getJson(`${s.marathon}/v2/deployments`)).length === 0 && ids;
      }, 90_000, 500);
      assert.deepEqual(after, before, 'the same tasks run after the restart');
      assert.deepEqual(processesUnder(dir.path, 'sleep'), sleepers, 'the same processes, not relaunched ones');
      const leader = await eventually(async () => {
        for (const m of s.masters) if ((await getJson(`${m}/metrics/snapshot`))['master/elected'] === 1) return m;
        return undefined;
      }, 30_000, 300);
      const tasks = (await getJson(`${leader}/master/tasks`)).tasks as Array<{ id: string; state: string }>;
      assert.deepEqual(tasks.filter((t) => before.includes(t.id)).map((t) => t.state), ['TASK_RUNNING', 'TASK_RUNNING'], 'the leading master knows them running');

      // A clean stop kills the tasks.
      await dev.stop();
      dev = undefined;
      await eventually(() => processesUnder(dir.path).length === 0, 30_000, 200);
    } finally {
      await dev?.stop();
      killSandboxProcesses(dir.path);
      dir.remove();
    }
  });
});

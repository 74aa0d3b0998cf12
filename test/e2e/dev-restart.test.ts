// Single node: kill -9 `trireme dev` in the middle of a deployment and start it again on the same data dir:
// apps, the unfinished deployment and Chronos jobs are all there, and the app runs again.
// Not asserted (yet): that the same task ids keep running. Agents do not checkpoint their tasks yet (no
// `--recover reconnect`), so a restarted agent forgets them and Marathon launches replacements.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { eventually, getJson, startRole, tempDir, type RoleProcess } from '../helpers/processes.ts';
import { api } from '../helpers/marathon.ts';
import { killSandboxProcesses } from '../helpers/processes.ts';

describe('trireme dev, kill -9 and restart', () => {
  it('keeps apps, the deployment in progress and jobs', async () => {
    const dir = tempDir('trireme-devrestart-');
    // Two agents with one cpu each fit two 0.6-cpu instances of three: the deployment stays in progress.
    const args = ['dev', '--data-dir', dir.path, '--agents', '2', '--master-port', '0', '--agent-port', '0', '--marathon-port', '0', '--chronos-port', '0',
      '--agent-resources', 'cpus:1;mem:512;disk:1000;ports:[31000-31100]'];
    const start = async () => {
      const dev = await startRole(args, 'marathon listening', 60_000);
      await eventually(() => dev.output().includes('Press Ctrl-C'), 60_000);
      const url = (role: string) => new RegExp(`${role} +(http://[\\d.:]+)`).exec(dev.output())![1]!;
      return { dev, marathon: url('marathon'), chronos: url('chronos') };
    };
    const running = async (marathon: string) => ((await api(marathon, 'GET', '/v2/apps/web')).body?.app?.tasks ?? [])
      .filter((t: any) => t.state === 'TASK_RUNNING').map((t: any) => t.id).sort();
    let dev: RoleProcess | undefined;
    try {
      let s = await start();
      dev = s.dev;
      const created = await api(s.marathon, 'POST', '/v2/apps', { id: '/web', cmd: 'sleep 600', cpus: 0.6, mem: 16, instances: 3 });
      assert.equal(created.status, 201, created.text);
      const job = await fetch(`${s.chronos}/v1/scheduler/iso8601`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'nightly', command: 'true', schedule: 'R/2030-01-01T00:00:00Z/P1D' }) });
      assert.equal(job.status, 204, await job.text());
      await eventually(async () => (await running(s.marathon)).length === 2, 30_000, 200);
      assert.equal((await getJson(`${s.marathon}/v2/deployments`)).length, 1, 'the deployment is in progress');

      await dev.stop('SIGKILL');
      s = await start();
      dev = s.dev;
      assert.equal((await getJson(`${s.marathon}/v2/apps/web`)).app.instances, 3);
      assert.equal((await getJson(`${s.marathon}/v2/deployments`)).length, 1, 'the unfinished deployment is still there');
      assert.equal((await getJson(`${s.chronos}/v1/scheduler/job/nightly`)).name, 'nightly');
      await eventually(async () => (await running(s.marathon)).length === 2, 40_000, 200);
    } finally {
      await dev?.stop();
      killSandboxProcesses(dir.path);
      dir.remove();
    }
  });
});

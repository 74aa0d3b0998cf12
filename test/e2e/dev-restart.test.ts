// Single node: kill -9 `trireme dev` in the middle of a deployment and start it again on the same data dir:
// apps, the unfinished deployment and Chronos jobs are all there, the tasks that were running keep running under
// the same ids (the agents re-adopt them, --recover reconnect, as a restarted Mesos agent does), the deployment
// completes once there is room and the Chronos job keeps running on schedule. A clean stop leaves nothing behind.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, getJson, killSandboxProcesses, processesUnder, startRole, tempDir, type RoleProcess } from '../helpers/processes.ts';
import { api } from '../helpers/marathon.ts';

/** The cgroup directories (any controller) of the containers the agents under `dir` checkpointed. */
function containerCgroups(dir: string): string[] {
  const ids = readdirSync(dir).filter((d) => d.startsWith('agent-'))
    .flatMap((a) => readdirSync(join(dir, a, 'meta', 'containers'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name));
  const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')).filter((f) => f[2] === 'cgroup' || f[2] === 'cgroup2').map((f) => f[1]!);
  return mounts.flatMap((m) => ids.map((id) => join(m, 'trireme', id))).filter((p) => existsSync(p));
}

describe('trireme dev, kill -9 and restart', () => {
  it('keeps apps, jobs and the running tasks (same ids), and finishes the interrupted deployment', async () => {
    const dir = tempDir('trireme-devrestart-');
    // Two agents with one cpu each fit two 0.6-cpu instances of three: the deployment stays in progress.
    const args = (agents: number) => ['dev', '--data-dir', dir.path, '--agents', String(agents), '--master-port', '0', '--agent-port', '0', '--marathon-port', '0', '--chronos-port', '0',
      '--agent-resources', 'cpus:1;mem:512;disk:1000;ports:[31000-31100]'];
    const start = async (agents: number) => {
      const dev = await startRole(args(agents), 'marathon listening', 60_000);
      await eventually(() => dev.output().includes('Press Ctrl-C'), 60_000);
      const url = (role: string) => new RegExp(`${role} +(http://[\\d.:]+)`).exec(dev.output())![1]!;
      return { dev, marathon: url('marathon'), chronos: url('chronos') };
    };
    const running = async (marathon: string) => ((await api(marathon, 'GET', '/v2/apps/web')).body?.app?.tasks ?? [])
      .filter((t: any) => t.state === 'TASK_RUNNING').map((t: any) => t.id as string).sort();
    const job = async (chronos: string) => getJson(`${chronos}/v1/scheduler/job/ticker`);
    let dev: RoleProcess | undefined;
    try {
      let s = await start(2);
      dev = s.dev;
      const created = await api(s.marathon, 'POST', '/v2/apps', { id: '/web', cmd: 'sleep 600', cpus: 0.6, mem: 16, instances: 3 });
      assert.equal(created.status, 201, created.text);
      const first = new Date(Date.now() + 1000).toISOString();
      const posted = await fetch(`${s.chronos}/v1/scheduler/iso8601`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'ticker', command: 'true', schedule: `R/${first}/PT2S`, cpus: 0.05, mem: 16 }) });
      assert.equal(posted.status, 204, await posted.text());
      const before = await eventually(async () => { const ids = await running(s.marathon); return ids.length === 2 && ids; }, 30_000, 200);
      assert.equal((await getJson(`${s.marathon}/v2/deployments`)).length, 1, 'the deployment is in progress');
      await eventually(async () => (await job(s.chronos)).successCount >= 1, 30_000, 200);
      const sleepers = processesUnder(dir.path, 'sleep');
      assert.equal(sleepers.length, 2, 'the two instances run in their sandboxes');

      await dev.stop('SIGKILL');
      // The agents die with dev, their tasks do not: Mesos tasks outlive their agent.
      assert.deepEqual(processesUnder(dir.path, 'sleep'), sleepers, 'the tasks outlive kill -9 of dev');

      // Restarted with a third agent: room for the third instance.
      s = await start(3);
      dev = s.dev;
      assert.equal((await getJson(`${s.marathon}/v2/apps/web`)).app.instances, 3);
      assert.equal((await getJson(`${s.chronos}/v1/scheduler/job/ticker`)).name, 'ticker');
      // The deployment completes: three running instances, two of them the very tasks that ran before the kill.
      const after = await eventually(async () => {
        const ids = await running(s.marathon);
        return ids.length === 3 && (await getJson(`${s.marathon}/v2/deployments`)).length === 0 && ids;
      }, 60_000, 300);
      for (const id of before) assert.ok(after.includes(id), `task ${id} kept running across the restart (now: ${after.join(', ')})`);
      const third = processesUnder(dir.path, 'sleep');
      assert.equal(third.length, 3);
      assert.ok(sleepers.every((p) => third.includes(p)), 'the same processes, not relaunched ones');
      const master = /master +(http:\/\/[\d.:]+)/.exec(s.dev.output())![1]!;
      const tasks = (await getJson(`${master}/master/tasks`)).tasks as Array<{ id: string; state: string }>;
      assert.deepEqual(tasks.filter((t) => before.includes(t.id)).map((t) => t.state), ['TASK_RUNNING', 'TASK_RUNNING'], 'the master knows them running');
      // The Chronos job runs again after the restart.
      const ran = (await job(s.chronos)).successCount as number;
      await eventually(async () => (await job(s.chronos)).successCount > ran, 30_000, 300);

      // A clean stop (SIGTERM) kills the tasks and leaves no process nor cgroup behind.
      const cgroups = containerCgroups(dir.path);
      await dev.stop();
      dev = undefined;
      await eventually(() => processesUnder(dir.path).length === 0, 20_000, 200);
      assert.deepEqual(cgroups.filter((c) => existsSync(c)), [], 'no container cgroup left');
    } finally {
      await dev?.stop();
      killSandboxProcesses(dir.path);
      dir.remove();
    }
  });
});

// The operator CLI as a person (or a script) uses it: `trireme cluster|agent|app|task|deployment|job …` run as child
// processes against one real `trireme dev` cluster, asserting on what they print and how they exit.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, killSandboxProcesses, oneLine, runCli, startRole, tempDir, type RoleProcess } from '../helpers/processes.ts';

let dev: RoleProcess;
let dir: { path: string; remove(): void };
let endpoints: string[] = [];
let env: Record<string, string> = {};

/** `trireme <args> --master … --marathon … --chronos …` against the dev cluster. */
const cli = (args: string[], timeoutMs?: number) => runCli([...args, ...endpoints], timeoutMs);


function file(name: string, value: unknown): string {
  const path = join(dir.path, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe('operator CLI against `trireme dev`', () => {
  before(async () => {
    dir = tempDir('trireme-opcli-');
    dev = await startRole(['dev', '--data-dir', join(dir.path, 'data'), '--master-port', '0', '--agent-port', '0', '--marathon-port', '0', '--chronos-port', '0', '--agent-resources', 'cpus:2;mem:2048;disk:5000;ports:[31000-31100]'], 'master listening');
    await eventually(() => dev.output().includes('Trireme is running'), 30_000);
    const url = (role: string) => new RegExp(`${role} +http://(127\\.0\\.0\\.1:\\d+)`).exec(dev.output())![1]!;
    env = { TRIREME_MASTER: url('master'), TRIREME_MARATHON: url('marathon'), TRIREME_CHRONOS: url('chronos') };
    endpoints = ['--master', env.TRIREME_MASTER!, '--marathon', env.TRIREME_MARATHON!, '--chronos', env.TRIREME_CHRONOS!];
    // Both frameworks registered: the cluster is ready for apps and jobs.
    await eventually(async () => (await cli(['cluster', 'status', '--json'])).stdout.includes('"chronos"') && (await cli(['cluster', 'status', '--json'])).stdout.includes('"marathon"'), 30_000, 300);
  });
  after(async () => {
    await dev?.stop();
    // A dev that had to be SIGKILLed (a slow shutdown on a loaded machine) leaves its tasks running in the sandboxes.
    if (dir) killSandboxProcesses(dir.path);
    dir?.remove();
  });

  it('cluster status and agent list show the leader, three agents and their resources (env vars point at the cluster)', async () => {
    const status = await runCli(['cluster', 'status'], 20_000, env);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`Leader +${env.TRIREME_MASTER!.replace(/\./g, '\\.')}`));
    assert.match(status.stdout, /Agents +3 active \/ 3/);
    assert.match(status.stdout, /cpus +6 /);
    assert.match(status.stdout, /Marathon +ok/);
    const json = JSON.parse((await runCli(['cluster', 'status', '--json'], 20_000, env)).stdout);
    assert.deepEqual(json.agents, { active: 3, total: 3 });
    assert.deepEqual(json.frameworks.map((f: { name: string }) => f.name).sort(), ['chronos', 'marathon']);

    const agents = await cli(['agent', 'list']);
    assert.equal(agents.code, 0, agents.stderr);
    for (const ip of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) assert.match(agents.stdout, new RegExp(`${ip.replace(/\./g, '\\.')}:\\d+ +yes +0/2 +0/2048`));
    assert.match(agents.stdout, /rack:rack-1;zone:a/);
    const agentsJson = JSON.parse((await cli(['agents', 'list', '--json'])).stdout);
    assert.equal(agentsJson.length, 3);
  });

  it('app create --wait converges to 3 running tasks with host:port; scale, show, logs, kill, suspend, destroy', async () => {
    const app = file('web.json', { id: '/web', cmd: 'echo "hello from $MESOS_TASK_ID"; exec sleep 1000', cpus: 0.1, mem: 32, instances: 3, portDefinitions: [{ port: 0 }] });
    const created = await cli(['app', 'create', '-f', app, '--wait'], 60_000);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /app \/web: created, deployment \S+ done: 3\/3 running/);
    assert.match(created.stderr, /\[#+\] 3\/3 running/, 'progress lines on stderr');

    const tasks = await cli(['task', 'list']);
    assert.equal(tasks.code, 0, tasks.stderr);
    const rows = tasks.stdout.split('\n').filter((l) => l.startsWith('web.'));
    assert.equal(rows.length, 3, tasks.stdout);
    for (const r of rows) assert.match(r, /marathon +TASK_RUNNING +127\.0\.0\.[234]:31\d{3} +web/);
    const taskJson = JSON.parse((await cli(['task', 'list', '--json'])).stdout) as { id: string; hostPorts: string; framework: string }[];
    const one = taskJson.find((t) => t.framework === 'marathon')!;

    const logs = await cli(['task', 'logs', one.id]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.equal(logs.stdout, `hello from ${one.id}\n`);

    const scaled = await cli(['app', 'scale', 'web', '1', '--wait'], 60_000);
    assert.equal(scaled.code, 0, scaled.stderr);
    assert.match(scaled.stdout, /scaled to 1, deployment \S+ done: 1\/1 running/);

    const show = await cli(['app', 'show', '/web']);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /Instances +1\/1 running/);
    assert.equal(show.stdout.split('\n').filter((l) => /^web\.\S+ +TASK_RUNNING +127\.0\.0\.\d:\d+/.test(l)).length, 1, show.stdout);
    const list = JSON.parse((await cli(['app', 'list', '--json'])).stdout) as { id: string; instances: number }[];
    assert.deepEqual(list.map((a) => [a.id, a.instances]), [['/web', 1]]);
    assert.match((await cli(['app', 'list'])).stdout, /\/web +1\/1 +0\.1 +32 +running/);

    // Killing the task: Marathon replaces it.
    const running = (JSON.parse((await cli(['task', 'list', '--json'])).stdout) as { id: string; framework: string }[]).find((t) => t.framework === 'marathon')!;
    const killed = await cli(['task', 'kill', running.id]);
    assert.equal(killed.code, 0, killed.stderr);
    assert.match(killed.stdout, new RegExp(`task ${running.id.replace(/\./g, '\\.')}: killed`));
    await eventually(async () => {
      const now = JSON.parse((await cli(['task', 'list', '--json'])).stdout) as { id: string; state: string; framework: string }[];
      const web = now.filter((t) => t.framework === 'marathon' && t.state === 'TASK_RUNNING');
      return web.length === 1 && web[0]!.id !== running.id;
    }, 30_000, 300);

    const suspended = await cli(['app', 'suspend', 'web', '--wait'], 60_000);
    assert.equal(suspended.code, 0, suspended.stderr);
    assert.match((await cli(['app', 'list'])).stdout, /\/web +0\/0 .* suspended/);
    const destroyed = await cli(['app', 'destroy', 'web', '--wait', '--json'], 60_000);
    assert.equal(destroyed.code, 0, destroyed.stderr);
    assert.equal(JSON.parse(destroyed.stdout).done, true);
    assert.equal((await cli(['app', 'show', 'web'])).code, 2);
  });

  it('--wait exits 5 on a timeout and 4 when the deployment is cancelled; deployment list and cancel', async () => {
    const huge = file('huge.json', { id: '/huge', cmd: 'sleep 1000', cpus: 50, mem: 32, instances: 1 });
    const timedOut = await cli(['app', 'create', '-f', huge, '--wait', '--timeout', '2s'], 30_000);
    assert.equal(timedOut.code, 5, timedOut.stderr);
    assert.match(timedOut.stderr.trim().split('\n').at(-1)!, /^trireme: deployment \S+ did not finish in 2s \(0\/1 running\)/);

    const deployments = await cli(['deployment', 'list']);
    assert.match(deployments.stdout, /\S+ +\/huge +\d\/\d +ScaleApplication \/huge/);
    const [first] = JSON.parse((await cli(['deployment', 'list', '--json'])).stdout) as { id: string }[];

    // A second writer waits on a restart of /huge while the first deployment is cancelled: it fails with exit 4.
    const waiting = cli(['app', 'restart', 'huge', '--force', '--wait', '--timeout', '60s'], 90_000);
    const restartId = await eventually(async () => {
      const list = JSON.parse((await cli(['deployment', 'list', '--json'])).stdout) as { id: string }[];
      return list.find((d) => d.id !== first!.id)?.id;
    }, 30_000, 200);
    const cancelled = await cli(['deployment', 'cancel', restartId, '--force']);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.match(cancelled.stdout, /cancelled/);
    const failed = await waiting;
    assert.equal(failed.code, 4, `${failed.stdout}\n${failed.stderr}`);
    assert.match(failed.stderr.trim().split('\n').at(-1)!, /^trireme: deployment \S+ failed/);

    assert.equal((await cli(['deployment', 'cancel', 'no-such-deployment'])).code, 2);
    const destroyed = await cli(['app', 'destroy', 'huge', '--force', '--wait'], 60_000);
    assert.equal(destroyed.code, 0, destroyed.stderr);
  });

  it('bad input and unreachable APIs: one line and an exit code a script can use', async () => {
    const bad = await cli(['app', 'create', '-f', file('bad.json', { id: '/bad', cmd: 'x', cpus: -1, mem: 32 })]);
    assert.equal(bad.code, 1);
    assert.match(oneLine(bad.stderr, { ignoreBlank: true }), /^trireme: cpus: .*greater than or equal to 0$/);

    const notJson = await cli(['app', 'create', '-f', file('broken.json', '{"id": ')]);
    assert.equal(notJson.code, 1);
    assert.match(oneLine(notJson.stderr, { ignoreBlank: true }), /^trireme: -f \S+broken\.json: not valid JSON/);

    const unknown = await cli(['app', 'show', 'nope']);
    assert.equal(unknown.code, 2);
    assert.equal(oneLine(unknown.stderr, { ignoreBlank: true }), "trireme: App '/nope' does not exist");
    assert.equal((await cli(['app', 'scale', 'nope', '2'])).code, 2);
    assert.equal((await cli(['task', 'logs', 'no-such-task'])).code, 2);

    const badCount = await cli(['app', 'scale', 'web', 'lots']);
    assert.equal(badCount.code, 1);
    assert.match(oneLine(badCount.stderr, { ignoreBlank: true }), /^trireme: .*'lots' is not a non-negative integer/);

    const port = await freePort();
    const down = await runCli(['cluster', 'status', '--master', `127.0.0.1:${port}`]);
    assert.equal(down.code, 3);
    assert.match(oneLine(down.stderr, { ignoreBlank: true }), new RegExp(`^trireme: cannot reach 127\\.0\\.0\\.1:${port}: ECONNREFUSED`));

    // zk:// goes through ZooKeeper master detection; with no ensemble there it says so (the HA tests cover a real one).
    const zk = await runCli(['agent', 'list', '--master', `zk://127.0.0.1:${port}/mesos`]);
    assert.equal(zk.code, 3);
    assert.match(oneLine(zk.stderr, { ignoreBlank: true }), new RegExp(`^trireme: no leading master found through zk://127\\.0\\.0\\.1:${port}/mesos`));

    // `trireme agent` still starts an agent: its own flags and errors are unchanged.
    const agentRole = await runCli(['agent', '--master', '127.0.0.1:1', '--resources', 'cpus:lots']);
    assert.equal(agentRole.code, 1);
    assert.match(oneLine(agentRole.stderr, { ignoreBlank: true }), /--resources.*bad scalar 'lots' for 'cpus'/);
  });

  it('jobs: create a scheduled job and a dependent one, run, show, list, graph, follow the logs', async () => {
    const parent = file('tick.json', { name: 'tick', command: 'echo tick-1; sleep 6; echo tick-2', schedule: 'R/2099-01-01T00:00:00Z/P1D', cpus: 0.1, mem: 32 });
    const child = file('tock.json', { name: 'tock', command: 'echo tock', parents: ['tick'], cpus: 0.1, mem: 32 });
    const c1 = await cli(['job', 'create', '-f', parent]);
    assert.equal(c1.code, 0, c1.stderr);
    assert.match(c1.stdout, /job tick: saved \(schedule R\/2099/);
    const c2 = await cli(['job', 'create', '-f', child]);
    assert.equal(c2.code, 0, c2.stderr);
    assert.match(c2.stdout, /job tock: saved \(runs after tick\)/);

    const graph = await cli(['job', 'graph']);
    assert.equal(graph.code, 0, graph.stderr);
    assert.match(graph.stdout, /^tick \(fresh, idle\)\n└── tock \(fresh, idle\)\n/);
    assert.deepEqual(JSON.parse((await cli(['job', 'graph', '--json'])).stdout).edges, [{ parent: 'tick', child: 'tock' }]);
    assert.match((await cli(['job', 'graph', '--dot'])).stdout, /digraph/);

    const run = await cli(['job', 'run', 'tick']);
    assert.equal(run.code, 0, run.stderr);
    // Follow the parent's stdout from while it runs until it ends.
    const taskId = await eventually(async () => {
      const tasks = JSON.parse((await cli(['task', 'list', '--json'])).stdout) as { id: string; name: string; state: string }[];
      return tasks.find((t) => t.id.includes(':tick:') && t.state === 'TASK_RUNNING')?.id;
    }, 30_000, 100);
    const followed = await cli(['task', 'logs', taskId, '--follow', '--interval', '200ms'], 30_000);
    assert.equal(followed.code, 0, followed.stderr);
    assert.equal(followed.stdout, 'tick-1\ntick-2\n');

    await eventually(async () => /tock +after tick +success/.test((await cli(['job', 'list'])).stdout), 30_000, 300);
    const show = await cli(['job', 'show', 'tick']);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /Successes +1/);
    assert.match(show.stdout, /ct:\S+:tick:\S* +success +127\.0\.0\.\d/);
    const jobs = JSON.parse((await cli(['job', 'list', '--json'])).stdout) as { name: string; state: string }[];
    assert.deepEqual(jobs.map((j) => [j.name, j.state]), [['tick', 'success'], ['tock', 'success']]);

    const missing = await cli(['job', 'show', 'nope']);
    assert.equal(missing.code, 2);
    assert.equal(oneLine(missing.stderr, { ignoreBlank: true }), "trireme: Job 'nope' not found");
    const badJob = await cli(['job', 'create', '-f', file('orphan.json', { name: 'orphan', command: 'true', parents: ['nobody'] })]);
    assert.equal(badJob.code, 1);
    assert.match(oneLine(badJob.stderr, { ignoreBlank: true }), /^trireme: .*nobody/);

    const deleted = await cli(['job', 'delete', 'tock']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal((await cli(['job', 'delete', 'tock'])).code, 2);
  });
});

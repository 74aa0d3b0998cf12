// End to end with a real Docker Engine: a raw framework launches DOCKER tasks on an agent run with
// --containerizers mesos,docker (the local busybox image, host networking for any traffic, loopback only).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, getJson, startCluster, type TestCluster } from '../helpers/processes.ts';
import { RawScheduler, launch } from '../helpers/raw-scheduler.ts';
import { pino } from 'pino';
import { TEST_IMAGE, testDocker, type TestDocker } from '../helpers/docker.ts';
import { DockerContainerizer } from '../../src/agent/containerizer/docker.ts';

const available = await testDocker();
const skip = 'skip' in available ? available.skip : false;

function dockerTask(id: string, agentId: string, cmd: string | null, opts: { ports?: number[]; docker?: object; volumes?: object[]; shell?: boolean; args?: string[] } = {}): object {
  const resources: object[] = [
    { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }, { name: 'mem', type: 'SCALAR', scalar: { value: 32 } },
    ...(opts.ports?.length ? [{ name: 'ports', type: 'RANGES', ranges: { range: opts.ports.map((p) => ({ begin: p, end: p })) } }] : []),
  ];
  const command = cmd === null ? { shell: false, ...(opts.args ? { arguments: opts.args } : {}) } : { value: cmd, environment: { variables: [{ name: 'GREETING', value: 'hello' }] } };
  return {
    name: id, task_id: { value: id }, agent_id: { value: agentId }, resources, command,
    labels: { labels: [{ key: 'team', value: 'qa' }] },
    container: { type: 'DOCKER', docker: { image: TEST_IMAGE, network: 'HOST', ...opts.docker }, volumes: opts.volumes ?? [] },
  };
}

describe('docker containerizer', { skip }, () => {
  let cluster: TestCluster;
  let docker: TestDocker;
  let s: RawScheduler;
  let hostDir: string;
  const agentIds: string[] = [];
  // Agent 0 runs both containerizers, agent 1 only mesos (the default).
  const dockerAgent = '127.0.70.2';
  const plainAgent = '127.0.70.3';
  const running = new Map<string, any>();

  before(async () => {
    docker = (available as { docker: TestDocker }).docker;
    hostDir = mkdtempSync(join(tmpdir(), 'trireme-docker-volume-'));
    cluster = await startCluster({
      agents: 2, agentIpBase: 70,
      agentArgs: (i) => (i === 0 ? ['--containerizers', 'mesos,docker', '--docker-socket', docker.host] : []),
    });
    s = new RawScheduler(cluster.masterAddress);
    await s.subscribe({ user: 'root', name: 'docker-e2e', capabilities: [{ type: 'TASK_KILLING_STATE' }] });
    s.autoAck();
    const offers = await eventually(async () => { const o = s.events.filter((e) => e.type === 'OFFERS').flatMap((e) => e.offers.offers); return new Set(o.map((x: any) => x.hostname)).size === 2 && o; });
    const byHost = (h: string) => offers.find((o: any) => o.hostname === h);
    const d = byHost(dockerAgent); const p = byHost(plainAgent);
    agentIds.push(d.agent_id.value, p.agent_id.value);
    const id = d.agent_id.value;
    const tasks = [
      // Serves HTTP with busybox httpd on the offered port, on the agent's own address (host networking).
      dockerTask('web', id, 'mkdir -p /tmp/www && echo "served by $MESOS_TASK_ID, $GREETING" > /tmp/www/index.html && echo started && exec httpd -f -p "$HOST_IP:31010" -h /tmp/www', { ports: [31010] }),
      // Writes into a host directory mapped RW, and its sandbox (mounted at $MESOS_SANDBOX); a RO mapping refuses writes.
      dockerTask('volume', id, 'echo written-by-container > /data/out.txt && echo "$MESOS_SANDBOX" > "$MESOS_SANDBOX/where" && cat /ro/in.txt && ! touch /ro/forbidden 2>/dev/null',
        { volumes: [{ container_path: '/data', host_path: hostDir, mode: 'RW' }, { container_path: '/ro', host_path: hostDir, mode: 'RO' }] }),
      dockerTask('fails', id, 'echo about to fail >&2; exit 3'),
      dockerTask('missing-image', id, 'true', { docker: { image: 'trireme-test/does-not-exist:none' } }),
      // force_pull_image pulls even a present image: with no registry reachable, that pull fails the task.
      dockerTask('force-pull', id, 'true', { docker: { force_pull_image: true } }),
      // Bridge networking with a port mapping from an offered host port (inspected, never sent traffic).
      dockerTask('bridged', id, 'sleep 600', { ports: [31011], docker: { network: 'BRIDGE', port_mappings: [{ host_port: 31011, container_port: 80, protocol: 'tcp' }] } }),
      // No command: the image's own CMD with the given arguments (shell false, as Marathon sends `args`).
      dockerTask('args', id, null, { args: ['echo', 'from', 'args'] }),
      dockerTask('killme', id, 'trap "echo got TERM; exit 0" TERM; while true; do sleep 0.1; done'),
    ];
    (tasks[0] as any).command.environment.variables.push({ name: 'HOST_IP', value: dockerAgent });
    // The file the RO volume reads.
    writeFileSync(join(hostDir, 'in.txt'), 'from the host\n');
    const r1 = await s.call(launch([d.id.value], tasks));
    assert.equal(r1.status, 202, r1.text);
    const r2 = await s.call(launch([p.id.value], [dockerTask('no-docker-here', p.agent_id.value, 'true')]));
    assert.equal(r2.status, 202, r2.text);
  });

  after(async () => {
    s?.close();
    await cluster?.stop();
    await docker?.removeAgentContainers(agentIds);
    if (hostDir) rmSync(hostDir, { recursive: true, force: true });
  });

  const sandboxOf = async (taskId: string): Promise<string> => {
    const state = await getJson(`http://${dockerAgent}:${cluster.agents[0]!.port}/state`);
    for (const fw of state.frameworks) for (const ex of [...fw.executors, ...fw.completed_executors]) if (ex.id === taskId) return ex.directory as string;
    throw new Error(`no sandbox for ${taskId}`);
  };

  it('runs an image with host networking: HTTP on the offered port answers on the agent address', async () => {
    const status = await s.waitForUpdate('web', 'TASK_RUNNING', 30_000);
    running.set('web', status);
    const body = await eventually(async () => { const res = await fetch(`http://${dockerAgent}:31010/`); return res.ok && res.text(); }, 15_000, 200);
    assert.equal(body, 'served by web, hello\n');
    // stdout goes to the sandbox file while the container runs.
    const sandbox = await sandboxOf('web');
    await eventually(() => readFileSync(join(sandbox, 'stdout'), 'utf8').includes('started'));
    // Named and labelled so a restarted agent finds it.
    const cid = status.container_status.container_id.value;
    const info = await docker.docker.getContainer(`mesos-${cid}`).inspect();
    assert.equal(info.HostConfig.NetworkMode, 'host');
    assert.equal(info.Config.Labels['trireme.task_id'], 'web');
    assert.equal(info.Config.Labels['trireme.framework_id'], s.frameworkId);
    assert.equal(info.Config.Labels['trireme.agent_id'], agentIds[0]);
    assert.equal(info.Config.Labels['team'], 'qa');
    // What a restarted agent would find by its labels.
    const owned = await new DockerContainerizer({ docker: docker.docker, logger: pino({ level: 'silent' }) }).owned(agentIds[0]!);
    assert.ok(owned.some((c) => c.taskId === 'web' && c.containerId === cid && c.frameworkId === s.frameworkId && c.running), JSON.stringify(owned));
    assert.equal(info.HostConfig.Memory, 32 * 1024 * 1024);
    assert.equal(info.HostConfig.CpuShares, 102);
  });

  it('maps volumes: the container writes a host directory (RW), cannot write a RO one, sees its sandbox', async () => {
    const done = await s.waitForUpdate('volume', 'TASK_FINISHED', 30_000);
    assert.equal(done.message, 'Container exited with status 0');
    assert.equal(readFileSync(join(hostDir, 'out.txt'), 'utf8'), 'written-by-container\n');
    const sandbox = await sandboxOf('volume');
    assert.equal(readFileSync(join(sandbox, 'where'), 'utf8'), '/mnt/mesos/sandbox\n');
    assert.equal(readFileSync(join(sandbox, 'stdout'), 'utf8'), 'from the host\n');
  });

  it('a failing command is TASK_FAILED with the exit status, its stderr in the sandbox', async () => {
    const failed = await s.waitForUpdate('fails', 'TASK_FAILED', 30_000);
    assert.equal(failed.message, 'Container exited with status 3');
    assert.equal(readFileSync(join(await sandboxOf('fails'), 'stderr'), 'utf8'), 'about to fail\n');
    // Exited containers are removed once their exit is recorded.
    const cid = failed.container_status.container_id.value;
    await assert.rejects(docker.docker.getContainer(`mesos-${cid}`).inspect(), /no such container/i);
  });

  it('a missing image fails the task with a clear message', async () => {
    const failed = await s.waitForUpdate('missing-image', 'TASK_FAILED', 60_000);
    assert.equal(failed.reason, 'REASON_CONTAINER_LAUNCH_FAILED');
    assert.match(failed.message, /Failed to pull image 'trireme-test\/does-not-exist:none'/);
  });

  it('force_pull_image pulls even when the image is present (no registry here: the task fails saying so)', async () => {
    const failed = await s.waitForUpdate('force-pull', 'TASK_FAILED', 60_000);
    assert.match(failed.message, /Failed to pull image 'trireme-test\/busybox:local'/);
  });

  it('BRIDGE networking binds the offered host ports to the container ports', async () => {
    const status = await s.waitForUpdate('bridged', 'TASK_RUNNING', 30_000);
    running.set('bridged', status);
    const info = await docker.docker.getContainer(`mesos-${status.container_status.container_id.value}`).inspect();
    assert.equal(info.HostConfig.NetworkMode, 'bridge');
    assert.deepEqual(info.HostConfig.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '31011' }] });
  });

  it('shell false runs the image with the given arguments', async () => {
    await s.waitForUpdate('args', 'TASK_FINISHED', 30_000);
    assert.equal(readFileSync(join(await sandboxOf('args'), 'stdout'), 'utf8'), 'from args\n');
  });

  it('kill stops the container with its grace period: TASK_KILLING, TASK_KILLED, container gone', async () => {
    const status = await s.waitForUpdate('killme', 'TASK_RUNNING', 30_000);
    const cid = status.container_status.container_id.value;
    const r = await s.call({ type: 'KILL', kill: { task_id: { value: 'killme' }, agent_id: { value: agentIds[0] } } });
    assert.equal(r.status, 202);
    await s.waitForUpdate('killme', 'TASK_KILLING', 15_000);
    const killed = await s.waitForUpdate('killme', 'TASK_KILLED', 30_000);
    // SIGTERM reached the task's trap within the grace period (exit 0 after the signal).
    assert.equal(killed.message, 'Container exited with status 0');
    assert.match(readFileSync(join(await sandboxOf('killme'), 'stdout'), 'utf8'), /got TERM/);
    await assert.rejects(docker.docker.getContainer(`mesos-${cid}`).inspect(), /no such container/i);
    await Promise.all([...running].map(async ([taskId, st]) => {
      await s.call({ type: 'KILL', kill: { task_id: { value: taskId }, agent_id: st.agent_id } });
      await s.waitForUpdate(taskId, 'TASK_KILLED', 30_000);
    }));
  });

  it('an agent without the docker containerizer fails DOCKER tasks with a clear message', async () => {
    const failed = await s.waitForUpdate('no-docker-here', 'TASK_FAILED', 30_000);
    assert.equal(failed.reason, 'REASON_CONTAINER_LAUNCH_FAILED');
    assert.match(failed.message, /docker containerizer is not enabled on this agent \(--containerizers mesos\)/);
  });
});

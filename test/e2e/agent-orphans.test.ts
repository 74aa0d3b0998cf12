// End to end on the real cgroup file system: what agents killed with SIGKILL leave behind is cleaned up when an
// agent starts again. Empty cgroups of unknown containers under the cgroups root go (once old enough not to be
// another agent's launch in progress); cgroups still holding processes stay; a container whose task was never
// checkpointed (the agent died in between) is killed, as Mesos kills unknown containers.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startCluster, type TestCluster } from '../helpers/processes.ts';

function cgroupsWritable(): boolean {
  const probe = `/sys/fs/cgroup/cpu/trireme-test-probe-${process.pid}`;
  try { mkdirSync(probe); rmdirSync(probe); return true; } catch { return false; }
}
const usable = cgroupsWritable();
// Under CI a machine without writable cgroups fails the suite rather than skipping it.
const skip = !usable && process.env.CI !== 'true' ? 'cgroups are not writable here (run as root)' : false;

const HIERARCHIES = ['cpu', 'cpuacct', 'memory'].map((c) => `/sys/fs/cgroup/${c}`);

function alive(pid: number): boolean {
  try { process.kill(pid, 0); } catch { return false; }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

describe('agent start-up cleans up after killed agents', { skip }, () => {
  const root = `trireme-orphans-${process.pid}`;
  let cluster: TestCluster | undefined;
  const children: ChildProcess[] = [];
  after(async () => {
    for (const c of children) { try { process.kill(-c.pid!, 'SIGKILL'); } catch { /* gone */ } }
    await cluster?.stop();
    // The agent's own cgroups are gone with their tasks; remove the fixtures and the root.
    await eventually(() => {
      for (const h of HIERARCHIES) for (const d of ['fresh', 'busy', 'stale', '']) { try { rmdirSync(join(h, root, d)); } catch { /* gone or busy */ } }
      return HIERARCHIES.every((h) => !existsSync(join(h, root)));
    }, 10_000);
  });

  it('removes stale empty cgroups and kills a never-checkpointed container; keeps busy and fresh cgroups', async () => {
    assert.ok(usable, 'cgroups v1 must be writable (run as root) for this test');
    cluster = await startCluster({ agents: 1, agentIpBase: 112, agentArgs: ['--cgroups-root', root] });
    await cluster.agents[0]!.stop('SIGKILL');

    // Left by agents killed earlier: an empty cgroup from two minutes ago, a fresh one, an old one with a process.
    const busyProcess = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
    children.push(busyProcess);
    const old = Date.now() / 1000 - 120;
    for (const h of HIERARCHIES) {
      for (const d of ['stale', 'fresh', 'busy']) mkdirSync(join(h, root, d), { recursive: true });
      utimesSync(join(h, root, 'stale'), old, old);
      utimesSync(join(h, root, 'busy'), old, old);
      writeFileSync(join(h, root, 'busy', 'cgroup.procs'), String(busyProcess.pid));
    }
    // A container the killed agent had launched but not yet checkpointed a task for.
    const orphan = spawn('sh', ['-c', 'sleep 600'], { detached: true, stdio: 'ignore' });
    children.push(orphan);
    const stat = readFileSync(`/proc/${orphan.pid}/stat`, 'utf8');
    const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    const runtime = join(cluster.dir, 'agent-0', 'meta', 'containers', 'never-checkpointed');
    mkdirSync(runtime, { recursive: true });
    writeFileSync(join(runtime, 'container.json'), JSON.stringify({ pid: orphan.pid, startTime, cgroup: false, memMb: 32 }));

    await cluster.startAgent(0);
    for (const h of HIERARCHIES) {
      assert.ok(!existsSync(join(h, root, 'stale')), `${h}: the stale empty cgroup is removed`);
      assert.ok(existsSync(join(h, root, 'fresh')), `${h}: a fresh empty cgroup may be another agent's launch: kept`);
      assert.ok(existsSync(join(h, root, 'busy')), `${h}: a cgroup with processes is kept`);
    }
    assert.ok(alive(busyProcess.pid!), 'a process in an unknown cgroup is not killed');
    await eventually(() => !alive(orphan.pid!), 5000);
    assert.ok(!existsSync(runtime), 'the orphan container is forgotten');
  });
});

// `npm run bench:docker`: task launch → TASK_RUNNING through the docker containerizer (real master + agent, a raw
// framework on loopback) against `docker run -d` of the same image and command on the same daemon, in the same run.
import os, { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster } from '../test/helpers/processes.ts';
import { RawScheduler, launch } from '../test/helpers/raw-scheduler.ts';
import { TEST_IMAGE, testDocker } from '../test/helpers/docker.ts';

const RUNS = Number(process.env.BENCH_DOCKER_RUNS ?? 10);
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

const available = await testDocker();
if ('skip' in available) throw new Error(available.skip);
const { docker } = available;

// Baseline: the docker CLI creating and starting the same container the agent creates (limits from cpus 0.1 and
// mem 32, a sandbox directory mounted at /mnt/mesos/sandbox); `run -d` returns once it runs. The two kinds of launch
// alternate so that load from anything else on the machine hits both alike.
const sandbox = mkdtempSync(join(tmpdir(), 'bench-docker-'));
function dockerRun(i: number): number {
  const t0 = performance.now();
  const r = spawnSync('docker', ['-H', docker.host, 'run', '-d', '--network', 'host', '--cpu-shares', '102', '--memory', '32m', '-v', `${sandbox}:/mnt/mesos/sandbox`,
    '-e', 'MESOS_SANDBOX=/mnt/mesos/sandbox', '--name', `bench-cli-${i}`, TEST_IMAGE, 'sleep', '30'], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`docker run failed: ${r.stderr}`);
  spawnSync('docker', ['-H', docker.host, 'rm', '-f', `bench-cli-${i}`]);
  return ms;
}

const cli: number[] = [];
const trireme: number[] = [];
const cluster = await startCluster({ agents: 1, agentIpBase: 74, agentArgs: ['--containerizers', 'docker', '--docker-socket', docker.host] });
const s = new RawScheduler(cluster.masterAddress);
try {
  await s.subscribe({ user: 'root', name: 'bench-docker' });
  s.autoAck();
  let from = 0;
  for (let i = 0; i < RUNS; i++) {
    cli.push(dockerRun(i));
    const [offer] = await s.nextOffers(from, 30_000);
    from = s.events.length;
    const id = `bench-${i}`;
    const task = {
      name: id, task_id: { value: id }, agent_id: offer.agent_id, command: { value: 'sleep 30' },
      resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }, { name: 'mem', type: 'SCALAR', scalar: { value: 32 } }],
      container: { type: 'DOCKER', docker: { image: TEST_IMAGE, network: 'HOST' } },
    };
    const t0 = performance.now();
    await s.call(launch([offer.id.value], [task], { refuse_seconds: 0 }));
    await s.waitForUpdate(id, 'TASK_RUNNING', 30_000);
    trireme.push(performance.now() - t0);
    await s.call({ type: 'KILL', kill: { task_id: { value: id }, agent_id: offer.agent_id, kill_policy: { grace_period: { nanoseconds: 0 } } } });
    await s.waitForUpdate(id, 'TASK_KILLED', 30_000);
    from = Math.min(from, s.events.length);
  }
} finally {
  s.close();
  await cluster.stop();
  rmSync(sandbox, { recursive: true, force: true });
}

const rows = [
  { name: `docker run -d, same limits and sandbox mount (median of ${RUNS})`, ms: median(cli) },
  { name: `trireme docker containerizer: ACCEPT → TASK_RUNNING (median of ${RUNS})`, ms: median(trireme) },
];
console.log(`machine: ${os.cpus()[0]?.model} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GB, ${new Date().toISOString()}`);
for (const r of rows) console.log(`${r.name.padEnd(72)} ${r.ms.toFixed(0).padStart(6)} ms`);
console.log(`ratio trireme / docker run: ${(median(trireme) / median(cli)).toFixed(2)}× (target ≤ 1.2×)`);
console.log(JSON.stringify({ cli, trireme }));

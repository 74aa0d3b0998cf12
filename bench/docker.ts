// `npm run bench:docker`: task launch → TASK_RUNNING through the docker containerizer (real master + agent, a raw
// framework on loopback) against `docker run -d` of the same image and command on the same daemon, in the same run.
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { startCluster } from '../test/helpers/processes.ts';
import { RawScheduler, launch } from '../test/helpers/raw-scheduler.ts';
import { TEST_IMAGE, testDocker } from '../test/helpers/docker.ts';

const RUNS = Number(process.env.BENCH_DOCKER_RUNS ?? 10);
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

const available = await testDocker();
if ('skip' in available) throw new Error(available.skip);
const { docker } = available;

// Baseline: the docker CLI creating and starting the container (returns once it runs).
const cli: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  const r = spawnSync('docker', ['-H', docker.host, 'run', '-d', '--network', 'host', '--name', `bench-cli-${i}`, TEST_IMAGE, 'sleep', '30'], { encoding: 'utf8' });
  cli.push(performance.now() - t0);
  if (r.status !== 0) throw new Error(`docker run failed: ${r.stderr}`);
  spawnSync('docker', ['-H', docker.host, 'rm', '-f', `bench-cli-${i}`]);
}

const cluster = await startCluster({ agents: 1, agentIpBase: 74, agentArgs: ['--containerizers', 'docker', '--docker-socket', docker.host] });
const s = new RawScheduler(cluster.masterAddress);
const trireme: number[] = [];
try {
  await s.subscribe({ user: 'root', name: 'bench-docker' });
  s.autoAck();
  let from = 0;
  for (let i = 0; i < RUNS; i++) {
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
}

const rows = [
  { name: `docker run -d (median of ${RUNS})`, ms: median(cli) },
  { name: `trireme docker containerizer: ACCEPT → TASK_RUNNING (median of ${RUNS})`, ms: median(trireme) },
];
console.log(`machine: ${os.cpus()[0]?.model} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GB, ${new Date().toISOString()}`);
for (const r of rows) console.log(`${r.name.padEnd(72)} ${r.ms.toFixed(0).padStart(6)} ms`);
console.log(`ratio trireme / docker run: ${(median(trireme) / median(cli)).toFixed(2)}× (target ≤ 1.2×)`);
console.log(JSON.stringify({ cli, trireme }));

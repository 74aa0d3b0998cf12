// Chronos benchmarks (`npm run bench -- chronos`): start lateness (actual process start minus due time) with
// many jobs due per minute on 3 real local agents, and GET /v1/scheduler/jobs latency and RSS with 10,000 jobs.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { startCluster, startRole, tempDir } from '../test/helpers/processes.ts';

const JOBS_PER_MINUTE = Number(process.env.BENCH_CHRONOS_JOBS_PER_MINUTE ?? 1000);
const STORED_JOBS = Number(process.env.BENCH_CHRONOS_STORED_JOBS ?? 10_000);

export interface ChronosResult { name: string; value: number; unit: string; target: string }

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]!; };

function chronosArgs(master: string, workDir: string): string[] {
  return ['chronos', '--master', master, '--http-address', '127.0.0.1', '--hostname', '127.0.0.1', '--http-port', '0', '--work-dir', workDir, '--failover-timeout', '0'];
}

async function post(url: string, body: object): Promise<void> {
  const res = await fetch(`${url}/v1/scheduler/iso8601`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 204) throw new Error(`POST → ${res.status}: ${await res.text()}`);
}

/** N jobs, each due once a minute, their due times spread evenly over the minute; one minute of runs is measured. */
async function benchLateness(results: ChronosResult[]): Promise<void> {
  const cluster = await startCluster({ agents: 3, agentIpBase: 59, agentArgs: ['--resources', 'cpus:8;mem:16384;disk:100000;ports:[31000-32000]'] });
  const chronos = await startRole(chronosArgs(cluster.masterAddress, join(cluster.dir, 'chronos')), 'chronos listening');
  try {
    const file = join(cluster.dir, 'runs.out');
    const t0 = Date.now() + 5000 + JOBS_PER_MINUTE * 5;
    // Jobs POSTed less than a second before their due time (a loaded machine posts slowly) would measure the
    // POST, not the scheduling: they are left out and counted.
    const postedLate = new Set<number>();
    const queue = Array.from({ length: JOBS_PER_MINUTE }, (_, i) => i);
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        const start = t0 + Math.floor((i * 60_000) / JOBS_PER_MINUTE);
        await post(chronos.url, { name: `late-${i}`, command: `echo $CHRONOS_JOB_RUN_TIME $(date +%s%3N) >> ${file}`, schedule: `R1/${new Date(start).toISOString()}/PT1M`, cpus: 0.01, mem: 16, disk: 1 });
        if (Date.now() > start - 1000) postedLate.add(start);
      }
    }));
    const read = () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
    const deadline = t0 + 60_000 + 30_000;
    while (read().length < JOBS_PER_MINUTE && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    const late = read().map((l) => l.split(' ').map(Number)).filter(([due]) => !postedLate.has(due!)).map(([due, ran]) => ran! - due!);
    results.push({ name: `start lateness, ${JOBS_PER_MINUTE} jobs due per minute on 3 agents (p50; ${late.length} runs, ${postedLate.size} left out as POSTed < 1 s before due)`, value: pct(late, 0.5), unit: 'ms', target: '' });
    results.push({ name: 'start lateness (p99)', value: pct(late, 0.99), unit: 'ms', target: '≤ 100 ms' });
    results.push({ name: 'start lateness (max)', value: Math.max(...late), unit: 'ms', target: '' });
    // Chronos' own share: launch decision (ACCEPT sent) minus due time, from its Prometheus histogram.
    const metrics = await (await fetch(`${chronos.url}/metrics`)).text();
    const bucket = (le: string) => Number(new RegExp(`chronos_task_start_lateness_seconds_bucket\\{le="${le}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
    const total = Number(/chronos_task_start_lateness_seconds_count (\d+)/.exec(metrics)?.[1] ?? 0);
    results.push({ name: `launches decided within 10 ms / 100 ms of due (Chronos' share, of ${total})`, value: Number((100 * bucket('0.01') / total).toFixed(1)), unit: `% / ${(100 * bucket('0.1') / total).toFixed(1)} %`, target: '' });
    results.push({ name: 'load average (1 min) at the end of the run', value: Number(os.loadavg()[0]!.toFixed(1)), unit: '', target: '' });
  } finally {
    await chronos.stop();
    await cluster.stop();
  }
}

async function benchManyJobs(results: ChronosResult[]): Promise<void> {
  const dir = tempDir('trireme-bench-chronos-');
  // No master: the jobs are stored and listed, never launched.
  const chronos = await startRole(chronosArgs('127.0.59.1:9', join(dir.path, 'chronos')), 'chronos listening');
  try {
    const t = performance.now();
    const queue = Array.from({ length: STORED_JOBS }, (_, i) => i);
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        await post(chronos.url, { name: `job-${i}`, command: `echo ${i}`, schedule: 'R0/2030-01-01T00:00:00Z/PT1H', owner: 'bench@example.com', environmentVariables: [{ name: 'N', value: String(i) }] });
      }
    }));
    results.push({ name: `POST /v1/scheduler/iso8601, ${STORED_JOBS} jobs, 8 clients`, value: Math.round(STORED_JOBS / ((performance.now() - t) / 1000)), unit: 'jobs/s', target: '' });
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 20; i++) {
      const s = performance.now();
      const res = await fetch(`${chronos.url}/v1/scheduler/jobs`);
      bytes = (await res.arrayBuffer()).byteLength;
      times.push(performance.now() - s);
    }
    results.push({ name: `GET /v1/scheduler/jobs with ${STORED_JOBS} jobs (p50 of 20; ${(bytes / 2 ** 20).toFixed(1)} MiB body)`, value: Number(pct(times, 0.5).toFixed(1)), unit: 'ms', target: '' });
    results.push({ name: 'GET /v1/scheduler/jobs (p99 of 20)', value: Number(pct(times, 0.99).toFixed(1)), unit: 'ms', target: '' });
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${chronos.proc.pid}/status`, 'utf8'));
    results.push({ name: `Chronos RSS with ${STORED_JOBS} jobs`, value: Math.round(Number(rss?.[1] ?? 0) / 1024), unit: 'MB', target: '' });
  } finally {
    await chronos.stop();
    dir.remove();
  }
}

export async function benchChronos(): Promise<ChronosResult[]> {
  const results: ChronosResult[] = [];
  await benchManyJobs(results);
  await benchLateness(results);
  return results;
}

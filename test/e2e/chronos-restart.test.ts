// Chronos keeps its state across restarts: jobs, dependencies and counters survive; during a downtime a run
// missed by more than epsilon is skipped (not run late), while one inside epsilon runs once, late.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startCluster } from '../helpers/processes.ts';
import { call, getJob, postJob, startChronosProcess } from '../helpers/chronos.ts';

test('restart keeps jobs; a run missed by more than epsilon is skipped, one inside epsilon runs once', async (t) => {
  const cluster = await startCluster({ agents: 1, agentIpBase: 51 });
  t.after(() => cluster.stop());
  const workDir = join(cluster.dir, 'chronos');
  let chronos = await startChronosProcess(cluster.masterAddress, workDir);
  t.after(() => chronos.stop());
  const file = (n: string) => join(cluster.dir, `${n}.out`);
  const dues = (n: string): number[] => (existsSync(file(n)) ? readFileSync(file(n), 'utf8').split('\n').filter(Boolean).map(Number) : []);

  const PERIOD = 3000;
  const start = Math.ceil((Date.now() + 1000) / 1000) * 1000;
  const schedule = `R/${new Date(start).toISOString()}/PT3S`;
  await postJob(chronos.url, { name: 'strict', command: `echo $CHRONOS_JOB_RUN_TIME >> ${file('strict')}`, schedule, epsilon: 'PT1S' });
  await postJob(chronos.url, { name: 'tolerant', command: `echo $CHRONOS_JOB_RUN_TIME >> ${file('tolerant')}`, schedule, epsilon: 'PT30S' });
  await postJob(chronos.url, { name: 'strict-child', command: 'true', parents: ['strict'], owner: 'ops@example.com' });
  await eventually(() => dues('strict').length >= 2 && dues('tolerant').length >= 2, 20_000);
  // The runs' ends reached Chronos (a run's line is written before its TASK_FINISHED arrives).
  await eventually(async () => (await getJob(chronos.url, 'strict')).successCount >= 2, 20_000);
  const before = (await call(chronos.url, 'GET', '/v1/scheduler/jobs')).json() as Array<{ name: string; parents?: string[]; owner: string }>;

  await chronos.stop();
  await new Promise((r) => setTimeout(r, 2000)); // a task launched just before the stop may still append
  const lastStrict = Math.max(...dues('strict'));
  const lastTolerant = Math.max(...dues('tolerant'));
  await new Promise((r) => setTimeout(r, 2 * PERIOD)); // the downtime spans at least one whole period
  const restartAt = Date.now();
  chronos = await startChronosProcess(cluster.masterAddress, workDir);
  const readyAt = Date.now();

  // Every job, its parents and owner came back.
  const after = (await call(chronos.url, 'GET', '/v1/scheduler/jobs')).json() as typeof before;
  assert.deepEqual(after.map((j) => [j.name, j.parents, j.owner]).sort(), before.map((j) => [j.name, j.parents, j.owner]).sort());
  assert.ok((await getJob(chronos.url, 'strict')).successCount >= 2, 'counters survive');

  await eventually(() => dues('strict').some((d) => d > restartAt) && dues('tolerant').some((d) => d > restartAt), 20_000);
  const missedByMoreThanEpsilon = (d: number) => d > lastStrict && d < restartAt - 1000;
  const grid = (d: number) => (d - start) % PERIOD === 0;
  assert.ok(dues('strict').every(grid) && dues('tolerant').every(grid), 'runs are due on the schedule\'s grid');
  let missed = 0;
  for (let d = lastStrict + PERIOD; d < restartAt - 1000; d += PERIOD) missed++;
  assert.ok(missed >= 1, 'the downtime covered at least one instant');
  assert.deepEqual(dues('strict').filter(missedByMoreThanEpsilon), [], 'no run missed by more than epsilon ran late');
  const skipped = /chronos_job_runs_skipped_total\{job="strict"\} (\d+)/.exec((await call(chronos.url, 'GET', '/metrics')).text);
  assert.ok(skipped && Number(skipped[1]) >= 1, 'the skip is counted');

  // The tolerant job ran an instant of the downtime once, late (missed instants collapse into one run).
  const lateRuns = dues('tolerant').filter((d) => d > lastTolerant && d <= readyAt);
  // (Its due time is the newest instant before Chronos was back, whenever that was on a loaded machine.)
  assert.ok(lateRuns.length >= 1, `a missed run inside epsilon ran: ${dues('tolerant')}`);
  for (const n of ['strict', 'tolerant']) assert.equal(new Set(dues(n)).size, dues(n).length, `${n} ran an instant twice: ${dues(n)}`);
});

test('after the master removed Chronos (failover timeout passed) a restart registers again and jobs keep running', async (t) => {
  const cluster = await startCluster({ agents: 1, agentIpBase: 54 });
  t.after(() => cluster.stop());
  const workDir = join(cluster.dir, 'chronos');
  let chronos = await startChronosProcess(cluster.masterAddress, workDir, ['--failover-timeout', '1']);
  t.after(() => chronos.stop());
  const file = join(cluster.dir, 'ticks.out');
  const count = () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0);
  await postJob(chronos.url, { name: 'ticker', command: `echo tick >> ${file}`, schedule: 'R//PT1S' });
  await eventually(() => count() >= 1, 20_000);
  await chronos.stop();
  await new Promise((r) => setTimeout(r, 3000)); // the master forgets the framework after 1 s
  chronos = await startChronosProcess(cluster.masterAddress, workDir, ['--failover-timeout', '1']);
  const before = count();
  await eventually(() => count() >= before + 2, 20_000);
  assert.match(chronos.output(), /registering again with a new framework id/);
  assert.equal((await getJob(chronos.url, 'ticker')).name, 'ticker');
});

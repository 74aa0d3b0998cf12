// Chronos killed with SIGKILL around a launch neither runs it twice nor drops it inside epsilon. Each job appends a
// line to a file when it runs, so the count of lines is the count of runs.
// The crash between recording a launch and sending its ACCEPT cannot be hit from outside reliably (it lasts well
// under a millisecond): those cases use the test-only TRIREME_CHRONOS_TEST_CRASH=after-launch-recorded, with which
// Chronos SIGKILLs itself at exactly that point (src/chronos/server.ts). The crash while the run is going is a
// plain external SIGKILL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RoleProcess } from '../helpers/processes.ts';
import { eventually, startCluster } from '../helpers/processes.ts';
import { call, getJob, isoIn, postJob, startChronosProcess } from '../helpers/chronos.ts';

const CRASH = { TRIREME_CHRONOS_TEST_CRASH: 'after-launch-recorded' };

function runs(file: string): number {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

function died(p: RoleProcess): Promise<NodeJS.Signals | null> {
  if (p.proc.exitCode !== null || p.proc.signalCode !== null) return Promise.resolve(p.proc.signalCode);
  return new Promise((r) => p.proc.once('exit', (_code, signal) => r(signal)));
}

async function skipped(url: string, job: string): Promise<number> {
  const m = new RegExp(`chronos_job_runs_skipped_total\\{job="${job}"\\} (\\d+)`).exec((await call(url, 'GET', '/metrics')).text);
  return m ? Number(m[1]) : 0;
}

test('killed after recording a launch but before its ACCEPT: the run happens once after the restart inside epsilon, and is skipped past epsilon', async (t) => {
  const cluster = await startCluster({ agents: 1, agentIpBase: 150 });
  t.after(() => cluster.stop());
  const workDir = join(cluster.dir, 'chronos');
  let chronos = await startChronosProcess(cluster.masterAddress, workDir, [], CRASH);
  t.after(() => chronos.stop());

  // Inside epsilon: relaunched once.
  const inside = join(cluster.dir, 'inside.out');
  await postJob(chronos.url, { name: 'inside', command: `echo run >> ${inside}`, schedule: `R1/${isoIn(1500)}/PT1M`, epsilon: 'PT60S', retries: 0 });
  assert.equal(await died(chronos), 'SIGKILL', 'Chronos died at the crash point');
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(runs(inside), 0, 'the ACCEPT never went out');
  chronos = await startChronosProcess(cluster.masterAddress, workDir);
  await eventually(async () => (await getJob(chronos.url, 'inside')).successCount === 1, 45_000);
  await new Promise((r) => setTimeout(r, 1500)); // a second launch, if any, would append by now
  assert.equal(runs(inside), 1, 'ran exactly once');
  assert.match(chronos.output(), /never received this recorded launch; launching it again/);
  assert.equal(await skipped(chronos.url, 'inside'), 0);
  await chronos.stop();

  // Past epsilon: skipped, counted once, not run late.
  chronos = await startChronosProcess(cluster.masterAddress, workDir, [], CRASH);
  const past = join(cluster.dir, 'past.out');
  await postJob(chronos.url, { name: 'past', command: `echo run >> ${past}`, schedule: `R1/${isoIn(1500)}/PT1M`, epsilon: 'PT1S', retries: 0 });
  assert.equal(await died(chronos), 'SIGKILL');
  await new Promise((r) => setTimeout(r, 2500)); // epsilon passes while Chronos is down
  chronos = await startChronosProcess(cluster.masterAddress, workDir);
  await eventually(async () => (await skipped(chronos.url, 'past')) === 1, 45_000);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(runs(past), 0, 'a run past epsilon is not run late');
  assert.equal(await skipped(chronos.url, 'past'), 1, 'skipped exactly once');
  const job = await getJob(chronos.url, 'past');
  assert.equal(job.errorCount, 0, 'a skipped run is no failure');
  assert.equal(runs(inside), 1, 'the earlier job did not run again');
});

test('killed while a launched run is going: the restarted Chronos tracks it to its end and does not run it again', async (t) => {
  const cluster = await startCluster({ agents: 1, agentIpBase: 151 });
  t.after(() => cluster.stop());
  const workDir = join(cluster.dir, 'chronos');
  let chronos = await startChronosProcess(cluster.masterAddress, workDir);
  t.after(() => chronos.stop());
  const file = join(cluster.dir, 'slow.out');
  await postJob(chronos.url, { name: 'slow', command: `echo run >> ${file}; sleep 4`, schedule: `R1/${isoIn(1500)}/PT1M`, epsilon: 'PT60S', retries: 0 });
  await eventually(() => runs(file) === 1, 45_000);
  await chronos.stop('SIGKILL');
  chronos = await startChronosProcess(cluster.masterAddress, workDir);
  await eventually(async () => (await getJob(chronos.url, 'slow')).successCount === 1, 45_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${chronos.output().split('\n').filter((l) => /slow|reconcil|subscri/i.test(l)).join('\n')}`);
  });
  assert.equal(runs(file), 1, 'ran exactly once');
  assert.equal((await getJob(chronos.url, 'slow')).errorCount, 0, 'its end was tracked as a success, not a loss');
});

// Chronos against a real master and agents: jobs run on schedule, Rn, retries, dependency chains, manual runs,
// delete. Each job appends to a file so the test sees what really ran, and when it was due.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startCluster, type RoleProcess, type TestCluster } from '../helpers/processes.ts';
import { call, getJob, isoIn, postJob, startChronosProcess } from '../helpers/chronos.ts';

let cluster: TestCluster;
let chronos: RoleProcess;

before(async () => {
  cluster = await startCluster({ agents: 2, agentIpBase: 50 });
  chronos = await startChronosProcess(cluster.masterAddress, join(cluster.dir, 'chronos'));
});
after(async () => { await chronos?.stop(); await cluster?.stop(); });

const out = (name: string) => join(cluster.dir, `${name}.out`);
const lines = (name: string): string[] => (existsSync(out(name)) ? readFileSync(out(name), 'utf8').split('\n').filter(Boolean) : []);

test('the seed\'s example: a job appends `date` to a file every 2 s', async () => {
  await postJob(chronos.url, { name: 'dater', command: `echo "$CHRONOS_JOB_RUN_TIME $(date)" >> ${out('dater')}`, schedule: `R/${isoIn(1000)}/PT2S` });
  await eventually(() => lines('dater').length >= 4, 20_000);
  const due = lines('dater').map((l) => Number(l.split(' ')[0]));
  // Each run's due time is on the 2 s grid, one period after the previous one: no run missing, none doubled.
  for (let i = 1; i < due.length; i++) assert.equal(due[i]! - due[i - 1]!, 2000, lines('dater').join('\n'));
  for (const l of lines('dater')) assert.match(l, /^\d+ \w{3} \w{3} +\d+ \d\d:\d\d:\d\d/, 'the line holds the output of `date`');
  assert.equal((await call(chronos.url, 'DELETE', '/v1/scheduler/job/dater')).status, 204);
});

test('R3 runs exactly three times, then its schedule reads R0', async () => {
  await postJob(chronos.url, { name: 'thrice', command: `echo $CHRONOS_JOB_RUN_TIME >> ${out('thrice')}`, schedule: `R3/${isoIn(500)}/PT1S` });
  await eventually(async () => (await getJob(chronos.url, 'thrice')).successCount === 3, 20_000);
  const job = await getJob(chronos.url, 'thrice');
  assert.match(job.schedule, /^R0\//);
  // Give a fourth run every chance to (wrongly) happen.
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(lines('thrice').length, 3);
  assert.equal((await getJob(chronos.url, 'thrice')).successCount, 3);
  // The stats endpoints read the run history: three successful runs, their run times in percentiles.
  const stat = (await call(chronos.url, 'GET', '/v1/scheduler/job/stat/thrice')).json();
  assert.equal(stat.histogram.count, 3);
  assert.ok(stat.histogram['99thPercentile'] >= stat.histogram.median && stat.histogram.median > 0);
  assert.equal(stat.taskStatHistory.length, 3);
  const p99 = (await call(chronos.url, 'GET', '/v1/scheduler/stats/99thPercentile')).json() as Array<{ jobNameLabel: string; time: number }>;
  const row = p99.find((r) => r.jobNameLabel === 'thrice');
  assert.ok(row && row.time === stat.histogram['99thPercentile'] / 1000, JSON.stringify(p99));
});

test('a failing command is retried `retries` times, then counted as an error with its history', async () => {
  await postJob(chronos.url, { name: 'failing', command: `echo "$CHRONOS_JOB_RUN_ATTEMPT $mesos_task_id" >> ${out('failing')}; exit 3`, schedule: 'R1//PT1H', retries: 2 });
  await eventually(async () => (await getJob(chronos.url, 'failing')).errorCount === 1, 20_000);
  const job = await getJob(chronos.url, 'failing');
  assert.equal(job.successCount, 0);
  assert.equal(job.errorsSinceLastSuccess, 1);
  assert.notEqual(job.lastError, '');
  assert.deepEqual(lines('failing').map((l) => l.split(' ')[0]), ['0', '1', '2']);
  assert.ok(lines('failing').every((l) => /^\d ct:\d+:\d:failing:$/.test(l)), lines('failing').join('\n'));
  const stat = (await call(chronos.url, 'GET', '/v1/scheduler/job/stat/failing')).json();
  assert.equal(stat.taskStatHistory.length, 3);
  assert.ok(stat.taskStatHistory.every((h: { exitStatus: number; status: string; host: string }) => h.exitStatus === 3 && h.status === 'fail' && h.host.startsWith('127.0.50.')));
});

test('parent → child → grandchild run in order; a failing parent holds its children', async () => {
  const log = out('chain');
  await postJob(chronos.url, { name: 'chain-parent', command: `echo parent >> ${log}`, schedule: `R1/${isoIn(1500)}/PT1H` });
  await postJob(chronos.url, { name: 'chain-child', command: `echo child >> ${log}`, parents: ['chain-parent'] });
  await postJob(chronos.url, { name: 'chain-grandchild', command: `echo grandchild >> ${log}`, parents: ['chain-child'] });
  await postJob(chronos.url, { name: 'broken-parent', command: 'exit 1', schedule: `R1/${isoIn(1500)}/PT1H`, retries: 0 });
  await postJob(chronos.url, { name: 'held-child', command: `echo held >> ${out('held')}`, parents: ['broken-parent'] });
  await eventually(async () => (await getJob(chronos.url, 'chain-grandchild')).successCount === 1, 20_000);
  assert.deepEqual(lines('chain'), ['parent', 'child', 'grandchild']);
  await eventually(async () => (await getJob(chronos.url, 'broken-parent')).errorCount === 1, 20_000);
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(lines('held'), []);
  assert.equal((await getJob(chronos.url, 'held-child')).successCount, 0);
  // Marking the parent successful releases the child, as in Chronos.
  const marked = await call(chronos.url, 'PUT', '/v1/scheduler/job/success/broken-parent');
  assert.equal(marked.text, 'marked job broken-parent as successful: true');
  await eventually(() => lines('held').length === 1, 20_000);
});

test('a manual run (PUT /job/{name}) runs now with ?arguments=', async () => {
  await postJob(chronos.url, { name: 'manual', command: `echo manual >> ${out('manual')}; echo`, schedule: 'R0//PT1H' });
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(lines('manual'), [], 'R0 never runs by itself');
  const r = await call(chronos.url, 'PUT', '/v1/scheduler/job/manual?arguments=' + encodeURIComponent(`from-api >> ${out('manual')}`));
  assert.equal(r.status, 204);
  await eventually(() => lines('manual').length === 2, 20_000);
  assert.deepEqual(lines('manual'), ['manual', 'from-api']);
});

test('deleting a job stops its future runs', async () => {
  await postJob(chronos.url, { name: 'doomed', command: `echo x >> ${out('doomed')}`, schedule: `R/${isoIn(500)}/PT1S` });
  await eventually(() => lines('doomed').length >= 2, 20_000);
  assert.equal((await call(chronos.url, 'DELETE', '/v1/scheduler/job/doomed')).status, 204);
  assert.equal((await call(chronos.url, 'GET', '/v1/scheduler/job/doomed')).status, 400);
  // A run launched just before the delete may still finish; after that the file stops growing.
  await new Promise((r) => setTimeout(r, 1000));
  const settled = lines('doomed').length;
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(lines('doomed').length, settled);
});

test('constraints place a job on the matching agent', async () => {
  await postJob(chronos.url, { name: 'placed', command: `echo $HOST >> ${out('placed')}`, schedule: 'R2//PT1S', constraints: [['hostname', 'EQUALS', '127.0.50.3']] });
  await eventually(() => lines('placed').length === 2, 20_000);
  assert.deepEqual(lines('placed'), ['127.0.50.3', '127.0.50.3']);
});

test('an async job completes through PUT /v1/scheduler/task/{taskId}, not when its process exits', async () => {
  await postJob(chronos.url, { name: 'async-job', command: `echo $mesos_task_id >> ${out('async')}`, schedule: 'R1//PT1H', async: true });
  await eventually(() => lines('async').length === 1, 20_000);
  await new Promise((r) => setTimeout(r, 1000));
  const waiting = await getJob(chronos.url, 'async-job');
  assert.equal(waiting.successCount, 0, 'the exit of the process does not complete an async job');
  const summary = (await call(chronos.url, 'GET', '/v1/scheduler/jobs/summary')).json();
  assert.equal(summary.jobs.find((j: { name: string }) => j.name === 'async-job').status, 'running');
  const taskId = lines('async')[0]!;
  const done = await call(chronos.url, 'PUT', `/v1/scheduler/task/${encodeURIComponent(taskId)}`, { statusCode: 0 });
  assert.equal(done.status, 204, done.text);
  assert.equal((await getJob(chronos.url, 'async-job')).successCount, 1);
  assert.equal((await call(chronos.url, 'PUT', `/v1/scheduler/task/${encodeURIComponent(taskId)}`, { statusCode: 0 })).status, 400, 'a task completes once');
});

test('DELETE /v1/scheduler/task/kill/{name} kills the running task (no retry, no error counted)', async () => {
  await postJob(chronos.url, { name: 'sleeper', command: `echo started >> ${out('sleeper')}; sleep 60`, schedule: 'R1//PT1H' });
  await eventually(() => lines('sleeper').length === 1, 20_000);
  await eventually(async () => (await call(chronos.url, 'GET', '/v1/scheduler/jobs/summary')).json().jobs.find((j: { name: string }) => j.name === 'sleeper').status === 'running', 10_000);
  assert.equal((await call(chronos.url, 'DELETE', '/v1/scheduler/task/kill/sleeper')).status, 204);
  const stat = await eventually(async () => {
    const s = (await call(chronos.url, 'GET', '/v1/scheduler/job/stat/sleeper')).json();
    return s.taskStatHistory.length === 1 ? s : undefined;
  }, 15_000);
  assert.equal(stat.taskStatHistory[0].taskState, 'TASK_KILLED');
  await new Promise((r) => setTimeout(r, 1000));
  const job = await getJob(chronos.url, 'sleeper');
  assert.equal(job.errorCount, 0);
  assert.equal(lines('sleeper').length, 1, 'not retried');
});

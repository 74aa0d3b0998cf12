// The Chronos endpoints the web console relies on, against real processes: the event stream of job and task
// changes, the schedule preview, where the master is, and the extra fields of the summary and run history.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createParser } from 'eventsource-parser';
import { eventually, startCluster, type RoleProcess, type TestCluster } from '../helpers/processes.ts';
import { call, postJob, startChronosProcess } from '../helpers/chronos.ts';

interface StreamEvent { type: string; jobName: string; taskId?: string; taskStatus?: string; job?: Record<string, unknown> }

/** Reads GET /v1/scheduler/events into an array until closed. */
async function openStream(url: string): Promise<{ events: StreamEvent[]; close(): void }> {
  const abort = new AbortController();
  const res = await fetch(`${url}/v1/scheduler/events`, { headers: { accept: 'text/event-stream' }, signal: abort.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const events: StreamEvent[] = [];
  const parser = createParser({ onEvent: (e) => { const data = JSON.parse(e.data) as StreamEvent; assert.equal(e.event, data.type); events.push(data); } });
  void (async () => {
    try { for await (const chunk of res.body!.pipeThrough(new TextDecoderStream())) parser.feed(chunk); } catch { /* closed */ }
  })();
  return { events, close: () => abort.abort() };
}

describe('Chronos console API', () => {
  let cluster: TestCluster;
  let chronos: RoleProcess;
  let base = '';

  before(async () => {
    cluster = await startCluster({ agents: 1, agentIpBase: 129 });
    chronos = await startChronosProcess(cluster.masterAddress, join(cluster.dir, 'chronos'));
    base = `http://127.0.0.1:${chronos.port}`;
  });
  after(async () => {
    await chronos?.stop();
    await cluster?.stop();
  });

  test('the event stream reports a job being added, run (queued, started, finished) and deleted, with its row', async () => {
    const stream = await openStream(base);
    try {
      await postJob(base, { name: 'streamed', command: 'true', schedule: 'R/2030-01-01T00:00:00Z/PT1H', owner: 'ops@example.com', cpus: 0.1, mem: 16 });
      const added = await eventually(() => stream.events.find((e) => e.type === 'job_added' && e.jobName === 'streamed'));
      assert.equal(added.job?.owner, 'ops@example.com');
      assert.equal(added.job?.nextRun, '2030-01-01T00:00:00.000Z');
      assert.equal(added.job?.state, 'fresh');

      assert.equal((await call(base, 'PUT', '/v1/scheduler/job/streamed')).status, 204);
      const finished = await eventually(() => stream.events.find((e) => e.type === 'task_finished' && e.jobName === 'streamed'), 30_000);
      assert.equal(finished.taskStatus, 'TASK_FINISHED');
      assert.equal(finished.job?.state, 'success');
      assert.equal(finished.job?.status, 'idle');
      const types = stream.events.filter((e) => e.jobName === 'streamed').map((e) => e.type);
      assert.ok(types.indexOf('task_queued') < types.indexOf('task_started') && types.indexOf('task_started') < types.indexOf('task_finished'), types.join(' '));

      assert.equal((await call(base, 'DELETE', '/v1/scheduler/job/streamed')).status, 204);
      const deleted = await eventually(() => stream.events.find((e) => e.type === 'job_deleted' && e.jobName === 'streamed'));
      assert.equal(deleted.job, undefined);
      assert.match(await (await fetch(`${base}/metrics`)).text(), /^chronos_event_streams 1$/m);
    } finally { stream.close(); }
    // A closed stream is unsubscribed.
    await eventually(async () => /^chronos_event_streams 0$/m.test(await (await fetch(`${base}/metrics`)).text()));
  });

  test('the run history carries machine-readable times and the running tasks', async () => {
    await postJob(base, { name: 'timed', command: 'sleep 1', schedule: 'R/2030-01-01T00:00:00Z/PT1H', cpus: 0.1, mem: 16 });
    await call(base, 'PUT', '/v1/scheduler/job/timed');
    const running = await eventually(async () => {
      const s = (await call(base, 'GET', '/v1/scheduler/job/stat/timed')).json();
      return s.activeTasks.find((t: { state: string }) => t.state === 'running');
    }, 30_000);
    assert.match(running.taskId, /^ct:/);
    assert.equal(running.host, '127.0.129.2');
    const run = await eventually(async () => (await call(base, 'GET', '/v1/scheduler/job/stat/timed')).json().taskStatHistory[0], 30_000);
    assert.equal(run.status, 'success');
    assert.ok(run.durationMs >= 900, `duration ${run.durationMs}`);
    assert.equal(Date.parse(run.endedAt) - Date.parse(run.startedAt), run.durationMs);
    const summary = (await call(base, 'GET', '/v1/scheduler/jobs/summary')).json().jobs.find((j: { name: string }) => j.name === 'timed');
    assert.equal(summary.state, 'success');
    assert.equal(summary.successCount, 1);
    assert.ok(summary.lastSuccess);
  });

  test('the schedule preview lists the next runs in the schedule time zone and explains a bad schedule', async () => {
    const ok = await call(base, 'GET', `/v1/scheduler/iso8601/preview?${new URLSearchParams({ schedule: 'R3/2030-03-30T01:30:00/P1D', scheduleTimeZone: 'Europe/Paris', count: '5' })}`);
    assert.equal(ok.status, 200, ok.text);
    // Paris moves to summer time at 02:00 on 2030-03-31: the wall clock stays at 01:30, the UTC instant moves.
    assert.deepEqual(ok.json().next, ['2030-03-30T00:30:00.000Z', '2030-03-31T00:30:00.000Z', '2030-03-31T23:30:00.000Z']);
    assert.equal(ok.json().schedule, 'R3/2030-03-30T01:30:00.000+01:00/P1D');
    const bad = await call(base, 'GET', `/v1/scheduler/iso8601/preview?schedule=${encodeURIComponent('R/tomorrow/PT1H')}`);
    assert.equal(bad.status, 400);
    assert.match(bad.json().message, /Cannot parse schedule 'R\/tomorrow\/PT1H'/);
    assert.match((await call(base, 'GET', '/v1/scheduler/iso8601/preview?schedule=R/2030-01-01T00:00:00Z/PT1H&count=0')).json().message, /^count:/);
    // HEAD of the event stream answers at once (found by fuzzing: it used to hang).
    const head = await fetch(`${base}/v1/scheduler/events`, { method: 'HEAD', signal: AbortSignal.timeout(5000) });
    assert.equal(head.status, 200);
    // A repeated parameter (found by fuzzing) counts once, not a 500.
    const twice = await call(base, 'GET', '/v1/scheduler/iso8601/preview?schedule=R/2030-01-01T00:00:00Z/PT1H&schedule=%25%25&count=2');
    assert.equal(twice.status, 200, twice.text);
    assert.equal(twice.json().next.length, 2);
  });

  test('the framework endpoint names the master the framework is subscribed to', async () => {
    const fw = await eventually(async () => { const r = (await call(base, 'GET', '/v1/scheduler/framework')).json(); return r.frameworkId ? r : undefined; });
    assert.equal(fw.master, cluster.masterAddress);
    const state = await (await fetch(`http://${cluster.masterAddress}/master/state`)).json() as { frameworks: Array<{ id: string; name: string }> };
    assert.ok(state.frameworks.some((f) => f.id === fw.frameworkId), 'the id is the one the master knows');
  });
});

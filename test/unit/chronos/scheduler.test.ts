// The Chronos scheduler service driven by hand: a manual clock, an in-memory store, offers built in the test.
// No sockets and no timers (the loop is stepped with advance()).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { ManualClock } from '../../../src/common/clock.ts';
import { parseAttributes, parseResources } from '../../../src/common/resources.ts';
import { OfferBudget } from '../../../src/framework/offer-matcher.ts';
import type { Offer, TaskInfo, TaskState } from '../../../src/proto/mesos.ts';
import { MemoryStore } from '../../../src/state/memory-store.ts';
import { parseJob, type Job } from '../../../src/chronos/job.ts';
import { ChronosMetrics } from '../../../src/chronos/metrics.ts';
import { BadRequest, ChronosScheduler } from '../../../src/chronos/scheduler.ts';

const T0 = Date.parse('2026-11-25T12:00:00.000Z');
const DEFAULTS = { epsilonMs: 60_000, cpus: 0.1, mem: 128, disk: 256, user: 'root' };

function offer(id: string, attributes = '', hostname = 'h1'): Offer {
  return {
    id: { value: id }, framework_id: { value: 'f' }, agent_id: { value: `agent-${hostname}` }, hostname,
    url: { scheme: 'http', address: { hostname, ip: '127.0.0.2', port: 5051 }, path: '/' },
    resources: parseResources('cpus:4;mem:4096;disk:10000').toJSON('*'), attributes: attributes ? parseAttributes(attributes) : [],
    executor_ids: [], allocation_info: { role: '*' },
  };
}

function harness(store = new MemoryStore(), clock = new ManualClock(T0), historyLimit = 5, disableAfterFailures = 0, offerHoldHorizonMs?: number) {
  const killed: string[] = [];
  const s = new ChronosScheduler({
    store, clock, logger: pino({ level: 'silent' }), metrics: new ChronosMetrics(), historyLimit, failureRetryMs: 1000, disableAfterFailures, role: '*', offerHoldHorizonMs,
    kill: async (id) => { killed.push(id); }, wake: () => undefined,
  });
  let n = 0;
  const launch = (attributes = '', hostname = 'h1'): TaskInfo[] => [...s.plan([new OfferBudget(offer(`o${n++}`, attributes, hostname))]).values()].flat();
  const end = (t: TaskInfo | string, state: TaskState, message?: string) => s.update({ task_id: { value: typeof t === 'string' ? t : t.task_id.value }, state, agent_id: { value: 'agent-h1' }, ...(message ? { message } : {}) });
  const add = async (body: Record<string, unknown>, kind: 'schedule' | 'dependency' = 'schedule') => {
    const r = parseJob(body, kind, DEFAULTS, clock.now());
    if (!r.ok) throw new Error(r.message);
    await s.upsert(r.job, r.given);
  };
  return { s, store, clock, killed, launch, end, add };
}

const env = (t: TaskInfo) => Object.fromEntries((t.command?.environment?.variables ?? []).map((v) => [v.name, v.value]));

test('a due job is launched with Chronos task id, command and environment, and counted on success', async () => {
  const h = harness();
  await h.add({ name: 'backup', command: 'echo hi', schedule: 'R/2026-11-25T12:00:00Z/PT1M', owner: 'ops@example.com', environmentVariables: [{ name: 'A', value: '1' }, { name: 'CHRONOS_JOB_NAME', value: 'spoof' }] });
  assert.deepEqual(h.launch(), [], 'nothing is queued before the loop runs');
  h.s.advance();
  const [task] = h.launch();
  assert.ok(task);
  assert.equal(task.task_id.value, `ct:${T0}:0:backup:`);
  assert.equal(task.name, 'ChronosTask:backup');
  assert.deepEqual(task.command?.value, 'echo hi');
  const e = env(task);
  assert.equal(e.CHRONOS_JOB_NAME, 'backup', 'built-in variables win over user ones');
  assert.equal(e.CHRONOS_JOB_OWNER, 'ops@example.com');
  assert.equal(e.A, '1');
  assert.equal(e.CHRONOS_RESOURCE_MEM, '128');
  assert.equal(h.s.job('backup')!.schedule, 'R/2026-11-25T12:01:00.000Z/PT1M');
  h.end(task, 'TASK_RUNNING');
  assert.equal(h.s.status('backup'), 'running');
  h.clock.advance(5000);
  h.end(task, 'TASK_FINISHED', 'Command exited with status 0');
  const job = h.s.job('backup')!;
  assert.equal(job.successCount, 1);
  assert.equal(job.lastSuccess, new Date(T0 + 5000).toISOString());
  const [run] = h.s.jobHistory('backup');
  assert.equal(run!.exitStatus, 0);
  assert.equal(run!.host, 'h1');
});

test('failures retry up to `retries` times, then count an error', async () => {
  const h = harness();
  await h.add({ name: 'flaky', command: 'false', schedule: 'R1//PT1H', retries: 2 });
  h.s.advance();
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const [t] = h.launch();
    assert.ok(t, `attempt ${i} launched`);
    ids.push(t.task_id.value);
    h.end(t, 'TASK_FAILED', 'Command exited with status 1');
    assert.deepEqual(h.launch(), [], 'a retry waits for --failure-retry');
    h.clock.advance(1000);
  }
  assert.deepEqual(ids.map((id) => id.split(':')[2]), ['0', '1', '2']);
  assert.deepEqual(h.launch(), [], 'no fourth attempt');
  const job = h.s.job('flaky')!;
  assert.equal(job.errorCount, 1);
  assert.equal(job.errorsSinceLastSuccess, 1);
  assert.equal(job.successCount, 0);
  assert.equal(h.s.jobHistory('flaky').length, 3);
});

test('a killed task neither retries nor counts', async () => {
  const h = harness();
  await h.add({ name: 'k', command: 'sleep 100', schedule: 'R1//PT1H' });
  h.s.advance();
  const [t] = h.launch();
  h.end(t!, 'TASK_KILLED');
  h.clock.advance(5000);
  assert.deepEqual(h.launch(), []);
  assert.equal(h.s.job('k')!.errorCount, 0);
});

test('a child runs only after all its parents succeeded since its last run; a failing parent holds it', async () => {
  const h = harness();
  await h.add({ name: 'a', command: 'x', schedule: 'R/2026-11-25T12:00:00Z/PT1H', retries: 0 });
  await h.add({ name: 'b', command: 'x', schedule: 'R/2026-11-25T12:00:00Z/PT1H', retries: 0 });
  await h.add({ name: 'c', command: 'x', parents: ['a', 'b'] }, 'dependency');
  await assert.rejects(h.add({ name: 'a', command: 'x', parents: ['c'] }, 'dependency'), BadRequest);
  h.s.advance();
  const tasks = h.launch();
  const byJob = new Map(tasks.map((t) => [t.task_id.value.split(':')[3], t]));
  h.end(byJob.get('a')!, 'TASK_FINISHED');
  assert.deepEqual(h.launch(), [], 'b has not succeeded yet');
  h.end(byJob.get('b')!, 'TASK_FAILED');
  assert.deepEqual(h.launch(), [], 'b failed: c is held');
  await h.s.runNow('b');
  const [b2] = h.launch();
  h.end(b2!, 'TASK_FINISHED');
  const [c] = h.launch();
  assert.equal(c!.task_id.value.split(':')[3], 'c');
});

test('softError parents fire their children even after failing', async () => {
  const h = harness();
  await h.add({ name: 'p', command: 'x', schedule: 'R1//PT1H', retries: 0, softError: true });
  await h.add({ name: 'kid', command: 'x', parents: ['p'] }, 'dependency');
  h.s.advance();
  h.end(h.launch()[0]!, 'TASK_FAILED');
  assert.equal(h.launch()[0]?.task_id.value.split(':')[3], 'kid');
});

test('concurrent:false never overlaps itself; a run that cannot start within epsilon is skipped', async () => {
  const h = harness();
  await h.add({ name: 'slow', command: 'sleep 1000', schedule: 'R/2026-11-25T12:00:00Z/PT10S', epsilon: 'PT30S' });
  h.s.advance();
  const [first] = h.launch();
  h.end(first!, 'TASK_RUNNING');
  h.clock.advance(10_000);
  h.s.advance();
  assert.deepEqual(h.launch(), [], 'the next run waits while the previous one runs');
  assert.equal(h.s.wantsOffers(), false);
  h.clock.advance(31_000);
  h.s.advance();
  assert.deepEqual(h.launch(), []);
  h.end(first!, 'TASK_FINISHED');
  const [next] = h.launch();
  assert.ok(next);
  assert.equal(Number(next.task_id.value.split(':')[1]), T0 + 40_000, 'the stale queued run was skipped, the newest one runs');
});

test('concurrent:true jobs may overlap', async () => {
  const h = harness();
  await h.add({ name: 'par', command: 'sleep 1000', schedule: 'R/2026-11-25T12:00:00Z/PT10S', concurrent: true });
  h.s.advance();
  h.end(h.launch()[0]!, 'TASK_RUNNING');
  h.clock.advance(10_000);
  h.s.advance();
  assert.equal(h.launch().length, 1);
});

test('constraints choose the offer', async () => {
  const h = harness();
  await h.add({ name: 'c', command: 'x', schedule: 'R1//PT1H', constraints: [['rack', 'EQUALS', 'r2']] });
  h.s.advance();
  assert.deepEqual(h.launch('rack:r1'), []);
  assert.equal(h.launch('rack:r2', 'h2').length, 1);
});

test('async jobs complete through the callback, not when the process exits', async () => {
  const h = harness();
  await h.add({ name: 'as', command: 'x', schedule: 'R1//PT1H', async: true, retries: 0 });
  h.s.advance();
  const [t] = h.launch();
  h.end(t!, 'TASK_FINISHED');
  assert.equal(h.s.job('as')!.successCount, 0);
  assert.equal(h.s.status('as'), 'running');
  await h.s.asyncCompleted(t!.task_id.value, 3);
  assert.equal(h.s.job('as')!.errorCount, 1);
  await assert.rejects(h.s.asyncCompleted(t!.task_id.value, 0), BadRequest);
});

test('history is bounded per job', async () => {
  const h = harness(undefined, undefined, 3);
  await h.add({ name: 'often', command: 'x', schedule: 'R//PT1S' });
  for (let i = 0; i < 6; i++) {
    h.s.advance();
    h.end(h.launch()[0]!, 'TASK_FINISHED');
    h.clock.advance(1000);
  }
  assert.equal(h.s.job('often')!.successCount, 6);
  assert.equal(h.s.jobHistory('often').length, 3);
});

test('state survives a restart: a consumed run is neither repeated nor lost', async () => {
  const store = new MemoryStore();
  const clock = new ManualClock(T0);
  const h1 = harness(store, clock);
  await h1.add({ name: 'j', command: 'x', schedule: 'R3/2026-11-25T12:00:00Z/PT1M' });
  h1.s.advance();
  await h1.s.flush();
  // Crash before any offer arrived: the queued run must still be there.
  const h2 = harness(store, clock);
  await h2.s.load();
  h2.s.advance();
  const launched = h2.launch();
  assert.equal(launched.length, 1);
  assert.equal(launched[0]!.task_id.value, `ct:${T0}:0:j:`);
  assert.equal(h2.s.job('j')!.schedule, 'R2/2026-11-25T12:01:00.000Z/PT1M');
  h2.end(launched[0]!, 'TASK_FINISHED');
  await h2.s.flush();
  const h3 = harness(store, clock);
  await h3.s.load();
  assert.equal(h3.s.job('j')!.successCount, 1);
  assert.equal(h3.s.jobHistory('j').length, 1);
});

test('deleting a job kills its tasks and rewires its children', async () => {
  const h = harness();
  await h.add({ name: 'root', command: 'x', schedule: 'R/2026-11-25T12:00:00Z/PT1H' });
  await h.add({ name: 'mid', command: 'x', parents: ['root'] }, 'dependency');
  await h.add({ name: 'leaf', command: 'x', parents: ['mid'] }, 'dependency');
  h.s.advance();
  const [t] = h.launch();
  h.end(t!, 'TASK_RUNNING');
  await h.s.remove('mid');
  assert.deepEqual(h.s.job('leaf')!.parents, ['root']);
  await h.s.remove('root');
  assert.deepEqual(h.killed, [t!.task_id.value]);
  const leaf: Job = h.s.job('leaf')!;
  assert.equal(leaf.parents, undefined);
  assert.equal(leaf.schedule, 'R/2026-11-25T13:00:00.000Z/PT1H');
  await assert.rejects(h.s.remove('root'), BadRequest);
});

test('manual runs carry ?arguments= (without ";") and are not queued twice', async () => {
  const h = harness();
  await h.add({ name: 'm', command: 'echo', schedule: 'R0//PT1H' });
  await h.s.runNow('m', '--day 1; rm -rf /');
  await h.s.runNow('m');
  const tasks = h.launch();
  assert.equal(tasks.length, 1);
  assert.equal(tasks[0]!.command?.value, 'echo --day 1 rm -rf /');
  assert.equal(tasks[0]!.task_id.value, `ct:${T0}:0:m:--day%201%20rm%20-rf%20%2F`);
});

test('shell jobs run "<command> <arguments>" through the shell as Chronos does: job arguments, or ?arguments= instead of them', async () => {
  const h = harness();
  await h.add({ name: 's', command: 'echo', arguments: ['a b', 'c;d'], schedule: 'R1/2026-11-25T12:00:00Z/PT1H' });
  h.s.advance();
  const [scheduled] = h.launch();
  assert.equal(scheduled?.command?.shell, true);
  assert.equal(scheduled?.command?.value, 'echo a b cd', 'the job\'s arguments are appended, joined by spaces, without ";"');
  assert.equal(scheduled?.command?.arguments, undefined, 'a shell command carries no argv');
  h.end(scheduled!, 'TASK_FINISHED');
  await h.s.runNow('s', '$HOME');
  const [manual] = h.launch();
  assert.equal(manual?.command?.value, 'echo $HOME', '?arguments= replaces the job\'s arguments and reaches the shell unquoted');
  h.end(manual!, 'TASK_FINISHED');
  await h.s.runNow('s', '');
  const [bare] = h.launch();
  assert.equal(bare?.command?.value, 'echo', 'an empty ?arguments= runs the bare command');
});

test('offers are kept from the hold horizon (default 500 ms) before a run falls due, and the run starts at its due time, never before', async () => {
  const h = harness(undefined, new ManualClock(T0 - 5000));
  await h.add({ name: 'soon', command: 'true', schedule: 'R1/2026-11-25T12:00:00Z/PT1H' });
  h.s.advance();
  assert.equal(h.s.holdOffers(), false, '5 s before: offers are declined');
  h.clock.advance(4000);
  assert.equal(h.s.holdOffers(), false, '1 s before: still declined (other frameworks get the agents)');
  h.clock.advance(600);
  assert.equal(h.s.holdOffers(), true, '400 ms before: offers are kept');
  assert.deepEqual(h.launch(), [], 'not launched early');
  h.clock.advance(400);
  h.s.advance();
  assert.equal(h.launch().length, 1, 'launched at the due time');
  h.s.advance();
  assert.equal(h.s.holdOffers(), false, 'nothing else due: kept offers go back');
});

test('--offer-hold-horizon 0 never keeps offers, even for a run due now', async () => {
  const h = harness(undefined, new ManualClock(T0 - 100), 5, 0, 0);
  await h.add({ name: 'soon', command: 'true', schedule: 'R1/2026-11-25T12:00:00Z/PT1H' });
  h.s.advance();
  assert.equal(h.s.holdOffers(), false);
  h.clock.advance(100);
  h.s.advance();
  assert.equal(h.s.holdOffers(), false, 'due now: offers it cannot use are declined');
  assert.equal(h.launch().length, 1, 'the run still launches into an offer at its due time');
});

test('disabled jobs never run', async () => {
  const h = harness();
  await h.add({ name: 'off', command: 'x', schedule: 'R//PT1S', disabled: true });
  for (let i = 0; i < 3; i++) { h.s.advance(); h.clock.advance(1000); }
  await h.s.runNow('off');
  assert.deepEqual(h.launch(), []);
});

test('highPriority jobs take a scarce offer first', async () => {
  const h = harness();
  await h.add({ name: 'normal', command: 'x', schedule: 'R1/2026-11-25T11:59:00Z/PT1H', cpus: 3 });
  await h.add({ name: 'urgent', command: 'x', schedule: 'R1/2026-11-25T12:00:00Z/PT1H', cpus: 3, highPriority: true });
  h.s.advance();
  const first = h.launch();
  assert.deepEqual(first.map((t) => t.task_id.value.split(':')[3]), ['urgent'], 'only one fits; the high-priority one wins although due later');
  assert.deepEqual(h.launch().map((t) => t.task_id.value.split(':')[3]), ['normal']);
});

test('--disable-after-failures disables a job that keeps failing', async () => {
  const h = harness(undefined, undefined, 5, 2);
  await h.add({ name: 'bad', command: 'false', schedule: 'R/2026-11-25T12:00:00Z/PT1S', retries: 0 });
  for (let i = 0; i < 2; i++) {
    h.s.advance();
    h.end(h.launch()[0]!, 'TASK_FAILED');
    assert.equal(h.s.job('bad')!.disabled, i === 1);
    h.clock.advance(1000);
  }
  h.s.advance();
  assert.deepEqual(h.launch(), [], 'a disabled job does not run');
});

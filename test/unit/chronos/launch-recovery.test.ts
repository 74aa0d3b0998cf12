// Crash safety between the launch decision and the ACCEPT: the launch is recorded first (write-ahead), and a
// restarted Chronos resolves recorded launches by the master's reconciliation answer. Pure decision and the
// scheduler driven by hand (manual clock, in-memory store, no sockets).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { ManualClock } from '../../../src/common/clock.ts';
import { parseResources } from '../../../src/common/resources.ts';
import { OfferBudget } from '../../../src/framework/offer-matcher.ts';
import type { Offer, TaskInfo, TaskStatus } from '../../../src/proto/mesos.ts';
import { MemoryStore } from '../../../src/state/memory-store.ts';
import type { StoreOp } from '../../../src/state/store.ts';
import { parseJob } from '../../../src/chronos/job.ts';
import { ChronosMetrics } from '../../../src/chronos/metrics.ts';
import { ChronosScheduler } from '../../../src/chronos/scheduler.ts';
import { recoverLaunch, unknownToMaster } from '../../../src/chronos/launch-recovery.ts';

const T0 = Date.parse('2026-11-25T12:00:00.000Z');
const lost = { state: 'TASK_LOST', reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER' } as const;

test('the master\'s answer for an unknown task is told apart from real statuses', () => {
  assert.equal(unknownToMaster(lost), true);
  assert.equal(unknownToMaster({ ...lost, state: 'TASK_GONE' }), true, 'partition-aware answer');
  assert.equal(unknownToMaster({ ...lost, state: 'TASK_UNKNOWN' }), true);
  assert.equal(unknownToMaster({ ...lost, state: 'TASK_RUNNING' }), false, 'a known task\'s latest state');
  assert.equal(unknownToMaster({ ...lost, state: 'TASK_FINISHED' }), false);
  assert.equal(unknownToMaster({ ...lost, reason: 'REASON_AGENT_REMOVED' }), false, 'lost while running is a failure, not an unlaunched run');
  assert.equal(unknownToMaster({ ...lost, source: 'SOURCE_AGENT' }), false);
});

test('a recorded launch the master never saw is relaunched inside epsilon and skipped after it', () => {
  const task = { state: 'launched', due: T0 };
  assert.equal(recoverLaunch(task, lost, T0 + 59_000, 60_000), 'relaunch');
  assert.equal(recoverLaunch(task, lost, T0 + 60_000, 60_000), 'relaunch', 'epsilon is inclusive, as when launching');
  assert.equal(recoverLaunch(task, lost, T0 + 60_001, 60_000), 'skip');
  assert.equal(recoverLaunch(task, { ...lost, state: 'TASK_RUNNING' }, T0 + 1000, 60_000), 'track', 'known to the master: keep tracking');
  assert.equal(recoverLaunch({ state: 'running', due: T0 }, lost, T0 + 1000, 60_000), 'track', 'it reported from an agent: it ran');
});

function offer(id: string): Offer {
  return {
    id: { value: id }, framework_id: { value: 'f' }, agent_id: { value: 'agent-h1' }, hostname: 'h1',
    url: { scheme: 'http', address: { hostname: 'h1', ip: '127.0.0.2', port: 5051 }, path: '/' },
    resources: parseResources('cpus:4;mem:4096;disk:10000').toJSON('*'), attributes: [], executor_ids: [], allocation_info: { role: '*' },
  };
}

function harness(store = new MemoryStore(), clock = new ManualClock(T0)) {
  const metrics = new ChronosMetrics();
  const s = new ChronosScheduler({
    store, clock, logger: pino({ level: 'silent' }), metrics, historyLimit: 5, failureRetryMs: 1000, role: '*',
    kill: async () => undefined, wake: () => undefined,
  });
  let n = 0;
  const launch = (): TaskInfo[] => [...s.plan([new OfferBudget(offer(`o${n++}`))]).values()].flat();
  const add = async (body: Record<string, unknown>) => {
    const r = parseJob(body, 'schedule', { epsilonMs: 60_000, cpus: 0.1, mem: 128, disk: 256, user: 'root' }, clock.now());
    if (!r.ok) throw new Error(r.message);
    await s.upsert(r.job, r.given);
  };
  const skipped = async (job: string) => (await metrics.skipped.get()).values.find((v) => v.labels.job === job)?.value ?? 0;
  const status = (id: string, extra: Partial<TaskStatus>): TaskStatus => ({ task_id: { value: id }, agent_id: { value: 'agent-h1' }, state: 'TASK_RUNNING', ...extra });
  return { s, store, clock, launch, add, skipped, status };
}

/** A Chronos that recorded a launch of `job` due at T0 and then died before its ACCEPT: the store it left behind. */
async function storeWithRecordedLaunch(epsilon: string): Promise<{ store: MemoryStore; taskId: string }> {
  const h = harness();
  await h.add({ name: 'job', command: 'echo run >> out', schedule: 'R1/2026-11-25T12:00:00Z/PT1M', epsilon });
  h.s.advance();
  const [task] = h.launch();
  assert.ok(task);
  await h.s.launchesRecorded();
  return { store: h.store, taskId: task.task_id.value };
}

test('the launch is in the store, with its agent, before launchesRecorded lets the ACCEPT go', async () => {
  const { store, taskId } = await storeWithRecordedLaunch('PT60S');
  const stored = await store.get<{ state: string; agentId?: string }>(`/chronos/tasks/${encodeURIComponent(taskId)}`);
  assert.equal(stored?.value.state, 'launched');
  assert.equal(stored?.value.agentId, 'agent-h1');
});

test('a failed write of the launch record holds the ACCEPT back and requeues the run', async () => {
  const store = new MemoryStore();
  const h = harness(store);
  await h.add({ name: 'job', command: 'true', schedule: 'R1/2026-11-25T12:00:00Z/PT1M' });
  h.s.advance();
  await h.s.flush();
  const original = store.transaction.bind(store);
  store.transaction = async (_ops: StoreOp[]) => { throw new Error('disk full'); };
  const [task] = h.launch();
  assert.ok(task);
  await assert.rejects(h.s.launchesRecorded(), /disk full/);
  store.transaction = original;
  h.s.launchFailed([task]);
  assert.equal(h.s.task(task.task_id.value)?.state, 'queued');
});

test('after a restart, a recorded launch the master never saw runs again inside epsilon, under the same id', async () => {
  const { store, taskId } = await storeWithRecordedLaunch('PT60S');
  const h = harness(store, new ManualClock(T0 + 5000));
  await h.s.load();
  assert.deepEqual(h.s.knownTasks().map((t) => t.task_id.value), [taskId], 'the recorded launch is reconciled');
  h.s.update(h.status(taskId, lost));
  assert.equal(h.s.task(taskId)?.state, 'queued');
  assert.equal(h.s.jobHistory('job').length, 0, 'not counted as a failed run');
  const [again] = h.launch();
  assert.equal(again?.task_id.value, taskId);
  h.s.update(h.status(taskId, { state: 'TASK_FINISHED' }));
  assert.equal(h.s.job('job')?.successCount, 1);
  assert.equal(await h.skipped('job'), 0);
});

test('after a restart past epsilon, a recorded launch the master never saw is skipped exactly once', async () => {
  const { store, taskId } = await storeWithRecordedLaunch('PT10S');
  const h = harness(store, new ManualClock(T0 + 30_000));
  await h.s.load();
  h.s.update(h.status(taskId, lost));
  h.s.update(h.status(taskId, lost)); // a repeated reconciliation answer
  assert.equal(h.s.task(taskId), undefined);
  assert.deepEqual(h.launch(), [], 'not launched late');
  assert.equal(await h.skipped('job'), 1);
  assert.equal(h.s.job('job')?.errorCount, 0, 'a skipped run is no failure');
  await h.s.flush();
  assert.equal(await store.get(`/chronos/tasks/${encodeURIComponent(taskId)}`), undefined, 'the skip survives another restart');
});

test('after a restart, a recorded launch the master knows is tracked, not launched again', async () => {
  const { store, taskId } = await storeWithRecordedLaunch('PT60S');
  const h = harness(store, new ManualClock(T0 + 5000));
  await h.s.load();
  h.s.update(h.status(taskId, { state: 'TASK_RUNNING', reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER' }));
  assert.equal(h.s.task(taskId)?.state, 'running');
  assert.deepEqual(h.launch(), [], 'no second launch');
  h.s.update(h.status(taskId, { state: 'TASK_FINISHED' }));
  assert.equal(h.s.job('job')?.successCount, 1);
});

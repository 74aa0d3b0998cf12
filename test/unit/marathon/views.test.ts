import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { ManualClock, randomIds } from '../../../src/common/clock.ts';
import { MemoryStore } from '../../../src/state/memory-store.ts';
import { parseApp } from '../../../src/marathon/app-definition.ts';
import { EventBus } from '../../../src/marathon/events.ts';
import type { Instance } from '../../../src/marathon/model.ts';
import { MarathonRepository } from '../../../src/marathon/repository.ts';
import { MarathonScheduler } from '../../../src/marathon/scheduler.ts';
import { AppJsonCache, taskStats, tasksText } from '../../../src/marathon/views.ts';
import { HealthMonitor, normalizeHealthCheck } from '../../../src/marathon/health/index.ts';

const embed = { tasks: true, counts: true, deployments: true, lastTaskFailure: false, taskStats: false, readiness: false };

test('cached app JSON follows instance changes, app changes and deployments', async () => {
  const clock = new ManualClock();
  const m = new MarathonScheduler({ repository: new MarathonRepository(new MemoryStore()), events: new EventBus(clock), clock, ids: randomIds, logger: pino({ level: 'silent' }) });
  const v = '2026-01-01T00:00:00.000Z';
  const app = { ...parseApp({ id: '/web', cmd: 'x', instances: 2 }), version: v, versionInfo: { lastConfigChangeAt: v, lastScalingAt: v } };
  const inst = (taskId: string, state: Instance['state']): Instance => ({ taskId, appId: '/web', agentId: 'a', host: 'h', ports: [31000], servicePorts: [10000], state, version: v, configVersion: v, stagedAt: v, startedAt: null, killRequestedAt: null, unreachableSince: null, ipAddresses: [] });
  m.restore({ apps: [app], versions: new Map(), instances: [inst('web.1', 'TASK_RUNNING')], deployments: [], groups: [] });
  const cache = new AppJsonCache(m);
  const read = () => JSON.parse(cache.text(m.apps.get('/web')!, embed));
  assert.equal(read().tasksRunning, 1);
  m.instances.set('web.2', inst('web.2', 'TASK_STAGING'));
  assert.equal(read().tasks.length, 2);
  assert.equal(read().tasksStaged, 1);
  const staged = m.instances.get('web.2')!;
  staged.state = 'TASK_RUNNING';
  m.instances.touch('/web');
  assert.equal(read().tasksRunning, 2);
  const { deployment } = await m.putApp({ ...app, instances: 3 }, { force: false });
  assert.deepEqual(read().deployments, [{ id: deployment.id }]);
  assert.equal(read().instances, 3);
  assert.equal(tasksText([m.apps.get('/web')!], [...m.instances.values()]), 'web\t10000\th:31000\th:31000\t\n');
});

test('taskStats groups tasks by config version and since the last scaling, with life times', () => {
  const v1 = '2026-01-01T00:00:00.000Z';
  const v2 = '2026-01-01T00:01:00.000Z';
  const app = { ...parseApp({ id: '/web', cmd: 'x' }), version: v2, versionInfo: { lastConfigChangeAt: v2, lastScalingAt: v2 } };
  const t = (id: string, config: string, startedAt: string | null, state: Instance['state']): Instance => ({ taskId: id, appId: '/web', agentId: 'a', host: 'h', ports: [], servicePorts: [], state, version: config, configVersion: config, stagedAt: startedAt ?? v2, startedAt, killRequestedAt: null, unreachableSince: null, ipAddresses: [] });
  const health = new HealthMonitor({ probe: async () => ({ kind: 'healthy' }), onChange() {}, onUnhealthy() {} });
  const check = normalizeHealthCheck({ protocol: 'TCP', gracePeriodSeconds: 0 });
  for (const id of ['a', 'b']) health.track({ taskId: id, appId: '/web', host: 'h', ports: [1], startedAt: 0, healthChecks: [check] });
  health.record('a', 0, { kind: 'unhealthy', cause: 'refused' });
  health.record('b', 0, { kind: 'healthy' });
  const stats = taskStats(app, [t('a', v1, v1, 'TASK_RUNNING'), t('b', v2, v2, 'TASK_RUNNING'), t('c', v2, null, 'TASK_STAGING')], Date.parse('2026-01-01T00:02:00.000Z'), { health }) as any;
  health.stop();
  assert.deepEqual(stats.totalSummary.stats.counts, { staged: 1, running: 2, healthy: 1, unhealthy: 1 });
  assert.deepEqual(stats.withLatestConfig.stats.counts, { staged: 1, running: 1, healthy: 1, unhealthy: 0 });
  assert.deepEqual(stats.withOutdatedConfig.stats.counts.running, 1);
  assert.equal(stats.withOutdatedConfig.stats.lifeTime.averageSeconds, 120);
  assert.equal(stats.withLatestConfig.stats.counts.staged, 1);
  assert.equal(stats.startedAfterLastScaling.stats.lifeTime.medianSeconds, 60);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseApp, type AppDefinition } from '../../../src/marathon/app-definition.ts';
import { decideApp, killOrder, launchDelaySeconds } from '../../../src/marathon/app-convergence.ts';
import type { Instance } from '../../../src/marathon/model.ts';

const NOW = Date.parse('2026-01-01T00:10:00Z');

function app(over: Record<string, unknown> = {}, config = 'v2'): AppDefinition {
  return { ...parseApp({ id: 'web', cmd: 'x', ...over }), version: config, versionInfo: { lastConfigChangeAt: config, lastScalingAt: config } };
}
let seq = 0;
function inst(state: Instance['state'], config = 'v2', stagedMinute = ++seq, over: Partial<Instance> = {}): Instance {
  return {
    taskId: `web.${seq}-${stagedMinute}`, appId: '/web', agentId: 'a', host: 'h', ports: [], servicePorts: [], state, version: config, configVersion: config,
    stagedAt: new Date(Date.parse('2026-01-01T00:00:00Z') + stagedMinute * 1000).toISOString(), startedAt: null, killRequestedAt: null, unreachableSince: null, ipAddresses: [], ...over,
  };
}

test('launches what is missing and is converged once all run', () => {
  assert.deepEqual(decideApp(app({ instances: 3 }), [inst('TASK_RUNNING')], NOW), { launch: 2, kill: [], expunge: [], converged: false });
  const all = [inst('TASK_RUNNING'), inst('TASK_RUNNING')];
  assert.equal(decideApp(app({ instances: 2 }), all, NOW).converged, true);
  assert.equal(decideApp(app({ instances: 2 }), [inst('TASK_RUNNING'), inst('TASK_STAGING')], NOW).converged, false, 'staging is not yet deployed');
});

test('scale down kills the youngest first (or the oldest), non-running before running', () => {
  const old = inst('TASK_RUNNING', 'v2', 1);
  const young = inst('TASK_RUNNING', 'v2', 50);
  const staging = inst('TASK_STAGING', 'v2', 2);
  assert.deepEqual(decideApp(app({ instances: 1 }), [old, young, staging], NOW).kill, [staging, young]);
  assert.deepEqual(decideApp(app({ instances: 1, killSelection: 'OLDEST_FIRST' }), [old, young, staging], NOW).kill, [staging, old]);
  assert.deepEqual(killOrder([young, old], 'OLDEST_FIRST'), [old, young]);
});

test('suspend kills everything; destroy kills everything and converges when none is left', () => {
  const tasks = [inst('TASK_RUNNING'), inst('TASK_STAGING')];
  assert.equal(decideApp(app({ instances: 0 }), tasks, NOW).kill.length, 2);
  assert.equal(decideApp(null, tasks, NOW).kill.length, 2);
  assert.equal(decideApp(null, [], NOW).converged, true);
  const going = inst('TASK_KILLING', 'v2', 3, { killRequestedAt: 'x' });
  assert.deepEqual(decideApp(null, [going], NOW), { launch: 0, kill: [], expunge: [], converged: false }, 'waits for the kill to complete');
});

test('a task being killed is replaced at once (it no longer counts)', () => {
  const going = inst('TASK_RUNNING', 'v2', 3, { killRequestedAt: 'x' });
  assert.equal(decideApp(app({ instances: 2 }), [inst('TASK_RUNNING'), going], NOW).launch, 1);
});

test('rolling restart with the defaults (1, 1): start new ones first, kill old ones only as new ones run', () => {
  const a = app({ instances: 2 });
  const olds = [inst('TASK_RUNNING', 'v1'), inst('TASK_RUNNING', 'v1')];
  let d = decideApp(a, olds, NOW);
  assert.equal(d.launch, 2, 'maximumOverCapacity 1 allows 2 extra');
  assert.deepEqual(d.kill, [], 'minimumHealthCapacity 1 keeps both old ones running');
  const fresh = [inst('TASK_RUNNING', 'v2'), inst('TASK_STAGING', 'v2')];
  d = decideApp(a, [...olds, ...fresh], NOW);
  assert.equal(d.kill.length, 1, 'one new one runs: one old one can go');
  assert.equal(d.launch, 0);
  assert.equal(d.converged, false);
});

test('rolling restart keeps ceil(n × minimumHealthCapacity) running and n + floor(n × maximumOverCapacity) at most', () => {
  const a = app({ instances: 4, upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 } });
  const olds = [1, 2, 3, 4].map(() => inst('TASK_RUNNING', 'v1'));
  const d = decideApp(a, olds, NOW);
  assert.equal(d.kill.length, 2, 'two may go, two must keep running');
  assert.equal(d.launch, 2, 'no extra capacity: only as many as were killed');
  // 1 and 0 could never move: Marathon allows one extra instance.
  const stuck = decideApp(app({ instances: 2, upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 0 } }), [inst('TASK_RUNNING', 'v1'), inst('TASK_RUNNING', 'v1')], NOW);
  assert.equal(stuck.launch, 1);
  assert.deepEqual(stuck.kill, []);
});

test('unreachable instances count until inactiveAfterSeconds, are replaced after, expunged after expungeAfterSeconds', () => {
  const a = app({ instances: 1, unreachableStrategy: { inactiveAfterSeconds: 60, expungeAfterSeconds: 120 } });
  const since = (s: number) => new Date(NOW - s * 1000).toISOString();
  assert.equal(decideApp(a, [inst('TASK_UNREACHABLE', 'v2', 1, { unreachableSince: since(30) })], NOW).launch, 0);
  assert.equal(decideApp(a, [inst('TASK_UNREACHABLE', 'v2', 1, { unreachableSince: since(90) })], NOW).launch, 1);
  const gone = inst('TASK_UNREACHABLE', 'v2', 1, { unreachableSince: since(130) });
  assert.deepEqual(decideApp(a, [gone], NOW).expunge, [gone]);
  assert.equal(decideApp(app({ instances: 1, unreachableStrategy: 'disabled' }), [inst('TASK_UNREACHABLE', 'v2', 1, { unreachableSince: since(9999) })], NOW).launch, 0);
});

test('launch backoff grows by backoffFactor and is capped by maxLaunchDelaySeconds', () => {
  const a = { backoffSeconds: 1, backoffFactor: 2, maxLaunchDelaySeconds: 5 };
  assert.deepEqual([0, 1, 2, 3, 4, 10].map((n) => launchDelaySeconds(a, n)), [0, 1, 2, 4, 5, 5]);
});

test('with health checks an instance counts only once healthy: restarts keep old healthy ones until new ones pass', () => {
  const checked = app({ instances: 2, upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 0 }, healthChecks: [{ protocol: 'TCP' }] });
  const old1 = inst('TASK_RUNNING', 'v1');
  const old2 = inst('TASK_RUNNING', 'v1');
  const fresh = inst('TASK_RUNNING', 'v2');
  const healthy = new Set([old1.taskId, old2.taskId]);
  const isHealthy = (i: Instance) => healthy.has(i.taskId);
  // The new instance runs but has not passed its check: no old one may go, nothing more may start.
  const waiting = decideApp(checked, [old1, old2, fresh], NOW, isHealthy);
  assert.deepEqual(waiting, { launch: 0, kill: [], expunge: [], converged: false });
  healthy.add(fresh.taskId);
  assert.deepEqual(decideApp(checked, [old1, old2, fresh], NOW, isHealthy).kill, [old1]);
  // An unhealthy old instance is not capacity: it goes at once, the healthy one stays (2 healthy are needed).
  healthy.delete(old2.taskId);
  assert.deepEqual(decideApp(checked, [old1, old2, fresh], NOW, isHealthy).kill, [old2]);
  // Converged only when every new instance is healthy.
  const fresh2 = inst('TASK_RUNNING', 'v2');
  assert.equal(decideApp(checked, [fresh, fresh2], NOW, isHealthy).converged, false);
  healthy.add(fresh2.taskId);
  assert.equal(decideApp(checked, [fresh, fresh2], NOW, isHealthy).converged, true);
  // Apps without health checks ignore the predicate.
  assert.equal(decideApp(app({ instances: 1 }), [inst('TASK_RUNNING')], NOW, () => false).converged, true);
});

test('a task still staging or starting past the launch timeout is killed and replaced; a younger one is left alone', () => {
  const staged = (secondsAgo: number, state: Instance['state'] = 'TASK_STAGING') => inst(state, 'v2', 0, { stagedAt: new Date(NOW - secondsAgo * 1000).toISOString() });
  const stuck = staged(301);
  const starting = staged(400, 'TASK_STARTING');
  const young = staged(10);
  const running = staged(900, 'TASK_RUNNING');
  const d = decideApp(app({ instances: 4 }), [stuck, starting, young, running], NOW, () => true, 300_000);
  assert.deepEqual(d.kill, [stuck, starting]);
  assert.equal(d.launch, 2, 'replacements are launched for the stuck ones');
  assert.equal(d.converged, false);
  assert.deepEqual(decideApp(app({ instances: 4 }), [stuck, starting, young, running], NOW).kill, [], 'no timeout given: nothing is killed');
});

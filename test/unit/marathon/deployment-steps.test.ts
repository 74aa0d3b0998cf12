import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseApp, type AppDefinition } from '../../../src/marathon/app-definition.ts';
import { advanceSteps, effectiveDependencies, heldApps, stepsForChange } from '../../../src/marathon/deployment-steps.ts';
import { DependencyCycleError } from '../../../src/marathon/deployment-plan.ts';

function app(id: string, over: Record<string, unknown> = {}, config = 'v1'): AppDefinition {
  return { ...parseApp({ id, cmd: 'x', ...over }), version: config, versionInfo: { lastConfigChangeAt: config, lastScalingAt: config } };
}

test('a new group deploys the app depended on first: start both, scale db, then scale web', () => {
  const db = app('/g/db');
  const web = app('/g/web', { dependencies: ['/g/db'] });
  const steps = stepsForChange([], [db, web], []);
  assert.deepEqual(steps, [
    { actions: [{ action: 'StartApplication', app: '/g/db' }, { action: 'StartApplication', app: '/g/web' }] },
    { actions: [{ action: 'ScaleApplication', app: '/g/db' }] },
    { actions: [{ action: 'ScaleApplication', app: '/g/web' }] },
  ]);
  const d = { steps, currentStep: 1 };
  assert.deepEqual([...heldApps(d)].sort(), ['/g/db', '/g/web']);
  // Start is done at once; db's scale waits for db to converge, and web stays held meanwhile.
  const first = advanceSteps(d, (a) => a.action === 'StartApplication');
  assert.deepEqual(first, { finished: [1], currentStep: 2 });
  assert.deepEqual([...heldApps({ steps, currentStep: 2 })], ['/g/web']);
  assert.deepEqual(advanceSteps({ steps, currentStep: 2 }, () => true), { finished: [2, 3], currentStep: 4 });
});

test('restarts follow dependency chains through unchanged apps; scale-only and unchanged apps are placed right', () => {
  const db = app('/db');
  const cache = app('/cache', { dependencies: ['/db'] });
  const web = app('/web', { dependencies: ['/cache'] });
  const steps = stepsForChange([db, cache, web], [app('/db', {}, 'v2'), cache, app('/web', { dependencies: ['/cache'], instances: 3 })], []);
  assert.deepEqual(steps, [
    { actions: [{ action: 'RestartApplication', app: '/db' }] },
    { actions: [{ action: 'ScaleApplication', app: '/web' }] },
  ]);
  // Nothing changed: one step with what the caller says (a PUT of the same definition).
  assert.deepEqual(stepsForChange([db], [db], [{ action: 'ScaleApplication', app: '/db' }]), [{ actions: [{ action: 'ScaleApplication', app: '/db' }] }]);
  // Removed apps stop first.
  assert.deepEqual(stepsForChange([db, web], [web], [])[0], { actions: [{ action: 'StopApplication', app: '/db' }] });
});

test('a dependency cycle is refused with Marathon\'s message', () => {
  assert.throws(() => stepsForChange([], [app('/a', { dependencies: ['/b'] }), app('/b', { dependencies: ['/a'] })], []),
    (err: unknown) => err instanceof DependencyCycleError && err.message === 'Dependency graph has cyclic dependencies: /a -> /b -> /a');
});

test('group dependencies: every app of a group waits for the apps of the groups (or apps) it depends on', () => {
  const ids = ['/p/db/main', '/p/db/replica', '/p/web/front', '/p/web/api', '/other'];
  const groups = new Map([['/p/web', ['/p/db']]]);
  assert.deepEqual(effectiveDependencies({ id: '/p/web/front', dependencies: ['/other'] }, ids, groups), ['/other', '/p/db/main', '/p/db/replica']);
  assert.deepEqual(effectiveDependencies({ id: '/p/db/main', dependencies: [] }, ids, groups), []);
  // A group depending on its own parent does not make its apps wait for themselves.
  assert.deepEqual(effectiveDependencies({ id: '/p/web/api', dependencies: [] }, ids, new Map([['/p/web', ['/p']]])), ['/p/db/main', '/p/db/replica']);
  const steps = stepsForChange([], ids.map((id) => app(id)), [], groups);
  assert.deepEqual(steps.slice(1).map((s) => s.actions.map((a) => a.app)), [['/other', '/p/db/main', '/p/db/replica'], ['/p/web/api', '/p/web/front']]);
});

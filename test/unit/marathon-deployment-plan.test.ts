import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  computeDeploymentSteps, findDependencyCycle, nextRestartActions, restartBounds, DependencyCycleError, type AppSpec,
} from '../../src/marathon/deployment-plan.ts';

const app = (id: string, o: Partial<AppSpec> = {}): AppSpec => ({ id, version: 'v1', instances: 1, dependencies: [], configKey: 'c1', ...o });

test('a new app: start at 0 instances, then scale to its instances', () => {
  assert.deepEqual(computeDeploymentSteps([], [app('/a', { instances: 3 })]), [
    { actions: [{ action: 'StartApplication', app: '/a' }] },
    { actions: [{ action: 'ScaleApplication', app: '/a' }] },
  ]);
});

test('scale, suspend, restart, config change, destroy and no-op', () => {
  const orig = [app('/scale'), app('/suspend', { instances: 2 }), app('/restart'), app('/config'), app('/gone'), app('/same')];
  const target = [
    app('/scale', { instances: 5, version: 'v2' }), app('/suspend', { instances: 0, configKey: 'c2', version: 'v2' }),
    app('/restart', { version: 'v2' }), app('/config', { configKey: 'c2', instances: 4, version: 'v2' }), app('/same'),
  ];
  assert.deepEqual(computeDeploymentSteps(orig, target), [
    { actions: [{ action: 'StopApplication', app: '/gone' }] },
    { actions: [
      { action: 'RestartApplication', app: '/config' }, { action: 'RestartApplication', app: '/restart' },
      { action: 'ScaleApplication', app: '/scale' }, { action: 'ScaleApplication', app: '/suspend' },
    ] },
  ]);
  assert.deepEqual(computeDeploymentSteps(orig.slice(0, 1), orig.slice(0, 1)), []);
});

test('dependencies: an app deploys after what it depends on; independent apps share a step', () => {
  const target = [
    app('/db'), app('/cache'), app('/api', { dependencies: ['/db', '/cache'] }), app('/web', { dependencies: ['/api'] }),
    app('/worker', { dependencies: ['/db'] }), app('/x', { dependencies: ['/not-there'] }),
  ];
  const steps = computeDeploymentSteps([], target);
  assert.deepEqual(steps[0]!.actions.map((a) => a.action), Array(6).fill('StartApplication'));
  assert.deepEqual(steps.slice(1).map((s) => s.actions.map((a) => a.app)), [
    ['/cache', '/db', '/x'],
    ['/api', '/worker'],
    ['/web'],
  ]);
  // Only changed apps take part, but the layering still follows the whole target's graph.
  const changed = computeDeploymentSteps(target, target.map((a) => (a.id === '/web' ? { ...a, version: 'v2' } : a)));
  assert.deepEqual(changed, [{ actions: [{ action: 'RestartApplication', app: '/web' }] }]);
});

test('a dependency cycle is rejected and named', () => {
  const target = [app('/a', { dependencies: ['/b'] }), app('/b', { dependencies: ['/c'] }), app('/c', { dependencies: ['/a'] }), app('/d')];
  assert.deepEqual(findDependencyCycle(target), ['/a', '/b', '/c', '/a']);
  assert.throws(() => computeDeploymentSteps([], target), (err: unknown) => err instanceof DependencyCycleError
    && err.message === 'Dependency graph has cyclic dependencies: /a -> /b -> /c -> /a');
  assert.deepEqual(findDependencyCycle([app('/self', { dependencies: ['/self'] })]), ['/self', '/self']);
  assert.equal(findDependencyCycle([app('/a', { dependencies: ['/b'] }), app('/b')]), undefined);
});

test('property: every step comes after the steps of the apps it depends on', () => {
  const graph = fc.integer({ min: 1, max: 10 }).chain((n) => fc.tuple(fc.constant(n), fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 20 })));
  fc.assert(fc.property(graph, ([n, edges]) => {
    // Edges only from higher to lower index: acyclic by construction.
    const apps = Array.from({ length: n }, (_, i) => app(`/a${i}`, { dependencies: edges.filter(([x, y]) => x === i && y < x).map(([, y]) => `/a${y}`) }));
    const steps = computeDeploymentSteps([], apps);
    const stepOf = new Map<string, number>();
    steps.forEach((s, i) => { for (const a of s.actions) if (a.action === 'ScaleApplication') stepOf.set(a.app, i); });
    for (const a of apps) for (const d of a.dependencies) assert.ok(stepOf.get(d)! < stepOf.get(a.id)!);
    assert.equal(stepOf.size, n);
  }));
});

test('restart bounds as Marathon computes them', () => {
  assert.deepEqual(restartBounds(10, { minimumHealthCapacity: 0.5, maximumOverCapacity: 0.2 }), { minHealthy: 5, maxCapacity: 12 });
  assert.deepEqual(restartBounds(3, { minimumHealthCapacity: 0.5, maximumOverCapacity: 0.5 }), { minHealthy: 2, maxCapacity: 4 });
  assert.deepEqual(restartBounds(100, { minimumHealthCapacity: 0.29, maximumOverCapacity: 0.29 }), { minHealthy: 29, maxCapacity: 129 });
  // No room between the bounds: one extra instance lets the upgrade move.
  assert.deepEqual(restartBounds(3, { minimumHealthCapacity: 1, maximumOverCapacity: 0 }), { minHealthy: 3, maxCapacity: 4 });
});

test('restart with the defaults (1, 1): start all new at once, kill old only as new become ready', () => {
  const strategy = { minimumHealthCapacity: 1, maximumOverCapacity: 1 };
  assert.deepEqual(nextRestartActions({ target: 3, strategy, oldRunning: 3, oldHealthy: 3, oldStopping: 0, newStarted: 0, newReady: 0 }),
    { startNew: 3, killOld: 0, done: false, minHealthy: 3, maxCapacity: 6 });
  assert.equal(nextRestartActions({ target: 3, strategy, oldRunning: 3, oldHealthy: 3, oldStopping: 0, newStarted: 3, newReady: 1 }).killOld, 1);
  // minimumHealthCapacity 0: every old instance goes at once; unhealthy old ones always go first.
  const zero = nextRestartActions({ target: 4, strategy: { minimumHealthCapacity: 0, maximumOverCapacity: 0 }, oldRunning: 4, oldHealthy: 4, oldStopping: 0, newStarted: 0, newReady: 0 });
  assert.deepEqual([zero.killOld, zero.startNew], [4, 0]);
  const unhealthy = nextRestartActions({ target: 2, strategy: { minimumHealthCapacity: 1, maximumOverCapacity: 0 }, oldRunning: 2, oldHealthy: 1, oldStopping: 0, newStarted: 0, newReady: 0 });
  assert.equal(unhealthy.killOld, 1);
  assert.equal(nextRestartActions({ target: 2, strategy, oldRunning: 0, oldHealthy: 0, oldStopping: 0, newStarted: 2, newReady: 2 }).done, true);
  assert.equal(nextRestartActions({ target: 2, strategy, oldRunning: 0, oldHealthy: 0, oldStopping: 1, newStarted: 2, newReady: 2 }).done, false);
});

test('property: a simulated rolling restart keeps capacity within bounds and always finishes with target new instances', () => {
  const scenario = fc.record({
    target: fc.integer({ min: 0, max: 15 }),
    oldHealthy: fc.integer({ min: 0, max: 20 }),
    oldUnhealthy: fc.integer({ min: 0, max: 5 }),
    minimumHealthCapacity: fc.integer({ min: 0, max: 100 }).map((x) => x / 100),
    maximumOverCapacity: fc.integer({ min: 0, max: 100 }).map((x) => x / 100),
    seed: fc.array(fc.nat(), { minLength: 1, maxLength: 50 }),
  });
  fc.assert(fc.property(scenario, (sc) => {
    const strategy = { minimumHealthCapacity: sc.minimumHealthCapacity, maximumOverCapacity: sc.maximumOverCapacity };
    let oldHealthy = sc.oldHealthy; let oldUnhealthy = sc.oldUnhealthy; let oldStopping = 0; let newPending = 0; let newReady = 0;
    const { minHealthy, maxCapacity } = restartBounds(sc.target, strategy);
    const floor = Math.min(minHealthy, oldHealthy);
    for (let round = 0; ; round++) {
      assert.ok(round < 1000, 'the restart must finish');
      const before = { total: oldHealthy + oldUnhealthy + oldStopping + newPending + newReady };
      const d = nextRestartActions({ target: sc.target, strategy, oldRunning: oldHealthy + oldUnhealthy, oldHealthy, oldStopping, newStarted: newPending + newReady, newReady });
      if (d.done) break;
      // The caller kills unhealthy old instances first.
      const fromUnhealthy = Math.min(d.killOld, oldUnhealthy);
      oldUnhealthy -= fromUnhealthy; oldHealthy -= d.killOld - fromUnhealthy; oldStopping += d.killOld;
      assert.ok(oldHealthy >= 0);
      newPending += d.startNew;
      const total = oldHealthy + oldUnhealthy + oldStopping + newPending + newReady;
      assert.ok(oldHealthy + newReady >= floor, `healthy ${oldHealthy + newReady} dropped below ${floor}`);
      assert.ok(d.startNew === 0 || total <= maxCapacity, `total ${total} exceeds ${maxCapacity}`);
      assert.ok(total <= Math.max(before.total, maxCapacity));
      // Something happens in the cluster: a new instance becomes ready or a stopping old one ends.
      const pick = sc.seed[round % sc.seed.length]!;
      const events: Array<() => void> = [];
      if (newPending > 0) events.push(() => { newPending--; newReady++; });
      if (oldStopping > 0) events.push(() => { oldStopping--; });
      assert.ok(events.length > 0, `stuck: ${JSON.stringify({ oldHealthy, oldUnhealthy, newPending, newReady, d })}`);
      events[pick % events.length]!();
    }
    assert.equal(newReady, sc.target);
    assert.equal(oldHealthy + oldUnhealthy + oldStopping + newPending, 0);
  }), { numRuns: 500 });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppValidationError, isConfigChange, mergeUpdate, parseApp } from '../../../src/marathon/app-definition.ts';
import { appIdOfTask, resolvePathId, taskIdFor } from '../../../src/marathon/path-id.ts';

function details(body: unknown): Array<{ path: string; errors: string[] }> {
  try { parseApp(body); } catch (err) { if (err instanceof AppValidationError) return err.details; throw err; }
  assert.fail('expected a validation error');
}

test('applies Marathon 1.x defaults to a minimal app', () => {
  const app = parseApp({ id: 'test', cmd: 'sleep 100' });
  assert.equal(app.id, '/test');
  assert.equal(app.instances, 1);
  assert.equal(app.cpus, 1);
  assert.equal(app.mem, 128);
  assert.equal(app.disk, 0);
  assert.equal(app.gpus, 0);
  assert.deepEqual(app.portDefinitions, [{ port: 0, protocol: 'tcp', labels: {} }]);
  assert.equal(app.requirePorts, false);
  assert.equal(app.backoffSeconds, 1);
  assert.equal(app.backoffFactor, 1.15);
  assert.equal(app.maxLaunchDelaySeconds, 3600);
  assert.deepEqual(app.upgradeStrategy, { minimumHealthCapacity: 1, maximumOverCapacity: 1 });
  assert.equal(app.killSelection, 'YOUNGEST_FIRST');
  assert.deepEqual(app.unreachableStrategy, { inactiveAfterSeconds: 300, expungeAfterSeconds: 600 });
  assert.deepEqual(app.constraints, []);
  assert.equal(app.args, null);
  assert.equal(app.container, null);
  assert.deepEqual(app.networks, [{ mode: 'host' }]);
});

test('resolves relative and dotted ids and rejects invalid ones', () => {
  assert.equal(resolvePathId('web', '/prod'), '/prod/web');
  assert.equal(resolvePathId('../web', '/prod/a'), '/prod/web');
  assert.equal(resolvePathId('./web/', '/'), '/web');
  assert.equal(resolvePathId('/a.b-c/d1'), '/a.b-c/d1');
  for (const bad of ['', '/', 'Web', 'a_b', '-a', 'a-', 'a//b', '..']) assert.equal(resolvePathId(bad), undefined, bad);
  assert.deepEqual(details({ id: 'Bad_Id', cmd: 'x' }).map((d) => d.path), ['/id']);
});

test('task ids follow Marathon 1.x and map back to the app', () => {
  const id = taskIdFor('/prod/web', '0b2f');
  assert.equal(id, 'prod_web.0b2f');
  assert.equal(appIdOfTask('prod_web.0b2f-11'), '/prod/web');
});

test('cmd, args and container: one of them is needed, cmd and args exclude each other', () => {
  assert.match(details({ id: 'x' })[0]!.errors[0]!, /'cmd' or 'args', and\/or a 'container'/);
  assert.match(details({ id: 'x', cmd: 'a', args: ['b'] })[0]!.errors[0]!, /not both/);
  assert.equal(parseApp({ id: 'x', args: ['sleep', '1'] }).cmd, null);
  const docker = parseApp({ id: 'x', container: { type: 'DOCKER', docker: { image: 'nginx', network: 'BRIDGE', portMappings: [{ containerPort: 80, hostPort: 0 }] } } });
  assert.deepEqual(docker.portDefinitions, [], 'bridged containers use portMappings instead');
  assert.deepEqual(docker.networks, [{ mode: 'container/bridge' }]);
  assert.equal(docker.container?.docker?.privileged, false);
});

test('wrong types, out-of-range values and unknown fields are reported with their paths', () => {
  const d = details({ id: 'x', cmd: 'a', cpus: 'lots', instances: -1, upgradeStrategy: { minimumHealthCapacity: 2 }, color: 'blue', container: { docker: { image: 'a', wat: 1 } } });
  const paths = d.map((x) => x.path).sort();
  assert.deepEqual(paths, ['/color', '/container/docker/wat', '/cpus', '/instances', '/upgradeStrategy/minimumHealthCapacity']);
  assert.ok(d.find((x) => x.path === '/color')!.errors[0]!.includes('unknown'));
  assert.deepEqual(new AppValidationError(d).toJSON().message, 'Object is not valid');
});

test('constraints are checked with Marathon\'s rules and messages at /constraints(i); operators are stored upper-cased', () => {
  assert.deepEqual(parseApp({ id: 'x', cmd: 'a', constraints: [['hostname', 'unique'], ['rack', 'LIKE', 'r[0-9]']] }).constraints, [['hostname', 'UNIQUE'], ['rack', 'LIKE', 'r[0-9]']]);
  assert.deepEqual(details({ id: 'x', cmd: 'a', constraints: [['hostname', 'SOMETIMES']] }), [{ path: '/constraints(0)', errors: ['operator must be one of the following UNIQUE, CLUSTER, GROUP_BY, LIKE, MAX_PER, UNLIKE or IS'] }]);
  assert.deepEqual(details({ id: 'x', cmd: 'a', constraints: [['hostname', 'UNIQUE'], ['rack', 'LIKE', '(']] }), [{ path: '/constraints(1)', errors: ['is not a valid regular expression'] }]);
  assert.deepEqual(details({ id: 'x', cmd: 'a', constraints: [['hostname']] }), [{ path: '/constraints(0)', errors: ['Each constraint must have either 2 or 3 fields'] }]);
  assert.deepEqual(details({ id: 'x', cmd: 'a', constraints: [['zone', 'MAX_PER']] }), [{ path: '/constraints(0)', errors: ['MAX_PER requires an integer value'] }]);
  assert.equal(details({ id: 'x', cmd: 'a', constraints: 'UNIQUE' })[0]!.path, '/constraints');
});

test('health checks get Marathon\'s defaults and validation (port index against the app\'s ports)', () => {
  const app = parseApp({ id: 'x', cmd: 'a', healthChecks: [{ protocol: 'HTTP' }, { protocol: 'COMMAND', command: { value: 'true' } }] });
  assert.deepEqual(app.healthChecks[0], { protocol: 'HTTP', path: '/', portIndex: 0, gracePeriodSeconds: 300, intervalSeconds: 60, timeoutSeconds: 20, maxConsecutiveFailures: 3, ignoreHttp1xx: false, delaySeconds: 15 });
  assert.equal(app.healthChecks[1]!.command!.value, 'true');
  assert.deepEqual(details({ id: 'x', cmd: 'a', healthChecks: [{ protocol: 'TCP', portIndex: 1 }] }).map((x) => x.path), ['/healthChecks(0)']);
  assert.deepEqual(details({ id: 'x', cmd: 'a', healthChecks: [{ protocol: 'COMMAND' }] }), [{ path: '/healthChecks(0)/command', errors: ['command is required for protocol COMMAND'] }]);
  assert.deepEqual(details({ id: 'x', cmd: 'a', healthChecks: [{ intervalSeconds: 'often', wat: 1 }] }).map((x) => x.path).sort(), ['/healthChecks(0)/intervalSeconds', '/healthChecks(0)/wat']);
  // A normalised app round-trips.
  assert.deepEqual(parseApp({ ...app, id: 'x' }).healthChecks, app.healthChecks);
});

test('legacy ports and uris become portDefinitions and fetch', () => {
  const app = parseApp({ id: 'x', cmd: 'a', ports: [8000, 0], uris: ['http://h/a.tgz'] });
  assert.deepEqual(app.portDefinitions.map((p) => p.port), [8000, 0]);
  assert.deepEqual(app.fetch, [{ uri: 'http://h/a.tgz', executable: false, extract: true, cache: false }]);
  assert.deepEqual(details({ id: 'x', cmd: 'a', portDefinitions: [{ port: 80 }, { port: 80 }] }).map((x) => x.path), ['/portDefinitions']);
});

test('read-only fields of a GET can be sent back; a partial update keeps the rest', () => {
  const current = { ...parseApp({ id: 'x', cmd: 'sleep 1', instances: 2, labels: { a: 'b' } }), version: 'v1', versionInfo: { lastScalingAt: 'v1', lastConfigChangeAt: 'v1' } };
  const roundTrip = parseApp({ ...current, tasksRunning: 2, deployments: [] });
  assert.equal(roundTrip.instances, 2);
  const scaled = parseApp(mergeUpdate(current, { instances: 5 }));
  assert.equal(scaled.instances, 5);
  assert.equal(scaled.cmd, 'sleep 1');
  assert.deepEqual(scaled.labels, { a: 'b' });
  assert.equal(isConfigChange(current, scaled), false, 'instances alone is a scale, not a config change');
  const changed = parseApp(mergeUpdate(current, { args: ['sleep', '2'] }));
  assert.equal(changed.cmd, null, 'args replaces cmd');
  assert.equal(isConfigChange(current, changed), true);
});

test('a bad id is reported together with schema problems, so every wrong field shows at once', () => {
  const d = details({ id: '/Bad_ID', cmd: 'x', cpus: -1 });
  assert.deepEqual(d.map((x) => x.path).sort(), ['/cpus', '/id']);
  assert.match(d.find((x) => x.path === '/id')!.errors[0]!, /not a valid app id/);
});

// fast-check fuzzing of every JSON endpoint of real Marathon and Chronos processes: no 5xx, no crash, memory bounded.
// Neither has a master to talk to (nothing is launched); their APIs work without one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { tempDir, type RoleProcess } from '../helpers/processes.ts';
import { startMarathonRole } from '../helpers/marathon.ts';
import { startChronosProcess } from '../helpers/chronos.ts';
import { FUZZ_REQUESTS, FUZZ_SEED, fuzzRole, nastyJson, nastyNumber, nastyString, rssBytes, serverErrors, type FuzzRoute } from '../helpers/fuzz.ts';

// A few ids so valid-shaped writes update the same objects instead of growing state without end.
const appId = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('/fuzz/a', '/fuzz/b', 'fuzz-c', '/fuzz/g/d') }, { weight: 1, arbitrary: nastyString });
const app = fc.record({
  id: appId, cmd: nastyString, args: fc.array(nastyString, { maxLength: 3 }), cpus: nastyNumber, mem: nastyNumber, disk: nastyNumber, instances: fc.oneof(fc.constant(0), nastyNumber),
  env: fc.dictionary(nastyString, fc.oneof(nastyString, nastyJson), { maxKeys: 3 }), labels: fc.dictionary(nastyString, nastyString, { maxKeys: 3 }),
  constraints: fc.array(fc.array(nastyString, { maxLength: 3 }), { maxLength: 2 }),
  portDefinitions: fc.array(fc.record({ port: nastyNumber, protocol: fc.constantFrom('tcp', 'udp', 'x'), name: nastyString }, { requiredKeys: [] }), { maxLength: 2 }),
  healthChecks: fc.array(fc.record({ protocol: fc.constantFrom('HTTP', 'TCP', 'COMMAND', 'MESOS_HTTP', 'X'), path: nastyString, portIndex: nastyNumber, intervalSeconds: nastyNumber, command: fc.record({ value: nastyString }) }, { requiredKeys: [] }), { maxLength: 2 }),
  container: fc.record({ type: fc.constantFrom('DOCKER', 'MESOS', 'X'), docker: fc.record({ image: nastyString, network: fc.constantFrom('BRIDGE', 'HOST', 'X'), portMappings: fc.array(fc.record({ containerPort: nastyNumber, hostPort: nastyNumber }), { maxLength: 2 }) }, { requiredKeys: [] }), volumes: fc.array(fc.record({ containerPath: nastyString, hostPath: nastyString, mode: fc.constantFrom('RO', 'RW', 'X') }), { maxLength: 2 }) }, { requiredKeys: [] }),
  upgradeStrategy: fc.record({ minimumHealthCapacity: nastyNumber, maximumOverCapacity: nastyNumber }, { requiredKeys: [] }),
  backoffSeconds: nastyNumber, backoffFactor: nastyNumber, user: nastyString, uris: fc.array(nastyString, { maxLength: 2 }), fetch: fc.array(fc.record({ uri: nastyString, extract: fc.boolean() }), { maxLength: 2 }),
  dependencies: fc.array(nastyString, { maxLength: 2 }), acceptedResourceRoles: fc.array(nastyString, { maxLength: 2 }),
}, { requiredKeys: ['id'] });
const group = fc.record({ id: appId, apps: fc.array(app, { maxLength: 2 }), groups: fc.array(fc.record({ id: appId }), { maxLength: 2 }), dependencies: fc.array(nastyString, { maxLength: 2 }), scaleBy: nastyNumber, version: nastyString }, { requiredKeys: [] });
const marathonRoutes: FuzzRoute[] = [
  { methods: ['GET'], path: '/v2/apps', query: ['cmd', 'id', 'label', 'embed'] },
  { methods: ['POST'], path: '/v2/apps', body: app, query: ['force'] },
  { methods: ['PUT', 'PATCH'], path: '/v2/apps', body: fc.array(app, { maxLength: 2 }), query: ['force', 'partialUpdate'] },
  { methods: ['GET', 'PUT', 'PATCH', 'DELETE', 'POST'], path: '/v2/apps/*', body: app, query: ['force', 'embed', 'partialUpdate'] },
  { methods: ['GET', 'POST', 'DELETE'], path: '/v2/apps/*/tasks', query: ['scale', 'wipe', 'force', 'host'] },
  { methods: ['POST'], path: '/v2/apps/*/restart', query: ['force'] },
  { methods: ['GET', 'POST', 'PUT', 'DELETE'], path: '/v2/groups', body: group, query: ['force', 'embed'] },
  { methods: ['GET', 'POST', 'PUT', 'DELETE'], path: '/v2/groups/*', body: group, query: ['force', 'embed'] },
  { methods: ['GET'], path: '/v2/deployments' }, { methods: ['DELETE'], path: '/v2/deployments/:id', query: ['force'] },
  { methods: ['GET'], path: '/v2/queue', query: ['embed'] }, { methods: ['DELETE'], path: '/v2/queue/*/delay' },
  { methods: ['GET'], path: '/v2/tasks', query: ['status'] },
  { methods: ['POST'], path: '/v2/tasks/delete', body: fc.record({ ids: fc.array(nastyString, { maxLength: 3 }) }), query: ['scale', 'wipe', 'force'] },
  { methods: ['GET'], path: '/v2/info' }, { methods: ['GET'], path: '/v2/leader' }, { methods: ['GET'], path: '/ping' }, { methods: ['GET'], path: '/metrics' },
  { methods: ['GET'], path: '/v2/events', query: ['event_type'] },
  // Without --event-subscriber http_callback (so no callback is ever POSTed anywhere): always a clear 400.
  { methods: ['GET', 'POST', 'DELETE'], path: '/v2/eventSubscriptions', query: ['callbackUrl'] },
];

const jobName = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('fuzz-a', 'fuzz-b', 'fuzz-c') }, { weight: 1, arbitrary: nastyString });
const job = fc.record({
  name: jobName, command: nastyString, schedule: fc.oneof(fc.constantFrom('R/2030-01-01T00:00:00Z/PT1H', 'R0/2030-01-01T00:00:00Z/P1D', 'R/bad/PT1H', 'R-1//PT0S', ''), nastyString),
  scheduleTimeZone: nastyString, parents: fc.array(jobName, { maxLength: 2 }), epsilon: nastyString, owner: nastyString, cpus: nastyNumber, mem: nastyNumber, disk: nastyNumber,
  retries: nastyNumber, disabled: fc.boolean(), shell: fc.boolean(), arguments: fc.array(nastyString, { maxLength: 2 }), async: fc.boolean(), runAsUser: nastyString,
  environmentVariables: fc.array(fc.record({ name: nastyString, value: nastyString }), { maxLength: 2 }), uris: fc.array(nastyString, { maxLength: 2 }),
  constraints: fc.array(fc.array(nastyString, { maxLength: 3 }), { maxLength: 2 }),
  container: fc.record({ type: fc.constantFrom('DOCKER', 'MESOS', 'X'), image: nastyString, network: fc.constantFrom('BRIDGE', 'HOST'), volumes: fc.array(fc.record({ containerPath: nastyString, hostPath: nastyString, mode: fc.constantFrom('RO', 'RW') }), { maxLength: 1 }) }, { requiredKeys: [] }),
}, { requiredKeys: ['name'] });
const chronosRoutes: FuzzRoute[] = ['/v1/scheduler', '/scheduler'].flatMap((p) => [
  { methods: ['POST'], path: `${p}/iso8601`, body: job }, { methods: ['POST'], path: `${p}/dependency`, body: job },
  { methods: ['GET'], path: `${p}/jobs` }, { methods: ['GET'], path: `${p}/jobs/search`, query: ['name', 'command', 'any', 'limit', 'offset'] },
  { methods: ['GET'], path: `${p}/jobs/summary` },
  { methods: ['GET', 'PUT', 'DELETE'], path: `${p}/job/:name`, query: ['params', 'arguments'], body: fc.oneof(job, fc.record({ arguments: fc.array(nastyString) })) },
  { methods: ['PUT'], path: `${p}/job/success/:name` }, { methods: ['GET'], path: `${p}/job/stat/:name` },
  { methods: ['DELETE'], path: `${p}/task/kill/:name` }, { methods: ['DELETE'], path: `${p}/task/all` },
  { methods: ['PUT'], path: `${p}/task/:taskId`, body: fc.record({ statusCode: nastyNumber }) },
  { methods: ['GET'], path: `${p}/graph/dot` }, { methods: ['GET'], path: `${p}/graph/csv` },
  { methods: ['GET'], path: `${p}/stats/:percentile`, query: ['percentile'] }, { methods: ['GET'], path: `${p}/leader` },
  { methods: ['GET'], path: `${p}/iso8601/preview`, query: ['schedule', 'scheduleTimeZone', 'count'] }, { methods: ['GET'], path: `${p}/framework` },
  { methods: ['GET'], path: `${p}/events` },
] as FuzzRoute[]).concat([{ methods: ['GET'], path: '/ping' }, { methods: ['GET'], path: '/metrics' }, { methods: ['GET'], path: '/leader' }, { methods: ['OPTIONS'], path: '/*' }]);

async function fuzzAndCheck(name: string, role: RoleProcess, routes: FuzzRoute[], healthPath: string): Promise<void> {
  const pid = role.proc.pid!;
  await fuzzRole(role.url, routes, { count: Math.min(500, FUZZ_REQUESTS), seed: FUZZ_SEED + 1 });
  const baseline = rssBytes(pid);
  const results = await fuzzRole(role.url, routes);
  const errors = serverErrors(results);
  assert.deepEqual(errors.slice(0, 5), [], `${name}: ${errors.length} of ${results.length} requests answered 5xx or failed (TRIREME_FUZZ_SEED=${FUZZ_SEED})`);
  assert.equal(role.proc.exitCode, null, `${name} exited`);
  assert.equal((await fetch(`${role.url}${healthPath}`)).status, 200, `${name} answers after the fuzzing`);
  const sent = results.filter((r) => r.status !== -1).length;
  assert.ok(sent >= FUZZ_REQUESTS * 0.9, `${name}: only ${sent} of ${FUZZ_REQUESTS} generated requests could be sent`);
  const grown = rssBytes(pid) - baseline;
  assert.ok(grown < 150 * 1024 * 1024, `${name}: RSS grew by ${Math.round(grown / 1048576)} MB over ${results.length} requests`);
}

describe('fuzzing Marathon and Chronos with generated requests', () => {
  const dir = tempDir();
  let marathon: RoleProcess;
  let chronos: RoleProcess;
  // No master listens on port 1: the frameworks keep retrying while their APIs are fuzzed.
  before(async () => {
    marathon = await startMarathonRole('127.0.0.1:1', dir.path);
    chronos = await startChronosProcess('127.0.0.1:1', `${dir.path}/chronos`);
  });
  after(async () => { await marathon?.stop(); await chronos?.stop(); dir.remove(); });

  it(`Marathon answers ${FUZZ_REQUESTS} generated requests without a 5xx and keeps working`, async () => {
    await fuzzAndCheck('marathon', marathon, marathonRoutes, '/ping');
  });

  it(`Chronos answers ${FUZZ_REQUESTS} generated requests without a 5xx and keeps working`, async () => {
    await fuzzAndCheck('chronos', chronos, chronosRoutes, '/ping');
  });
});

// fast-check fuzzing of every JSON endpoint of a real master and a real agent: no 5xx, no crash, memory bounded.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startCluster, type TestCluster } from '../helpers/processes.ts';
import { FUZZ_REQUESTS, FUZZ_SEED, fuzzRole, nastyNumber, nastyString, rssBytes, serverErrors, type FuzzRoute } from '../helpers/fuzz.ts';

const id = fc.record({ value: fc.oneof(fc.constantFrom('fw-1', 'agent-1', 'task-1'), nastyString) });
const resource = fc.record({ name: fc.constantFrom('cpus', 'mem', 'ports', 'disk', 'gpus'), type: fc.constantFrom('SCALAR', 'RANGES', 'SET', 'BAD'), scalar: fc.record({ value: nastyNumber }), ranges: fc.record({ range: fc.array(fc.record({ begin: nastyNumber, end: nastyNumber }), { maxLength: 2 }) }), role: fc.constantFrom('*', 'web') }, { requiredKeys: ['name'] });
const frameworkInfo = fc.record({ user: fc.constantFrom('nobody', ''), name: nastyString, id, roles: fc.array(nastyString, { maxLength: 2 }), role: nastyString, failover_timeout: nastyNumber, checkpoint: fc.boolean(), capabilities: fc.array(fc.record({ type: fc.constantFrom('MULTI_ROLE', 'PARTITION_AWARE', 'X') }), { maxLength: 2 }) }, { requiredKeys: ['user', 'name'] });
const taskInfo = fc.record({ name: nastyString, task_id: id, agent_id: id, resources: fc.array(resource, { maxLength: 3 }), command: fc.record({ value: nastyString, shell: fc.boolean(), arguments: fc.array(nastyString, { maxLength: 3 }) }, { requiredKeys: [] }) }, { requiredKeys: [] });
const schedulerCall = fc.record({
  type: fc.oneof(fc.constantFrom('SUBSCRIBE', 'TEARDOWN', 'ACCEPT', 'DECLINE', 'REVIVE', 'SUPPRESS', 'KILL', 'SHUTDOWN', 'ACKNOWLEDGE', 'RECONCILE', 'MESSAGE', 'REQUEST', 'UPDATE_FRAMEWORK'), nastyString),
  framework_id: id,
  subscribe: fc.record({ framework_info: frameworkInfo }),
  accept: fc.record({ offer_ids: fc.array(id, { maxLength: 2 }), operations: fc.array(fc.record({ type: fc.constantFrom('LAUNCH', 'RESERVE', 'NOPE'), launch: fc.record({ task_infos: fc.array(taskInfo, { maxLength: 2 }) }) }), { maxLength: 2 }), filters: fc.record({ refuse_seconds: nastyNumber }) }, { requiredKeys: [] }),
  decline: fc.record({ offer_ids: fc.array(id, { maxLength: 2 }), filters: fc.record({ refuse_seconds: nastyNumber }) }, { requiredKeys: [] }),
  kill: fc.record({ task_id: id, agent_id: id }, { requiredKeys: [] }),
  acknowledge: fc.record({ agent_id: id, task_id: id, uuid: nastyString }, { requiredKeys: [] }),
  reconcile: fc.record({ tasks: fc.array(fc.record({ task_id: id, agent_id: id }), { maxLength: 2 }) }),
  message: fc.record({ agent_id: id, executor_id: id, data: nastyString }, { requiredKeys: [] }),
  update_framework: fc.record({ framework_info: frameworkInfo }),
}, { requiredKeys: ['type'] });
const operatorCall = fc.record({
  type: fc.oneof(fc.constantFrom('GET_HEALTH', 'GET_VERSION', 'GET_FLAGS', 'GET_METRICS', 'GET_STATE', 'GET_AGENTS', 'GET_FRAMEWORKS', 'GET_TASKS', 'GET_EXECUTORS', 'GET_MASTER', 'GET_ROLES', 'GET_WEIGHTS', 'UPDATE_WEIGHTS', 'TEARDOWN', 'SUBSCRIBE'), nastyString),
  update_weights: fc.record({ weight_infos: fc.array(fc.record({ role: nastyString, weight: nastyNumber }), { maxLength: 3 }) }),
  teardown: fc.record({ framework_id: id }),
  get_metrics: fc.record({ timeout: fc.record({ nanoseconds: nastyNumber }) }, { requiredKeys: [] }),
}, { requiredKeys: ['type'] });
const agentCall = fc.record({
  type: fc.oneof(fc.constantFrom('SUBSCRIBE', 'UPDATE', 'PONG', 'EXECUTOR_EXITED'), nastyString),
  version: nastyNumber, agent_id: id,
  subscribe: fc.record({ agent_info: fc.record({ hostname: nastyString, port: nastyNumber, resources: fc.array(resource, { maxLength: 3 }), attributes: fc.array(fc.record({ name: nastyString, type: fc.constantFrom('TEXT', 'SCALAR'), text: fc.record({ value: nastyString }) }), { maxLength: 2 }), id }, { requiredKeys: ['hostname', 'port', 'resources'] }), tasks: fc.array(taskInfo, { maxLength: 2 }) }, { requiredKeys: ['agent_info'] }),
  update: fc.record({ status: fc.record({ task_id: id, state: fc.constantFrom('TASK_RUNNING', 'TASK_FAILED', 'TASK_NOPE'), uuid: nastyString, source: fc.constantFrom('SOURCE_EXECUTOR', 'X') }, { requiredKeys: [] }) }, { requiredKeys: [] }),
}, { requiredKeys: ['type'] });

const stateNames = ['state', 'state.json', 'state-summary', 'redirect', 'health', 'roles', 'frameworks', 'slaves', 'tasks', 'flags'];
const masterRoutes: FuzzRoute[] = [
  ...stateNames.flatMap((n) => [{ methods: ['GET'], path: `/master/${n}`, query: ['framework_id', 'slave_id', 'jsonp', 'limit', 'offset', 'order'] }, { methods: ['GET'], path: `/${n}`, query: ['framework_id', 'slave_id', 'jsonp'] }]),
  { methods: ['POST'], path: '/master/teardown', query: ['frameworkId'] }, { methods: ['POST'], path: '/teardown', query: ['frameworkId'] },
  { methods: ['GET'], path: '/version' }, { methods: ['GET'], path: '/metrics' }, { methods: ['GET'], path: '/metrics/snapshot', query: ['timeout'] },
  { methods: ['POST'], path: '/api/v1/scheduler', body: schedulerCall },
  { methods: ['POST'], path: '/api/v1', body: operatorCall }, { methods: ['POST'], path: '/master/api/v1', body: operatorCall },
  { methods: ['POST'], path: '/api/v1/agent', body: agentCall },
  ...['browse', 'read', 'download'].map((op) => ({ methods: ['GET'], path: `/agents/:id/files/${op}`, query: ['path', 'offset', 'length'] })),
];
const agentRoutes: FuzzRoute[] = [
  ...['', '/slave(1)'].flatMap((p) => ['/state', '/state.json', '/health', '/flags', '/monitor/statistics'].map((n) => ({ methods: ['GET'], path: `${p}${n}`, query: ['jsonp'] }))),
  { methods: ['GET'], path: '/version' }, { methods: ['GET'], path: '/metrics' }, { methods: ['GET'], path: '/metrics/snapshot' },
  ...['/files/browse', '/files/read', '/files/download', '/files/debug'].map((path) => ({ methods: ['GET'], path, query: ['path', 'offset', 'length', 'jsonp'] })),
];

/** Fuzzes one real process; asserts no 5xx, still alive and answering, memory back near where it started. */
async function fuzzAndCheck(name: string, proc: { proc: { pid?: number; exitCode: number | null }; url: string }, routes: FuzzRoute[], healthPath: string): Promise<void> {
  const pid = proc.proc.pid!;
  await fuzzRole(proc.url, routes, { count: Math.min(500, FUZZ_REQUESTS), seed: FUZZ_SEED + 1 }); // warm up (JIT, caches) before the baseline
  const baseline = rssBytes(pid);
  const results = await fuzzRole(proc.url, routes);
  const errors = serverErrors(results);
  assert.deepEqual(errors.slice(0, 5), [], `${name}: ${errors.length} of ${results.length} requests answered 5xx or failed (TRIREME_FUZZ_SEED=${FUZZ_SEED})`);
  assert.equal(proc.proc.exitCode, null, `${name} exited`);
  assert.equal((await fetch(`${proc.url}${healthPath}`)).status, 200, `${name} answers after the fuzzing`);
  const sent = results.filter((r) => r.status !== -1).length;
  assert.ok(sent >= FUZZ_REQUESTS * 0.9, `${name}: only ${sent} of ${FUZZ_REQUESTS} generated requests could be sent`);
  // Garbage is not kept: resident memory ends within a generous bound of where it was (no per-request retention).
  const grown = rssBytes(pid) - baseline;
  assert.ok(grown < 150 * 1024 * 1024, `${name}: RSS grew by ${Math.round(grown / 1048576)} MB over ${results.length} requests`);
}

describe('fuzzing the master and an agent with generated requests', () => {
  let cluster: TestCluster;
  before(async () => { cluster = await startCluster({ agents: 1, agentIpBase: 105 }); });
  after(async () => { await cluster?.stop(); });

  it(`the master answers ${FUZZ_REQUESTS} generated requests without a 5xx and keeps working`, async () => {
    await fuzzAndCheck('master', cluster.master, masterRoutes, '/master/health');
  });

  it(`an agent answers ${FUZZ_REQUESTS} generated requests without a 5xx and keeps working`, async () => {
    await fuzzAndCheck('agent', cluster.agents[0]!, agentRoutes, '/health');
  });
});

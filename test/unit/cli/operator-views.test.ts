// The operator CLI's pure parts: error flattening, the views over master state, the graph tree, the progress line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { flattenApiError } from '../../../src/cli/ops/http.ts';
import { agentRows, clusterSummary, hostPorts, parseGraphCsv, portCount, portList, progressLine, renderGraph, taskRows } from '../../../src/cli/ops/views.ts';
import { agentUrl, sandboxOf, type MasterState } from '../../../src/cli/ops/mesos-client.ts';
import { aliasAgentList } from '../../../src/cli/options.ts';
import { colourEnabled } from '../../../src/cli/output.ts';
import { appStatus } from '../../../src/cli/app.ts';

const task = (id: string, slave: string, state: string, ports?: string) => ({
  id, name: id.split('.')[0]!, framework_id: 'fw', slave_id: slave, state, resources: { cpus: 0.5, mem: 64, ...(ports ? { ports } : {}) },
});

const state: MasterState = {
  version: '1.11.0', trireme_version: '0.1.0', hostname: 'm', pid: 'master@127.0.0.1:5050', leader: 'master@127.0.0.1:5050',
  leader_info: { hostname: '127.0.0.1', port: 5050 },
  slaves: [
    { id: 'S1', hostname: '127.0.0.3', port: 5051, pid: 'slave(1)@127.0.0.3:5051', active: true, attributes: { rack: 'r2' },
      resources: { cpus: 2, mem: 1024, disk: 100, ports: '[31000-31009]' }, used_resources: { cpus: 0.5, mem: 64, ports: '[31000-31000]' }, offered_resources: { cpus: 1.5 } },
    { id: 'S0', hostname: '127.0.0.2', port: 5051, pid: 'slave(1)@127.0.0.2:5051', active: false, attributes: {},
      resources: { cpus: 2, mem: 1024, disk: 100, ports: '[31000-31009]' }, used_resources: {}, offered_resources: {} },
  ],
  frameworks: [{
    id: 'fw', name: 'marathon', active: true, used_resources: {},
    tasks: [task('web.1', 'S1', 'TASK_RUNNING', '[31000-31001, 31005-31005]')], completed_tasks: [task('web.0', 'S0', 'TASK_FAILED')],
  }],
  completed_frameworks: [],
};

describe('flattenApiError', () => {
  it("flattens Marathon's 422 details to field: message pairs on one line", () => {
    const body = JSON.stringify({ message: 'Object is not valid', details: [{ path: '/cpus', errors: ['must be >= 0'] }, { path: '/container/docker/image', errors: ['must not be empty', 'bad'] }] });
    assert.equal(flattenApiError(422, body), 'cpus: must be >= 0; container.docker.image: must not be empty; container.docker.image: bad');
  });
  it('uses the message, names locking deployments, and falls back to the first text line or the status', () => {
    assert.equal(flattenApiError(400, '{"message":"Job \'x\' not found","status":"Bad Request"}'), "Job 'x' not found");
    assert.equal(flattenApiError(409, '{"message":"App is locked","deployments":[{"id":"d1"}]}'), 'App is locked (deployments: d1; use --force to override)');
    assert.equal(flattenApiError(403, 'Access denied\nmore'), 'Access denied');
    assert.equal(flattenApiError(502, ''), 'HTTP 502');
  });
});

describe('views over /master/state', () => {
  it('sums resources over agents and counts tasks by state', () => {
    const s = clusterSummary(state);
    assert.equal(s.leader, '127.0.0.1:5050');
    assert.deepEqual(s.agents, { active: 1, total: 2 });
    assert.deepEqual(s.resources.find((r) => r.name === 'cpus'), { name: 'cpus', total: 4, used: 0.5, offered: 1.5 });
    assert.deepEqual(s.resources.find((r) => r.name === 'ports'), { name: 'ports', total: 20, used: 1, offered: 0 });
    assert.equal(s.resources.some((r) => r.name === 'gpus'), false, 'no gpus line without gpus');
    assert.deepEqual(s.tasks, { TASK_RUNNING: 1, TASK_FAILED: 1 });
    assert.deepEqual(s.frameworks, [{ id: 'fw', name: 'marathon', active: true, tasks: 1 }]);
  });
  it('lists agents sorted by address with used/total and their active task count', () => {
    const rows = agentRows(state);
    assert.deepEqual(rows.map((r) => [r.host, r.active, r.tasks, r.cpus.used, r.attributes]), [['127.0.0.2:5051', false, 0, 0, ''], ['127.0.0.3:5051', true, 1, 0.5, 'rack:r2']]);
  });
  it('shows tasks with host:ports; completed ones only with --all', () => {
    assert.deepEqual(taskRows(state).map((r) => [r.id, hostPorts(r)]), [['web.1', '127.0.0.3:31000,31001,31005']]);
    assert.deepEqual(taskRows(state, { all: true }).map((r) => [r.id, hostPorts(r)]), [['web.0', '127.0.0.2'], ['web.1', '127.0.0.3:31000,31001,31005']]);
    assert.equal(portCount('[31000-31009, 32000-32000]'), 11);
    assert.deepEqual(portList(undefined), []);
  });
  it("finds an agent's address and a task's sandbox as the Mesos CLI does", () => {
    assert.equal(agentUrl(state.slaves[0]!), 'http://127.0.0.3:5051');
    const agentState = {
      frameworks: [{ id: 'fw', executors: [{ id: 'web.1', directory: '/sb/web.1', tasks: [{ id: 'web.1' }], completed_tasks: [] }], completed_executors: [{ id: 'e0', directory: '/sb/web.0', tasks: [], completed_tasks: [{ id: 'web.0' }] }] }],
      completed_frameworks: [],
    };
    assert.equal(sandboxOf(agentState, 'fw', 'web.1'), '/sb/web.1');
    assert.equal(sandboxOf(agentState, 'fw', 'web.0'), '/sb/web.0');
    assert.equal(sandboxOf(agentState, 'other', 'web.1'), undefined);
  });
});

describe('job graph', () => {
  it('parses the CSV and draws each root with its children; a job with two parents is drawn once in full', () => {
    const g = parseGraphCsv('node,a,success,idle\nnode,b,fresh,idle\nnode,c,failure,running\nnode,d,fresh,idle\nlink,a,c\nlink,b,c\nlink,c,d\n');
    assert.equal(g.nodes.length, 4);
    assert.deepEqual(renderGraph(g), ['a', '└── c', '    └── d', 'b', '└── c (see above)']);
  });
});

describe('progress line and small decisions', () => {
  it('draws the share of instances running, the step and failures', () => {
    assert.equal(progressLine({ running: 1, wanted: 4, step: 1, steps: 2, action: 'ScaleApplication', elapsedMs: 3500, failures: 2 }, 8), '[##------] 1/4 running · step 1/2 ScaleApplication · 2 failed tasks · 3s');
    assert.equal(progressLine({ running: 0, wanted: 0, step: 0, steps: 0, elapsedMs: 0, failures: 0 }, 4), '[####] 0/0 running · 0s');
  });
  it('names app status as Marathon UIs do', () => {
    const app = { id: '/a', cpus: 1, mem: 1, instances: 2, tasksRunning: 2 };
    assert.equal(appStatus(app), 'running');
    assert.equal(appStatus({ ...app, deployments: [{ id: 'd' }] }), 'deploying');
    assert.equal(appStatus({ ...app, instances: 0, tasksRunning: 0 }), 'suspended');
    assert.equal(appStatus({ ...app, tasksRunning: 1 }), 'waiting');
    assert.equal(appStatus({ ...app, tasksUnhealthy: 1 }), 'unhealthy');
  });
  it('colours only a TTY without NO_COLOR', () => {
    assert.equal(colourEnabled(true, {}), true);
    assert.equal(colourEnabled(true, { NO_COLOR: '1' }), false);
    assert.equal(colourEnabled(false, {}), false);
    assert.equal(colourEnabled(undefined, {}), false);
    assert.equal(colourEnabled(true, { TERM: 'dumb' }), false);
  });
  it('reads `trireme agent list` as `trireme agents list` and leaves `trireme agent --master …` alone', () => {
    assert.deepEqual(aliasAgentList(['node', 'trireme', 'agent', 'list', '--json']), ['node', 'trireme', 'agents', 'list', '--json']);
    assert.deepEqual(aliasAgentList(['node', 'trireme', 'agent', '--master', 'm:5050']), ['node', 'trireme', 'agent', '--master', 'm:5050']);
  });
});

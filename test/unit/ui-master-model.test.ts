// The master console's cluster model, fed operator events as the master sends them: the full state, then tasks,
// agents and frameworks coming and going; plus the filters the task lists use and the sandbox path of a task.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterModel, filterTasks, sandboxPath, taskKey, type OperatorEvent, type V1Agent, type V1Framework, type V1Task } from '../../ui/master/model.ts';

const scalar = (name: string, value: number) => ({ name, type: 'SCALAR' as const, scalar: { value } });
const agent = (id: string, hostname: string): V1Agent => ({
  agent_info: { id: { value: id }, hostname, attributes: [{ name: 'rack', type: 'TEXT', text: { value: 'r1' } }] }, active: true, pid: `slave(1)@${hostname}:5051`,
  total_resources: [scalar('cpus', 4), scalar('mem', 1024), { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31009 }] } }],
});
const framework = (id: string, name: string): V1Framework => ({ framework_info: { id: { value: id }, name, user: 'root' }, active: true, connected: true });
const task = (fw: string, id: string, agentId: string, state: string, at = 1): V1Task => ({
  name: `name-${id}`, task_id: { value: id }, framework_id: { value: fw }, agent_id: { value: agentId }, state,
  resources: [scalar('cpus', 0.5), scalar('mem', 64)], statuses: [{ task_id: { value: id }, state, timestamp: at }],
});
const subscribed = (tasks: V1Task[], completed: V1Task[] = []): OperatorEvent => ({
  type: 'SUBSCRIBED', subscribed: { get_state: {
    get_agents: { agents: [agent('a1', 'host-1'), agent('a2', 'host-2')] },
    get_frameworks: { frameworks: [framework('f1', 'marathon')], completed_frameworks: [framework('f0', 'old')] },
    get_tasks: { tasks, completed_tasks: completed },
  } },
});

test('SUBSCRIBED gives the full picture: agents, frameworks (completed marked), tasks indexed by agent and framework', () => {
  const m = new ClusterModel();
  assert.equal(m.apply(subscribed([task('f1', 't1', 'a1', 'TASK_RUNNING'), task('f1', 't2', 'a2', 'TASK_RUNNING')], [task('f0', 't0', 'a1', 'TASK_FINISHED')])), true);
  assert.equal(m.subscribed, true);
  assert.deepEqual([...m.agents.keys()], ['a1', 'a2']);
  assert.equal(m.frameworks.get('f0')?.completed, true);
  assert.equal(m.frameworks.get('f1')?.completed, false);
  assert.deepEqual(m.tasksOfAgent('a1').map((t) => t.id).sort(), ['t0', 't1']);
  assert.deepEqual(m.tasksOfFramework('f1').map((t) => t.id).sort(), ['t1', 't2']);
  assert.equal(m.usedOnAgent('a1').scalar('cpus'), 0.5, 'the finished task uses nothing');
});

test('task, agent and framework events change the model and bump its version; unknown ones change nothing', () => {
  const m = new ClusterModel();
  m.apply(subscribed([]));
  const v = m.version;
  m.apply({ type: 'TASK_ADDED', task_added: { task: task('f1', 't1', 'a1', 'TASK_STAGING') } });
  m.apply({ type: 'TASK_UPDATED', task_updated: { framework_id: { value: 'f1' }, state: 'TASK_RUNNING', status: { task_id: { value: 't1' }, state: 'TASK_RUNNING', timestamp: 2 } } });
  const t1 = m.tasks.get(taskKey('f1', 't1'))!;
  assert.equal(t1.state, 'TASK_RUNNING');
  assert.deepEqual(t1.statuses.map((s) => s.state), ['TASK_STAGING', 'TASK_RUNNING']);
  assert.equal(m.version, v + 2);
  assert.equal(m.apply({ type: 'TASK_UPDATED', task_updated: { framework_id: { value: 'f1' }, state: 'TASK_RUNNING', status: { task_id: { value: 'nope' }, state: 'TASK_RUNNING' } } }), false);
  assert.equal(m.apply({ type: 'HEARTBEAT' }), false);
  m.apply({ type: 'AGENT_ADDED', agent_added: { agent: agent('a3', 'host-3') } });
  assert.equal(m.agents.get('a3')?.hostname, 'host-3');
  m.apply({ type: 'AGENT_REMOVED', agent_removed: { agent_id: { value: 'a3' } } });
  assert.equal(m.agents.has('a3'), false);
  m.apply({ type: 'FRAMEWORK_ADDED', framework_added: { framework: framework('f2', 'chronos') } });
  assert.equal(m.frameworks.get('f2')?.completed, false);
  m.apply({ type: 'FRAMEWORK_REMOVED', framework_removed: { framework_info: { id: { value: 'f2' }, name: 'chronos', user: 'root' } } });
  assert.equal(m.frameworks.get('f2')?.completed, true);
  assert.equal(m.frameworks.get('f2')?.raw.active, false);
});

test('a later SUBSCRIBED (a reconnect) replaces everything, so nothing missed while away stays wrong', () => {
  const m = new ClusterModel();
  m.apply(subscribed([task('f1', 'gone', 'a1', 'TASK_RUNNING')]));
  m.apply(subscribed([task('f1', 'new', 'a1', 'TASK_RUNNING')]));
  assert.deepEqual([...m.tasks.values()].map((t) => t.id), ['new']);
  assert.deepEqual(m.tasksOfAgent('a1').map((t) => t.id), ['new']);
});

test('completed tasks beyond the limit are forgotten, oldest first; running ones never', () => {
  const m = new ClusterModel(2);
  m.apply(subscribed([task('f1', 'run', 'a1', 'TASK_RUNNING')]));
  for (const id of ['d1', 'd2', 'd3']) m.apply({ type: 'TASK_ADDED', task_added: { task: task('f1', id, 'a1', 'TASK_FINISHED') } });
  assert.deepEqual([...m.tasks.values()].map((t) => t.id).sort(), ['d2', 'd3', 'run']);
  assert.deepEqual(m.tasksOfAgent('a1').map((t) => t.id).sort(), ['d2', 'd3', 'run']);
});

test('task filters: active or completed, by state, framework and search text (id, name, framework, host), newest first', () => {
  const m = new ClusterModel();
  m.apply(subscribed([task('f1', 'web-1', 'a1', 'TASK_RUNNING', 5), task('f1', 'web-2', 'a2', 'TASK_STAGING', 9), task('f1', 'db-1', 'a2', 'TASK_RUNNING', 7)],
    [task('f0', 'batch-1', 'a1', 'TASK_FAILED', 3)]));
  const all = [...m.tasks.values()];
  const ids = (f: Parameters<typeof filterTasks>[1]) => filterTasks(all, f).map((t) => t.id);
  assert.deepEqual(ids({ completed: false }), ['web-2', 'db-1', 'web-1']);
  assert.deepEqual(ids({ completed: true }), ['batch-1']);
  assert.deepEqual(ids({ completed: false, states: new Set(['TASK_STAGING']) }), ['web-2']);
  assert.deepEqual(ids({ completed: false, text: 'WEB' }), ['web-2', 'web-1']);
  assert.deepEqual(ids({ completed: false, text: 'host-2' }), ['web-2', 'db-1']);
  assert.deepEqual(ids({ completed: false, text: 'marathon', agentId: 'a1' }), ['web-1']);
  assert.deepEqual(ids({ completed: true, frameworkId: 'f1' }), []);
});

test("a task's sandbox is its executor's run directory, named by the container id its statuses report", () => {
  const m = new ClusterModel();
  const t = task('f1', 't1', 'a1', 'TASK_RUNNING');
  m.apply(subscribed([t]));
  assert.equal(sandboxPath(m.tasks.get(taskKey('f1', 't1'))!), '/frameworks/f1/executors/t1/runs/latest');
  m.apply({ type: 'TASK_UPDATED', task_updated: { framework_id: { value: 'f1' }, state: 'TASK_RUNNING', status: { task_id: { value: 't1' }, state: 'TASK_RUNNING', container_status: { container_id: { value: 'c-9' } } } } });
  assert.equal(sandboxPath(m.tasks.get(taskKey('f1', 't1'))!), '/frameworks/f1/executors/t1/runs/c-9');
});

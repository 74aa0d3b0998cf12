import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { chunksToString, masterStateChunks, frameworksChunks, renderLegacyTask } from '../../src/master/state-render.ts';
import { agentUsedUncached, legacyFramework, legacyTask, masterState } from '../../src/master/views.ts';
import { recordStatus } from '../../src/master/master.ts';
import { ResourcesInterner, parseResources } from '../../src/common/resources.ts';
import { TASK_STATES, type TaskState, type TaskStatus } from '../../src/proto/mesos.ts';
import type { Master } from '../../src/master/master.ts';
import { addAgent, addFramework, agentUpdate, call, newMaster, openOffers, settle, taskInfo } from '../helpers/in-process-master.ts';

/** The streamed renderer must produce exactly what JSON.stringify of the object views produces. */
function assertRenderingsAgree(master: Master): void {
  assert.equal(chunksToString(masterStateChunks(master)), JSON.stringify(masterState(master)));
  const frameworks = {
    frameworks: [...master.frameworks.values()].map((f) => legacyFramework(master, f)),
    completed_frameworks: master.completedFrameworks.map((f) => legacyFramework(master, f)),
    unregistered_frameworks: [],
  };
  assert.equal(chunksToString(frameworksChunks(master)), JSON.stringify(frameworks));
  for (const agent of master.agents.values()) {
    assert.deepEqual(agent.tasks.used().toLegacy(), agentUsedUncached(agent).toLegacy(), `cached used resources of ${agent.info.hostname}`);
  }
}

const RESOURCE_SHAPES = ['cpus:0.1;mem:32', 'cpus:0.5;mem:64;ports:[31000-31001]', 'cpus:1;mem:128;disk:10', 'cpus:0.25;mem:16;gpus:0'];

/** The renderer has a shortcut for the common {executor_pid: n}; the others take the general path. */
const CONTAINER_STATUSES: Array<Record<string, unknown>> = [
  { container_status: { executor_pid: 42 } }, {}, { container_status: {} },
  { container_status: { executor_pid: 7, network_infos: [{ ip_addresses: [{ ip_address: '10.0.0.1' }] }] } },
  { container_status: { network_infos: [], executor_pid: 9 } },
];

type Op =
  | { kind: 'launch'; fw: number; tasks: number; shape: number; extras: boolean }
  | { kind: 'update'; task: number; state: TaskState; healthy?: boolean; data?: boolean; labels?: boolean; containerStatus: number }
  | { kind: 'ack'; task: number }
  | { kind: 'decline'; fw: number; refuse: number }
  | { kind: 'teardown'; fw: number }
  | { kind: 'unreachable'; agent: number }
  | { kind: 'reconcile'; fw: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('launch' as const), fw: fc.nat(2), tasks: fc.integer({ min: 1, max: 3 }), shape: fc.nat(RESOURCE_SHAPES.length - 1), extras: fc.boolean() }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('update' as const), task: fc.nat(40), state: fc.constantFrom(...TASK_STATES.filter((s) => s !== 'TASK_UNKNOWN')), healthy: fc.option(fc.boolean(), { nil: undefined }), data: fc.boolean(), labels: fc.boolean(), containerStatus: fc.nat(CONTAINER_STATUSES.length - 1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('ack' as const), task: fc.nat(40) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('decline' as const), fw: fc.nat(2), refuse: fc.constantFrom(0, 5, 3600) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('teardown' as const), fw: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unreachable' as const), agent: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reconcile' as const), fw: fc.nat(2) }) },
);

describe('/master/state rendering', () => {
  it('after random launches, status updates, acks, declines, teardowns and lost agents, the streamed state equals JSON.stringify of the object view', async () => {
    await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops) => {
      const { master } = newMaster({ maxCompletedTasksPerFramework: 5 });
      const agents = [await addAgent(master, 'h0'), await addAgent(master, 'h1'), await addAgent(master, 'h2')];
      const fws = [addFramework(master, 'f0').fw, addFramework(master, 'f1', { capabilities: [{ type: 'PARTITION_AWARE' }], labels: { labels: [{ key: 'k', value: 'v' }] } }).fw, addFramework(master, 'f2', { roles: ['r1', 'r2'], capabilities: [{ type: 'MULTI_ROLE' }] }).fw];
      await settle();
      const launched: Array<{ fwId: string; taskId: string; agentId: string; uuid?: string }> = [];
      let seq = 0;
      for (const op of ops) {
        if (op.kind === 'launch') {
          const fw = fws[op.fw]!;
          const offer = openOffers(master, fw)[0];
          if (!offer || master.frameworks.get(fw.id) !== fw) continue;
          const tasks = Array.from({ length: op.tasks }, () => {
            const id = `t${seq++}`;
            const extra = op.extras ? { labels: { labels: [{ key: 'app', value: id }] }, discovery: { visibility: 'FRAMEWORK', name: id }, container: { type: 'MESOS' }, health_check: { type: 'COMMAND', command: { value: 'true' } }, command: { value: 'true', user: 'nobody' } } : {};
            return taskInfo(id, offer.agentId, RESOURCE_SHAPES[op.shape]!, extra as never);
          });
          call(master, fw, { type: 'ACCEPT', accept: { offer_ids: [{ value: offer.id }], operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }], filters: { refuse_seconds: 0 } } });
          for (const t of tasks) launched.push({ fwId: fw.id, taskId: t.task_id.value, agentId: offer.agentId });
        } else if (op.kind === 'update' || op.kind === 'ack') {
          const t = launched[op.task % Math.max(1, launched.length)];
          const agent = t && agents.find((a) => a.agentId === t.agentId);
          if (!t || !agent || !master.agents.has(agent.agentId)) continue;
          if (op.kind === 'update') {
            const extra = { ...(op.healthy !== undefined ? { healthy: op.healthy } : {}), ...(op.data ? { data: 'cGF5bG9hZA==' } : {}), ...(op.labels ? { labels: { labels: [{ key: 'l' }] } } : {}), ...CONTAINER_STATUSES[op.containerStatus] };
            t.uuid = agentUpdate(master, agent, t.fwId, t.taskId, op.state, extra);
          } else if (t.uuid) {
            const fw = master.frameworks.get(t.fwId);
            if (fw) call(master, fw, { type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: t.agentId }, task_id: { value: t.taskId }, uuid: t.uuid } });
          }
        } else if (op.kind === 'decline') {
          const fw = fws[op.fw]!;
          if (master.frameworks.get(fw.id) !== fw) continue;
          call(master, fw, { type: 'DECLINE', decline: { offer_ids: openOffers(master, fw).map((o) => ({ value: o.id })), filters: { refuse_seconds: op.refuse } } });
        } else if (op.kind === 'teardown') {
          const fw = fws[op.fw]!;
          if (master.frameworks.get(fw.id) === fw) call(master, fw, { type: 'TEARDOWN' });
        } else if (op.kind === 'unreachable') {
          const agent = master.agents.get(agents[op.agent]!.agentId);
          if (agent) await master.markAgentUnreachable(agent);
        } else {
          const fw = fws[op.fw]!;
          if (master.frameworks.get(fw.id) === fw) call(master, fw, { type: 'RECONCILE', reconcile: { tasks: [] } });
        }
        await settle();
        assertRenderingsAgree(master);
      }
      // Every task the master knows is in the rendered state, in the list its state puts it in.
      const state = JSON.parse(chunksToString(masterStateChunks(master)));
      const rendered = [...state.frameworks, ...state.completed_frameworks].flatMap((f: any) => [...f.tasks, ...f.unreachable_tasks, ...f.completed_tasks]).length;
      assert.equal(rendered, [...master.allTasks()].length);
      master.stop();
    }), { numRuns: 60 });
  });

  it('renders one task exactly as JSON.stringify(legacyTask) for awkward values', async () => {
    const { master } = newMaster();
    const agent = await addAgent(master, 'h0');
    const { fw } = addFramework(master, 'f');
    await settle();
    const offer = openOffers(master, fw)[0]!;
    const name = 'quote " backslash \\ newline \n unicode \u2028 é';
    call(master, fw, { type: 'ACCEPT', accept: { offer_ids: [{ value: offer.id }], operations: [{ type: 'LAUNCH', launch: { task_infos: [taskInfo('odd', offer.agentId, 'cpus:0.001;mem:0.5;ports:[31005-31005,31007-31009]', { name } as never)] } }] } });
    agentUpdate(master, agent, fw.id, 'odd', 'TASK_RUNNING', { timestamp: 1.5e9 + 0.123456, labels: { labels: [] } });
    const task = fw.tasks.get('odd')!;
    assert.equal(renderLegacyTask(task), JSON.stringify(legacyTask(task)));
    assert.equal(JSON.parse(renderLegacyTask(task)).name, name);
    assert.equal(JSON.parse(renderLegacyTask(task)).resources.ports, '[31005-31005, 31007-31009]');
    master.stop();
  });
});

describe('task records', () => {
  it('keep one status per consecutive state, as Mesos, and never keep status data', () => {
    let statuses: TaskStatus[] = [];
    const s = (state: TaskState, extra: Partial<TaskStatus> = {}): TaskStatus => ({ task_id: { value: 't' }, state, ...extra });
    statuses = recordStatus(statuses, s('TASK_STARTING'));
    const before = statuses;
    statuses = recordStatus(statuses, s('TASK_RUNNING', { healthy: false, data: 'big' }));
    statuses = recordStatus(statuses, s('TASK_RUNNING', { healthy: true }));
    statuses = recordStatus(statuses, s('TASK_FINISHED', { data: 'x' }));
    assert.equal(before.length, 1, 'earlier arrays are never changed');
    assert.deepEqual(statuses.map((x) => [x.state, x.healthy, 'data' in x]), [['TASK_STARTING', undefined, false], ['TASK_RUNNING', true, false], ['TASK_FINISHED', undefined, false]]);
  });

  it('share one Resources object for equal resource lists', () => {
    const interner = new ResourcesInterner(2);
    const json = parseResources('cpus:0.1;mem:32').toJSON('r');
    const a = interner.fromJSON(json);
    assert.equal(interner.fromJSON(JSON.parse(JSON.stringify(json))), a);
    const b = interner.fromJSON(parseResources('cpus:1').toJSON());
    assert.notEqual(b, a);
    assert.equal(b.scalar('cpus'), 1);
    interner.fromJSON(parseResources('cpus:2').toJSON()); // over capacity: starts over, still correct
    assert.ok(interner.fromJSON(json).equals(a));
  });
});

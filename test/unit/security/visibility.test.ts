// view_* ACLs applied to the master's model: hidden frameworks, tasks and agents leave every rendering.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAcls } from '../../../src/security/acls.ts';
import { visibleMaster } from '../../../src/master/visibility.ts';
import { chunksToString, masterStateChunks } from '../../../src/master/state-render.ts';
import { masterState, v1GetAgents, v1GetTasks } from '../../../src/master/views.ts';
import { addAgent, addFramework, allocationTick, call, newMaster, openOffers, taskInfo } from '../../helpers/in-process-master.ts';

const ACLS = parseAcls(JSON.stringify({
  view_frameworks: [{ principals: { values: ['alice'] }, users: { values: ['alice'] } }, { principals: { type: 'ANY' }, users: { type: 'NONE' } }],
  view_tasks: [{ principals: { values: ['alice'] }, users: { values: ['alice'] } }, { principals: { type: 'ANY' }, users: { type: 'NONE' } }],
  view_agents: [{ principals: { values: ['alice'] }, agents: { values: ['h1'] } }, { principals: { values: ['alice'] }, agents: { type: 'NONE' } }],
}));

async function cluster() {
  const { master } = newMaster();
  await addAgent(master, 'h1');
  await addAgent(master, 'h2');
  const alice = addFramework(master, 'alice-fw', { user: 'alice' }).fw;
  const bob = addFramework(master, 'bob-fw', { user: 'bob' }).fw;
  await allocationTick(master);
  const launch = (fw: typeof alice, tasks: Array<[string, string | undefined]>) => {
    const offer = openOffers(master, fw)[0]!;
    const infos = tasks.map(([id, user]) => taskInfo(id, offer.agentId, 'cpus:0.1;mem:16', user ? { command: { value: 'true', user } } : {}));
    call(master, fw, { type: 'ACCEPT', accept: { offer_ids: [{ value: offer.id }], operations: [{ type: 'LAUNCH', launch: { task_infos: infos } }] } });
  };
  launch(alice, [['a1', undefined], ['a-as-bob', 'bob']]);
  launch(bob, [['b1', undefined]]);
  return { master, alice };
}

describe('visibleMaster', () => {
  it('is the master itself when no rule can hide anything', async () => {
    const { master } = await cluster();
    assert.equal(visibleMaster(master, undefined, 'alice'), master);
    assert.equal(visibleMaster(master, parseAcls('{"run_tasks":[]}'), 'alice'), master);
  });

  it("hides other users' frameworks, tasks run as other users, and agents not granted", async () => {
    const { master, alice } = await cluster();
    const view = visibleMaster(master, ACLS, 'alice');
    const state = masterState(view) as { frameworks: Array<{ name: string; tasks: Array<{ id: string }> }>; slaves: Array<{ hostname: string }> };
    assert.deepEqual(state.frameworks.map((f) => f.name), ['alice-fw']);
    assert.deepEqual(state.frameworks[0]!.tasks.map((t) => t.id), ['a1'], "a task alice's framework runs as bob is bob's");
    assert.deepEqual(state.slaves.map((s) => s.hostname), ['h1']);
    assert.deepEqual((v1GetTasks(view) as { tasks: Array<{ task_id: { value: string } }> }).tasks.map((t) => t.task_id.value), ['a1']);
    assert.equal((v1GetAgents(view) as { agents: unknown[] }).agents.length, 1);
    // The streamed renderer agrees with the object views on a filtered master too.
    assert.equal(chunksToString(masterStateChunks(view)), JSON.stringify(masterState(view)));
    // The real master is untouched.
    assert.equal(master.frameworks.size, 2);
    assert.equal(master.frameworks.get(alice.id)!.tasks.size, 2);
  });

  it('shows anonymous callers nothing the rules reserve', async () => {
    const { master } = await cluster();
    const state = masterState(visibleMaster(master, ACLS, undefined)) as { frameworks: unknown[]; slaves: unknown[] };
    assert.equal(state.frameworks.length, 0);
    assert.equal(state.slaves.length, 2, 'agent rules name alice only: no rule matches anonymous → permissive');
  });
});

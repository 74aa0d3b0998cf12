// The master's handling of scheduler calls, driven in process with a manual clock (no sockets): offer filters,
// SUPPRESS/REVIVE, offer timeouts, framework failover, invalid launches and framework messages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addAgent, addFramework, allocationTick, call, newMaster, openOffers, settle, taskInfo } from '../helpers/in-process-master.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('master: offers, filters, SUPPRESS and REVIVE', () => {
  it('DECLINE without filters withholds the agent for the default 5 seconds, then offers it again', async () => {
    const { master, clock } = newMaster();
    await addAgent(master, 'h0');
    const { fw, sink } = addFramework(master, 'f');
    await settle();
    const [offer] = openOffers(master, fw);
    call(master, fw, { type: 'DECLINE', decline: { offer_ids: [{ value: offer!.id }] } });
    await settle();
    clock.advance(4_900);
    await allocationTick(master);
    assert.equal(openOffers(master, fw).length, 0, 'still filtered after 4.9 s');
    clock.advance(200);
    await allocationTick(master);
    assert.equal(openOffers(master, fw).length, 1, 'offered again after 5 s');
    assert.equal(sink.ofType('OFFERS').length, 2);
    master.stop();
  });

  it('an explicit refuse_seconds is honoured, and REVIVE clears the filter at once', async () => {
    const { master, clock } = newMaster();
    await addAgent(master, 'h0');
    const { fw } = addFramework(master, 'f');
    await settle();
    call(master, fw, { type: 'DECLINE', decline: { offer_ids: openOffers(master, fw).map((o) => ({ value: o.id })), filters: { refuse_seconds: 60 } } });
    clock.advance(30_000);
    await allocationTick(master);
    assert.equal(openOffers(master, fw).length, 0);
    call(master, fw, { type: 'REVIVE' });
    await settle();
    assert.equal(openOffers(master, fw).length, 1);
    master.stop();
  });

  it('SUPPRESS stops offers (filters expiring or not) until REVIVE', async () => {
    const { master, clock } = newMaster();
    await addAgent(master, 'h0');
    const { fw } = addFramework(master, 'f');
    await settle();
    call(master, fw, { type: 'SUPPRESS' });
    call(master, fw, { type: 'DECLINE', decline: { offer_ids: openOffers(master, fw).map((o) => ({ value: o.id })), filters: { refuse_seconds: 1 } } });
    clock.advance(10_000);
    await allocationTick(master);
    assert.equal(openOffers(master, fw).length, 0, 'suppressed');
    const other = addFramework(master, 'other').fw;
    await settle();
    assert.equal(openOffers(master, other).length, 1, 'the resources go to frameworks that want them');
    call(master, other, { type: 'DECLINE', decline: { offer_ids: openOffers(master, other).map((o) => ({ value: o.id })), filters: { refuse_seconds: 3600 } } });
    call(master, fw, { type: 'REVIVE' });
    await settle();
    assert.equal(openOffers(master, fw).length, 1, 'revived');
    master.stop();
  });

  it('rescinds an offer that is not used within --offer-timeout and offers the resources again', async () => {
    const { master } = newMaster({ offerTimeoutMs: 30 });
    await addAgent(master, 'h0');
    const { fw, sink } = addFramework(master, 'f');
    await settle();
    const [first] = openOffers(master, fw);
    await sleep(120);
    const rescinds = sink.ofType('RESCIND');
    assert.ok(rescinds.some((e) => e.rescind.offer_id.value === first!.id), 'RESCIND for the stale offer');
    assert.ok(sink.ofType('OFFERS').length >= 2, 're-offered after the rescind');
    assert.notEqual(openOffers(master, fw)[0]?.id, first!.id);
    master.stop();
  });
});

describe('master: framework failover', () => {
  it('a framework that re-subscribes within failover_timeout keeps its tasks', async () => {
    const { master } = newMaster();
    await addAgent(master, 'h0');
    const { fw, sink } = addFramework(master, 'f', { failover_timeout: 0.1 });
    await settle();
    const [offer] = openOffers(master, fw);
    call(master, fw, { type: 'ACCEPT', accept: { offer_ids: [{ value: offer!.id }], operations: [{ type: 'LAUNCH', launch: { task_infos: [taskInfo('keep', offer!.agentId, 'cpus:1;mem:32')] } }] } });
    sink.close(); // the scheduler's connection drops
    assert.equal(fw.connected, false);
    const again = addFramework(master, 'f', { failover_timeout: 0.1, id: { value: fw.id } });
    assert.equal(again.fw, fw);
    await sleep(200); // longer than failover_timeout: the cancelled timer must not remove it
    assert.equal(master.frameworks.get(fw.id), fw);
    assert.equal(fw.tasks.get('keep')?.state, 'TASK_STAGING');
    master.stop();
  });

  it('after failover_timeout the framework is removed, its tasks killed and the agent told to shut it down', async () => {
    const { master } = newMaster();
    const agent = await addAgent(master, 'h0');
    const { fw, sink } = addFramework(master, 'f', { failover_timeout: 0.05 });
    await settle();
    const [offer] = openOffers(master, fw);
    call(master, fw, { type: 'ACCEPT', accept: { offer_ids: [{ value: offer!.id }], operations: [{ type: 'LAUNCH', launch: { task_infos: [taskInfo('doomed', offer!.agentId, 'cpus:1;mem:32')] } }] } });
    sink.close();
    await sleep(150);
    assert.equal(master.frameworks.has(fw.id), false);
    assert.ok(master.completedFrameworks.includes(fw));
    const task = fw.completedTasks.find((t) => t.taskId === 'doomed');
    assert.equal(task?.state, 'TASK_KILLED');
    assert.equal(task?.statuses.at(-1)?.reason, 'REASON_FRAMEWORK_REMOVED');
    assert.ok(agent.sink.ofType('SHUTDOWN_FRAMEWORK').some((e) => e.shutdown_framework.framework_id.value === fw.id));
    // Its resources are free again for others.
    const other = addFramework(master, 'other').fw;
    await settle();
    assert.equal(master.offers.get(openOffers(master, other)[0]!.id)!.resources.scalar('cpus'), 4);
    // And it cannot come back.
    const late = addFramework(master, 'f', { id: { value: fw.id } });
    assert.equal(late.sink.events[0]!.type, 'ERROR');
    master.stop();
  });
});

describe('master: invalid launches', () => {
  it('answers unknown offers with TASK_LOST (TASK_DROPPED when partition-aware) and REASON_INVALID_OFFERS', async () => {
    const { master } = newMaster();
    const agent = await addAgent(master, 'h0');
    const plain = addFramework(master, 'plain');
    const aware = addFramework(master, 'aware', { capabilities: [{ type: 'PARTITION_AWARE' }] });
    for (const { fw } of [plain, aware]) {
      call(master, fw, { type: 'ACCEPT', accept: { offer_ids: [{ value: 'no-such-offer' }], operations: [{ type: 'LAUNCH', launch: { task_infos: [taskInfo(`x-${fw.info.name}`, agent.agentId, 'cpus:1;mem:32')] } }] } });
    }
    const lost = plain.sink.ofType('UPDATE').at(-1)!.update.status;
    const dropped = aware.sink.ofType('UPDATE').at(-1)!.update.status;
    assert.deepEqual([lost.state, lost.reason, lost.source], ['TASK_LOST', 'REASON_INVALID_OFFERS', 'SOURCE_MASTER']);
    assert.deepEqual([dropped.state, dropped.reason], ['TASK_DROPPED', 'REASON_INVALID_OFFERS']);
    assert.match(lost.message, /no-such-offer/);
    master.stop();
  });

  it('answers a duplicate task id, resources beyond the offer and a wrong agent with TASK_ERROR / REASON_TASK_INVALID', async () => {
    const { master } = newMaster();
    await addAgent(master, 'h0');
    const { fw, sink } = addFramework(master, 'f');
    await settle();
    const [offer] = openOffers(master, fw);
    call(master, fw, { type: 'ACCEPT', accept: { offer_ids: [{ value: offer!.id }], operations: [{ type: 'LAUNCH', launch: { task_infos: [
      taskInfo('dup', offer!.agentId, 'cpus:1;mem:32'), taskInfo('dup', offer!.agentId, 'cpus:1;mem:32'),
      taskInfo('greedy', offer!.agentId, 'cpus:1;mem:32;ports:[40000-40000]'), taskInfo('elsewhere', 'other-agent', 'cpus:1;mem:32'),
    ] } }] } });
    const errors = new Map(sink.ofType('UPDATE').map((e) => [e.update.status.task_id.value, e.update.status]));
    assert.equal(fw.tasks.get('dup')?.state, 'TASK_STAGING', 'the first one launches');
    for (const [id, pattern] of [['dup', /duplicate ID/], ['greedy', /more resources/], ['elsewhere', /invalid agent/]] as const) {
      const st = errors.get(id)!;
      assert.deepEqual([st.state, st.reason], ['TASK_ERROR', 'REASON_TASK_INVALID'], id);
      assert.match(st.message, pattern);
    }
    master.stop();
  });
});

describe('master: framework messages', () => {
  it('forwards MESSAGE to the executor\'s agent and counts messages for unknown agents as invalid', async () => {
    const { master } = newMaster();
    const agent = await addAgent(master, 'h0');
    const { fw } = addFramework(master, 'f');
    call(master, fw, { type: 'MESSAGE', message: { agent_id: { value: agent.agentId }, executor_id: { value: 'ex-1' }, data: 'aGVsbG8=' } });
    call(master, fw, { type: 'MESSAGE', message: { agent_id: { value: 'nowhere' }, executor_id: { value: 'ex-1' }, data: 'aGVsbG8=' } });
    const forwarded = agent.sink.ofType('FRAMEWORK_MESSAGE');
    assert.equal(forwarded.length, 1);
    assert.deepEqual(forwarded[0]!.framework_message, { framework_id: { value: fw.id }, executor_id: { value: 'ex-1' }, data: 'aGVsbG8=' });
    const snapshot = master.opts.metrics.snapshot();
    assert.equal(snapshot['master/valid_framework_to_executor_messages'], 1);
    assert.equal(snapshot['master/invalid_framework_to_executor_messages'], 1);
    master.stop();
  });
});

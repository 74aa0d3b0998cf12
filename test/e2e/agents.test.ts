// End to end: agent liveness, agent restarts, and DRF between two frameworks sharing one cluster.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, getJson, eventually, killSandboxProcesses } from '../helpers/processes.ts';
import { RawScheduler, commandTask, launch } from '../helpers/raw-scheduler.ts';

const FAST_PINGS = ['--agent-ping-timeout', '300ms', '--max-agent-ping-timeouts', '3'];

describe('agents', () => {
  it('a killed agent is declared unreachable: TASK_LOST for ordinary frameworks, TASK_UNREACHABLE for partition-aware ones', async () => {
    const cluster = await startCluster({ agents: 1, agentIpBase: 2, masterArgs: FAST_PINGS });
    const plain = new RawScheduler(cluster.masterAddress);
    const aware = new RawScheduler(cluster.masterAddress);
    try {
      await plain.subscribe({ user: 'root', name: 'plain' });
      plain.autoAck();
      const [offer] = await plain.nextOffers();
      // Use half the agent, leave the rest for the second framework.
      await plain.call(launch([offer.id.value], [commandTask('lost-1', offer.agent_id.value, 'sleep 600', 'cpus:1;mem:256')], { refuse_seconds: 3600 }));
      await plain.waitForUpdate('lost-1', 'TASK_RUNNING');
      await aware.subscribe({ user: 'root', name: 'aware', capabilities: [{ type: 'PARTITION_AWARE' }] });
      aware.autoAck();
      const [offer2] = await aware.nextOffers();
      await aware.call(launch([offer2.id.value], [commandTask('unreach-1', offer2.agent_id.value, 'sleep 600', 'cpus:0.5;mem:128')]));
      await aware.waitForUpdate('unreach-1', 'TASK_RUNNING');

      await cluster.agents[0]!.stop('SIGKILL');
      const lost = await plain.waitForUpdate('lost-1', 'TASK_LOST', 10_000);
      assert.equal(lost.reason, 'REASON_AGENT_REMOVED');
      assert.equal(lost.source, 'SOURCE_MASTER');
      const unreachable = await aware.waitForUpdate('unreach-1', 'TASK_UNREACHABLE', 10_000);
      assert.equal(unreachable.reason, 'REASON_AGENT_REMOVED');
      assert.ok(unreachable.unreachable_time.nanoseconds > 0);
      await plain.waitFor((e) => e.type === 'FAILURE' && e.failure.agent_id.value === offer.agent_id.value);
      const state = await getJson(`http://${cluster.masterAddress}/master/state`);
      assert.equal(state.slaves.length, 0);
      assert.equal(state.unreachable_slaves, 1);
      const metrics = await getJson(`http://${cluster.masterAddress}/metrics/snapshot`);
      assert.equal(metrics['master/slaves_unreachable'], 1);
      assert.equal(metrics['master/tasks_lost'], 1);
    } finally {
      // SIGKILL left the agent's task processes behind: they are in their own process groups.
      killSandboxProcesses(cluster.dir);
      plain.close(); aware.close();
      await cluster.stop();
    }
  });

  it('a restarted agent re-registers under the same id and the master reconciles the tasks it lost', async () => {
    const cluster = await startCluster({ agents: 1, agentIpBase: 3 });
    const s = new RawScheduler(cluster.masterAddress);
    try {
      await s.subscribe({ user: 'root', name: 'restart' });
      s.autoAck();
      const [offer] = await s.nextOffers();
      await s.call(launch([offer.id.value], [commandTask('r-1', offer.agent_id.value, 'sleep 600')]));
      await s.waitForUpdate('r-1', 'TASK_RUNNING');
      await cluster.agents[0]!.stop('SIGTERM'); // a clean stop kills its tasks
      await cluster.startAgent(0);
      const gone = await s.waitForUpdate('r-1', 'TASK_LOST');
      assert.equal(gone.reason, 'REASON_AGENT_RESTARTED');
      const state = await eventually(async () => {
        const st = await getJson(`http://${cluster.masterAddress}/master/state`);
        return st.slaves.length === 1 && st.slaves[0].active ? st : undefined;
      });
      assert.equal(state.slaves[0].id, offer.agent_id.value);
      assert.ok(state.slaves[0].reregistered_time > 0);
      // The agent's resources are offered again.
      const again = await s.nextOffers(s.events.findIndex((e) => e.update?.status.task_id.value === 'r-1' && e.update.status.state === 'TASK_LOST'));
      assert.equal(again[0].agent_id.value, offer.agent_id.value);
    } finally {
      s.close();
      await cluster.stop();
    }
  });

  it('two frameworks share the cluster by DRF: the one with the lower dominant share is offered first', async () => {
    const cluster = await startCluster({ agents: 1, agentIpBase: 4, agentArgs: ['--resources', 'cpus:4;mem:4096;disk:1000;ports:[31000-31100]'] });
    const a = new RawScheduler(cluster.masterAddress);
    const b = new RawScheduler(cluster.masterAddress);
    try {
      await a.subscribe({ user: 'root', name: 'fw-a' });
      a.autoAck();
      const [offer] = await a.nextOffers();
      // A takes half the agent, and leaves the rest unfiltered.
      await a.call(launch([offer.id.value], [commandTask('a-1', offer.agent_id.value, 'sleep 600', 'cpus:2;mem:2048')], { refuse_seconds: 0 }));
      await a.waitForUpdate('a-1', 'TASK_RUNNING');
      // A alone: the remainder comes straight back to it.
      const [rest] = await a.nextOffers(a.events.findIndex((e) => e.type === 'OFFERS') + 1);
      await b.subscribe({ user: 'root', name: 'fw-b' });
      // A declines without a filter; B (share 0) is offered the remainder ahead of A (share 0.5).
      await a.call({ type: 'DECLINE', decline: { offer_ids: [rest.id], filters: { refuse_seconds: 0 } } });
      const [offerB] = await b.nextOffers();
      const cpus = offerB.resources.find((r: any) => r.name === 'cpus').scalar.value;
      assert.equal(cpus, 2);
      const state = await getJson(`http://${cluster.masterAddress}/master/state`);
      const fwA = state.frameworks.find((f: any) => f.name === 'fw-a');
      const fwB = state.frameworks.find((f: any) => f.name === 'fw-b');
      assert.equal(fwA.used_resources.cpus, 2);
      assert.equal(fwB.offered_resources.cpus, 2);
      assert.equal(fwA.offered_resources.cpus, 0);
    } finally {
      await a.call({ type: 'TEARDOWN' }).catch(() => undefined);
      a.close(); b.close();
      await cluster.stop();
    }
  });
});


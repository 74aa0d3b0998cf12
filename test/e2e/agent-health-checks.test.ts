// End to end: the agent runs TaskInfo.health_check as Mesos' command executor does, and a raw framework sees
// the health updates and the kill of a task whose check keeps failing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster } from '../helpers/processes.ts';
import { RawScheduler, commandTask, launch } from '../helpers/raw-scheduler.ts';

describe('agent health checks', () => {
  it('COMMAND and HTTP checks report healthy:true; a check that starts failing gets healthy:false and its task killed', async () => {
    const cluster = await startCluster({ agents: 1, agentIpBase: 40 });
    const s = new RawScheduler(cluster.masterAddress);
    try {
      await s.subscribe({ user: 'root', name: 'health' });
      s.autoAck();
      const [offer] = await s.nextOffers();
      const check = (value: string) => ({ type: 'COMMAND', command: { value }, delay_seconds: 0, interval_seconds: 0.3, timeout_seconds: 5, consecutive_failures: 2, grace_period_seconds: 0 });
      // The check sees the task's environment and runs in its sandbox.
      const steady = commandTask('hc-steady', offer.agent_id.value, 'sleep 600', 'cpus:0.1;mem:32', {
        command: { value: 'sleep 600', environment: { variables: [{ name: 'MARKER', value: 'set' }] } },
        health_check: check('test "$MARKER" = set && test "$MESOS_TASK_ID" = hc-steady && test -d "$MESOS_SANDBOX"'),
      });
      // Healthy until the task drops a file into its sandbox, then failing.
      const failing = commandTask('hc-failing', offer.agent_id.value, 'sleep 1; touch broken; sleep 600', 'cpus:0.1;mem:32', {
        health_check: check('test ! -e broken'),
      });
      // HTTP checks reach a server bound to the agent's own address, on a port taken from the offer.
      const web = commandTask('hc-http', offer.agent_id.value, 'exec python3 -m http.server 31005 --bind "$MESOS_HOSTNAME"', 'cpus:0.1;mem:64', {
        health_check: { type: 'HTTP', http: { port: 31005, path: '/' }, delay_seconds: 0, interval_seconds: 0.3, timeout_seconds: 5, consecutive_failures: 100, grace_period_seconds: 30 },
      }) as { resources: object[] };
      web.resources.push({ name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31005, end: 31005 }] } });
      const r = await s.call(launch([offer.id.value], [steady, failing, web]));
      assert.equal(r.status, 202);

      const healthy = await s.waitFor((e) => e.type === 'UPDATE' && e.update.status.task_id.value === 'hc-steady' && e.update.status.healthy === true);
      assert.equal(healthy.update.status.state, 'TASK_RUNNING');
      assert.equal(healthy.update.status.reason, 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED');

      const killed = await s.waitForUpdate('hc-failing', 'TASK_KILLED', 20_000);
      assert.equal(killed.healthy, false);
      const updates = s.updates('hc-failing');
      const health = updates.filter((u) => u.reason === 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED').map((u) => u.healthy);
      // First success, then one update per counted failure until the second one asks for the kill.
      assert.deepEqual(health, [true, false, false]);
      assert.ok(updates.filter((u) => u.reason === 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED').every((u) => u.state === 'TASK_RUNNING'));

      const webHealthy = await s.waitFor((e) => e.type === 'UPDATE' && e.update.status.task_id.value === 'hc-http' && e.update.status.healthy === true, 20_000);
      assert.equal(webHealthy.update.status.reason, 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED');

      // The steady task is untouched: no unhealthy update, still running.
      assert.ok(s.updates('hc-steady').every((u) => u.healthy !== false && u.state !== 'TASK_KILLED'));
    } finally {
      s.close();
      await cluster.stop();
    }
  });
});

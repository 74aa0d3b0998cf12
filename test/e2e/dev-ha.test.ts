// `trireme dev --ha`: a 3-node ZooKeeper ensemble, 3 masters and 3 agents from one command.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, getJson, startRole, tempDir } from '../helpers/processes.ts';
import { ensureZooKeeper } from '../helpers/zookeeper.ts';

describe('trireme dev --ha', () => {
  it('runs three masters that elect one leader, and agents that register with it through ZooKeeper', async () => {
    ensureZooKeeper();
    const dir = tempDir();
    // Port 0 everywhere: the test must not collide with a developer's cluster or with other tests.
    const dev = await startRole(['dev', '--ha', '--data-dir', dir.path, '--master-port', '0', '--agent-port', '0', '--zk-port', '0'], 'master listening', 90_000);
    try {
      await eventually(() => dev.output().includes('Trireme (HA) is running'), 60_000);
      const banner = [...dev.output().matchAll(/master \d +(http:\/\/[\d.:]+) +\(pid (\d+)/g)];
      const masters = banner.map((m) => m[1]!);
      const pids = new Map(banner.map((m) => [m[1]!, Number(m[2])]));
      assert.equal(masters.length, 3);
      assert.match(dev.output(), /--master for frameworks and agents: zk:\/\/127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+\/mesos/);
      const leader = await eventually(async () => {
        const elected = [];
        for (const m of masters) if ((await getJson(`${m}/metrics/snapshot`))['master/elected'] === 1) elected.push(m);
        return elected.length === 1 ? elected[0] : undefined;
      }, 30_000);
      const state = await eventually(async () => {
        const st = await getJson(`${leader}/master/state`);
        return st.slaves.length === 3 ? st : undefined;
      }, 30_000);
      assert.deepEqual(state.slaves.map((s: any) => s.hostname).sort(), ['127.0.0.2', '127.0.0.3', '127.0.0.4']);
      for (const m of masters.filter((x) => x !== leader)) {
        const st = await getJson(`${m}/master/state`);
        assert.equal(`http://${st.leader_info.hostname}:${st.leader_info.port}`, leader, 'followers name the leader');
      }

      // The masters are separate processes: kill -9 the leader and another takes over, with the agents.
      process.kill(pids.get(leader!)!, 'SIGKILL');
      const next = await eventually(async () => {
        for (const m of masters.filter((x) => x !== leader)) {
          const st = await getJson(`${m}/master/state`);
          if (st.elected_time !== undefined && st.slaves.filter((a: any) => a.active).length === 3) return m;
        }
        return undefined;
      }, 60_000, 200);
      assert.notEqual(next, leader);
    } finally {
      await dev.stop();
      dir.remove();
    }
  });
});

// `trireme dev --ha`: a 3-node ZooKeeper ensemble, 3 masters and 3 agents from one command.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { eventually, getJson, startRole, tempDir } from '../helpers/processes.ts';
import { ensureZooKeeper } from '../helpers/zookeeper.ts';

describe('trireme dev --ha', () => {
  it('runs three masters that elect one leader, agents that register with it through ZooKeeper, and Marathon and Chronos with standbys', async () => {
    ensureZooKeeper();
    const dir = tempDir();
    // Port 0 everywhere: the test must not collide with a developer's cluster or with other tests.
    const dev = await startRole(['dev', '--ha', '--data-dir', dir.path, '--master-port', '0', '--agent-port', '0', '--zk-port', '0', '--marathon-port', '0', '--chronos-port', '0'], 'master listening', 90_000);
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

      // Two Marathon and two Chronos instances, one leader each, both registered with the leading master.
      const marathons = [...dev.output().matchAll(/marathon \d +(http:\/\/[\d.:]+)/g)].map((m) => m[1]!);
      const chronoses = [...dev.output().matchAll(/chronos \d +(http:\/\/[\d.:]+)/g)].map((m) => m[1]!);
      assert.equal(marathons.length, 2);
      assert.equal(chronoses.length, 2);
      const infos = await Promise.all(marathons.map((m) => getJson(`${m}/v2/info`)));
      assert.deepEqual(infos.map((i) => i.elected).sort(), [false, true], 'one Marathon leads');
      const standby = marathons[infos.findIndex((i) => !i.elected)]!;
      assert.equal((await getJson(`${standby}/v2/leader`)).leader, new URL(marathons[infos.findIndex((i) => i.elected)]!).host);
      const chronosLeaders = await Promise.all(chronoses.map(async (c) => (await getJson(`${c}/v1/scheduler/leader`)).leader));
      assert.equal(new Set(chronosLeaders).size, 1, 'both Chronos instances name the same leader');
      assert.ok(chronoses.some((c) => new URL(c).host === chronosLeaders[0]));
      await eventually(async () => {
        const names = (await getJson(`${leader}/master/state`)).frameworks.filter((f: any) => f.active).map((f: any) => f.name).sort();
        return names.join() === 'chronos,marathon';
      }, 30_000, 200);

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

      // kill -9 of `trireme dev --ha` itself leaves nothing behind: its watchdog stops every child process.
      const children = [
        ...[...pids.values()].filter((p) => p !== pids.get(leader!)),
        ...[...dev.output().matchAll(/(?:marathon|chronos) \d +http:\/\/[\d.:]+ +\(pid (\d+)/g)].map((m) => Number(m[1])),
        ...(/zookeeper .*pids ([\d ]+)\)/.exec(dev.output())?.[1]!.trim().split(' ').map(Number) ?? []),
      ];
      assert.equal(children.length, 2 + 2 + 2 + 3, `child pids from the banner: ${children.join(' ')}`);
      const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
      assert.ok(children.every(alive));
      await dev.stop('SIGKILL');
      await eventually(() => children.every((p) => !alive(p)), 30_000, 200);
    } finally {
      await dev.stop();
      dir.remove();
    }
  });

  it('kill -9 while it is still starting leaves no child process behind either', async () => {
    ensureZooKeeper();
    const dir = tempDir();
    /** Processes (ZooKeeper JVMs, masters, ...) whose command line names the data dir. */
    const children = () => readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid).filter((p) => {
      try { return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir.path); } catch { return false; }
    }).map(Number);
    const dev = await startRole(['dev', '--ha', '--data-dir', dir.path, '--master-port', '0', '--agent-port', '0', '--zk-port', '0', '--marathon-port', '0', '--chronos-port', '0'], 'master listening', 90_000);
    try {
      // The first master is up; the others, the agents, Marathon and Chronos are still to come.
      assert.equal(dev.output().includes('Trireme (HA) is running'), false);
      const started = children().filter((p) => p !== dev.proc.pid);
      assert.ok(started.length >= 4, `ZooKeeper nodes and a master run: ${started.join(' ')}`);
      await dev.stop('SIGKILL');
      await eventually(() => children().length === 0, 30_000, 200);
    } finally {
      await dev.stop();
      dir.remove();
    }
  });
});

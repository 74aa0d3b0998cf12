// Marathon when an agent dies: its tasks become unreachable and are relaunched on other agents, honouring the
// app's unreachableStrategy and a hostname UNIQUE constraint.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startCluster } from '../helpers/processes.ts';
import { api, openEvents, startMarathonRole } from '../helpers/marathon.ts';
import { killSandboxProcesses } from '../helpers/processes.ts';

describe('marathon and a lost agent', () => {
  it('tasks of a SIGKILLed agent are relaunched elsewhere', async () => {
    const cluster = await startCluster({ agents: 3, agentIpBase: 32, masterArgs: ['--agent-ping-timeout', '300ms', '--max-agent-ping-timeouts', '3'] });
    const marathon = await startMarathonRole(cluster.masterAddress, cluster.dir);
    const base = marathon.url;
    const stream = await openEvents(base, '?event_type=status_update_event&event_type=event_stream_attached');
    try {
      await stream.attached;
      const created = await api(base, 'POST', '/v2/apps', {
        id: '/spread', cmd: 'sleep 120', cpus: 0.1, mem: 16, instances: 2, constraints: [['hostname', 'UNIQUE']],
        unreachableStrategy: { inactiveAfterSeconds: 0, expungeAfterSeconds: 0 },
      });
      assert.equal(created.status, 201, created.text);
      const first = await eventually(async () => {
        const a = (await api(base, 'GET', '/v2/apps/spread')).body.app;
        return a.tasksRunning === 2 && a.tasks.length === 2 ? a : undefined;
      }, 30_000);
      const hosts: string[] = first.tasks.map((t: any) => t.host);
      assert.equal(new Set(hosts).size, 2, 'UNIQUE hostname');
      const victimHost = hosts[0]!;
      const victimIndex = Number(victimHost.split('.').pop()) - 2;
      const lostTask = first.tasks.find((t: any) => t.host === victimHost).id;

      await cluster.agents[victimIndex]!.stop('SIGKILL');
      const healed = await eventually(async () => {
        const a = (await api(base, 'GET', '/v2/apps/spread')).body.app;
        const live = a.tasks.filter((t: any) => t.state === 'TASK_RUNNING');
        return live.length === 2 && !live.some((t: any) => t.host === victimHost) ? a : undefined;
      }, 30_000);
      const newHosts = healed.tasks.map((t: any) => t.host).sort();
      const free = ['127.0.32.2', '127.0.32.3', '127.0.32.4'].filter((h) => h !== victimHost);
      assert.deepEqual(newHosts, free, 'relaunched on the one agent UNIQUE still allows');
      assert.ok(stream.events.some((e) => e.data.taskId === lostTask && e.data.taskStatus === 'TASK_UNREACHABLE'), 'the lost task was reported unreachable');
    } finally {
      stream.close();
      await marathon.stop();
      killSandboxProcesses(cluster.dir);
      await cluster.stop();
    }
  });
});

// `trireme dev --ha`: the seed's HA topology on one machine: a 3-node ZooKeeper ensemble (client ports
// 2181-2183 by default), three masters with --zk --quorum 2 on 127.0.0.1 (ports 5050, 5060, 5070 by default)
// and N agents that follow the leading master through ZooKeeper.
import { join } from 'node:path';
import { createLogger } from '../common/logger.ts';
import { StartupError } from '../common/http.ts';
import type { AttributeJSON } from '../common/resources.ts';
import { startMaster, type RunningMaster } from '../master/server.ts';
import { startAgent, type RunningAgent } from '../agent/server.ts';
import { ZooKeeperEnsemble } from '../state/zookeeper-ensemble.ts';

export interface DevHaOptions {
  dataDir: string;
  agents: number;
  /** Port of master 1; masters 2 and 3 use +10 and +20 (0: any free port for each). */
  masterPort: number;
  agentPort: number;
  /** Client port of ZooKeeper node 1; nodes 2 and 3 use +1 and +2 (0: any free ports). */
  zkPort: number;
  agentResources: string;
  agentAttributes(index: number): AttributeJSON[];
  agentIp(index: number): string;
}

export async function startDevHa(o: DevHaOptions): Promise<{ close(): Promise<void> }> {
  let zk: ZooKeeperEnsemble;
  try {
    zk = await ZooKeeperEnsemble.start({ dir: join(o.dataDir, 'zookeeper'), clientPortBase: o.zkPort, tickTimeMs: 1000 });
  } catch (err) {
    throw new StartupError(`dev --ha: ZooKeeper did not start: ${(err as Error).message.split('\n')[0]}`);
  }
  const url = zk.url('/mesos');
  const masters: RunningMaster[] = [];
  const agents: RunningAgent[] = [];
  const close = async () => {
    for (const a of agents) await a.close();
    for (const m of masters) await m.close();
    await zk.close();
  };
  try {
    for (let i = 0; i < 3; i++) {
      masters.push(await startMaster({
        ip: '127.0.0.1', port: o.masterPort === 0 ? 0 : o.masterPort + 10 * i, hostname: '127.0.0.1', workDir: join(o.dataDir, `master-${i + 1}`), registry: 'sqlite',
        allocationIntervalMs: 1000, agentPingTimeoutMs: 15_000, maxAgentPingTimeouts: 5, heartbeatIntervalSeconds: 15,
        maxCompletedFrameworks: 50, maxCompletedTasksPerFramework: 1000, zk: url, quorum: 2,
      }, createLogger(`master-${i + 1}`)));
    }
    for (let i = 0; i < o.agents; i++) {
      const ip = o.agentIp(i);
      agents.push(await startAgent({
        master: url, ip, port: o.agentPort, hostname: ip, workDir: join(o.dataDir, `agent-${i + 1}`),
        resources: o.agentResources, attributes: o.agentAttributes(i), statusUpdateRetryMs: 10_000, registrationBackoffMs: 1000,
      }, createLogger(`agent-${i + 1}`)));
    }
  } catch (err) {
    await close();
    throw err;
  }
  const lines = [
    '',
    'Trireme (HA) is running:',
    `  zookeeper ${zk.connectString}   (masters elect a leader under /mesos)`,
    ...masters.map((m, i) => `  master ${i + 1}  ${m.url}   (any master redirects to the leader: ${m.url}/master/redirect)`),
    ...agents.map((a, i) => `  agent ${i + 1}   ${a.url}`),
    `  data      ${o.dataDir}`,
    `  --master for frameworks and agents: ${url}`,
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return { close };
}

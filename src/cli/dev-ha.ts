// `trireme dev --ha`: the seed's HA topology on one machine: a 3-node ZooKeeper ensemble (client ports
// 2181-2183 by default), three masters with --zk --quorum 2 on 127.0.0.1 (ports 5050, 5060, 5070 by default)
// and N agents that follow the leading master through ZooKeeper. The masters are child processes, so one can be
// killed to watch a failover; agents run in this process as in plain `trireme dev`.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createLogger } from '../common/logger.ts';
import { StartupError } from '../common/http.ts';
import type { AttributeJSON } from '../common/resources.ts';
import { startAgent, type RunningAgent } from '../agent/server.ts';
import { freePorts, ZooKeeperEnsemble } from '../state/zookeeper-ensemble.ts';

const BIN = fileURLToPath(new URL('../../bin/trireme.js', import.meta.url));

interface MasterChild { url: string; proc: ChildProcess; close(): Promise<void> }

/** Starts `trireme master` as a child sharing our stdout/stderr; resolves once it answers /health. */
async function spawnMaster(index: number, port: number, zkUrl: string, dataDir: string): Promise<MasterChild> {
  const proc = spawn(process.execPath, [BIN, 'master', '--ip', '127.0.0.1', '--hostname', '127.0.0.1', '--port', String(port),
    '--work-dir', join(dataDir, `master-${index + 1}`), '--zk', zkUrl, '--quorum', '2'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const close = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  };
  for (const deadline = Date.now() + 30_000; ;) {
    if (proc.exitCode !== null) throw new StartupError(`dev --ha: master ${index + 1} exited with ${proc.exitCode} (see its log above)`);
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) return { url, proc, close };
    if (Date.now() > deadline) { await close(); throw new StartupError(`dev --ha: master ${index + 1} did not answer on ${url} within 30 s`); }
    await new Promise((r) => setTimeout(r, 100));
  }
}

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
  const masters: MasterChild[] = [];
  const agents: RunningAgent[] = [];
  const close = async () => {
    for (const a of agents) await a.close();
    await Promise.all(masters.map((m) => m.close()));
    await zk.close();
  };
  try {
    // Ports are fixed before spawning (free ones for --master-port 0) so each master's address is known up front.
    const ports = o.masterPort === 0 ? await freePorts(3) : [o.masterPort, o.masterPort + 10, o.masterPort + 20];
    for (let i = 0; i < 3; i++) masters.push(await spawnMaster(i, ports[i]!, url, o.dataDir));
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
    ...masters.map((m, i) => `  master ${i + 1}  ${m.url}   (pid ${m.proc.pid}; any master redirects to the leader: ${m.url}/master/redirect)`),
    ...agents.map((a, i) => `  agent ${i + 1}   ${a.url}`),
    `  data      ${o.dataDir}`,
    `  --master for frameworks and agents: ${url}`,
    'Kill the leading master (kill -9 <pid>) to watch another take over.',
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return { close };
}

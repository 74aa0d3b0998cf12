// `trireme dev --ha`: the seed's HA topology on one machine: a 3-node ZooKeeper ensemble (client ports
// 2181-2183 by default), three masters with --zk --quorum 2 on 127.0.0.1 (ports 5050, 5060, 5070 by default)
// and N agents that follow the leading master through ZooKeeper, plus two Marathon instances (ZooKeeper path
// /marathon; ports 8080, 8090) and two Chronos instances (/chronos; ports 4400, 4410), a leader and a standby
// each. Masters, Marathon and Chronos are child processes, so any of them can be killed to watch a failover;
// agents run in this process as in plain `trireme dev`.
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createLogger } from '../common/logger.ts';
import { StartupError } from '../common/http.ts';
import type { AttributeJSON } from '../common/resources.ts';
import { startAgent, type RunningAgent } from '../agent/server.ts';
import { freePorts, localNodePids, ZooKeeperEnsemble } from '../state/zookeeper-ensemble.ts';
import { reapIfParentDies, type OrphanReaper } from '../common/orphan-reaper.ts';

const BIN = fileURLToPath(new URL('../../bin/trireme.js', import.meta.url));

interface RoleChild { url: string; proc: ChildProcess; close(): Promise<void> }

/**
 * Starts `trireme <args>` as a child sharing our stdout/stderr; resolves once `url + readyPath` answers. `spawned`
 * learns of the process at once, so a watchdog covers it while it starts.
 */
async function spawnRole(label: string, args: string[], url: string, readyPath: string, spawned: (proc: ChildProcess) => void): Promise<RoleChild> {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  spawned(proc);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const close = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  };
  for (const deadline = Date.now() + 60_000; ;) {
    if (proc.exitCode !== null) throw new StartupError(`dev --ha: ${label} exited with ${proc.exitCode} (see its log above)`);
    if (await fetch(`${url}${readyPath}`).then((r) => r.ok, () => false)) return { url, proc, close };
    if (Date.now() > deadline) { await close(); throw new StartupError(`dev --ha: ${label} did not answer on ${url} within 60 s`); }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function spawnMaster(index: number, port: number, zkUrl: string, dataDir: string, spawned: (proc: ChildProcess) => void): Promise<RoleChild> {
  return spawnRole(`master ${index + 1}`, ['master', '--ip', '127.0.0.1', '--hostname', '127.0.0.1', '--port', String(port),
    '--work-dir', join(dataDir, `master-${index + 1}`), '--zk', zkUrl, '--quorum', '2'], `http://127.0.0.1:${port}`, '/health', spawned);
}

/** Ports of two instances: `first` and `first + 10`, or two free ones for 0. */
async function pairOfPorts(first: number): Promise<number[]> {
  return first === 0 ? freePorts(2) : [first, first + 10];
}

export interface DevHaOptions {
  dataDir: string;
  agents: number;
  /** Port of master 1; masters 2 and 3 use +10 and +20 (0: any free port for each). */
  masterPort: number;
  agentPort: number;
  /** Ports of Marathon 1 and Chronos 1; the second instances use +10 (0: any free port). */
  marathonPort: number;
  chronosPort: number;
  /** Client port of ZooKeeper node 1; nodes 2 and 3 use +1 and +2 (0: any free ports). */
  zkPort: number;
  agentResources(index: number): string;
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
  const masters: RoleChild[] = [];
  const agents: RunningAgent[] = [];
  const marathons: RoleChild[] = [];
  const chronoses: RoleChild[] = [];
  // Killed with SIGKILL, this process cannot stop its children itself: a watchdog does. It is renewed with each
  // child as soon as that child exists, so a dev process killed while still starting leaves nothing behind either.
  let reaper: OrphanReaper | undefined;
  const children: ChildProcess[] = [];
  const watchChildren = (proc?: ChildProcess) => {
    if (proc) children.push(proc);
    reaper?.cancel();
    reaper = reapIfParentDies([...localNodePids(), ...children.map((c) => c.pid ?? 0)]);
  };
  watchChildren();
  const close = async () => {
    reaper?.cancel();
    await Promise.all([...marathons, ...chronoses].map((c) => c.close()));
    for (const a of agents) await a.close();
    await Promise.all(masters.map((m) => m.close()));
    await zk.close();
  };
  try {
    // Ports are fixed before spawning (free ones for --master-port 0) so each master's address is known up front.
    const ports = o.masterPort === 0 ? await freePorts(3) : [o.masterPort, o.masterPort + 10, o.masterPort + 20];
    for (let i = 0; i < 3; i++) masters.push(await spawnMaster(i, ports[i]!, url, o.dataDir, watchChildren));
    for (let i = 0; i < o.agents; i++) {
      const ip = o.agentIp(i);
      agents.push(await startAgent({
        master: url, ip, port: o.agentPort, hostname: ip, workDir: join(o.dataDir, `agent-${i + 1}`),
        resources: o.agentResources(i), attributes: o.agentAttributes(i), statusUpdateRetryMs: 10_000, registrationBackoffMs: 1000,
      }, createLogger(`agent-${i + 1}`)));
    }
    // Two instances each: the first to start leads, the other is a standby that proxies to it.
    const marathonPorts = await pairOfPorts(o.marathonPort);
    for (const [i, port] of marathonPorts.entries()) {
      marathons.push(await spawnRole(`marathon ${i + 1}`, ['marathon', '--master', url, '--zk', zk.url('/marathon'), '--http-address', '127.0.0.1',
        '--hostname', '127.0.0.1', '--http-port', String(port), '--mesos-user', os.userInfo().username], `http://127.0.0.1:${port}`, '/ping', watchChildren));
    }
    const chronosPorts = await pairOfPorts(o.chronosPort);
    for (const [i, port] of chronosPorts.entries()) {
      chronoses.push(await spawnRole(`chronos ${i + 1}`, ['chronos', '--master', url, '--zk', zk.url('/chronos'), '--http-address', '127.0.0.1',
        '--hostname', '127.0.0.1', '--http-port', String(port), '--user', os.userInfo().username], `http://127.0.0.1:${port}`, '/ping', watchChildren));
    }
  } catch (err) {
    await close();
    throw err;
  }
  const zkPids = localNodePids();
  const lines = [
    '',
    'Trireme (HA) is running:',
    `  zookeeper ${zk.connectString}   (masters elect a leader under /mesos; pids ${zkPids.join(' ')})`,
    ...masters.map((m, i) => `  master ${i + 1}  ${m.url}   (pid ${m.proc.pid}; any master redirects to the leader: ${m.url}/master/redirect)`),
    ...agents.map((a, i) => `  agent ${i + 1}   ${a.url}`),
    ...marathons.map((m, i) => `  marathon ${i + 1} ${m.url}   (pid ${m.proc.pid}; REST API: ${m.url}/v2/apps, events: ${m.url}/v2/events; either instance serves, /v2/leader names the leader)`),
    ...chronoses.map((c, i) => `  chronos ${i + 1}  ${c.url}   (pid ${c.proc.pid}; jobs: ${c.url}/v1/scheduler/jobs; leader: ${c.url}/v1/scheduler/leader)`),
    `  data      ${o.dataDir}`,
    `  --master for frameworks and agents: ${url}`,
    'Kill the leading master, Marathon or Chronos (kill -9 <pid>) to watch another take over.',
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return { close };
}

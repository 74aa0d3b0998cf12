// A ZooKeeper ensemble on this machine's loopback: N nodes (3 by default) as child `java` processes, each with
// its own data dir, `myid` and client/quorum/election ports, as the seed's zoo.cfg does. `trireme dev --ha` runs
// one; tests run theirs on free ports (test/helpers/zookeeper.ts). Nodes can be stopped, killed and restarted one
// at a time. ZooKeeper itself comes from Debian's package, installed on demand by scripts/zookeeper.sh.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

const JAVA_DIR = '/usr/share/java';

function zooKeeperInstalled(): boolean {
  const javaFound = spawnSync('sh', ['-c', 'command -v java'], { stdio: 'ignore' }).status === 0;
  return javaFound && existsSync(JAVA_DIR) && readdirSync(JAVA_DIR).some((f) => /^zookeeper-\d.*\.jar$/.test(f));
}

let installChecked = false;

/** Installs ZooKeeper through scripts/zookeeper.sh when missing (needs root); throws with the script's output if it cannot. */
export function ensureZooKeeper(): void {
  if (installChecked || zooKeeperInstalled()) { installChecked = true; return; }
  const r = spawnSync(join(REPO, 'scripts', 'zookeeper.sh'), { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0 || !zooKeeperInstalled()) {
    throw new Error(`ZooKeeper is required by this test and could not be installed (scripts/zookeeper.sh exited ${r.status}):\n${r.stderr}${r.error ? String(r.error) : ''}`);
  }
  installChecked = true;
}

/** Free TCP ports on 127.0.0.1, held open together so the same port is not handed out twice. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<net.Server>((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Sends a four-letter command to a node's client port; resolves with the answer, or '' if it is not reachable. */
export function fourLetter(port: number, command: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = () => { socket.destroy(); resolve(out); };
    socket.setTimeout(timeoutMs, done);
    socket.on('connect', () => socket.write(command));
    socket.on('data', (c) => { out += c; });
    socket.on('end', done);
    socket.on('error', () => { out = ''; done(); });
  });
}

interface NodeSpec { id: number; dir: string; clientPort: number; quorumPort: number; electionPort: number; proc?: ChildProcess; log: string }

export interface EnsembleOptions {
  /** Where the nodes' configs and data live (node1/, node2/, ...); kept across restarts. */
  dir: string;
  size?: number;
  tickTimeMs?: number;
  /** Client port of node 1 (node i uses base+i-1, quorum 2888+i-1, election 3888+i-1); 0 or absent: free ports. */
  clientPortBase?: number;
  /** Called when the ensemble is closed (e.g. to remove a temporary dir). */
  onClose?: () => void;
}

export class ZooKeeperEnsemble {
  private constructor(private readonly nodes: NodeSpec[], private readonly onClose?: () => void) {}

  /** Installs ZooKeeper if needed, writes the configs, starts every node and waits until all serve. */
  static async start(opts: EnsembleOptions): Promise<ZooKeeperEnsemble> {
    ensureZooKeeper();
    const size = opts.size ?? 3;
    const base = opts.clientPortBase ?? 0;
    const ports = base > 0
      ? Array.from({ length: size }, (_, i) => [base + i, 2888 + i, 3888 + i]).flat()
      : await freePorts(size * 3);
    const nodes: NodeSpec[] = Array.from({ length: size }, (_, i) => ({
      id: i + 1, dir: join(opts.dir, `node${i + 1}`), clientPort: ports[i * 3]!, quorumPort: ports[i * 3 + 1]!, electionPort: ports[i * 3 + 2]!, log: '',
    }));
    const servers = nodes.map((n) => `server.${n.id}=127.0.0.1:${n.quorumPort}:${n.electionPort}`);
    for (const n of nodes) {
      mkdirSync(join(n.dir, 'data'), { recursive: true });
      writeFileSync(join(n.dir, 'data', 'myid'), `${n.id}\n`);
      // Free ports are chosen anew at each start, so the config is rewritten; the data (snapshots, logs) stays.
      writeFileSync(join(n.dir, 'zoo.cfg'), [
        `tickTime=${opts.tickTimeMs ?? 500}`, 'initLimit=10', 'syncLimit=5', `dataDir=${join(n.dir, 'data')}`,
        `clientPort=${n.clientPort}`, 'clientPortAddress=127.0.0.1', 'admin.enableServer=false', '4lw.commands.whitelist=*',
        // Sessions as short as 2 ticks are allowed, so tests can use second-long session timeouts.
        'minSessionTimeout=1000', 'maxSessionTimeout=60000', 'electionPortBindRetry=20',
        ...(size > 1 ? servers : []), '',
      ].join('\n'));
    }
    const ensemble = new ZooKeeperEnsemble(nodes, opts.onClose);
    try {
      for (const n of nodes) ensemble.spawnNode(n);
      await ensemble.waitServing();
    } catch (err) {
      await ensemble.close();
      throw err;
    }
    return ensemble;
  }

  /** host:port list for clients, e.g. "127.0.0.1:41001,127.0.0.1:41004,127.0.0.1:41007". */
  get connectString(): string { return this.nodes.map((n) => `127.0.0.1:${n.clientPort}`).join(','); }

  /** A zk:// URL for a path (e.g. '/mesos'). */
  url(path: string): string { return `zk://${this.connectString}${path}`; }

  clientPort(node: number): number { return this.node(node).clientPort; }

  /** Starts a stopped node again with its data. */
  async startNode(node: number): Promise<void> {
    const n = this.node(node);
    if (n.proc) throw new Error(`zookeeper node ${node} is already running`);
    this.spawnNode(n);
  }

  /** SIGTERM and wait for exit. */
  stopNode(node: number): Promise<void> { return this.signalNode(node, 'SIGTERM'); }

  /** SIGKILL and wait for exit. */
  killNode(node: number): Promise<void> { return this.signalNode(node, 'SIGKILL'); }

  /** Waits until every running node answers `imok` and reports a Mode (leader/follower), i.e. a quorum serves. */
  async waitServing(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const running = this.nodes.filter((n) => n.proc);
      const answers = await Promise.all(running.map(async (n) => [await fourLetter(n.clientPort, 'ruok'), await fourLetter(n.clientPort, 'srvr')]));
      if (answers.every(([ruok, srvr]) => ruok === 'imok' && /Mode: (leader|follower|standalone)/.test(srvr!))) return;
      const dead = this.nodes.find((n) => n.proc && n.proc.exitCode !== null);
      if (dead) throw new Error(`zookeeper node ${dead.id} exited with ${dead.proc!.exitCode}:\n${dead.log.slice(-4000)}`);
      if (Date.now() > deadline) throw new Error(`zookeeper ensemble not serving after ${timeoutMs} ms: ${JSON.stringify(answers)}\n${this.nodes.map((n) => `node ${n.id}:\n${n.log.slice(-2000)}`).join('\n')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Mode of a node as `srvr` reports it (leader, follower, standalone), or undefined when it is not serving. */
  async mode(node: number): Promise<string | undefined> {
    return /Mode: (\w+)/.exec(await fourLetter(this.node(node).clientPort, 'srvr'))?.[1];
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.filter((n) => n.proc).map((n) => this.signalNode(n.id, 'SIGTERM')));
    this.onClose?.();
  }

  private node(id: number): NodeSpec {
    const n = this.nodes.find((x) => x.id === id);
    if (!n) throw new Error(`no zookeeper node ${id} (ensemble of ${this.nodes.length})`);
    return n;
  }

  private spawnNode(n: NodeSpec): void {
    const proc = spawn('java', [
      '-Xms16m', '-Xmx192m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Dzookeeper.log.dir=' + n.dir, '-Dzookeeper.root.logger=WARN,CONSOLE',
      '-cp', `/etc/zookeeper/conf:${JAVA_DIR}/*`, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', join(n.dir, 'zoo.cfg'),
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (c: Buffer) => { n.log = (n.log + c.toString()).slice(-100_000); };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    liveNodes.add(proc);
    proc.on('exit', () => liveNodes.delete(proc));
    n.proc = proc;
  }

  private async signalNode(id: number, signal: NodeJS.Signals): Promise<void> {
    const n = this.node(id);
    const proc = n.proc;
    if (!proc) return;
    n.proc = undefined;
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill(signal);
    const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  }
}

// A process that exits without closing its ensembles must not leave JVMs behind.
const liveNodes = new Set<ChildProcess>();

/** Pids of the nodes this process runs now (for a watchdog that outlives it, see src/common/orphan-reaper.ts). */
export function localNodePids(): number[] {
  return [...liveNodes].map((p) => p.pid).filter((pid): pid is number => pid !== undefined);
}

/** SIGKILLs every node started by this process (for exit and signal handlers). */
export function killAllLocalNodes(): void {
  for (const p of liveNodes) p.kill('SIGKILL');
}

process.on('exit', killAllLocalNodes);

// Wires a master together: store, elector, allocator, HTTP routes; returns a handle to stop it.
import type { Logger } from 'pino';
import { createHttpServer, installTextErrorHandler, listen, StartupError } from '../common/http.ts';
import { systemClock, type Clock } from '../common/clock.ts';
import type { HttpLimits } from '../security/http-limits.ts';
import { DrfAllocator } from './allocator/drf.ts';
import { Master, type MasterTuning } from './master.ts';
import { MasterMetrics } from './metrics.ts';
import { masterGauges } from './views.ts';
import { registerSchedulerApi } from './http/scheduler-api.ts';
import { registerAgentApi } from './http/agent-api.ts';
import { registerStateApi } from './http/state-api.ts';
import { registerOperatorApi } from './http/operator-api.ts';
import { registerConsoleLeaderProxy } from './http/console-leader-proxy.ts';
import { registerAgentFilesProxy } from './http/files-proxy.ts';
import { registerUi } from '../common/ui.ts';
import { MASTER_STATE_FORMAT } from './master.ts';
import { ensureStateFormat, StateFormatError } from '../state/state-format.ts';

import type { Store } from '../state/store.ts';
import { SqliteStore } from '../state/sqlite-store.ts';
import { MemoryStore } from '../state/memory-store.ts';
import { SoloElector } from '../state/solo-elector.ts';
import type { LeaderElector } from '../state/leader.ts';
import { DEFAULT_ZK_SESSION_TIMEOUT_MS, openZooKeeperState, type ZooKeeperState } from '../state/zookeeper.ts';
import { DEFAULT_AGENT_REREGISTER_TIMEOUT_MS, MasterLeadership } from './leadership.ts';
import { loadMasterSecurity, type MasterSecurityFlags } from '../security/config.ts';
import { installHttpSecurity } from '../security/http-guard.ts';
import { masterRealm } from '../security/realms.ts';

import type { ClientTls, ServerTlsOptions } from '../security/tls.ts';

export interface MasterConfig extends MasterTuning {
  ip: string;
  port: number;
  hostname: string;
  workDir: string;
  registry: 'sqlite' | 'in_memory';
  cluster?: string;
  /** zk://host:port,.../path: registry in ZooKeeper and leader election among the masters (HA). */
  zk?: string;
  /** Mesos's --quorum, required with --zk (recorded in flags; ZooKeeper's own quorum protects the registry). */
  quorum?: number;
  /** Default 10 s (Mesos --zk_session_timeout). */
  zkSessionTimeoutMs?: number;
  /** Default 10 min (Mesos --agent_reregister_timeout). */
  agentReregisterTimeoutMs?: number;
  /** Authentication and ACL flags (--credentials, --acls, --authenticate-*); none = no authentication, everything allowed. */
  security?: MasterSecurityFlags;
  /** Body, header, time and event-stream limits (default DEFAULT_HTTP_LIMITS). */
  httpLimits?: HttpLimits;
  /** --ssl-cert/--ssl-key: serve HTTPS (only) on --port. */
  tls?: ServerTlsOptions;
  /** --ca-file: how the files proxy reaches HTTPS agents; default plain HTTP. */
  clientTls?: ClientTls;
}

export interface RunningMaster {
  master: Master;
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startMaster(config: MasterConfig, logger: Logger, clock: Clock = systemClock): Promise<RunningMaster> {
  // Bad credentials or ACL files stop the master before it opens anything.
  const security = loadMasterSecurity(config.security ?? {});
  const zkSessionTimeoutMs = config.zkSessionTimeoutMs ?? DEFAULT_ZK_SESSION_TIMEOUT_MS;
  const agentReregisterTimeoutMs = config.agentReregisterTimeoutMs ?? DEFAULT_AGENT_REREGISTER_TIMEOUT_MS;
  let zk: ZooKeeperState | undefined;
  try {
    zk = config.zk ? openZooKeeperState(config.zk, { layout: 'mesos-master', sessionTimeoutMs: zkSessionTimeoutMs, logger }) : undefined;
  } catch (err) {
    throw new StartupError(`master: --zk: ${(err as Error).message}`);
  }
  const store: Store = zk?.store ?? (config.registry === 'in_memory' ? new MemoryStore() : await SqliteStore.open(config.workDir, 'registry.db'));
  // A local registry is checked now, so a wrong binary stops at once. A ZooKeeper one may not be reachable yet: the
  // check runs when this master recovers the registry on election (Master.start), and a master that finds a newer
  // format refuses to lead, saying why, while a newer master can.
  if (!zk) {
    try {
      for (const m of await ensureStateFormat(store, MASTER_STATE_FORMAT)) logger.info({ from: m.from, to: m.from + 1, migration: m.description }, 'migrated the registry format');
    } catch (err) {
      await store.close();
      if (err instanceof StateFormatError) throw new StartupError(`master: --work-dir ${config.workDir}: registry ${err.message}`);
      throw err;
    }
  }
  const app = createHttpServer(logger, undefined, config.httpLimits, config.tls);
  installTextErrorHandler(app);
  const metrics = new MasterMetrics();
  const hostIp = config.ip === '0.0.0.0' ? '127.0.0.1' : config.ip;
  const flags: Record<string, string> = {
    port: String(config.port), ip: config.ip, hostname: config.hostname, work_dir: config.workDir, registry: config.registry,
    allocation_interval: `${config.allocationIntervalMs}ms`, agent_ping_timeout: `${config.agentPingTimeoutMs}ms`,
    max_agent_ping_timeouts: String(config.maxAgentPingTimeouts), max_completed_frameworks: String(config.maxCompletedFrameworks),
    max_completed_tasks_per_framework: String(config.maxCompletedTasksPerFramework),
    ...(config.offerTimeoutMs !== undefined ? { offer_timeout: `${config.offerTimeoutMs}ms` } : {}),
    ...(config.cluster ? { cluster: config.cluster } : {}),
    ...(config.zk ? { zk: config.zk, quorum: String(config.quorum ?? ''), zk_session_timeout: `${zkSessionTimeoutMs}ms` } : {}),
    agent_reregister_timeout: `${agentReregisterTimeoutMs}ms`,
    authenticate_frameworks: String(security.required.has('framework')), authenticate_agents: String(security.required.has('agent')),
    authenticate_http_readonly: String(security.required.has('readonly')), authenticate_http_readwrite: String(security.required.has('readwrite')),
    allow_root_tasks: String(security.allowRootTasks),
    ...(config.security?.credentialsFile ? { credentials: config.security.credentialsFile } : {}),
    ...(config.security?.aclsFile ? { acls: config.security.aclsFile } : {}),
  };
  const master = new Master({
    hostname: config.hostname, ip: hostIp, port: config.port, store, allocator: new DrfAllocator({ clock }), clock, logger, metrics,
    allocationIntervalMs: config.allocationIntervalMs, offerTimeoutMs: config.offerTimeoutMs, agentPingTimeoutMs: config.agentPingTimeoutMs,
    maxAgentPingTimeouts: config.maxAgentPingTimeouts, heartbeatIntervalSeconds: config.heartbeatIntervalSeconds,
    maxCompletedFrameworks: config.maxCompletedFrameworks, maxCompletedTasksPerFramework: config.maxCompletedTasksPerFramework, flags,
    acls: security.acls, allowRootTasks: security.allowRootTasks,
  });
  metrics.setGaugeSource(() => masterGauges(master));
  const elector: LeaderElector = zk?.elector ?? new SoloElector();
  const leadership = new MasterLeadership(master, elector, {
    agentReregisterTimeoutMs, makeAllocator: () => new DrfAllocator({ clock }), clock, logger,
  });
  const leaderAddress = (): string | undefined => leadership.leaderAddress();
  installHttpSecurity(app, { ...security, realmOf: masterRealm, registry: metrics.registry, metricPrefix: 'trireme_master' });
  registerConsoleLeaderProxy(app, master, leaderAddress, config.clientTls);
  registerSchedulerApi(app, master, leaderAddress);
  registerAgentApi(app, master, leaderAddress);
  registerStateApi(app, master, leaderAddress);
  registerOperatorApi(app, master, leaderAddress);
  registerAgentFilesProxy(app, master, leaderAddress, config.clientTls);
  await registerUi(app, 'master');
  const port = await listen(app, config.ip, config.port, 'master');
  master.bindPort(port);
  flags.port = String(port);
  await leadership.start();
  const url = `${config.tls ? 'https' : 'http'}://${config.hostname}:${port}`;
  logger.info({ url, masterId: master.id, workDir: config.workDir, ...(config.zk ? { zk: config.zk } : {}) }, 'master listening');
  return {
    master, url, port,
    async close() {
      await leadership.stop();
      await app.close();
      await (zk ? zk.close() : store.close());
    },
  };
}

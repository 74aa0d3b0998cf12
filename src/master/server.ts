// Wires a master together: store, elector, allocator, HTTP routes; returns a handle to stop it.
import type { Logger } from 'pino';
import { createHttpServer, listen } from '../common/http.ts';
import { systemClock, type Clock } from '../common/clock.ts';
import { DrfAllocator } from './allocator/drf.ts';
import { Master, type MasterTuning } from './master.ts';
import { MasterMetrics } from './metrics.ts';
import { masterGauges } from './views.ts';
import { registerSchedulerApi } from './http/scheduler-api.ts';
import { registerAgentApi } from './http/agent-api.ts';
import { registerStateApi } from './http/state-api.ts';
import { registerOperatorApi } from './http/operator-api.ts';
import type { Store } from '../state/store.ts';
import { SqliteStore } from '../state/sqlite-store.ts';
import { MemoryStore } from '../state/memory-store.ts';
import { SoloElector } from '../state/solo-elector.ts';
import type { LeaderElector } from '../state/leader.ts';

export interface MasterConfig extends MasterTuning {
  ip: string;
  port: number;
  hostname: string;
  workDir: string;
  registry: 'sqlite' | 'in_memory';
  cluster?: string;
}

export interface RunningMaster {
  master: Master;
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startMaster(config: MasterConfig, logger: Logger, clock: Clock = systemClock): Promise<RunningMaster> {
  const store: Store = config.registry === 'in_memory' ? new MemoryStore() : await SqliteStore.open(config.workDir, 'registry.db');
  const app = createHttpServer(logger);
  const metrics = new MasterMetrics();
  const hostIp = config.ip === '0.0.0.0' ? '127.0.0.1' : config.ip;
  const flags: Record<string, string> = {
    port: String(config.port), ip: config.ip, hostname: config.hostname, work_dir: config.workDir, registry: config.registry,
    allocation_interval: `${config.allocationIntervalMs}ms`, agent_ping_timeout: `${config.agentPingTimeoutMs}ms`,
    max_agent_ping_timeouts: String(config.maxAgentPingTimeouts), max_completed_frameworks: String(config.maxCompletedFrameworks),
    max_completed_tasks_per_framework: String(config.maxCompletedTasksPerFramework),
    ...(config.offerTimeoutMs !== undefined ? { offer_timeout: `${config.offerTimeoutMs}ms` } : {}),
    ...(config.cluster ? { cluster: config.cluster } : {}),
  };
  const master = new Master({
    hostname: config.hostname, ip: hostIp, port: config.port, store, allocator: new DrfAllocator({ clock }), clock, logger, metrics,
    allocationIntervalMs: config.allocationIntervalMs, offerTimeoutMs: config.offerTimeoutMs, agentPingTimeoutMs: config.agentPingTimeoutMs,
    maxAgentPingTimeouts: config.maxAgentPingTimeouts, heartbeatIntervalSeconds: config.heartbeatIntervalSeconds,
    maxCompletedFrameworks: config.maxCompletedFrameworks, maxCompletedTasksPerFramework: config.maxCompletedTasksPerFramework, flags,
  });
  metrics.setGaugeSource(() => masterGauges(master));
  const elector: LeaderElector = new SoloElector();
  const leaderAddress = (): string | undefined => {
    const l = elector.leader();
    const data = l?.data as { address?: { hostname: string; port: number } } | undefined;
    return data?.address ? `${data.address.hostname}:${data.address.port}` : undefined;
  };
  registerSchedulerApi(app, master, leaderAddress);
  registerAgentApi(app, master, leaderAddress);
  registerStateApi(app, master, leaderAddress);
  registerOperatorApi(app, master, leaderAddress);
  const port = await listen(app, config.ip, config.port, 'master');
  master.bindPort(port);
  flags.port = String(port);
  elector.onChange((_leader, isSelf) => { master.leader = isSelf; });
  await elector.start({ id: master.id, data: master.info });
  master.leader = elector.isLeader();
  await master.start();
  const url = `http://${config.hostname}:${port}`;
  logger.info({ url, masterId: master.id, workDir: config.workDir }, 'master listening');
  return {
    master, url, port,
    async close() {
      master.stop();
      await elector.stop();
      await app.close();
      await store.close();
    },
  };
}

// Wires `trireme marathon` together: store, state recovery, REST API, leader election, and, while leading, the
// scheduler client and offer loop. State and election: SQLite + SoloElector by default, ZooKeeper with --zk (HA:
// standbys proxy the API to the leader), or both injected.
import type { Logger } from 'pino';
import { randomIds, systemClock, type Clock, type IdGenerator } from '../common/clock.ts';
import { createHttpServer, listen, StartupError } from '../common/http.ts';
import type { FrameworkInfo } from '../proto/mesos.ts';
import { createDetector, type MasterDetector } from '../scheduler-client/detector.ts';
import { SchedulerClient } from '../scheduler-client/client.ts';
import { ClientTls, type ServerTlsOptions } from '../security/tls.ts';
import type { LeaderElector } from '../state/leader.ts';
import type { Store } from '../state/store.ts';
import { DEFAULT_ZK_SESSION_TIMEOUT_MS } from '../state/zookeeper.ts';
import { installLeaderProxy } from '../framework/leader-proxy.ts';
import { openRoleState } from '../framework/role-state.ts';
import { registerAppsApi } from './api/apps-api.ts';
import { registerClusterApi } from './api/cluster-api.ts';
import { registerGroupsApi } from './api/groups-api.ts';
import { installErrorHandler } from './api/common.ts';
import { marathonMetrics, registerServiceApi } from './api/service-api.ts';
import { EventBus } from './events.ts';
import { MarathonRepository } from './repository.ts';
import { MarathonScheduler } from './scheduler.ts';

export interface MarathonConfig {
  master: string;
  httpAddress: string;
  httpPort: number;
  hostname: string;
  workDir: string;
  store: 'sqlite' | 'in_memory';
  frameworkName: string;
  mesosRole?: string;
  mesosUser: string;
  failoverTimeoutSeconds: number;
  reconciliationIntervalMs?: number;
  declineOfferSeconds?: number;
  /** zk://host:port,.../marathon: state under <path>/state, leader election under <path>/leader (HA). */
  zk?: string;
  /** Default 10 s. */
  zkSessionTimeoutMs?: number;
  /** --ssl-cert/--ssl-key: serve HTTPS (only) on --http-port. */
  tls?: ServerTlsOptions;
  /** --ca-file: verifying an HTTPS master and leader; default plain HTTP. */
  clientTls?: ClientTls;
}

export interface MarathonDeps {
  store?: Store;
  elector?: LeaderElector;
  clock?: Clock;
  ids?: IdGenerator;
}

export interface RunningMarathon {
  url: string;
  port: number;
  scheduler: MarathonScheduler;
  close(): Promise<void>;
}

export async function startMarathon(config: MarathonConfig, logger: Logger, deps: MarathonDeps = {}): Promise<RunningMarathon> {
  const startedAt = performance.now();
  let detector: MasterDetector;
  try { detector = createDetector(config.master); } catch (err) { throw new StartupError(`--master: ${(err as Error).message}`); }
  const clock = deps.clock ?? systemClock;
  const ids = deps.ids ?? randomIds;
  const roleState = await openRoleState('marathon', { zk: config.zk, zkSessionTimeoutMs: config.zkSessionTimeoutMs, workDir: config.workDir, dbFile: 'marathon.db', inMemory: config.store === 'in_memory', logger }, deps);
  const { store, elector } = roleState;
  const repository = new MarathonRepository(store);
  const events = new EventBus(clock);
  const scheduler = new MarathonScheduler({
    repository, events, clock, ids, logger,
    ...(config.reconciliationIntervalMs !== undefined ? { reconciliationIntervalMs: config.reconciliationIntervalMs } : {}),
    ...(config.declineOfferSeconds !== undefined ? { declineOfferSeconds: config.declineOfferSeconds } : {}),
  });
  const state = await repository.load();
  scheduler.restore(state);
  let frameworkId = state.frameworkId;

  let address = `${config.hostname}:${config.httpPort}`;
  const leaderAddress = (): string | undefined => {
    const data = elector.leader()?.data as { address?: string } | undefined;
    return data?.address;
  };
  const clientTls = config.clientTls ?? ClientTls.none;
  const scheme = config.tls ? 'https' : 'http';
  const app = createHttpServer(logger, undefined, config.tls);
  installErrorHandler(app);
  // A standby has no scheduler connection: it forwards requests to the leader, or refuses writes without one.
  installLeaderProxy(app, {
    isLeader: () => elector.isLeader(), leaderAddress, selfAddress: () => address,
    local: new Set(['/ping', '/metrics', '/v2/leader', '/v2/info']),
    unavailable: (message) => ({ message }),
    tls: { scheme, client: clientTls },
  });

  const registry = marathonMetrics(scheduler, events);
  registerAppsApi(app, scheduler, repository, events);
  registerClusterApi(app, scheduler, clock);
  registerGroupsApi(app, scheduler);
  let client: SchedulerClient | undefined;
  const marathonConfig: Record<string, unknown> = {
    master: config.master, failover_timeout: config.failoverTimeoutSeconds, framework_name: config.frameworkName, hostname: config.hostname,
    mesos_role: config.mesosRole ?? null, mesos_user: config.mesosUser, local_port_min: 10000, local_port_max: 20000, executor: '//cmd',
    checkpoint: true, task_launch_timeout: 300000, reconciliation_interval: config.reconciliationIntervalMs ?? 600000,
    decline_offer_duration: (config.declineOfferSeconds ?? 5) * 1000, leader_proxy_connection_timeout_ms: 5000,
    leader_proxy_read_timeout_ms: 10000, mesos_leader_ui_url: config.master.startsWith('zk://') ? null : `${clientTls.baseUrl(config.master)}/`, webui_url: null, features: [],
  };
  const self = { id: ids.uuid(), get data() { return { address }; } };
  registerServiceApi(app, scheduler, events, {
    address: () => address, leader: leaderAddress, isLeader: () => elector.isLeader(), config: marathonConfig,
    ...(config.zk ? { zk: { url: config.zk, sessionTimeoutMs: config.zkSessionTimeoutMs ?? DEFAULT_ZK_SESSION_TIMEOUT_MS } } : {}),
    abdicate: async () => {
      try { await elector.stop(); await elector.start({ id: ids.uuid(), data: { address } }); } catch (err) { logger.error({ err }, 'abdication failed'); }
    },
  }, registry);
  const port = await listen(app, config.httpAddress, config.httpPort, 'marathon');
  address = `${config.hostname}:${port}`;
  const url = `${scheme}://${address}`;
  marathonConfig.webui_url = url;

  // State loaded at start is current until another instance may have led (HA): then it is reloaded on election.
  // A shared store (ZooKeeper) may have been written by another leader at any time since.
  let stateFresh = store.sync === undefined;
  const becomeLeader = async () => {
    if (client) return;
    if (!stateFresh) {
      await store.sync?.(); // see the previous leader's last writes, not a lagging replica
      const reloaded = await repository.load();
      scheduler.restore(reloaded, { replace: true });
      frameworkId = reloaded.frameworkId ?? frameworkId;
    }
    stateFresh = true;
    const frameworkInfo: FrameworkInfo = {
      user: config.mesosUser, name: config.frameworkName, failover_timeout: config.failoverTimeoutSeconds, checkpoint: true,
      hostname: config.hostname, webui_url: url,
      capabilities: [{ type: 'PARTITION_AWARE' }, { type: 'TASK_KILLING_STATE' }],
      ...(config.mesosRole ? { role: config.mesosRole } : {}),
      ...(frameworkId ? { id: { value: frameworkId } } : {}),
    };
    client = new SchedulerClient({ master: detector, frameworkInfo, logger: logger.child({ component: 'scheduler-client' }), tls: clientTls, scheme: clientTls.schemeOf(config.master) });
    client.on('subscribed', (s) => {
      frameworkId = s.frameworkId;
      logger.info({ frameworkId: s.frameworkId, reconnected: s.reconnected }, 'subscribed to the master');
    });
    client.on('error', (message) => logger.error({ message }, 'the master refused Marathon'));
    scheduler.attach(client);
    client.start();
  };
  const stopLeading = async () => {
    const c = client;
    client = undefined;
    scheduler.detach();
    await c?.stop();
    await scheduler.flush();
    stateFresh = false;
  };
  // Leadership changes are handled one after another, in the order the elector reports them.
  let transition: Promise<void> = Promise.resolve();
  elector.onChange((_leader, isSelf) => {
    transition = transition.then(() => (isSelf ? becomeLeader() : stopLeading()))
      .catch((err: Error) => logger.error({ err: err.message }, isSelf ? 'taking over leadership failed' : 'stopping the scheduler failed'));
  });
  await elector.start(self);
  await transition;
  logger.info({ url, master: config.master, zk: config.zk, leading: elector.isLeader(), workDir: config.store === 'sqlite' && !roleState.zookeeper ? config.workDir : undefined, frameworkId, apps: scheduler.apps.size, tasks: scheduler.instances.size, startupMs: Math.round(performance.now() - startedAt) }, 'marathon listening');
  return {
    url, port, scheduler,
    async close() {
      await transition;
      await stopLeading();
      await elector.stop();
      await app.close();
      await scheduler.flush();
      await roleState.close();
      await config.clientTls?.close();
    },
  };
}

// Wires `trireme marathon` together: store, state recovery, REST API, leader election, and, while leading, the
// scheduler client and offer loop. State and election: SQLite + SoloElector by default, ZooKeeper with --zk (HA:
// standbys proxy the API to the leader), or both injected.
import type { Logger } from 'pino';
import { randomIds, systemClock, type Clock, type IdGenerator } from '../common/clock.ts';
import { createHttpServer, listen, StartupError } from '../common/http.ts';
import { FRAMEWORK_HTTP_LIMITS, type HttpLimits } from '../security/http-limits.ts';
import type { FrameworkInfo } from '../proto/mesos.ts';
import { createDetector, type MasterDetector } from '../scheduler-client/detector.ts';
import { SchedulerClient } from '../scheduler-client/client.ts';
import { ClientTls, type ServerTlsOptions } from '../security/tls.ts';
import type { LeaderElector } from '../state/leader.ts';
import type { Store } from '../state/store.ts';
import { DEFAULT_ZK_SESSION_TIMEOUT_MS } from '../state/zookeeper.ts';
import { installLeaderProxy } from '../framework/leader-proxy.ts';
import { installHttpAuth } from '../security/http-auth.ts';
import { loadHttpCredentials } from '../security/http-auth-credentials.ts';
import { loadFlagFile } from '../security/credentials.ts';
import { createAccess } from './api/access.ts';
import { parsePermissions } from './permissions.ts';
import { openRoleState } from '../framework/role-state.ts';
import { registerAppsApi } from './api/apps-api.ts';
import { registerClusterApi } from './api/cluster-api.ts';
import { registerGroupsApi } from './api/groups-api.ts';
import { MARATHON_STATE_FORMAT } from './repository.ts';
import { StandbyFollower } from './standby-follower.ts';
import { registerEventSubscriptionsApi } from './api/event-subscriptions-api.ts';
import { callbackMetrics, HttpCallbackDelivery } from './http-callbacks.ts';
import { EventSubscriptions } from './event-subscriptions.ts';
import { isUiPath, registerUi } from '../common/ui.ts';
import { installErrorHandler } from './api/common.ts';
import { marathonMetrics, registerServiceApi } from './api/service-api.ts';
import { EventBus } from './events.ts';
import { MarathonRepository } from './repository.ts';
import { MarathonScheduler } from './scheduler.ts';

export interface MarathonConfig {
  /** The principal (FrameworkInfo.principal) and secret (HTTP Basic) presented to the master. */
  mesosCredential?: { principal: string; secret?: string };
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
  /** 'http_callback' turns on /v2/eventSubscriptions and POSTs every event to the subscribed URLs. */
  eventSubscriber?: 'http_callback';
  /** Callback URLs subscribed from the command line (--http-endpoints), in addition to stored ones. */
  httpEndpoints?: string[];
  /** Per callback POST; default 10 s. */
  httpEventRequestTimeoutMs?: number;
  /** Pause of a failing or slow subscriber; default 10 s. */
  httpEventSlowConsumerTimeoutMs?: number;
  /** A task not running this long after it was launched is killed and replaced; default 300 s. */
  taskLaunchTimeoutMs?: number;
  /** --http-credentials user:password and/or --http-credentials-file: the API then needs authentication. */
  httpCredentials?: string;
  httpCredentialsFile?: string;
  /** Realm of the Basic challenge; default "Mesosphere" as in Marathon. */
  httpRealm?: string;
  /** --http-permissions FILE: per-user permissions on app id prefixes (needs credentials). */
  httpPermissionsFile?: string;
  /** Body, header, time and event-stream limits (default FRAMEWORK_HTTP_LIMITS). */
  httpLimits?: HttpLimits;
  /** --ssl-cert/--ssl-key: serve HTTPS (only) on --http-port. */
  tls?: ServerTlsOptions;
  /** --ca-file: verifying an HTTPS master and leader; default plain HTTP. */
  clientTls?: ClientTls;
}

/** Paths of Marathon's API (authenticated when credentials are set); other GETs are the web UI's static files. */
export const MARATHON_API_PREFIXES = ['/v2', '/v1', '/metrics'] as const;

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
  const credentials = loadHttpCredentials('marathon', config);
  const permissions = config.httpPermissionsFile ? loadFlagFile('marathon', '--http-permissions', config.httpPermissionsFile, parsePermissions) : undefined;
  if (permissions && !credentials) throw new StartupError('marathon: --http-permissions needs --http-credentials or --http-credentials-file (permissions are per authenticated user)');
  const roleState = await openRoleState('marathon', { zk: config.zk, zkSessionTimeoutMs: config.zkSessionTimeoutMs, workDir: config.workDir, dbFile: 'marathon.db', inMemory: config.store === 'in_memory', format: MARATHON_STATE_FORMAT, logger }, deps);
  const { store, elector } = roleState;
  const repository = new MarathonRepository(store);
  const events = new EventBus(clock);
  const callbacks = config.eventSubscriber === 'http_callback' ? new HttpCallbackDelivery(events, () => elector.isLeader(), {
    requestTimeoutMs: config.httpEventRequestTimeoutMs ?? 10_000, slowConsumerTimeoutMs: config.httpEventSlowConsumerTimeoutMs ?? 10_000,
    maxQueued: 10_000, clock, logger: logger.child({ component: 'http-callbacks' }),
  }) : undefined;
  const subscriptions = callbacks
    ? new EventSubscriptions(store, '/marathon', (urls) => callbacks.setUrls([...new Set([...(config.httpEndpoints ?? []), ...urls])]))
    : undefined;
  await subscriptions?.load();
  const scheduler = new MarathonScheduler({
    repository, events, clock, ids, logger,
    ...(config.reconciliationIntervalMs !== undefined ? { reconciliationIntervalMs: config.reconciliationIntervalMs } : {}),
    ...(config.declineOfferSeconds !== undefined ? { declineOfferSeconds: config.declineOfferSeconds } : {}),
    ...(config.taskLaunchTimeoutMs !== undefined ? { taskLaunchTimeoutMs: config.taskLaunchTimeoutMs } : {}),
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
  const app = createHttpServer(logger, undefined, config.httpLimits ?? FRAMEWORK_HTTP_LIMITS, config.tls);
  installErrorHandler(app);
  const registry = marathonMetrics(scheduler, events);
  // Authentication runs first (onRequest), so a standby checks credentials before proxying to the leader; the
  // proxy forwards the Authorization header and the leader applies the principal's permissions.
  if (credentials) {
    installHttpAuth(app, {
      credentials, realm: config.httpRealm ?? 'Mesosphere', openPaths: new Set(['/ping']), apiPrefixes: MARATHON_API_PREFIXES,
      errorBody: (message) => ({ message }), registry, metricPrefix: 'marathon',
    });
  }
  const access = createAccess(permissions);
  // A standby has no scheduler connection: it forwards requests to the leader, or refuses writes without one.
  installLeaderProxy(app, {
    isLeader: () => elector.isLeader(), leaderAddress, selfAddress: () => address,
    local: new Set(['/ping', '/metrics', '/v2/leader', '/v2/info']), localPath: isUiPath,
    unavailable: (message) => ({ message }),
    tls: { scheme, client: clientTls },
  });

  registerAppsApi(app, scheduler, repository, events, access);
  registerClusterApi(app, scheduler, clock, access);
  registerGroupsApi(app, scheduler, repository, access);
  registerEventSubscriptionsApi(app, subscriptions, events, config.httpEndpoints ?? []);
  if (callbacks) for (const metric of Object.values(callbackMetrics)) registry.registerMetric(metric);
  await registerUi(app, 'marathon');
  let client: SchedulerClient | undefined;
  const marathonConfig: Record<string, unknown> = {
    master: config.master, failover_timeout: config.failoverTimeoutSeconds, framework_name: config.frameworkName, hostname: config.hostname,
    mesos_role: config.mesosRole ?? null, mesos_user: config.mesosUser, local_port_min: 10000, local_port_max: 20000, executor: '//cmd',
    checkpoint: true, task_launch_timeout: config.taskLaunchTimeoutMs ?? 300000, reconciliation_interval: config.reconciliationIntervalMs ?? 600000,
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
  }, registry, access);
  const port = await listen(app, config.httpAddress, config.httpPort, 'marathon');
  address = `${config.hostname}:${port}`;
  const url = `${scheme}://${address}`;
  marathonConfig.webui_url = url;

  // State loaded at start is current until another instance may have led (HA): then it is reloaded on election.
  // A shared store (ZooKeeper) may have been written by another leader at any time since.
  let stateFresh = store.sync === undefined;
  let closing = false;
  // On a shared store a standby's read model follows the leader's writes (decision 0145).
  const follower = store.sync === undefined ? undefined : new StandbyFollower({
    store, model: scheduler, logger,
    reload: async () => { await store.sync?.(); scheduler.restore(await repository.load(), { replace: true }); },
  });
  const becomeLeader = async () => {
    if (client) return;
    await follower?.stop();
    if (!stateFresh) {
      await store.sync?.(); // see the previous leader's last writes, not a lagging replica
      const reloaded = await repository.load();
      scheduler.restore(reloaded, { replace: true });
      await subscriptions?.load();
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
    client = new SchedulerClient({ master: detector, frameworkInfo, logger: logger.child({ component: 'scheduler-client' }), credential: config.mesosCredential, tls: clientTls, scheme: clientTls.schemeOf(config.master) });
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
    if (follower && !closing) await follower.start();
  };
  // Leadership changes are handled one after another, in the order the elector reports them.
  let transition: Promise<void> = Promise.resolve();
  elector.onChange((_leader, isSelf) => {
    transition = transition.then(() => (isSelf ? becomeLeader() : stopLeading()))
      .catch((err: Error) => logger.error({ err: err.message }, isSelf ? 'taking over leadership failed' : 'stopping the scheduler failed'));
  });
  await elector.start(self);
  await transition;
  if (follower && !elector.isLeader()) transition = transition.then(() => (elector.isLeader() || closing ? undefined : follower.start()));
  logger.info({ url, master: config.master, zk: config.zk, authentication: credentials !== undefined, permissions: permissions !== undefined, leading: elector.isLeader(), workDir: config.store === 'sqlite' && !roleState.zookeeper ? config.workDir : undefined, frameworkId, apps: scheduler.apps.size, tasks: scheduler.instances.size, startupMs: Math.round(performance.now() - startedAt) }, 'marathon listening');
  return {
    url, port, scheduler,
    async close() {
      closing = true;
      await transition;
      await follower?.stop();
      await stopLeading();
      await elector.stop();
      callbacks?.close();
      await app.close();
      await scheduler.flush();
      await roleState.close();
      await config.clientTls?.close();
    },
  };
}

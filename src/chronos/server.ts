// Wires `trireme chronos` together: store, leader election, the scheduler service, the v1 scheduler client with
// the shared offer loop, and the REST API. State and election: SQLite + SoloElector by default, ZooKeeper with
// --zk (HA: standbys proxy the API to the leader), or both injected.
import os from 'node:os';
import type { Logger } from 'pino';
import { createHttpServer, listen, StartupError } from '../common/http.ts';
import { FRAMEWORK_HTTP_LIMITS, type HttpLimits } from '../security/http-limits.ts';
import { systemClock, type Clock } from '../common/clock.ts';
import { SchedulerClient } from '../scheduler-client/client.ts';
import { ClientTls, type ServerTlsOptions } from '../security/tls.ts';
import { OfferLoop } from '../framework/offer-loop.ts';
import type { LeaderElector } from '../state/leader.ts';
import type { Store } from '../state/store.ts';
import { installLeaderProxy } from '../framework/leader-proxy.ts';
import { isUiPath, registerUi } from '../common/ui.ts';
import { installHttpAuth } from '../security/http-auth.ts';
import { loadHttpCredentials } from '../security/http-auth-credentials.ts';
import { loadFlagFile } from '../security/credentials.ts';
import { parseJobPermissions } from './permissions.ts';
import { openRoleState } from '../framework/role-state.ts';
import { registerChronosApi } from './api.ts';
import { registerConsoleApi } from './console-api.ts';
import { ChronosEvents } from './events.ts';
import { ChronosMetrics } from './metrics.ts';
import { HttpNotificationClient, JobNotifier, MailClient, WebhookTextClient, type JobNotice, type NotificationClient } from './notifications.ts';
import { CHRONOS_STATE_FORMAT, ChronosScheduler, FRAMEWORK_ID_KEY } from './scheduler.ts';
import type { JobDefaults } from './job.ts';

export interface ChronosConfig {
  /** The principal (FrameworkInfo.principal) and secret (HTTP Basic) presented to the master. */
  mesosCredential?: { principal: string; secret?: string };
  master: string;
  httpAddress: string;
  httpPort: number;
  /** Advertised host name (leader address, framework hostname). */
  hostname: string;
  workDir: string;
  frameworkName: string;
  role: string;
  user: string;
  failoverTimeoutSeconds: number;
  taskEpsilonMs: number;
  failureRetryMs: number;
  /** 0 = never disable failing jobs. */
  disableAfterFailures?: number;
  historyLimit: number;
  defaults: Omit<JobDefaults, 'epsilonMs' | 'user'>;
  declineOfferSeconds: number;
  /** --offer-hold-horizon: offers are kept from this long before a run falls due (0: never kept). */
  offerHoldHorizonMs?: number;
  /** zk://host:port,.../chronos: state under <path>/state, leader election under <path>/leader (HA). */
  zk?: string;
  /** Default 10 s. */
  zkSessionTimeoutMs?: number;
  /** --http-credentials user:password and/or --http-credentials-file: the API then needs authentication. */
  httpCredentials?: string;
  httpCredentialsFile?: string;
  /** Realm of the Basic challenge; default "Mesosphere" as in Chronos. */
  httpRealm?: string;
  /** --http-permissions FILE: per-user permissions on job name prefixes (needs credentials). */
  httpPermissionsFile?: string;
  /** Owner notifications (Chronos' mail, HTTP, Slack and Mattermost clients); none when absent. */
  notifications?: NotificationConfig;
  /** Body, header, time and event-stream limits (default FRAMEWORK_HTTP_LIMITS). */
  httpLimits?: HttpLimits;
  /** --ssl-cert/--ssl-key: serve HTTPS (only) on --http-port. */
  tls?: ServerTlsOptions;
  /** --ca-file: verifying an HTTPS master and leader; default plain HTTP. */
  clientTls?: ClientTls;
}

export interface NotificationConfig {
  mail?: { host: string; port: number; from: string; user?: string; password?: string; ssl: boolean };
  httpUrl?: string;
  /** user:password for httpUrl. */
  httpCredentials?: string;
  slackUrl?: string;
  mattermostUrl?: string;
  clusterName?: string;
}

function notificationClients(c: NotificationConfig = {}): NotificationClient[] {
  const clients: NotificationClient[] = [];
  if (c.mail) clients.push(new MailClient(c.mail));
  if (c.httpUrl) clients.push(new HttpNotificationClient(c.httpUrl, c.httpCredentials));
  if (c.slackUrl) clients.push(new WebhookTextClient('slack', c.slackUrl));
  if (c.mattermostUrl) clients.push(new WebhookTextClient('mattermost', c.mattermostUrl));
  return clients;
}

/** Paths of Chronos' API (authenticated when credentials are set); other GETs are the web UI's static files. */
export const CHRONOS_API_PREFIXES = ['/v1', '/scheduler', '/leader', '/metrics'] as const;

export interface ChronosDeps {
  store?: Store;
  elector?: LeaderElector;
  clock?: Clock;
}

export interface RunningChronos {
  url: string;
  port: number;
  scheduler: ChronosScheduler;
  close(): Promise<void>;
}

/**
 * Test-only crash point (the crash-safety end-to-end test): with TRIREME_CHRONOS_TEST_CRASH=after-launch-recorded
 * the process SIGKILLs itself once a launch is durably recorded, before its ACCEPT reaches the master, which no
 * external kill can hit reliably.
 */
function crashAfterLaunchRecorded(): boolean {
  return process.env.TRIREME_CHRONOS_TEST_CRASH === 'after-launch-recorded';
}

export async function startChronos(config: ChronosConfig, logger: Logger, deps: ChronosDeps = {}): Promise<RunningChronos> {
  const clock = deps.clock ?? systemClock;
  const credentials = loadHttpCredentials('chronos', config);
  const permissions = config.httpPermissionsFile ? loadFlagFile('chronos', '--http-permissions', config.httpPermissionsFile, parseJobPermissions) : undefined;
  if (permissions && !credentials) throw new StartupError('chronos: --http-permissions needs --http-credentials or --http-credentials-file (permissions are per authenticated user)');
  const state = await openRoleState('chronos', { zk: config.zk, zkSessionTimeoutMs: config.zkSessionTimeoutMs, workDir: config.workDir, dbFile: 'chronos.db', format: CHRONOS_STATE_FORMAT, logger }, deps);
  const { store, elector } = state;
  const metrics = new ChronosMetrics();
  const defaults: JobDefaults = { ...config.defaults, epsilonMs: config.taskEpsilonMs, user: config.user };
  const events = new ChronosEvents();
  metrics.countEventStreams(() => events.subscribers);

  let client: SchedulerClient | undefined;
  let offerLoop: OfferLoop | undefined;
  const notifier = new JobNotifier(notificationClients(config.notifications), logger.child({ component: 'notifications' }), config.notifications?.clusterName);
  const scheduler = new ChronosScheduler({
    store, clock, logger, metrics, historyLimit: config.historyLimit, offerHoldHorizonMs: config.offerHoldHorizonMs, failureRetryMs: config.failureRetryMs, disableAfterFailures: config.disableAfterFailures ?? 0, role: config.role,
    kill: (taskId, agentId) => client ? client.kill(taskId, agentId) : Promise.reject(new Error('not subscribed')),
    wake: () => wake(),
    ...(crashAfterLaunchRecorded() ? { launchRecorded: () => { logger.warn('TRIREME_CHRONOS_TEST_CRASH: dying before the ACCEPT'); process.kill(process.pid, 'SIGKILL'); } } : {}),
    ...(notifier.enabled ? { notify: (notice: JobNotice) => notifier.notify(notice) } : {}),
    onEvent: (type, jobName, detail) => events.publish({ type, jobName, ...detail, timestamp: new Date(clock.now()).toISOString() }),
  });
  // Runs fall due at any instant, while offers may sit behind refuse filters from earlier declines and launches:
  // a due run revives (clearing the filters), at most every REVIVE_INTERVAL_MS, with one trailing revive.
  const REVIVE_INTERVAL_MS = 50;
  let lastRevive = 0;
  let reviveTimer: NodeJS.Timeout | undefined;
  const wake = (): void => {
    offerLoop?.wake();
    // Kept offers serve runs falling due soon; a revive is for runs due now that they could not take, or to fetch
    // offers to keep (scheduler.holdOffers) when none are kept.
    const wanted = scheduler.wantsOffers() || (scheduler.holdOffers() && !offerLoop?.holding);
    if (!client?.connected || !wanted || reviveTimer) return;
    const wait = lastRevive + REVIVE_INTERVAL_MS - Date.now();
    const revive = () => {
      reviveTimer = undefined;
      lastRevive = Date.now();
      if (client?.connected && (scheduler.wantsOffers() || (scheduler.holdOffers() && !offerLoop?.holding))) client.revive().catch((err: Error) => logger.debug({ err: err.message }, 'revive failed'));
    };
    if (wait <= 0) revive();
    else { reviveTimer = setTimeout(revive, wait); reviveTimer.unref(); }
  };

  const clientTls = config.clientTls ?? ClientTls.none;
  const scheme = config.tls ? 'https' : 'http';
  const app = createHttpServer(logger, undefined, config.httpLimits ?? FRAMEWORK_HTTP_LIMITS, config.tls);
  // Before the leader proxy: a standby checks credentials, then forwards them (the Authorization header) as well.
  if (credentials) {
    installHttpAuth(app, {
      credentials, realm: config.httpRealm ?? 'Mesosphere', openPaths: new Set(['/ping']), apiPrefixes: CHRONOS_API_PREFIXES,
      errorBody: (message) => ({ message, status: 'Unauthorized' }), registry: metrics.registry, metricPrefix: 'chronos',
    });
  }
  let selfAddress = '';
  const leaderAddress = (): string | undefined => {
    const data = elector.leader()?.data as { address?: string } | undefined;
    return data?.address;
  };
  // Non-leading instances proxy every request to the leader, as Chronos' RedirectFilter does.
  installLeaderProxy(app, {
    isLeader: () => elector.isLeader(), leaderAddress, selfAddress: () => selfAddress,
    local: new Set(['/ping', '/metrics', '/leader', '/scheduler/leader', '/v1/scheduler/leader']), localPath: isUiPath,
    unavailable: (message) => ({ message, status: 'Service Unavailable' }),
    tls: { scheme, client: clientTls },
  });
  registerChronosApi(app, { scheduler, metrics, defaults, clock, leader: leaderAddress, ...(permissions ? { permissions } : {}) });
  registerConsoleApi(app, { scheduler, events, clock, framework: () => ({ frameworkId: client?.frameworkId, master: client?.masterAddress }), ...(permissions ? { permissions } : {}) });
  await registerUi(app, 'chronos');

  await scheduler.load(); // a standby answers reads from it while no leader is reachable
  const port = await listen(app, config.httpAddress, config.httpPort, 'chronos');
  selfAddress = `${config.hostname}:${port}`;
  const url = `${scheme}://${selfAddress}`;

  const lead = async (): Promise<void> => {
    await store.sync?.(); // a shared store (ZooKeeper): see the previous leader's last writes
    await scheduler.load();
    const stored = await store.get<string>(FRAMEWORK_ID_KEY);
    client = new SchedulerClient({
      master: config.master, logger: logger.child({ component: 'scheduler-client' }), credential: config.mesosCredential, tls: clientTls,
      frameworkInfo: {
        user: config.user, name: config.frameworkName, failover_timeout: config.failoverTimeoutSeconds, checkpoint: true,
        role: config.role, hostname: config.hostname, webui_url: url, ...(stored ? { id: { value: stored.value } } : {}),
      },
    });
    offerLoop = new OfferLoop(client, scheduler, { logger, refuseSeconds: config.declineOfferSeconds });
    offerLoop.start();
    client.setKnownTasks(() => scheduler.knownTasks());
    client.on('update', (status) => scheduler.update(status));
    client.on('subscribed', ({ frameworkId, reconnected }) => {
      logger.info({ frameworkId, reconnected }, 'subscribed to the master');
      if (frameworkId !== stored?.value) store.put(FRAMEWORK_ID_KEY, frameworkId).catch((err: Error) => logger.error({ err: err.message }, 'could not persist the framework id'));
    });
    client.on('error', (message) => {
      // The master refused our framework id (e.g. removed after its failover timeout): register afresh.
      logger.error({ message }, 'the master refused the framework; registering again with a new framework id');
      transition = transition
        .then(() => store.delete(FRAMEWORK_ID_KEY))
        .then(() => abdicate())
        .then(() => (elector.isLeader() ? lead() : undefined))
        .catch((err: Error) => logger.error({ err: err.message }, 'could not re-register'));
    });
    client.start();
    scheduler.start();
    logger.info({ jobs: scheduler.allJobs().length }, 'leading: schedules running');
  };
  const abdicate = async (): Promise<void> => {
    if (reviveTimer) clearTimeout(reviveTimer);
    reviveTimer = undefined;
    scheduler.stop();
    offerLoop?.stop();
    await client?.stop();
    client = undefined; offerLoop = undefined;
  };
  let transition: Promise<void> = Promise.resolve();
  elector.onChange((_leader, isSelf) => {
    transition = transition.then(() => (isSelf && !client ? lead() : !isSelf && client ? abdicate() : undefined)).catch((err: Error) => logger.error({ err: err.message }, 'leadership change failed'));
  });
  await elector.start({ id: `${selfAddress}-${process.pid}-${Date.now()}`, data: { address: selfAddress, hostname: os.hostname() } });
  await transition;

  logger.info({ url, master: config.master, zk: config.zk, authentication: credentials !== undefined, permissions: permissions !== undefined, leading: elector.isLeader(), workDir: state.zookeeper ? undefined : config.workDir }, 'chronos listening');
  return {
    url, port, scheduler,
    async close() {
      await transition;
      await elector.stop();
      await transition;
      await abdicate();
      await scheduler.flush();
      await app.close();
      await state.close();
      await config.clientTls?.close();
    },
  };
}

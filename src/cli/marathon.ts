import { Command, InvalidArgumentError, Option } from 'commander';
import { callbackUrlProblem } from '../marathon/event-subscriptions.ts';
import os from 'node:os';
import { resolve } from 'node:path';
import { createLogger } from '../common/logger.ts';
import { startMarathon } from '../marathon/server.ts';
import { StartupError } from '../common/http.ts';
import { DEFAULT_ZK_SESSION_TIMEOUT_MS } from '../state/zookeeper.ts';
import { durationArg, envOption, portArg, runRole, zkUrlArg } from './options.ts';
import { frameworkCredential } from '../security/framework-credential.ts';
import { addHttpLimitOptions, httpLimitsFromOptions } from '../security/limit-flags.ts';
import { FRAMEWORK_HTTP_LIMITS } from '../security/http-limits.ts';

import { roleTls, withTlsOptions } from './tls-options.ts';
export function marathonCommand(): Command {
  return addHttpLimitOptions(withTlsOptions(new Command('marathon')
    .description('run Marathon: long-running services with the Marathon v2 REST API, on the Mesos scheduler API')
    .addOption(envOption('marathon', '--master <host:port>', 'master address: host:port (comma list tried in turn) or zk://h1:2181,h2:2181/mesos to follow the leading master').makeOptionMandatory())
    .addOption(envOption('marathon', '--http-port <port>', 'port of the REST API (0 = any free port)').default(8080).argParser(portArg))
    .addOption(envOption('marathon', '--http-address <ip>', 'address to listen on').default('0.0.0.0'))
    .addOption(new Option('--ip <ip>', 'same as --http-address').hideHelp())
    .addOption(envOption('marathon', '--hostname <name>', 'hostname advertised to the master and clients').default(undefined, 'the listen address, or this machine\'s hostname'))
    .addOption(envOption('marathon', '--work-dir <dir>', 'directory of the state store (SQLite)').default('./data/marathon'))
    .addOption(envOption('marathon', '--internal-store-backend <kind>', 'sqlite (in --work-dir) or in_memory (nothing survives a restart)').choices(['sqlite', 'in_memory']).default('sqlite'))
    .addOption(envOption('marathon', '--framework-name <name>', 'framework name registered with the master').default('marathon'))
    .addOption(envOption('marathon', '--mesos-role <role>', 'role Marathon subscribes with (default: "*")'))
    .addOption(envOption('marathon', '--mesos-user <user>', 'FrameworkInfo.user: whom tasks run as when an app sets no user (agents with --switch-user)').default(os.userInfo().username, 'the user running Marathon'))
    .addOption(envOption('marathon', '--failover-timeout <duration>', 'how long the master keeps Marathon\'s tasks while it is away').default(604_800_000, '1weeks').argParser(durationArg))
    .addOption(envOption('marathon', '--reconciliation-interval <duration>', 'period of the implicit task reconciliation with the master').default(600_000, '10mins').argParser(durationArg))
    .addOption(envOption('marathon', '--decline-offer-duration <duration>', 'how long the master keeps a declined offer from Marathon (new demand revives at once)').default(5000, '5secs').argParser(durationArg))
    .addOption(envOption('marathon', '--zk <url>', 'HA: state and leader election in ZooKeeper (zk://h1:2181,h2:2181,h3:2181/marathon); standbys proxy the API to the leader').argParser(zkUrlArg))
    .addOption(envOption('marathon', '--zk-session-timeout <duration>', 'ZooKeeper session timeout (with --zk)').default(DEFAULT_ZK_SESSION_TIMEOUT_MS, '10secs').argParser(durationArg))
    .addOption(envOption('marathon', '--http-credentials <user:password>', 'require HTTP Basic authentication with this user (prefer the env variable or --http-credentials-file: flags show in process lists)'))
    .addOption(envOption('marathon', '--http-credentials-file <file>', 'require authentication: JSON {"credentials":[{"principal","secret"}],"tokens":[{"principal","token"}]} (Basic users and bearer tokens)'))
    .addOption(envOption('marathon', '--http-realm <realm>', 'realm named in the Basic authentication challenge').default('Mesosphere'))
    .addOption(envOption('marathon', '--http-permissions <file>', 'per-user permissions on app id prefixes: JSON {"users":{"<user>":[{"path":"/team-a","actions":["view","create","update","delete"]}]}} (needs credentials)'))
    .addOption(envOption('marathon', '--task-launch-timeout <duration>', 'kill (and replace) a task that is not running this long after its launch').default(300_000, '5mins').argParser(durationArg))
    .addOption(envOption('marathon', '--event-subscriber <kind>', 'http_callback: POST every event to subscribed callback URLs (/v2/eventSubscriptions)').choices(['http_callback']))
    .addOption(envOption('marathon', '--http-endpoints <urls>', 'callback URLs that always receive events (comma list; with --event-subscriber http_callback)').argParser(callbackUrlsArg))
    .addOption(envOption('marathon', '--http-event-request-timeout <duration>', 'timeout of each event callback POST').default(10_000, '10secs').argParser(durationArg))
    .addOption(envOption('marathon', '--http-event-callback-slow-consumer-timeout <duration>', 'a callback subscriber that fails or answers slower than this is paused for as long (its events are dropped)').default(10_000, '10secs').argParser(durationArg))
    .addOption(envOption('marathon', '--mesos-authentication-principal <principal>', 'principal Marathon registers with (FrameworkInfo.principal) and authenticates as'))
    .addOption(envOption('marathon', '--mesos-authentication-secret-file <file>', 'file holding the secret for --mesos-authentication-principal (or set TRIREME_MARATHON_MESOS_AUTHENTICATION_SECRET)')), 'marathon', { client: true })
    .action(async (o) => {
      const logger = createLogger('marathon');
      const httpAddress: string = o.ip ?? o.httpAddress;
      await runRole(async () => {
        if (o.httpEndpoints && o.eventSubscriber !== 'http_callback') throw new StartupError('--http-endpoints needs --event-subscriber http_callback');
        return startMarathon({
          master: o.master, httpAddress, httpPort: o.httpPort,
          mesosCredential: frameworkCredential('marathon', o.mesosAuthenticationPrincipal, o.mesosAuthenticationSecretFile, process.env.TRIREME_MARATHON_MESOS_AUTHENTICATION_SECRET, 'TRIREME_MARATHON_MESOS_AUTHENTICATION_SECRET'),
          hostname: o.hostname ?? (httpAddress === '0.0.0.0' ? os.hostname() : httpAddress), workDir: resolve(o.workDir),
          store: o.internalStoreBackend === 'in_memory' ? 'in_memory' : 'sqlite', frameworkName: o.frameworkName, mesosRole: o.mesosRole,
          mesosUser: o.mesosUser, failoverTimeoutSeconds: o.failoverTimeout / 1000,
          reconciliationIntervalMs: o.reconciliationInterval, declineOfferSeconds: o.declineOfferDuration / 1000,
          ...(o.zk ? { zk: o.zk, zkSessionTimeoutMs: o.zkSessionTimeout } : {}),
          ...(o.eventSubscriber ? { eventSubscriber: o.eventSubscriber, httpEndpoints: o.httpEndpoints ?? [] } : {}),
          httpCredentials: o.httpCredentials, httpCredentialsFile: o.httpCredentialsFile, httpRealm: o.httpRealm, httpPermissionsFile: o.httpPermissions,
          httpLimits: httpLimitsFromOptions(o),
          ...roleTls('marathon', o),
          taskLaunchTimeoutMs: o.taskLaunchTimeout, httpEventRequestTimeoutMs: o.httpEventRequestTimeout, httpEventSlowConsumerTimeoutMs: o.httpEventCallbackSlowConsumerTimeout,
        }, logger);
      });
    }), 'marathon', FRAMEWORK_HTTP_LIMITS);
}

function callbackUrlsArg(value: string): string[] {
  const urls = value.split(',').map((u) => u.trim()).filter(Boolean);
  for (const u of urls) {
    const problem = callbackUrlProblem(u);
    if (problem) throw new InvalidArgumentError(problem);
  }
  return urls;
}

import { Command, InvalidArgumentError } from 'commander';
import os from 'node:os';
import { resolve } from 'node:path';
import { createLogger } from '../common/logger.ts';
import { startChronos } from '../chronos/server.ts';
import { OFFER_HORIZON_MS } from '../chronos/scheduler.ts';
import { StartupError } from '../common/http.ts';
import { DEFAULT_ZK_SESSION_TIMEOUT_MS } from '../state/zookeeper.ts';
import { durationArg, envOption, portArg, positiveInt, runRole, zkUrlArg } from './options.ts';
import { frameworkCredential } from '../security/framework-credential.ts';
import { addHttpLimitOptions, httpLimitsFromOptions } from '../security/limit-flags.ts';
import { FRAMEWORK_HTTP_LIMITS } from '../security/http-limits.ts';
import { roleTls, withTlsOptions } from './tls-options.ts';

function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`'${value}' is not a non-negative number`);
  return n;
}
function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`'${value}' is not a positive number`);
  return n;
}

function hostPortArg(value: string): { host: string; port: number } {
  const m = /^(.+):(\d+)$/.exec(value);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new InvalidArgumentError(`'${value}' is not host:port`);
  return { host: m[1]!, port: Number(m[2]) };
}

/** `trireme chronos`: flags spelled as Chronos' (--task_epsilon works as --task-epsilon). */
export function chronosCommand(): Command {
  return addHttpLimitOptions(withTlsOptions(new Command('chronos')
    .description('run Chronos: distributed cron with ISO8601 schedules, dependent jobs and the Chronos REST API')
    .addOption(envOption('chronos', '--master <host:port>', 'Mesos master: host:port, a comma list, or zk://h1:2181,h2:2181/mesos to follow the leading master').default('127.0.0.1:5050'))
    .addOption(envOption('chronos', '--http-port <port>', 'REST API port (0 = any free port)').default(4400).argParser(portArg))
    .addOption(envOption('chronos', '--http-address <ip>', 'address the REST API listens on').default('0.0.0.0'))
    .addOption(envOption('chronos', '--hostname <name>', 'host name advertised to the master and as leader address').default(undefined, 'this machine\'s hostname, or --http-address if set'))
    .addOption(envOption('chronos', '--work-dir <dir>', 'directory for the embedded state (jobs, history, framework id)').default('./data/chronos'))
    .addOption(envOption('chronos', '--task-epsilon <seconds>', 'default epsilon of jobs: a run missed by more than this is skipped').default(60).argParser(nonNegativeNumber))
    .addOption(envOption('chronos', '--failure-retry <ms>', 'delay before a failed task is retried').default(60_000).argParser(nonNegativeNumber))
    .addOption(envOption('chronos', '--disable-after-failures <n>', 'disable a job after this many failed runs in a row (0 = never)').default(0).argParser(nonNegativeNumber))
    .addOption(envOption('chronos', '--history-limit <n>', 'runs kept per job in the history (oldest dropped)').default(100).argParser(positiveInt))
    .addOption(envOption('chronos', '--mesos-framework-name <name>', 'framework name registered with the master').default('chronos'))
    .addOption(envOption('chronos', '--mesos-role <role>', 'Mesos role whose resources jobs use').default('*'))
    .addOption(envOption('chronos', '--user <user>', 'framework user and default runAsUser of jobs').default('root'))
    .addOption(envOption('chronos', '--failover-timeout <seconds>', 'how long the master keeps tasks while Chronos is away').default(604_800).argParser(nonNegativeNumber))
    .addOption(envOption('chronos', '--mesos-task-cpu <n>', 'default cpus of a job').default(0.1).argParser(positiveNumber))
    .addOption(envOption('chronos', '--mesos-task-mem <mb>', 'default mem (MB) of a job').default(128).argParser(positiveNumber))
    .addOption(envOption('chronos', '--mesos-task-disk <mb>', 'default disk (MB) of a job').default(256).argParser(positiveNumber))
    .addOption(envOption('chronos', '--decline-offer-duration <ms>', 'filter on declined offers').default(5000).argParser(nonNegativeNumber))
    .addOption(envOption('chronos', '--offer-hold-horizon <duration>', 'keep offers from this long before a run falls due, so it starts on time (0: never keep offers)').default(OFFER_HORIZON_MS, '500ms').argParser(durationArg))
    .addOption(envOption('chronos', '--zk <url>', 'HA: state and leader election in ZooKeeper (zk://h1:2181,h2:2181,h3:2181/chronos); standbys proxy the API to the leader').argParser(zkUrlArg))
    .addOption(envOption('chronos', '--zk-session-timeout <duration>', 'ZooKeeper session timeout (with --zk)').default(DEFAULT_ZK_SESSION_TIMEOUT_MS, '10secs').argParser(durationArg))
    .addOption(envOption('chronos', '--mail-server <host:port>', 'SMTP server for owner notifications (a job failed, was disabled or deleted)').argParser(hostPortArg))
    .addOption(envOption('chronos', '--mail-from <address>', 'From address of notification mails (needed with --mail-server)'))
    .addOption(envOption('chronos', '--mail-user <user>', 'SMTP user (with --mail-password)'))
    .addOption(envOption('chronos', '--mail-password <password>', 'SMTP password; prefer the env variable TRIREME_CHRONOS_MAIL_PASSWORD over the flag (process lists show flags)'))
    .addOption(envOption('chronos', '--mail-ssl', 'connect to the SMTP server over TLS'))
    .addOption(envOption('chronos', '--http-notification-url <url>', 'POST owner notifications as JSON to this URL'))
    .addOption(envOption('chronos', '--http-notification-credentials <user:password>', 'HTTP Basic credentials for --http-notification-url'))
    .addOption(envOption('chronos', '--slack-url <url>', 'Slack incoming webhook for owner notifications'))
    .addOption(envOption('chronos', '--mattermost-url <url>', 'Mattermost incoming webhook for owner notifications'))
    .addOption(envOption('chronos', '--cluster-name <name>', 'shown in brackets at the start of notification subjects'))
    .addOption(envOption('chronos', '--http-credentials <user:password>', 'require HTTP Basic authentication with this user (prefer the env variable or --http-credentials-file: flags show in process lists)'))
    .addOption(envOption('chronos', '--http-credentials-file <file>', 'require authentication: JSON {"credentials":[{"principal","secret"}],"tokens":[{"principal","token"}]} (Basic users and bearer tokens)'))
    .addOption(envOption('chronos', '--http-realm <realm>', 'realm named in the Basic authentication challenge').default('Mesosphere'))
    .addOption(envOption('chronos', '--http-permissions <file>', 'per-user permissions on job name prefixes: JSON {"users":{"<user>":[{"prefix":"team-a-","actions":["view","create","update","delete"]}]}} (needs credentials)'))
    .addOption(envOption('chronos', '--mesos-authentication-principal <principal>', 'principal Chronos registers with (FrameworkInfo.principal) and authenticates as'))
    .addOption(envOption('chronos', '--mesos-authentication-secret-file <file>', 'file holding the secret for --mesos-authentication-principal (or set TRIREME_CHRONOS_MESOS_AUTHENTICATION_SECRET)')), 'chronos', { client: true })
    .action(async (o) => {
      const logger = createLogger('chronos');
      await runRole(async () => {
        if (o.mailServer && !o.mailFrom) throw new StartupError('--mail-server needs --mail-from');
        for (const flag of ['httpNotificationUrl', 'slackUrl', 'mattermostUrl'] as const) {
          if (o[flag] && !/^https?:\/\/./.test(o[flag])) throw new StartupError(`--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: '${o[flag]}' is not an http(s) URL`);
        }
        return startChronos({
          master: o.master, httpAddress: o.httpAddress, httpPort: o.httpPort,
          mesosCredential: frameworkCredential('chronos', o.mesosAuthenticationPrincipal, o.mesosAuthenticationSecretFile, process.env.TRIREME_CHRONOS_MESOS_AUTHENTICATION_SECRET, 'TRIREME_CHRONOS_MESOS_AUTHENTICATION_SECRET'),
          hostname: o.hostname ?? (o.httpAddress === '0.0.0.0' ? os.hostname() : o.httpAddress),
          workDir: resolve(o.workDir), frameworkName: o.mesosFrameworkName, role: o.mesosRole, user: o.user,
          failoverTimeoutSeconds: o.failoverTimeout, taskEpsilonMs: o.taskEpsilon * 1000, failureRetryMs: o.failureRetry, disableAfterFailures: Math.floor(o.disableAfterFailures),
          historyLimit: o.historyLimit, declineOfferSeconds: o.declineOfferDuration / 1000, offerHoldHorizonMs: o.offerHoldHorizon,
          defaults: { cpus: o.mesosTaskCpu, mem: o.mesosTaskMem, disk: o.mesosTaskDisk },
          ...(o.zk ? { zk: o.zk, zkSessionTimeoutMs: o.zkSessionTimeout } : {}),
          notifications: {
            ...(o.mailServer ? { mail: { ...o.mailServer, from: o.mailFrom, user: o.mailUser, password: o.mailPassword, ssl: Boolean(o.mailSsl) } } : {}),
            httpUrl: o.httpNotificationUrl, httpCredentials: o.httpNotificationCredentials, slackUrl: o.slackUrl, mattermostUrl: o.mattermostUrl, clusterName: o.clusterName,
          },
          httpCredentials: o.httpCredentials, httpCredentialsFile: o.httpCredentialsFile, httpRealm: o.httpRealm, httpPermissionsFile: o.httpPermissions,
          httpLimits: httpLimitsFromOptions(o),
          ...roleTls('chronos', o),
        }, logger);
      });
    }), 'chronos', FRAMEWORK_HTTP_LIMITS);
}

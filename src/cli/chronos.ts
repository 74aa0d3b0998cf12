import { Command, InvalidArgumentError } from 'commander';
import os from 'node:os';
import { resolve } from 'node:path';
import { createLogger } from '../common/logger.ts';
import { startChronos } from '../chronos/server.ts';
import { DEFAULT_ZK_SESSION_TIMEOUT_MS } from '../state/zookeeper.ts';
import { durationArg, envOption, portArg, positiveInt, runRole, zkUrlArg } from './options.ts';
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

/** `trireme chronos`: flags spelled as Chronos' (--task_epsilon works as --task-epsilon). */
export function chronosCommand(): Command {
  return withTlsOptions(new Command('chronos')
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
    .addOption(envOption('chronos', '--zk <url>', 'HA: state and leader election in ZooKeeper (zk://h1:2181,h2:2181,h3:2181/chronos); standbys proxy the API to the leader').argParser(zkUrlArg))
    .addOption(envOption('chronos', '--zk-session-timeout <duration>', 'ZooKeeper session timeout (with --zk)').default(DEFAULT_ZK_SESSION_TIMEOUT_MS, '10secs').argParser(durationArg)), 'chronos', { client: true })
    .action(async (o) => {
      const logger = createLogger('chronos');
      await runRole(async () => {
        return startChronos({
          master: o.master, httpAddress: o.httpAddress, httpPort: o.httpPort,
          hostname: o.hostname ?? (o.httpAddress === '0.0.0.0' ? os.hostname() : o.httpAddress),
          workDir: resolve(o.workDir), frameworkName: o.mesosFrameworkName, role: o.mesosRole, user: o.user,
          failoverTimeoutSeconds: o.failoverTimeout, taskEpsilonMs: o.taskEpsilon * 1000, failureRetryMs: o.failureRetry, disableAfterFailures: Math.floor(o.disableAfterFailures),
          historyLimit: o.historyLimit, declineOfferSeconds: o.declineOfferDuration / 1000,
          defaults: { cpus: o.mesosTaskCpu, mem: o.mesosTaskMem, disk: o.mesosTaskDisk },
          ...(o.zk ? { zk: o.zk, zkSessionTimeoutMs: o.zkSessionTimeout } : {}),
          ...roleTls('chronos', o),
        }, logger);
      });
    });
}

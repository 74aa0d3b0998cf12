import { Command, Option } from 'commander';
import os from 'node:os';
import { resolve } from 'node:path';
import { createLogger, type Logger } from '../common/logger.ts';
import { startMaster, type RunningMaster } from '../master/server.ts';
import { warmState } from '../master/state-warmer.ts';
import { boolArg, durationArg, envOption, portArg, positiveInt, runRole, zkUrlArg } from './options.ts';
import { roleTls, withTlsOptions } from './tls-options.ts';
import { DEFAULT_ZK_SESSION_TIMEOUT_MS } from '../state/zookeeper.ts';
import { DEFAULT_AGENT_REREGISTER_TIMEOUT_MS } from '../master/leadership.ts';
import { addHttpLimitOptions, httpLimitsFromOptions } from '../security/limit-flags.ts';
import { DEFAULT_HTTP_LIMITS } from '../security/http-limits.ts';
import { collectAfterBursts, setMemoryReducerDelay, V8_MEMORY_REDUCER_DELAY_MS } from '../common/gc-tuning.ts';

export function masterCommand(): Command {
  return addHttpLimitOptions(withTlsOptions(new Command('master')
    .description('run a master: agent registry, DRF allocator, offers, scheduler and operator APIs')
    .addOption(envOption('master', '--ip <ip>', 'address to listen on').default('0.0.0.0'))
    .addOption(envOption('master', '--port <port>', 'port to listen on (0 = any free port)').default(5050).argParser(portArg))
    .addOption(envOption('master', '--hostname <name>', 'hostname advertised to agents and frameworks').default(undefined, 'this machine\'s hostname'))
    .addOption(envOption('master', '--work-dir <dir>', 'directory for the registry').default('./data/master'))
    .addOption(envOption('master', '--registry <kind>', 'where the registry lives: sqlite (in --work-dir) or in_memory').choices(['sqlite', 'in_memory']).default('sqlite'))
    .addOption(envOption('master', '--allocation-interval <duration>', 'time between batch allocations').default(1000, '1secs').argParser(durationArg))
    .addOption(envOption('master', '--offer-timeout <duration>', 'rescind offers not used within this time (default: never)').argParser(durationArg))
    .addOption(envOption('master', '--agent-ping-timeout <duration>', 'time between pings to agents').default(15_000, '15secs').argParser(durationArg))
    .addOption(envOption('master', '--max-agent-ping-timeouts <n>', 'missed pings before an agent is unreachable').default(5).argParser(positiveInt))
    .addOption(envOption('master', '--framework-heartbeat-interval <duration>', 'HEARTBEAT interval on scheduler streams').default(15_000, '15secs').argParser(durationArg))
    .addOption(envOption('master', '--max-completed-frameworks <n>', 'completed frameworks kept in state').default(50).argParser(positiveInt))
    .addOption(envOption('master', '--max-completed-tasks-per-framework <n>', 'completed tasks kept per framework').default(1000).argParser(positiveInt))
    .addOption(envOption('master', '--cluster <name>', 'cluster name shown in state and UI'))
    .addOption(envOption('master', '--zk <url>', 'ZooKeeper URL for HA, e.g. zk://h1:2181,h2:2181,h3:2181/mesos: registry in ZooKeeper, leader election among masters').argParser(zkUrlArg))
    .addOption(envOption('master', '--quorum <n>', 'size of a majority of masters; required with --zk (as in Mesos)').argParser(positiveInt))
    .addOption(envOption('master', '--zk-session-timeout <duration>', 'ZooKeeper session timeout').default(DEFAULT_ZK_SESSION_TIMEOUT_MS, '10secs').argParser(durationArg))
    .addOption(envOption('master', '--agent-reregister-timeout <duration>', 'after a failover, time agents have to re-register before they are marked unreachable').default(DEFAULT_AGENT_REREGISTER_TIMEOUT_MS, '10mins').argParser(durationArg))
    .addOption(envOption('master', '--credentials <file>', 'principals and secrets: Mesos JSON {"credentials":[{"principal","secret"}]} (+ "tokens":[{"principal","token"}] for bearer tokens) or "principal secret" lines'))
    .addOption(envOption('master', '--acls <file>', 'Mesos ACLs JSON (permissive, register_frameworks, run_tasks, teardown_frameworks, view_*, access_sandboxes, get_endpoints)'))
    .addOption(envOption('master', '--authenticate-frameworks', 'schedulers must authenticate (HTTP Basic or bearer) on /api/v1/scheduler; needs --credentials').default(false))
    .addOption(new Option('--authenticate-http-frameworks', "Mesos' name for --authenticate-frameworks").hideHelp())
    .addOption(envOption('master', '--authenticate-agents', 'agents must authenticate (their --credential) to register; needs --credentials').default(false))
    .addOption(envOption('master', '--authenticate-http-readonly', 'read-only endpoints (state, tasks, metrics, files...) need credentials; needs --credentials').default(false))
    .addOption(envOption('master', '--authenticate-http-readwrite', 'read-write endpoints (operator API, teardown, weights, quota, maintenance) need credentials; needs --credentials').default(false))
    .addOption(envOption('master', '--allow-root-tasks <bool>', 'false refuses every task running as root; with --acls root also needs a run_tasks rule naming "root"').default(true, 'true').argParser(boolArg))
    .addOption(envOption('master', '--gc-idle-delay <duration>', `how long the master must be idle before V8 collects the garbage of a burst and returns memory (V8's own default: ${V8_MEMORY_REDUCER_DELAY_MS / 1000}secs)`).default(1000, '1secs').argParser(durationArg)), 'master', { client: true })
    .action(async (o) => {
      if (o.zk && o.quorum === undefined) {
        process.stderr.write('trireme: master: --quorum is required with --zk (e.g. --quorum 2 for 3 masters)\n');
        process.exit(1);
      }
      const logger = createLogger('master');
      setMemoryReducerDelay(o.gcIdleDelay);
      await runRole(async () => withBurstUpkeep(await startMaster({
        ip: o.ip, port: o.port, hostname: o.hostname ?? (o.ip === '0.0.0.0' ? os.hostname() : o.ip), workDir: resolve(o.workDir), registry: o.registry === 'in_memory' ? 'in_memory' : 'sqlite',
        allocationIntervalMs: o.allocationInterval, offerTimeoutMs: o.offerTimeout, agentPingTimeoutMs: o.agentPingTimeout,
        maxAgentPingTimeouts: o.maxAgentPingTimeouts, heartbeatIntervalSeconds: o.frameworkHeartbeatInterval / 1000,
        maxCompletedFrameworks: o.maxCompletedFrameworks, maxCompletedTasksPerFramework: o.maxCompletedTasksPerFramework, cluster: o.cluster,
        zk: o.zk, quorum: o.quorum, zkSessionTimeoutMs: o.zkSessionTimeout, agentReregisterTimeoutMs: o.agentReregisterTimeout,
        security: {
          credentialsFile: o.credentials ? resolve(o.credentials) : undefined, aclsFile: o.acls ? resolve(o.acls) : undefined,
          authenticateFrameworks: o.authenticateFrameworks || o.authenticateHttpFrameworks === true, authenticateAgents: o.authenticateAgents,
          authenticateHttpReadonly: o.authenticateHttpReadonly, authenticateHttpReadwrite: o.authenticateHttpReadwrite, allowRootTasks: o.allowRootTasks,
        },
        httpLimits: httpLimitsFromOptions(o),
        ...roleTls('master', o),
      }, logger), o.gcIdleDelay, logger));
    }), 'master', DEFAULT_HTTP_LIMITS);
}

/**
 * With --gc-idle-delay on, once a burst is over the master re-renders its changed state for the next /master/state
 * and then compacts its heap (src/common/gc-tuning.ts, docs/decisions/0130).
 */
function withBurstUpkeep(running: RunningMaster, intervalMs: number, logger: Logger): RunningMaster {
  if (intervalMs <= 0) return running;
  // A rendering that fails here is logged, never thrown into a timer (it would end the process); the request path
  // renders again and answers with the error as usual.
  const warm = () => { try { warmState(running.master); } catch (err) { logger.warn({ err }, 'could not re-render the state after a burst'); } };
  const stop = collectAfterBursts(intervalMs, warm);
  return { ...running, close: async () => { stop(); await running.close(); } };
}

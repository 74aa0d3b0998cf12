import { Command } from 'commander';
import os from 'node:os';
import { resolve } from 'node:path';
import { createLogger } from '../common/logger.ts';
import { startMaster } from '../master/server.ts';
import { durationArg, envOption, portArg, positiveInt, runRole } from './options.ts';

export function masterCommand(): Command {
  return new Command('master')
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
    .action(async (o) => {
      const logger = createLogger('master');
      await runRole(() => startMaster({
        ip: o.ip, port: o.port, hostname: o.hostname ?? (o.ip === '0.0.0.0' ? os.hostname() : o.ip), workDir: resolve(o.workDir), registry: o.registry === 'in_memory' ? 'in_memory' : 'sqlite',
        allocationIntervalMs: o.allocationInterval, offerTimeoutMs: o.offerTimeout, agentPingTimeoutMs: o.agentPingTimeout,
        maxAgentPingTimeouts: o.maxAgentPingTimeouts, heartbeatIntervalSeconds: o.frameworkHeartbeatInterval / 1000,
        maxCompletedFrameworks: o.maxCompletedFrameworks, maxCompletedTasksPerFramework: o.maxCompletedTasksPerFramework, cluster: o.cluster,
      }, logger));
    });
}

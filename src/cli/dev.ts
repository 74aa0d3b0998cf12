import { Command } from 'commander';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { createLogger } from '../common/logger.ts';
import { parseAttributes } from '../common/resources.ts';
import { startMaster } from '../master/server.ts';
import { startAgent, type RunningAgent } from '../agent/server.ts';
import { startMarathon, type RunningMarathon } from '../marathon/server.ts';
import { startChronos, type RunningChronos } from '../chronos/server.ts';
import { envOption, portArg, positiveInt, runRole } from './options.ts';
import { startDevHa } from './dev-ha.ts';
import { roleTls, withTlsOptions } from './tls-options.ts';

/** Agent i listens on 127.0.0.(i+2): each "machine" has its own address, so ports and constraints behave as on a real cluster. */
export function devAgentIp(index: number): string {
  return `127.0.0.${index + 2}`;
}

export function devCommand(): Command {
  return withTlsOptions(new Command('dev')
    .description('run a whole cluster on this machine: a master, N agents (each on its own 127.0.0.x address) and Marathon, with durable state')
    .addOption(envOption('dev', '--agents <n>', 'number of agents').default(3).argParser(positiveInt))
    .addOption(envOption('dev', '--data-dir <dir>', 'where state and sandboxes live').default('./data'))
    .addOption(envOption('dev', '--master-port <port>', 'master port on 127.0.0.1').default(5050).argParser(portArg))
    .addOption(envOption('dev', '--agent-port <port>', 'agent port (on each agent address)').default(5051).argParser(portArg))
    .addOption(envOption('dev', '--marathon-port <port>', 'Marathon REST API port on 127.0.0.1 (0 = any free port)').default(8080).argParser(portArg))
    .addOption(envOption('dev', '--agent-resources <text>', 'resources of each agent (default: this machine shared between the agents)'))
    .addOption(envOption('dev', '--chronos-port <port>', 'Chronos REST API port on 127.0.0.1 (0 = any free port)').default(4400).argParser(portArg))
    .addOption(envOption('dev', '--ha', 'high availability as in production: 3 masters (ports --master-port, +10, +20), a 3-node ZooKeeper ensemble, 2 Marathon and 2 Chronos instances (ports +0, +10)'))
    .addOption(envOption('dev', '--zk-port <port>', 'with --ha: client port of ZooKeeper node 1 (nodes 2, 3: +1, +2; 0 = any free ports)').default(2181).argParser(portArg))
    .addOption(envOption('dev', '--docker-socket <path>', 'a Docker Engine endpoint (e.g. from scripts/docker.sh): agents then run DOCKER containers too (--containerizers mesos,docker)')), 'dev', { client: true })
    .action(async (o) => {
      const dataDir = resolve(o.dataDir);
      const n: number = o.agents;
      const memEach = Math.max(256, Math.floor((os.totalmem() / 1024 / 1024 - 1024) / n));
      // The agents share this machine's network, so each offers its own port range: a task that binds 0.0.0.0 on
      // its $PORT cannot collide with a task of another agent (agent 1: 31000-31999, agent 2: 32000-32999, ...).
      const resources = (i: number): string => o.agentResources ?? `cpus:${Math.max(1, os.cpus().length)};mem:${memEach};disk:10000;ports:[${31000 + i * 1000}-${31999 + i * 1000}]`;
      const agentAttributes = (i: number) => parseAttributes(`rack:rack-${i + 1};zone:${String.fromCharCode(97 + (i % 3))}`);
      if (o.ha && (o.sslCert || o.sslKey || o.caFile)) {
        process.stderr.write('trireme: dev: --ssl-cert/--ssl-key/--ca-file are not supported with --ha yet (start the roles yourself with the flags)\n');
        process.exit(1);
      }
      if (o.ha) {
        await runRole(() => startDevHa({
          dataDir, agents: n, masterPort: o.masterPort, agentPort: o.agentPort, marathonPort: o.marathonPort, chronosPort: o.chronosPort, zkPort: o.zkPort, agentResources: resources, agentAttributes, agentIp: devAgentIp,
        }));
        return;
      }
      await runRole(async () => {
        // One certificate for every role: it must name 127.0.0.1 and each agent address (127.0.0.2, ...).
        const { tls, clientTls } = roleTls('dev', o);
        const serve = tls ? { tls } : {};
        const master = await startMaster({
          ip: '127.0.0.1', port: o.masterPort, hostname: '127.0.0.1', workDir: join(dataDir, 'master'), registry: 'sqlite',
          allocationIntervalMs: 1000, agentPingTimeoutMs: 15_000, maxAgentPingTimeouts: 5, heartbeatIntervalSeconds: 15,
          maxCompletedFrameworks: 50, maxCompletedTasksPerFramework: 1000, ...serve,
        }, createLogger('master'));
        const agents: RunningAgent[] = [];
        let marathon: RunningMarathon | undefined;
        let chronos: RunningChronos | undefined;
        try {
          for (let i = 0; i < n; i++) {
            const ip = devAgentIp(i);
            agents.push(await startAgent({
              master: `127.0.0.1:${master.port}`, ip, port: o.agentPort, hostname: ip, workDir: join(dataDir, `agent-${i + 1}`),
              resources: resources(i), attributes: parseAttributes(`rack:rack-${i + 1};zone:${String.fromCharCode(97 + (i % 3))}`),
              statusUpdateRetryMs: 10_000, registrationBackoffMs: 1000,
              ...(o.dockerSocket ? { containerizers: ['mesos', 'docker'] as const, dockerSocket: o.dockerSocket as string } : {}),
              ...serve, clientTls,
            }, createLogger(`agent-${i + 1}`)));
          }
          marathon = await startMarathon({
            master: `127.0.0.1:${master.port}`, httpAddress: '127.0.0.1', httpPort: o.marathonPort, hostname: '127.0.0.1',
            workDir: join(dataDir, 'marathon'), store: 'sqlite', frameworkName: 'marathon', mesosUser: os.userInfo().username,
            failoverTimeoutSeconds: 7 * 24 * 3600, ...serve, clientTls,
          }, createLogger('marathon'));
          chronos = await startChronos({
            master: `127.0.0.1:${master.port}`, httpAddress: '127.0.0.1', httpPort: o.chronosPort, hostname: '127.0.0.1', workDir: join(dataDir, 'chronos'),
            frameworkName: 'chronos', role: '*', user: os.userInfo().username, failoverTimeoutSeconds: 604_800, taskEpsilonMs: 60_000, failureRetryMs: 60_000,
            historyLimit: 100, declineOfferSeconds: 5, defaults: { cpus: 0.1, mem: 128, disk: 256 }, ...serve, clientTls,
          }, createLogger('chronos'));
        } catch (err) {
          await chronos?.close();
          await marathon?.close();
          for (const a of agents) await a.close();
          await master.close();
          throw err;
        }
        const lines = [
          '',
          'Trireme is running:',
          `  master   ${master.url}   (state: ${master.url}/master/state, scheduler API: ${master.url}/api/v1/scheduler)`,
          ...agents.map((a, i) => `  agent ${i + 1}  ${a.url}`),
          `  marathon ${marathon!.url}   (REST API: ${marathon!.url}/v2/apps, events: ${marathon!.url}/v2/events)`,
          `  chronos  ${chronos!.url}   (jobs: ${chronos!.url}/v1/scheduler/jobs)`,
          `  data     ${dataDir}`,
          `Web consoles: ${master.url}/  ${marathon!.url}/  ${chronos!.url}/`,
          'Press Ctrl-C to stop.',
          '',
        ];
        process.stdout.write(lines.join('\n') + '\n');
        return {
          async close() {
            await chronos?.close();
            await marathon?.close();
            for (const a of agents) await a.close();
            await master.close();
          },
        };
      });
    });
}

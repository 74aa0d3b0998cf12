// `trireme cluster status` and `trireme agents list` (alias `trireme agent list`): the master's view of the cluster.
import { Command } from 'commander';
import { MesosClient } from './ops/mesos-client.ts';
import { MarathonClient } from './ops/marathon-client.ts';
import { ChronosClient } from './ops/chronos-client.ts';
import { agentRows, clusterSummary } from './ops/views.ts';
import { action, colour, num, percent, print, printJson, stateColour, table, withEndpoints, type Endpoints } from './output.ts';

/** Whether Marathon and Chronos answer: shown in the status, never a failure of it. */
async function serviceHealth(o: Endpoints): Promise<{ marathon: string; chronos: string }> {
  const probe = async (fn: () => Promise<unknown>) => { try { await fn(); return 'ok'; } catch (err) { return `unreachable (${(err as Error).message})`; } };
  const [marathon, chronos] = await Promise.all([
    probe(() => new MarathonClient(o.marathon).deployments()),
    probe(() => new ChronosClient(o.chronos).summary()),
  ]);
  return { marathon, chronos };
}

export function clusterCommand(): Command {
  const cluster = new Command('cluster').description('the cluster as the master sees it');
  cluster.addCommand(withEndpoints(new Command('status'))
    .description('leader, agents, resources total/used/offered, frameworks and task counts')
    .action(action(async (o: Endpoints) => {
      const summary = clusterSummary(await new MesosClient(o.master).state());
      const services = await serviceHealth(o);
      if (o.json) return printJson({ ...summary, services });
      const lines = [
        `${colour.bold('Leader')}      ${summary.leader}${summary.cluster ? `  (cluster ${summary.cluster})` : ''}`,
        `${colour.bold('Version')}     ${summary.version}`,
        `${colour.bold('Agents')}      ${summary.agents.active} active / ${summary.agents.total}`,
        `${colour.bold('Marathon')}    ${stateColour(services.marathon)}`,
        `${colour.bold('Chronos')}     ${stateColour(services.chronos)}`,
        '',
        table(['RESOURCE', 'TOTAL', 'USED', 'OFFERED', 'USED%'], summary.resources.map((r) => [r.name, num(r.total), num(r.used), num(r.offered), percent(r.used, r.total)])),
        '',
        table(['FRAMEWORK', 'ID', 'ACTIVE', 'TASKS'], summary.frameworks.map((f) => [f.name, f.id, f.active ? 'yes' : 'no', f.tasks])),
        '',
        `${colour.bold('Tasks')}       ${Object.entries(summary.tasks).sort().map(([s, n]) => `${stateColour(s)} ${n}`).join(', ') || 'none'}`,
      ];
      print(lines.join('\n'));
    })));
  return cluster;
}

export function agentsCommand(): Command {
  const agents = new Command('agents').description('the agents registered with the master (also: `trireme agent list`)');
  const list = withEndpoints(new Command('list'))
    .description('agents with their address, resources used/total, attributes and task count')
    .action(action(async (o: Endpoints) => {
      const rows = agentRows(await new MesosClient(o.master).state());
      if (o.json) return printJson(rows);
      print(table(['ID', 'HOST', 'ACTIVE', 'CPUS', 'MEM', 'DISK', 'TASKS', 'ATTRIBUTES'], rows.map((a) => [
        a.id, a.host, stateColour(a.active ? 'yes' : 'no'), `${num(a.cpus.used)}/${num(a.cpus.total)}`, `${num(a.mem.used)}/${num(a.mem.total)}`,
        `${num(a.disk.used)}/${num(a.disk.total)}`, a.tasks, a.attributes,
      ])));
    }));
  agents.addCommand(list, { isDefault: true });
  return agents;
}

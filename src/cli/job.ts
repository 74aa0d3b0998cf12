// `trireme job …`: Chronos jobs — list, show, create (scheduled or dependent), run now, delete, dependency graph.
import { Command } from 'commander';
import { CliError } from './ops/http.ts';
import { ChronosClient } from './ops/chronos-client.ts';
import { parseGraphCsv, renderGraph } from './ops/views.ts';
import { readJsonFile } from './app.ts';
import { action, colour, print, printJson, stateColour, table, withEndpoints, type Endpoints } from './output.ts';

export function jobCommand(): Command {
  const job = new Command('job').description('Chronos jobs');

  job.addCommand(withEndpoints(new Command('list')).description('jobs with schedule or parents, last outcome and run state')
    .action(action(async (o: Endpoints) => {
      const c = new ChronosClient(o.chronos);
      const [jobs, summary] = await Promise.all([c.jobs(), c.summary()]);
      const byName = new Map(summary.map((s) => [s.name, s]));
      const rows = jobs.sort((a, b) => (a.name < b.name ? -1 : 1)).map((j) => {
        const s = byName.get(j.name);
        return { name: j.name, schedule: j.schedule ?? '', parents: j.parents ?? [], state: s?.state ?? '', status: s?.status ?? '', disabled: j.disabled ?? false, lastSuccess: j.lastSuccess ?? '', lastError: j.lastError ?? '' };
      });
      if (o.json) return printJson(rows);
      print(table(['NAME', 'SCHEDULE / PARENTS', 'LAST', 'STATUS', 'DISABLED', 'LAST SUCCESS', 'LAST ERROR'], rows.map((r) => [
        r.name, r.parents.length > 0 ? `after ${r.parents.join(', ')}` : r.schedule, stateColour(r.state), stateColour(r.status), r.disabled ? 'yes' : 'no', r.lastSuccess, r.lastError,
      ])));
    })));

  job.addCommand(withEndpoints(new Command('show')).description('one job and its recent runs').argument('<name>')
    .action(action(async (name: string, o: Endpoints) => {
      const c = new ChronosClient(o.chronos);
      const j = await c.job(name);
      const runs = (await c.stats(name)).taskStatHistory.slice(0, 10);
      if (o.json) return printJson({ ...j, runs });
      const field = (label: string, value: unknown) => (value === undefined || value === '' ? [] : [`${colour.bold(label.padEnd(13))}${String(value)}`]);
      print([
        ...field('Name', j.name), ...field('Command', j.command),
        ...field(Array.isArray(j.parents) && j.parents.length > 0 ? 'Parents' : 'Schedule', Array.isArray(j.parents) && j.parents.length > 0 ? j.parents.join(', ') : j.schedule),
        ...field('Disabled', j.disabled ? 'yes' : 'no'), ...field('Owner', j.owner),
        ...field('Successes', j.successCount), ...field('Errors', j.errorCount), ...field('Last success', j.lastSuccess), ...field('Last error', j.lastError),
        '',
        table(['TASK', 'STATUS', 'HOST', 'START', 'END', 'DURATION'], runs.map((r) => [String(r.taskId), stateColour(String(r.status)), String(r.host ?? ''), String(r.startTime), String(r.endTime), String(r.duration)])),
      ].join('\n'));
    })));

  job.addCommand(withEndpoints(new Command('create')).description('create or replace a job: with "parents" it is dependent, else scheduled (ISO8601)')
    .requiredOption('-f, --file <path>', 'job definition (JSON; - = stdin)')
    .action(action(async (o: Endpoints & { file: string }) => {
      const def = readJsonFile(o.file);
      if (typeof def.name !== 'string' || def.name === '') throw new CliError('usage', `-f ${o.file}: name: a job needs a name`);
      const kind = await new ChronosClient(o.chronos).save(def);
      if (o.json) return printJson({ name: def.name, kind });
      print(`job ${def.name}: saved (${kind === 'dependency' ? `runs after ${(def.parents as string[]).join(', ')}` : `schedule ${String(def.schedule ?? '')}`})`);
    })));

  job.addCommand(withEndpoints(new Command('run')).description('run a job now (queued; runs when an offer fits)').argument('<name>')
    .option('--arguments <text>', 'arguments appended to the command for this run')
    .action(action(async (name: string, o: Endpoints & { arguments?: string }) => {
      await new ChronosClient(o.chronos).run(name, o.arguments);
      if (o.json) return printJson({ name, queued: true });
      print(`job ${name}: queued to run now`);
    })));

  job.addCommand(withEndpoints(new Command('delete')).description('delete a job (its children are rewired as Chronos does)').argument('<name>')
    .action(action(async (name: string, o: Endpoints) => {
      await new ChronosClient(o.chronos).remove(name);
      if (o.json) return printJson({ name, deleted: true });
      print(`job ${name}: deleted`);
    })));

  job.addCommand(withEndpoints(new Command('graph')).description('the dependency graph as a tree (--dot: Graphviz DOT)').option('--dot', 'print Graphviz DOT', false)
    .action(action(async (o: Endpoints & { dot: boolean }) => {
      const c = new ChronosClient(o.chronos);
      if (o.dot) return print(await c.graphDot());
      const graph = parseGraphCsv(await c.graphCsv());
      if (o.json) return printJson(graph);
      const states = new Map(graph.nodes.map((n) => [n.name, n]));
      print(renderGraph(graph, (name) => `${name} ${colour.dim('(')}${stateColour(states.get(name)?.state ?? '')}${colour.dim(', ')}${states.get(name)?.status ?? ''}${colour.dim(')')}`).join('\n') || '(no jobs)');
    })));
  return job;
}
